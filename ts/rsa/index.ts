/**
 * RSA key exchange outside the main wasm module (issue #16; docs/key-exchange.md): the core
 * checks and decides, the platform (WebCrypto, node:crypto) or the lazily loaded rsa-wasm
 * module computes RSA-OAEP-SHA-1. These replace the main module's former synchronous RSA
 * exports with asynchronous ones of the same names.
 */
import {
  AsymmetricEncryptionType,
  GroupKey,
  pkcs8PemToDer,
  rsaPublicKeyInfo,
  wrapGroupKey as wrapGroupKeyInCore,
  type Answer,
  type GroupKeyData,
  type WrapGroupKeysQuestion,
} from '#wasm';
import { createError, isStreamrE2eeError } from '../errors.js';
import { toPem } from './pem.js';
import type { RsaPrivateKeyHandle } from './platform.js';
import { rsaEncrypt, rsaGenerate, rsaImportPkcs8 } from './provider.js';
import { ready } from '../ready.js';

export { configureRsa, rsaStats, type RsaPreference } from './provider.js';
export type { RsaPath } from './platform.js';

const KEY_LEN = 32;

function checkBits(bits: unknown): number {
  if (typeof bits !== 'number' || !Number.isSafeInteger(bits)) throw createError('INVALID_ARGUMENT', 'bits must be an integer');
  if (bits < 640 || bits > 4096) throw createError('INVALID_KEY', `RSA key must have 640..=4096 bits, got ${bits}`);
  return bits;
}

/** Rethrows a typed error as it is, anything else (a platform's OperationError) as `code`. */
function typed(err: unknown, code: 'INVALID_KEY' | 'DECRYPT_ERROR', message: string): Error {
  return isStreamrE2eeError(err) ? err : createError(code, message, err);
}

/**
 * A subscriber's RSA key-exchange key pair (RSA-OAEP with SHA-1, as the SDK). The private key
 * is a WebCrypto `CryptoKey` in browsers, a `KeyObject` in Node, or in the rsa-wasm module
 * where the platform refuses the key; it is never in the main wasm module.
 *
 * Give it as a subscriber's key pair (`keyPairFactory`), or its `keyExchange` to a raw
 * `Subscriber` and answer the `unwrapGroupKey` questions with `answerUnwrap`.
 */
export class RsaKeyPair {
  /** Always `AsymmetricEncryptionType.RSA`. */
  readonly encryptionType = AsymmetricEncryptionType.RSA;
  /** The `keyExchange` argument of a raw `Subscriber`: `{ encryptionType: RSA, publicKey: spkiPem }`. */
  readonly keyExchange: { encryptionType: AsymmetricEncryptionType; publicKey: string };

  private constructor(
    private readonly key: RsaPrivateKeyHandle,
    /** The SPKI PEM in Node's layout (64 columns, one final newline). */
    readonly publicKeyPem: string,
    /** The modulus size in bits. */
    readonly bits: number,
  ) {
    this.keyExchange = { encryptionType: AsymmetricEncryptionType.RSA, publicKey: publicKeyPem };
  }

  /**
   * A fresh key pair of `bits` (640..=4096, default 4096, the SDK's `rsaKeyLength`), e = 65537.
   * `extractable: false` keeps a WebCrypto key non-extractable (`toPkcs8Pem` then rejects).
   */
  static async generate(bits = 4096, options: { extractable?: boolean } = {}): Promise<RsaKeyPair> {
    await ready(); // the public key's checks are the core's
    const key = await rsaGenerate(checkBits(bits), options.extractable ?? true);
    return RsaKeyPair.from(key);
  }

  /**
   * Imports a PKCS#8 PEM private key (Node's or the browser's layout, one final newline),
   * 640..=4096 bits: a key pair persisted with `toPkcs8Pem`. Rejects with `INVALID_KEY`.
   */
  static async fromPkcs8Pem(pem: string | Uint8Array, options: { extractable?: boolean } = {}): Promise<RsaKeyPair> {
    await ready();
    const der = pkcs8PemToDer(pem);
    let key: RsaPrivateKeyHandle;
    try {
      key = await rsaImportPkcs8(der, options.extractable ?? true);
    } catch (err) {
      throw typed(err, 'INVALID_KEY', 'not a PKCS#8 RSA private key');
    } finally {
      der.fill(0);
    }
    return RsaKeyPair.from(key);
  }

  private static from(key: RsaPrivateKeyHandle): RsaKeyPair {
    try {
      // The core's check: rsaEncryption, 640..=4096 bits (a refused size throws INVALID_KEY).
      const info = rsaPublicKeyInfo(toPem("PUBLIC KEY", key.publicKeyDer));
      return new RsaKeyPair(key, info.pem, info.bits);
    } catch (err) {
      key.dispose();
      throw err;
    }
  }

  /** The UTF-8 bytes of `publicKeyPem`, as they go into `GroupKeyRequest.publicKey`. */
  get publicKey(): Uint8Array {
    return new TextEncoder().encode(this.publicKeyPem);
  }

