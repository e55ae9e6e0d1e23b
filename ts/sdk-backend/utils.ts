/**
 * Stand-in for `@streamr/utils` (103.x) backed by the streamr-e2ee wasm core. Everything the
 * SDK imports from `@streamr/utils` is re-exported from the real package, except the
 * cryptography, which runs here:
 *   - `createCipheriv` / `createDecipheriv` for `aes-256-ctr` (update/final objects);
 *   - `publicEncrypt` / `privateDecrypt` (RSA-OAEP SHA-1 with PEM keys, Node's defaults);
 *   - `getSubtle()`: the real SubtleCrypto, except that HKDF key derivation runs here;
 *   - `SigningUtil` and its `EcdsaSecp256k1Evm`, `EcdsaSecp256r1`, `MlDsa87` with the same
 *     methods, arguments and return types (Node `Buffer` where the original returns one).
 *     `EcdsaSecp256r1` signs and verifies on the platform (WebCrypto / node:crypto, through the
 *     package's lazily loaded `#p256-platform`: the main module has no P-256, docs/p256.md).
 * Anything outside that (another cipher algorithm, a non-default RSA padding, a KeyObject)
 * is passed to the original unchanged, so behaviour never silently differs.
 *
 * Wire it in with `resolve.alias` (webpack) or `streamr-e2ee/sdk-backend/register` (Node):
 * see docs/sdk-backend.md.
 */
import * as real from '@streamr/utils';
import * as wasm from '#wasm';
import { createError } from '../errors.js';
import { P256Signer, verifyP256Signature } from '../p256/index.js';
// Browsers: instantiate the core before any importer runs (the SDK calls it synchronously).
import '#wasm-eager';
import { asBuffer, bufferFrom, emptyBuffer, type BufferLike } from './buffer.js';
import { count } from './calls.js';
import { randomBytes } from './random.js';
import { SignerCache } from './signer-cache.js';

export * from '@streamr/utils';
export { backendCalls, resetBackendCalls } from './calls.js';

/** Resolves once the wasm core can be called (see docs/sdk-backend.md, "Initialisation"). */
export { ready } from '../ready.js';

// ---------------------------------------------------------------- AES-256-CTR

type Bytes = Uint8Array;
type Encoding = string | undefined;

/** Node's Cipher/Decipher for `aes-256-ctr`: `update` XORs the keystream where the last call
 * stopped; `final` returns nothing (CTR has no padding and no tag). Not a stream.Transform. */
export class AesCtrCipher {
  readonly #key: Bytes;
  readonly #iv: Bytes;
  #offset = 0;
  #finished = false;

  constructor(key: Bytes, iv: Bytes) {
    // Checked now, as Node does when the cipher is created.
    wasm.aes256CtrApply(key, iv, 0, new Uint8Array(0));
    this.#key = Uint8Array.from(key);
    this.#iv = Uint8Array.from(iv);
  }

