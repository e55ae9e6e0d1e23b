/**
 * `streamr-e2ee/sdk-backend`: the SDK's own high-level crypto shape on the wasm core, for apps
 * that call it directly (and for the SDK's planned async `EncryptionService` seam):
 * `EncryptionUtil`, `GroupKey`, `RSAKeyPair`, `MLKEMKeyPair`. Byte-compatible with
 * `@streamr/sdk` 103.x: what one encrypts the other decrypts (tests/interop/).
 *
 * The module-level stand-ins that put the SDK itself on the wasm core are
 * `streamr-e2ee/sdk-backend/utils` (for `@streamr/utils`) and
 * `streamr-e2ee/sdk-backend/ml-kem` (for `@noble/post-quantum/ml-kem`); see docs/sdk-backend.md.
 */
import { RsaKeyPair, rsaOaepDecrypt, rsaOaepEncrypt } from '../rsa/index.js';
import * as wasm from '#wasm';
// Browsers: instantiate the core before any importer runs (the SDK calls it synchronously).
import '#wasm-eager';
import { asBuffer, bufferFrom, isBuffer, type BufferLike } from './buffer.js';
import { count } from './calls.js';

export { backendCalls, resetBackendCalls } from './calls.js';
export { AsymmetricEncryptionType } from '#wasm';

/** Resolves once the wasm core can be called (see docs/sdk-backend.md, "Initialisation"). */
export { ready } from '../ready.js';

/** An error the SDK would throw as a `StreamrClientError` with this `code`. */
function sdkError(message: string, code: string, streamMessage?: unknown): Error {
  const err = new Error(message) as Error & { code: string; streamMessage?: unknown };
  err.name = 'StreamrE2eeError';
  err.code = code;
  if (streamMessage !== undefined) err.streamMessage = streamMessage;
  return err;
}

function rsaPem(bytes: Uint8Array, kind: 'PUBLIC KEY' | 'PRIVATE KEY', what: string): string {
  const text = new TextDecoder().decode(bytes);
  if (!text.startsWith(`-----BEGIN ${kind}-----`) || !text.endsWith(`-----END ${kind}-----\n`)) {
    throw new Error(what);
  }
  return text;
}

/** The part of a StreamMessage `decryptStreamMessage` reads. */
export interface EncryptedStreamMessage {
  content: Uint8Array;
  newGroupKey?: { id: string; data: Uint8Array } | undefined;
}

/** `EncryptionUtil` of @streamr/sdk 103.x, static methods with the same signatures. */
export class EncryptionUtil {
  /** `iv ‖ AES-256-CTR(data)` under `cipherKey` (32 bytes) with a fresh IV. */
  static encryptWithAES(data: Uint8Array, cipherKey: Uint8Array): BufferLike {
    count('EncryptionUtil.encryptWithAES');
    return asBuffer(wasm.encryptWithAES(data, cipherKey));
  }

  /** Decrypts `iv ‖ ciphertext` under `cipherKey`. */
  static decryptWithAES(cipher: Uint8Array, cipherKey: Uint8Array): BufferLike {
    count('EncryptionUtil.decryptWithAES');
    return asBuffer(wasm.decryptWithAES(cipher, cipherKey));
  }

  /** Encrypts for a key-exchange public key: RSA-OAEP-SHA1 to the UTF-8 bytes of an SPKI PEM,
   * or ML-KEM-1024 + HKDF-SHA-512 + AES-256-CTR (`kemCt ‖ salt ‖ iv ‖ ct`). */
  static async encryptForPublicKey(
    plaintext: Uint8Array,
    publicKey: Uint8Array,
    type: wasm.AsymmetricEncryptionType,
  ): Promise<BufferLike> {
    count('EncryptionUtil.encryptForPublicKey');
    // One wasm call: the KEM shared secret and the HKDF key never reach JS.
    if (type === wasm.AsymmetricEncryptionType.ML_KEM) return asBuffer(wasm.mlKemEncryptForPublicKey(plaintext, publicKey));
    if (type === wasm.AsymmetricEncryptionType.RSA) {
      const pem = rsaPem(publicKey, 'PUBLIC KEY', '"publicKey" must be an RSA public key (SPKI) in PEM format, encoded in UTF-8');
      return asBuffer(await rsaOaepEncrypt(pem, plaintext));
    }
    throw new Error(`Unexpected encryption type: ${type as number}`);
  }

  /** Reverses `encryptForPublicKey` with the private key (`getPrivateKey()` of a key pair). */
  static async decryptWithPrivateKey(
    cipher: Uint8Array,
    privateKey: Uint8Array,
    type: wasm.AsymmetricEncryptionType,
  ): Promise<BufferLike> {
    count('EncryptionUtil.decryptWithPrivateKey');
    if (type === wasm.AsymmetricEncryptionType.ML_KEM) return asBuffer(wasm.mlKemDecryptWithPrivateKey(cipher, privateKey));
    if (type === wasm.AsymmetricEncryptionType.RSA) {
      const pem = rsaPem(privateKey, 'PRIVATE KEY', '"privateKey" must be a PKCS#8 RSA private key in PEM format, encoded in UTF-8');
      return asBuffer(await rsaOaepDecrypt(pem, cipher));
    }
    throw new Error(`Unexpected encryption type: ${type as number}`);
  }