  /** Which code holds the private key: `'webcrypto'`, `'node'` or `'wasm'` (the rsa-wasm module). */
  get path(): string {
    return this.key.path;
  }

  /** The private key as PKCS#8 PEM in Node's layout, for persistence (a JS string, not wipeable). */
  async toPkcs8Pem(): Promise<string> {
    const der = await this.key.exportPkcs8();
    try {
      return toPem('PRIVATE KEY', der);
    } finally {
      der.fill(0);
    }
  }

  /** The plaintext of an RSA-OAEP-SHA-1 `data` of `bits / 8` bytes. Rejects with `DECRYPT_ERROR`. */
  async unwrap(data: Uint8Array): Promise<Uint8Array> {
    if (!(data instanceof Uint8Array) || data.length !== Math.ceil(this.bits / 8)) {
      throw createError('DECRYPT_ERROR', 'RSA-OAEP decryption failed');
    }
    try {
      return await this.key.decrypt(data);
    } catch (err) {
      throw createError('DECRYPT_ERROR', 'RSA-OAEP decryption failed', err);
    }
  }

  /** Recovers group key `keyId` from one `EncryptedGroupKey.data`. Rejects with `DECRYPT_ERROR`, `INVALID_KEY` for a bad id. */
  async unwrapGroupKey(keyId: string, data: Uint8Array): Promise<GroupKey> {
    const bytes = await this.unwrap(data);
    try {
      if (bytes.length !== KEY_LEN) throw createError('DECRYPT_ERROR', 'RSA-OAEP decryption failed');
      return new GroupKey(keyId, bytes);
    } finally {
      bytes.fill(0);
    }
  }

  /** The answer to a raw subscriber's `unwrapGroupKey` question (docs/host-api.md). */
  async answerUnwrap(data: Uint8Array): Promise<{ type: 'groupKeyBytes'; bytes: Uint8Array } | { type: 'failed'; reason: string }> {
    try {
      return { type: 'groupKeyBytes', bytes: await this.unwrap(data) };
    } catch {
      return { type: 'failed', reason: 'RSA-OAEP decryption failed' };
    }
  }

  /** Frees the private key where that means something (rsa-wasm memory is zeroized). */
  free(): void {
    this.key.dispose();
  }
}

/**
 * RSAES-OAEP-SHA-1 of `data` to an SPKI PEM public key (Node's `publicEncrypt(pem, data)`).
 * Rejects with `INVALID_KEY` for a key that does not parse or is outside 640..=4096 bits.
 */
export async function rsaOaepEncrypt(publicKeyPem: string | Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  await ready();
  const { der } = rsaPublicKeyInfo(publicKeyPem);
  return rsaEncrypt(der, data);
}

/**
 * RSAES-OAEP-SHA-1 decryption with a PKCS#8 PEM private key (Node's `privateDecrypt(pem,
 * data)`). Rejects with `INVALID_KEY` for a key that does not parse, `DECRYPT_ERROR` otherwise.
 */
export async function rsaOaepDecrypt(privateKeyPem: string | Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const pair = await RsaKeyPair.fromPkcs8Pem(privateKeyPem, { extractable: false });
  try {
    return await pair.unwrap(data);
  } finally {
    pair.free();
  }
}

/**
 * Wraps `key` for a requester's key-exchange `publicKey` (what a publisher puts in a
 * `GroupKeyResponse`): RSA-OAEP-SHA-1 to an SPKI PEM through the platform (or rsa-wasm), or
 * ML-KEM-1024 in the core. Randomized. Rejects with `INVALID_KEY` for a bad public key.
 */
export async function wrapGroupKey(
  key: GroupKey | GroupKeyData,
  encryptionType: AsymmetricEncryptionType,
  publicKey: Uint8Array | string,
): Promise<Uint8Array> {
  await ready();
  if (encryptionType !== AsymmetricEncryptionType.RSA) return wrapGroupKeyInCore(key, encryptionType, publicKey);
  const { der } = rsaPublicKeyInfo(publicKey);
  const data = key.data;
  if (!(data instanceof Uint8Array) || data.length !== KEY_LEN) throw createError('INVALID_KEY', 'a group key is 32 bytes');
  try {
    return await rsaEncrypt(der, data);
  } finally {
    // A GroupKey hands out a copy; plain data belongs to the caller.
    if (key instanceof GroupKey) data.fill(0);
  }
}

/** The answer to a publisher's `wrapGroupKeys` question (docs/host-api.md). */
export async function answerWrapGroupKeys(question: WrapGroupKeysQuestion): Promise<Answer> {
  try {
    const data = await Promise.all(question.keys.map((k) => rsaEncrypt(question.publicKey, k.data)));
    return { type: 'wrappedGroupKeys', data };
  } catch (err) {
    return { type: 'failed', reason: `RSA-OAEP encryption failed: ${(err as Error)?.message ?? String(err)}` };
  } finally {
    for (const k of question.keys) k.data.fill(0);
  }
}
