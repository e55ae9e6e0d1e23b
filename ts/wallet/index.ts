/** Signers: a wallet (EIP-1193), a key held in wasm, or a session key the wallet authorised once. */
export * from './eip1193.js';
export * from './local.js';
export * from './signer.js';
export { toHex, fromHex } from './hex.js';
export * from './session.js';
export { type SessionKeyStore, MemorySessionKeyStore, IndexedDbSessionKeyStore, SESSION_DB_NAME, defaultSessionKeyStore } from './session-store.js';
