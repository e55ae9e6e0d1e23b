/**
 * streamr-e2ee: the package entry. The shim's high-level API (createPublisher,
 * createSubscriber, transports, signers, registry, key stores) plus every raw binding of
 * the wasm core for apps that drive the sans-IO handles themselves.
 */
export * from '#wasm';
export { ready } from './ready.js';
export * from './ports.js';
export * from './api/index.js';
export * from './keystore/index.js';
export * from './aes/index.js';
export * from './worker/index.js';
// RSA (issue #16): the main wasm module has none; these asynchronous stand-ins of its former
// RSA exports run on the platform or the lazily loaded rsa-wasm module. Named, so they take
// precedence over `export *` of '#wasm' (whose wrapGroupKey does ML-KEM only).
export {
  RsaKeyPair,
  rsaOaepEncrypt,
  rsaOaepDecrypt,
  wrapGroupKey,
  answerWrapGroupKeys,
  configureRsa,
  rsaStats,
  type RsaPreference,
  type RsaPath,
} from './rsa/index.js';
// P-256 (issue #16): the main module has no P-256 arithmetic; verification and signing run on
// the platform (WebCrypto, node:crypto), loaded on first use. Named, as above.
export { P256Signer, verifyP256Signature, answerVerifyP256, p256Stats, type P256Path } from './p256/index.js';