  update(data: Bytes | string, inputEncoding?: Encoding, outputEncoding?: Encoding): BufferLike | string {
    if (this.#finished) throw new Error('Unsupported state');
    count('aes256Ctr.update');
    const input = typeof data === 'string' ? bufferFrom(data, inputEncoding) : data;
    const out = asBuffer(wasm.aes256CtrApply(this.#key, this.#iv, this.#offset, input));
    this.#offset += input.length;
    return outputEncoding === undefined ? out : out.toString(outputEncoding);
  }

  final(outputEncoding?: Encoding): BufferLike | string {
    if (this.#finished) throw new Error('Unsupported state');
    this.#finished = true;
    this.#key.fill(0);
    return outputEncoding === undefined ? emptyBuffer() : '';
  }

  setAutoPadding(): this {
    return this;
  }
}

function isCtr(algorithm: string, key: unknown, iv: unknown): key is Bytes {
  return algorithm.toLowerCase() === 'aes-256-ctr' && key instanceof Uint8Array && iv instanceof Uint8Array;
}

/** `createCipheriv`: ours for `aes-256-ctr` with byte keys, the original otherwise. */
export function createCipheriv(...args: Parameters<typeof real.createCipheriv>): ReturnType<typeof real.createCipheriv> {
  const [algorithm, key, iv] = args as unknown as [string, unknown, unknown];
  if (args.length > 3 || !isCtr(algorithm, key, iv)) return real.createCipheriv(...args);
  count('createCipheriv');
  return new AesCtrCipher(key, iv as Bytes) as unknown as ReturnType<typeof real.createCipheriv>;
}

/** `createDecipheriv`: ours for `aes-256-ctr` with byte keys, the original otherwise. */
export function createDecipheriv(...args: Parameters<typeof real.createDecipheriv>): ReturnType<typeof real.createDecipheriv> {
  const [algorithm, key, iv] = args as unknown as [string, unknown, unknown];
  if (args.length > 3 || !isCtr(algorithm, key, iv)) return real.createDecipheriv(...args);
  count('createDecipheriv');
  return new AesCtrCipher(key, iv as Bytes) as unknown as ReturnType<typeof real.createDecipheriv>;
}

// ---------------------------------------------------------------- RSA-OAEP (SHA-1)

function pemOf(key: unknown): string | Bytes | undefined {
  if (typeof key === 'string') return key;
  if (key instanceof Uint8Array) return key;
  return undefined;
}

/**
 * `publicEncrypt(pem, data)`: RSA-OAEP with SHA-1 (Node's default for a bare PEM key). The SDK
 * calls it synchronously, so it is the platform's own (node:crypto, or the polyfill of
 * @streamr/utils' browser build): the main wasm module has no RSA (issue #16). Counted, so
 * tests see the call came through here.
 */
export function publicEncrypt(...args: Parameters<typeof real.publicEncrypt>): ReturnType<typeof real.publicEncrypt> {
  const [key, data] = args as unknown as [unknown, unknown];
  const pem = pemOf(key);
  if (pem === undefined || !(data instanceof Uint8Array)) return real.publicEncrypt(...args);
  count('publicEncrypt');
  return asBuffer(real.publicEncrypt(...args)) as unknown as ReturnType<typeof real.publicEncrypt>;
}

/** `privateDecrypt(pem, data)`: RSA-OAEP with SHA-1, the platform's (see `publicEncrypt`); any failure is `DECRYPT_ERROR`. */
export function privateDecrypt(...args: Parameters<typeof real.privateDecrypt>): ReturnType<typeof real.privateDecrypt> {
  const [key, data] = args as unknown as [unknown, unknown];
  const pem = pemOf(key);
  if (pem === undefined || !(data instanceof Uint8Array)) return real.privateDecrypt(...args);
  count('privateDecrypt');
  try {
    return asBuffer(real.privateDecrypt(...args)) as unknown as ReturnType<typeof real.privateDecrypt>;
  } catch (err) {
    throw createError('DECRYPT_ERROR', 'RSA-OAEP decryption failed', err);
  }
}

// ---------------------------------------------------------------- SubtleCrypto with our HKDF

/** An imported HKDF input key (never leaves this module; only `deriveKey`/`deriveBits` take it). */
class HkdfBaseKey {
  readonly type = 'secret';
  readonly extractable = false;
  readonly algorithm = { name: 'HKDF' };
  readonly usages: string[];
  readonly ikm: Bytes;
  constructor(ikm: Bytes, usages: string[]) {
    this.ikm = ikm;
    this.usages = usages;
  }
}

type Algo = string | { name: string; [k: string]: unknown };
const algName = (a: Algo): string => (typeof a === 'string' ? a : a.name).toUpperCase();

function toBytes(data: unknown): Bytes | undefined {
  if (data instanceof Uint8Array) return Uint8Array.from(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return undefined;
}

/** HKDF-SHA-512 bits from our base key; undefined when the parameters are not ours to do. */
function hkdfBits(params: Algo, base: unknown, bits: number): Bytes | undefined {
  if (!(base instanceof HkdfBaseKey) || typeof params === 'string' || algName(params) !== 'HKDF') return undefined;
  const hash = params.hash as Algo | undefined;
  const salt = toBytes(params.salt);
  const info = toBytes(params.info);
  if (hash === undefined || algName(hash) !== 'SHA-512' || salt === undefined || info === undefined) return undefined;
  if (bits <= 0 || bits % 8 !== 0) return undefined;
  count('hkdfSha512');
  return wasm.hkdfSha512(base.ikm, salt, info, bits / 8);
}

let wrappedSubtle: SubtleCrypto | undefined;

/**
 * `getSubtle()`: the platform's SubtleCrypto, except that `importKey('raw', …, 'HKDF')`,
 * `deriveKey` and `deriveBits` with HKDF-SHA-512 (the SDK's ML-KEM key wrapping) run in wasm;
 * the derived AES key is imported into the real SubtleCrypto, so it works everywhere.
 */
export function getSubtle(): SubtleCrypto {
  if (wrappedSubtle !== undefined) return wrappedSubtle;
  const subtle = real.getSubtle() as SubtleCrypto;
  const importKey = async (format: string, keyData: unknown, algorithm: Algo, extractable: boolean, usages: string[]) => {
    const ikm = toBytes(keyData);
    if (format === 'raw' && algName(algorithm) === 'HKDF' && ikm !== undefined && !extractable) {
      return new HkdfBaseKey(ikm, usages);
    }
    return subtle.importKey(format as 'raw', keyData as BufferSource, algorithm, extractable, usages as KeyUsage[]);
  };
  /** Our base key in the real SubtleCrypto, for parameters we do not handle. */
  const realBase = (base: HkdfBaseKey) =>
    subtle.importKey('raw', base.ikm as BufferSource, 'HKDF', false, base.usages as KeyUsage[]);
  const deriveKey = async (params: Algo, base: unknown, derived: Algo, extractable: boolean, usages: string[]) => {
    const length = typeof derived === 'string' ? undefined : (derived.length as number | undefined);
    const bytes = length === undefined ? undefined : hkdfBits(params, base, length);
    if (bytes !== undefined) return subtle.importKey('raw', bytes as BufferSource, derived, extractable, usages as KeyUsage[]);
    const b = base instanceof HkdfBaseKey ? await realBase(base) : (base as CryptoKey);
    return subtle.deriveKey(params as AlgorithmIdentifier, b, derived, extractable, usages as KeyUsage[]);
  };
  const deriveBits = async (params: Algo, base: unknown, length: number) => {
    const bytes = hkdfBits(params, base, length);
    if (bytes !== undefined) return bytes.buffer;
    const b = base instanceof HkdfBaseKey ? await realBase(base) : (base as CryptoKey);
    return subtle.deriveBits(params as AlgorithmIdentifier, b, length);
  };
  const overrides: Record<string, unknown> = { importKey, deriveKey, deriveBits };
  wrappedSubtle = new Proxy(subtle, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop];
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return wrappedSubtle;
}

// ---------------------------------------------------------------- SigningUtil

const hexToBytes = (hex: string): Bytes => real.hexToBinary(hex);

/** secp256k1 with EIP-191 (`personal_sign`), 65-byte signatures, 20-byte addresses. */
export class EcdsaSecp256k1Evm extends real.EcdsaSecp256k1Evm {
  static readonly #signers = new SignerCache((key) => wasm.EvmSigner.fromPrivateKey(key));

  override generateKeyPair(): { publicKey: Bytes; privateKey: Bytes } {
    count('EcdsaSecp256k1Evm.generateKeyPair');
    const signer = wasm.EvmSigner.generate();
    // The key never leaves wasm from `generate`; draw one here and import it instead.
    signer.free();
    for (;;) {
      const privateKey = randomBytes(32);
      try {
        const s = wasm.EvmSigner.fromPrivateKey(privateKey);
        const publicKey = asBuffer(hexToBytes(s.address));
        s.free();
        return { publicKey, privateKey };
      } catch {
        // not a valid scalar (probability ~2^-128): draw again
      }
    }
  }

  override keccakHash(message: Bytes, useEthereumMagic = true): BufferLike {
    count('EcdsaSecp256k1Evm.keccakHash');
    return asBuffer(useEthereumMagic ? wasm.eip191Hash(message) : wasm.keccak256(message));
  }

  override recoverPublicKey(signature: Bytes, payload: Bytes): BufferLike {
    count('EcdsaSecp256k1Evm.recoverPublicKey');
    return asBuffer(wasm.recoverEvmPublicKey(payload, signature));
  }

  override async createSignature(payload: Bytes, privateKey: Bytes): Promise<BufferLike> {
    count('EcdsaSecp256k1Evm.createSignature');
    return asBuffer(EcdsaSecp256k1Evm.#signers.get(privateKey, privateKey).sign(payload));
  }

  override publicKeyToAddress(publicKey: Bytes): BufferLike {
    if (publicKey.length !== 65) {
      throw new Error(`Expected 65 bytes (an ECDSA uncompressed public key with header byte). Got length: ${publicKey.length}`);
    }
    count('EcdsaSecp256k1Evm.publicKeyToAddress');
    return asBuffer(wasm.keccak256(publicKey.subarray(1)).subarray(12));
  }

  override recoverSignerUserId(signature: Bytes, payload: Bytes): BufferLike {
    count('EcdsaSecp256k1Evm.recoverSignerUserId');
    return asBuffer(wasm.recoverEvmAddressBytes(payload, signature));
  }

  override async verifySignature(expectedUserId: Bytes, payload: Bytes, signature: Bytes): Promise<boolean> {
    count('EcdsaSecp256k1Evm.verifySignature');
    try {
      return wasm.verifyEvmSignature(expectedUserId, payload, signature);
    } catch {
      return false;
    }
  }

  override assertValidKeyPair(address: Bytes, privateKey: Bytes): void {
    count('EcdsaSecp256k1Evm.assertValidKeyPair');
    const computed = hexToBytes(EcdsaSecp256k1Evm.#signers.get(privateKey, privateKey).address);
    if (!real.areEqualBinaries(address, computed)) {
      throw new Error(`Given private key is for a different address! Given: ${real.binaryToHex(address)}, Computed: ${real.binaryToHex(computed)}`);
    }
  }
}

type Jwk = { d?: string };

function base64UrlToBytes(s: string): Bytes {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  return bufferFrom(b64 + '='.repeat((4 - (b64.length % 4)) % 4), 'base64');
}

/**
 * ECDSA P-256 with SHA-256, 64-byte `r ‖ s` signatures (WebCrypto's format), on the platform
 * (issue #16: the main wasm module has no P-256): signing and verifying through the package's
 * `#p256-platform` (WebCrypto in browsers, node:crypto in Node), loaded on first use. The
 * synchronous `getPublicKeyFromPrivateKey` is the original's (noble), as the SDK calls it
 * synchronously and the platform derives keys only asynchronously.
 */
export class EcdsaSecp256r1 extends real.EcdsaSecp256r1 {
  static readonly #signers = new SignerCache((key) => P256Signer.fromPrivateKey(key));

  /** Signs with a raw 32-byte key or its JWK (`privateKeyToJWK`), as the original. */
  override async createSignature(payload: Bytes, privateKey: Bytes | Jwk): Promise<Uint8Array> {
    count('EcdsaSecp256r1.createSignature');
    let signer: Promise<P256Signer>;
    if (privateKey instanceof Uint8Array) {
      signer = EcdsaSecp256r1.#signers.get(privateKey, privateKey);
    } else {
      if (typeof privateKey.d !== 'string') throw new Error('JWK has no private key (d)');
      signer = EcdsaSecp256r1.#signers.get(privateKey, base64UrlToBytes(privateKey.d));
    }
    return (await signer).sign(payload);
  }

  override async verifySignature(publicKey: Bytes, payload: Bytes, signature: Bytes): Promise<boolean> {
    count('EcdsaSecp256r1.verifySignature');
    if (!this.isCompressedPublicKey(publicKey) && !this.isUncompressedPublicKey(publicKey)) {
      // WebCrypto's importKey rejects such a key, and the original lets that error through.
      throw new Error(`Invalid P-256 public key length: ${publicKey.length}`);
    }
    return verifyP256Signature(publicKey, payload, signature);
  }
}

/** ML-DSA-87 (FIPS 204, empty context), 4896-byte expanded secret keys, 2592-byte public keys. */
export class MlDsa87 extends real.MlDsa87 {
  static readonly #signers = new SignerCache((key) => wasm.MlDsa87Signer.fromExpandedSecretKey(key));

  override generateKeyPair(): { privateKey: Bytes; publicKey: Bytes } {
    count('MlDsa87.generateKeyPair');
    const signer = wasm.MlDsa87Signer.generate();
    const pair = { privateKey: signer.expandedSecretKey(), publicKey: signer.publicKey };
    signer.free();
    return pair;
  }

  /** Deterministic signing (the original hedges with random bytes; both verify the same).
   * A third argument goes to the original, which takes it as noble's `ctx`. */
  override async createSignature(payload: Bytes, privateKey: Bytes, seed?: Bytes): Promise<Uint8Array> {
    if (seed !== undefined) return super.createSignature(payload, privateKey, seed);
    count('MlDsa87.createSignature');
    return MlDsa87.#signers.get(privateKey, privateKey).sign(payload);
  }

  override async verifySignature(publicKey: Bytes, payload: Bytes, signature: Bytes): Promise<boolean> {
    count('MlDsa87.verifySignature');
    return wasm.verifyMlDsa87Signature(publicKey, payload, signature);
  }

  override assertValidKeyPair(publicKey: Bytes, privateKey: Bytes): void {
    count('MlDsa87.assertValidKeyPair');
    try {
      wasm.MlDsa87Signer.fromExpandedSecretKey(privateKey, publicKey).free();
    } catch {
      throw new Error(`The given ML-DSA public key and private key don't match!`);
    }
  }
}

type KeyType = (typeof real.KEY_TYPES)[number];

/** `SigningUtil.getInstance(type)` gives the wasm-backed classes above. */
export abstract class SigningUtil extends real.SigningUtil {
  static override getInstance(type: KeyType): EcdsaSecp256k1Evm | EcdsaSecp256r1 | MlDsa87 {
    switch (type) {
      case 'ECDSA_SECP256K1_EVM':
        return new EcdsaSecp256k1Evm();
      case 'ECDSA_SECP256R1':
        return new EcdsaSecp256r1();
      case 'ML_DSA_87':
        return new MlDsa87();
      default:
        throw new Error(`Unknown key pair type: ${type as string}`);
    }
  }
}
