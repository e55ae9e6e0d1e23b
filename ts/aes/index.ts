/**
 * AES-256-CTR with the SDK's wire format (`iv ‖ ciphertext`, a fresh 16-byte IV, the whole
 * 128-bit block as the counter), asynchronous so that large payloads can go to WebCrypto:
 * the browser's native AES beats our wasm AES (no AES-NI in wasm) once the payload outweighs
 * WebCrypto's per-call cost (see BENCHMARKS.md). Small payloads stay in wasm, where a call costs
 * no promise round trip. The bytes are the same either way; the synchronous
 * `encryptWithAES` / `decryptWithAES` remain for callers that cannot await.
 */
import { decryptWithAES, encryptWithAES } from '#wasm';
import { ready } from '../ready.js';

const IV_LEN = 16;
const KEY_LEN = 32;

/**
 * From this many plaintext bytes on, WebCrypto does the work when the platform has it. Each
 * WebCrypto call imports the key and awaits a promise (about 50 µs in Chromium); our wasm
 * AES-CTR costs about 40 µs per KiB (BENCHMARKS.md), so they break even near 1.5 KiB.
 */
export const WEBCRYPTO_AES_MIN_BYTES = 2048;

/** Options of {@link encryptWithAESAsync} and {@link decryptWithAESAsync}. */
export interface AesRoutingOptions {
  /** Plaintext length from which WebCrypto is used; default {@link WEBCRYPTO_AES_MIN_BYTES}. `Infinity`: always wasm. */
  webCryptoMinBytes?: number;
}

function subtleFor(plaintextBytes: number, key: Uint8Array, options?: AesRoutingOptions): SubtleCrypto | undefined {
  // A bad key goes to wasm, which throws the typed INVALID_KEY error.
  if (key.length !== KEY_LEN || plaintextBytes < (options?.webCryptoMinBytes ?? WEBCRYPTO_AES_MIN_BYTES)) return undefined;
  // `crypto.subtle` is absent outside secure contexts (plain-http pages): wasm then.
  return globalThis.crypto?.subtle;
}

async function ctr(subtle: SubtleCrypto, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-CTR', false, ['encrypt']);
  // CTR decryption is encryption; `length: 128` increments the whole block like Node/OpenSSL.
  return new Uint8Array(await subtle.encrypt({ name: 'AES-CTR', counter: iv as Uint8Array<ArrayBuffer>, length: 128 }, k, data as Uint8Array<ArrayBuffer>));
}

/** `encryptWithAES`, routed to WebCrypto for large payloads: `iv ‖ ciphertext`. */
export async function encryptWithAESAsync(data: Uint8Array, key: Uint8Array, options?: AesRoutingOptions): Promise<Uint8Array> {
  const subtle = subtleFor(data.length, key, options);
  if (!subtle) {
    await ready();
    return encryptWithAES(data, key);
  }
  const out = new Uint8Array(IV_LEN + data.length);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_LEN));
  out.set(iv);
  out.set(await ctr(subtle, key, iv, data), IV_LEN);
  return out;
}

/** `decryptWithAES`, routed to WebCrypto for large payloads; input `iv ‖ ciphertext`. */
export async function decryptWithAESAsync(cipher: Uint8Array, key: Uint8Array, options?: AesRoutingOptions): Promise<Uint8Array> {
  const subtle = cipher.length >= IV_LEN ? subtleFor(cipher.length - IV_LEN, key, options) : undefined;
  if (!subtle) {
    await ready();
    return decryptWithAES(cipher, key);
  }
  return ctr(subtle, key, cipher.subarray(0, IV_LEN), cipher.subarray(IV_LEN));
}
