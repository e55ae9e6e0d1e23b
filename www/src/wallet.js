// An injected EIP-1193 wallet (window.ethereum, e.g. MetaMask) as the publisher's signer,
// through the package's Eip1193Signer: eth_requestAccounts once, then personal_sign over
// each signature payload (checked to recover to the connected account). The same signer
// authorises the wallet panel's session key (www/src/session.js).
import { Eip1193Signer } from 'streamr-e2ee';

export function findWallet() {
  return typeof window !== 'undefined' && window.ethereum && typeof window.ethereum.request === 'function' ? window.ethereum : undefined;
}

/** The wallet's signer if this site is connected already (eth_accounts: no prompt), else undefined. */
export async function silentWallet(provider) {
  try {
    return await Eip1193Signer.connect(provider, { requestAccounts: false });
  } catch (e) {
    if (e.code === 'WALLET_ERROR') return undefined; // no account given to this site yet
    throw e;
  }
}

/** Asks to connect (eth_requestAccounts); resolves with the signer (its `account` is the address). */
export function connectWallet(provider) {
  return Eip1193Signer.connect(provider);
}
