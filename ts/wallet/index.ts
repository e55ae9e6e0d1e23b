/** Signers: a wallet (EIP-1193) or a key held in wasm. */
export * from './eip1193.js';
export * from './local.js';
export * from './signer.js';
export { toHex, fromHex } from './hex.js';
