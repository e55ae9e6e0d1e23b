/**
 * Slow crypto off the main thread: the package's Web Worker (`CryptoWorker`: RSA key
 * generation and bulk AES decryption in wasm) and WebCrypto RSA (docs/worker.md).
 */
export { CryptoWorker, WorkerRsaKeyExchange, type CryptoWorkerOptions, type DecryptOutcome } from './client.js';
export { WebCryptoRsaKeyExchange, generateRsaKeyPairWebCrypto } from './webcrypto-rsa.js';
export { MAIN_THREAD_MEASURE_PREFIX } from './timing.js';
