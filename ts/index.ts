/**
 * streamr-e2ee: the package entry. The shim's high-level API (createPublisher,
 * createSubscriber, transports, signers, registry, key stores) plus every raw binding of
 * the wasm core for apps that drive the sans-IO handles themselves.
 */
export * from '#wasm';
export * from './ports.js';
export * from './api/index.js';
export * from './keystore/index.js';
export * from './aes/index.js';
export * from './worker/index.js';
