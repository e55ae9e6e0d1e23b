// An injected EIP-1193 wallet (window.ethereum, e.g. MetaMask) as a signer: the core asks
// `sign` questions, the wallet answers with personal_sign over the exact payload bytes.
import { getBytes, hexlify } from 'ethers';

export function findWallet() {
  return typeof window !== 'undefined' && window.ethereum && typeof window.ethereum.request === 'function' ? window.ethereum : undefined;
}

/** Asks to connect (eth_requestAccounts); returns the address and a `sign(payload)` function. */
export async function connectWallet(provider) {
  const accounts = await provider.request({ method: 'eth_requestAccounts' });
  if (!accounts?.length) throw Object.assign(new Error('the wallet returned no account'), { code: 'WALLET_ERROR' });
  const address = accounts[0].toLowerCase();
  const sign = async (payload) => {
    try {
      const sig = getBytes(await provider.request({ method: 'personal_sign', params: [hexlify(payload), address] }));
      if (sig.length !== 65) throw new Error(`the wallet returned a ${sig.length}-byte signature, expected 65`);
      return sig;
    } catch (e) {
      throw new Error(e.code === 4001 ? 'you refused the signature in the wallet' : `wallet signature failed: ${e.message}`);
    }
  };
  return { address, sign };
}
