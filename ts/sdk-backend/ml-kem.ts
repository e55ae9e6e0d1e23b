/**
 * Stand-in for `@noble/post-quantum/ml-kem` (0.4.x) whose `ml_kem1024` runs `keygen`,
 * `encapsulate` and `decapsulate` in the streamr-e2ee wasm core: the same arguments, the same
 * `{ publicKey, secretKey }` (1568 / 3168-byte expanded key) and `{ cipherText, sharedSecret }`
 * results. The deterministic forms (`keygen(seed)`, `encapsulate(pk, msg)`) and the other
 * parameter sets go to the real noble, unchanged.
 */
import * as noble from '@noble/post-quantum/ml-kem';
import * as wasm from '#wasm';
// Browsers: instantiate the core before any importer runs (the SDK calls it synchronously).
import '#wasm-eager';
import { count } from './calls.js';

export * from '@noble/post-quantum/ml-kem';

/** `ml_kem1024` with keygen/encapsulate/decapsulate in wasm. */
export const ml_kem1024: typeof noble.ml_kem1024 = {
  ...noble.ml_kem1024,
  keygen(seed?: Uint8Array) {
    if (seed !== undefined) return noble.ml_kem1024.keygen(seed);
    count('ml_kem1024.keygen');
    const pair = wasm.MlKemKeyPair.generate();
    const out = { publicKey: pair.publicKey, secretKey: pair.expandedSecretKey() };
    pair.free();
    return out;
  },
  encapsulate(publicKey: Uint8Array, msg?: Uint8Array) {
    if (msg !== undefined) return noble.ml_kem1024.encapsulate(publicKey, msg);
    count('ml_kem1024.encapsulate');
    return wasm.mlKem1024Encapsulate(publicKey);
  },
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array) {
    count('ml_kem1024.decapsulate');
    return wasm.mlKem1024Decapsulate(cipherText, secretKey);
  },
};
