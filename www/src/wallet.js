// An injected EIP-1193 wallet (window.ethereum, e.g. MetaMask) as the publisher's signer,
// through the package's Eip1193Signer: eth_requestAccounts once, then personal_sign over
// each signature payload (checked to recover to the connected account).
import { Eip1193Signer } from 'streamr-e2ee';

export function findWallet() {
  return typeof window !== 'undefined' && window.ethereum && typeof window.ethereum.request === 'function' ? window.ethereum : undefined;
}

/** Asks to connect (eth_requestAccounts); resolves with the signer (its `account` is the address). */
export function connectWallet(provider) {
  return Eip1193Signer.connect(provider);
}