  /** `[content, newGroupKey]` of an AES-encrypted message; throws `code: 'DECRYPT_ERROR'`
   * with the SDK's messages. */
  static decryptStreamMessage(streamMessage: EncryptedStreamMessage, groupKey: GroupKey): [BufferLike, GroupKey | undefined] {
    let content: BufferLike;
    try {
      content = this.decryptWithAES(streamMessage.content, groupKey.data);
    } catch {
      throw sdkError('AES decryption failed', 'DECRYPT_ERROR', streamMessage);
    }
    let newGroupKey: GroupKey | undefined;
    if (streamMessage.newGroupKey) {
      try {
        newGroupKey = groupKey.decryptNextGroupKey(streamMessage.newGroupKey);
      } catch {
        throw sdkError('Could not decrypt new encryption key', 'DECRYPT_ERROR', streamMessage);
      }
    }
    return [content, newGroupKey];
  }
}

/** A group key as the SDK's `GroupKey` (exported by the SDK as `EncryptionKey`): an id and
 * 32 key bytes as a Buffer, with the same validation and error messages. */
export class GroupKey {
  readonly id: string;
  readonly data: BufferLike;

  constructor(id: string, data: Uint8Array) {
    if (!id) throw sdkError(`groupKeyId must not be falsey ${id}`, 'INVALID_KEY');
    if (!data) throw sdkError(`groupKeyBufferOrHexString must not be falsey ${String(data)}`, 'INVALID_KEY');
    if (typeof id !== 'string') throw sdkError('GroupKey id must be a string', 'INVALID_KEY');
    if (id.includes('---BEGIN')) throw sdkError('GroupKey public/private key is not a valid group key id', 'INVALID_KEY');
    if (!isBuffer(data)) throw sdkError('GroupKey data must be a Buffer', 'INVALID_KEY');
    if (data.length !== 32) throw sdkError(`Group key must have a size of 256 bits, not ${data.length * 8}`, 'INVALID_KEY');
    this.id = id;
    this.data = data as BufferLike;
  }

  /** A fresh random key; the id defaults to the SDK's form `<uuid v4>-GroupKey<n>`. */
  static generate(id?: string): GroupKey {
    const k = wasm.GroupKey.generate();
    const key = new GroupKey(id ?? k.id, asBuffer(k.data));
    k.free();
    return key;
  }

  /** `next` encrypted under this key, as a content message's `newGroupKey`. */
  encryptNextGroupKey(nextGroupKey: GroupKey): { id: string; data: BufferLike } {
    return { id: nextGroupKey.id, data: EncryptionUtil.encryptWithAES(nextGroupKey.data, this.data) };
  }

  /** Recovers the next key from a `newGroupKey` made under this key. */
  decryptNextGroupKey(nextGroupKey: { id: string; data: Uint8Array }): GroupKey {
    return new GroupKey(nextGroupKey.id, EncryptionUtil.decryptWithAES(nextGroupKey.data, this.data));
  }
}

/** The SDK's `RSAKeyPair`: PEM strings, handed out as their UTF-8 bytes (as the SDK does). */
export class RSAKeyPair {
  readonly #privateKey: string;
  readonly #publicKey: string;

  constructor(privateKey: string, publicKey: string) {
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  /** The UTF-8 bytes of the SPKI PEM. */
  getPublicKey(): BufferLike {
    return bufferFrom(this.#publicKey);
  }

  /** The UTF-8 bytes of the PKCS#8 PEM. */
  getPrivateKey(): BufferLike {
    return bufferFrom(this.#privateKey);
  }

  getEncryptionType(): wasm.AsymmetricEncryptionType {
    return wasm.AsymmetricEncryptionType.RSA;
  }

  /** A fresh key pair of `keyLength` bits (640..=4096; the SDK's default is 4096). */
  static async create(keyLength: number): Promise<RSAKeyPair> {
    count('RSAKeyPair.create');
    // The platform's RSA (node:crypto, WebCrypto) or the rsa-wasm module: not the main module.
    const pair = await RsaKeyPair.generate(keyLength);
    const out = new RSAKeyPair(await pair.toPkcs8Pem(), pair.publicKeyPem);
    pair.free();
    return out;
  }
}

/** The SDK's `MLKEMKeyPair`: 3168-byte expanded secret key, 1568-byte public key, as Buffers. */
export class MLKEMKeyPair {
  readonly #privateKey: BufferLike;
  readonly #publicKey: BufferLike;

  constructor(privateKey: Uint8Array, publicKey: Uint8Array) {
    this.#privateKey = asBuffer(privateKey);
    this.#publicKey = asBuffer(publicKey);
  }

  getPublicKey(): BufferLike {
    return this.#publicKey;
  }

  getPrivateKey(): BufferLike {
    return this.#privateKey;
  }

  getEncryptionType(): wasm.AsymmetricEncryptionType {
    return wasm.AsymmetricEncryptionType.ML_KEM;
  }

  /** A fresh key pair. */
  static create(): MLKEMKeyPair {
    count('MLKEMKeyPair.create');
    const pair = wasm.MlKemKeyPair.generate();
    const out = new MLKEMKeyPair(pair.expandedSecretKey(), pair.publicKey);
    pair.free();
    return out;
  }
}
