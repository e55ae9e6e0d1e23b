/**
 * RSA key exchange with WebCrypto: the browser generates the key natively and off the main
 * thread (measured in docs/worker.md: the fastest non-blocking option), and the private key
 * can stay non-extractable, out of JS and wasm memory.
 *
 * - `WebCryptoRsaKeyExchange`: a non-extractable key; give `keyExchange` to the `Subscriber`
 *   and answer its `unwrapGroupKey` questions with `answerUnwrap` (RSA-OAEP-SHA-1, as the SDK).
 * - `generateRsaKeyPairWebCrypto`: an extractable `RsaKeyPair` (persistable with
 *   `toPkcs8Pem`); the same as `RsaKeyPair.generate` where WebCrypto takes the size.
 */
import { AsymmetricEncryptionType } from '#wasm';
import { RsaKeyPair } from '../rsa/index.js';
import { toPem } from '../rsa/pem.js';
import { createError } from '../errors.js';
import { mainThreadSection } from './timing.js';

const OAEP_SHA1 = { name: 'RSA-OAEP', hash: 'SHA-1' } as const;

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (s === undefined) throw createError('INVALID_ARGUMENT', 'WebCrypto is not available (a secure context is needed)');
  return s;
}

function checkBits(bits: number): void {
  if (!Number.isSafeInteger(bits) || bits < 1024 || bits > 4096 || bits % 8 !== 0) {
    throw createError('INVALID_KEY', 'bits must be a multiple of 8 in 1024..=4096 for WebCrypto');
  }
}

/** PEM in Node's layout: 64-column base64, one final newline (what requests carry). */
export { toPem };

async function generate(bits: number, extractable: boolean): Promise<CryptoKeyPair> {
  checkBits(bits);
  return subtle().generateKey(
    { ...OAEP_SHA1, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) },
    extractable,
    ['encrypt', 'decrypt'],
  );
}

/** A subscriber's RSA key-exchange key held by WebCrypto, never extractable. */
export class WebCryptoRsaKeyExchange {
  /** The `keyExchange` argument of `Subscriber`: `{ encryptionType: RSA, publicKey: spkiPem }`. */
  readonly keyExchange: { encryptionType: AsymmetricEncryptionType; publicKey: string };

  private constructor(private readonly privateKey: CryptoKey, readonly publicKeyPem: string) {
    this.keyExchange = { encryptionType: AsymmetricEncryptionType.RSA, publicKey: publicKeyPem };
  }

  /** A fresh key pair of `bits` (default 4096, the SDK's `rsaKeyLength`). */
  static async generate(bits = 4096): Promise<WebCryptoRsaKeyExchange> {
    const pair = await generate(bits, false);
    const spki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey));
    return new WebCryptoRsaKeyExchange(pair.privateKey, mainThreadSection('pem', () => toPem('PUBLIC KEY', spki)));
  }

  /** The 32 key bytes in `data` (RSA-OAEP-SHA-1). Rejects on any failure (an OperationError). */
  async unwrap(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle().decrypt(OAEP_SHA1, this.privateKey, data as BufferSource));
  }

  /** The answer to a subscriber's `unwrapGroupKey` question (docs/host-api.md). */
  async answerUnwrap(data: Uint8Array): Promise<{ type: 'groupKeyBytes'; bytes: Uint8Array } | { type: 'failed'; reason: string }> {
    try {
      return { type: 'groupKeyBytes', bytes: await this.unwrap(data) };
    } catch {
      return { type: 'failed', reason: 'RSA-OAEP decryption failed' };
    }
  }
}

/**
 * An `RsaKeyPair` whose key WebCrypto generated (native, off the main thread), extractable so
 * that `toPkcs8Pem` can persist it. Kept for compatibility: `RsaKeyPair.generate` does the same.
 */
export async function generateRsaKeyPairWebCrypto(bits = 4096): Promise<RsaKeyPair> {
  checkBits(bits);
  return RsaKeyPair.generate(bits);
}
