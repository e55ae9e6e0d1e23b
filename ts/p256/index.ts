/**
 * ECDSA_SECP256R1 outside the main wasm module (issue #16, docs/p256.md): the core checks the
 * encodings and decides everything, then asks `verifyP256`; a P-256 signer is the host's and
 * answers the core's `sign` questions. Both run on the platform (`#p256-platform`: WebCrypto
 * in browsers and workers, node:crypto in Node), imported on first use only, so an app that
 * never meets P-256 never loads it.
 */
import { SignatureType, type Answer, type ExternalSigner, type VerifyP256Question } from '#wasm';
import type { SignerPort } from '../ports.js';
import { createError } from '../errors.js';
import { fromHex, toHex } from '../wallet/hex.js';
import type { P256Implementation, P256KeyHandle, P256Path } from './platform.js';

export type { P256Path } from './platform.js';

let loading: Promise<P256Implementation> | undefined;
const counts = { verifications: 0, signatures: 0 };

function platform(): Promise<P256Implementation> {
  loading ??= import('#p256-platform').then((m) => {
    if (!m.p256.available()) throw createError('UNSUPPORTED_SIGNATURE_TYPE', 'this platform has no ECDSA P-256 (WebCrypto or node:crypto)');
    return m.p256;
  });
  return loading;
}

/** Whether the platform module was loaded, and how many P-256 operations ran. */
export function p256Stats(): { platformLoaded: boolean; verifications: number; signatures: number } {
  return { platformLoaded: loading !== undefined, ...counts };
}

/**
 * Whether the 64-byte `r ‖ s` `signature` (ECDSA P-256, SHA-256 over `payload`, any S)
 * verifies under the SEC1 `publicKey` (33 or 65 bytes). The asynchronous stand-in of the
 * former wasm export; false for a key not on the curve or a malformed signature.
 */
export async function verifyP256Signature(publicKey: Uint8Array, payload: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (signature.length !== 64 || !((publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3)) || (publicKey.length === 65 && publicKey[0] === 4))) {
    return false;
  }
  const impl = await platform();
  counts.verifications++;
  return impl.verify(publicKey, payload, signature);
}

/** The answer to the core's `verifyP256` question (docs/host-api.md). */
export async function answerVerifyP256(question: VerifyP256Question): Promise<Answer> {
  return { type: 'signatureValid', valid: await verifyP256Signature(question.publicKey, question.payload, question.signature) };
}

/**
 * A P-256 (ECDSA_SECP256R1) identity whose key the platform holds (a non-extractable WebCrypto
 * key, a node:crypto KeyObject): the SDK's `EcdsaSecp256r1` identities. A {@link SignerPort}:
 * the core asks it to sign the payloads it builds (`sign` questions). Replaces the former
 * wasm `P256Signer` (whose constructors were synchronous).
 */
export class P256Signer implements SignerPort {
  readonly signatureType = 'ECDSA_SECP256R1';
  readonly #key: P256KeyHandle;

  private constructor(key: P256KeyHandle) {
    this.#key = key;
  }

  /** A signer with a fresh key (the platform's CSPRNG; the private key is not extractable). */
  static async generate(): Promise<P256Signer> {
    return new P256Signer(await (await platform()).generate());
  }

  /**
   * A signer from the SDK's 32-byte private scalar (bytes or hex). Throws `INVALID_KEY` for
   * another length, 0 or a scalar >= the group order.
   */
  static async fromPrivateKey(key: Uint8Array | string): Promise<P256Signer> {
    const d = typeof key === 'string' ? fromHex(key, 'private key') : key;
    if (d.length !== 32) throw createError('INVALID_KEY', `P-256 private key must be 32 bytes, got ${d.length}`);
    const impl = await platform();
    try {
      return new P256Signer(await impl.fromPrivateKey(d));
    } catch (e) {
      throw createError('INVALID_KEY', `not a P-256 private key (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  /** The 33-byte compressed public key, which is the user id. */
  get publicKey(): Uint8Array {
    return this.#key.publicKey.slice();
  }

  /** `0x` + the compressed public key in lower-case hex (66 digits). */
  get userId(): string {
    return toHex(this.#key.publicKey);
  }

  /** Which platform holds the key: `'webcrypto'` or `'node'`. */
  get path(): P256Path {
    return this.#key.path;
  }

  /**
   * The raw machines' `signer` argument (`new Publisher(config, signer.external)`): the core
   * then asks `sign` questions, answered with `{ type: 'signature', signature: await
   * signer.sign(q.payload) }`. `createPublisher` / `createSubscriber` do this themselves.
   */
  get external(): ExternalSigner {
    return { userId: this.userId, signatureType: SignatureType.ECDSA_SECP256R1 };
  }

  async getUserId(): Promise<string> {
    return this.userId;
  }

  /** ECDSA over SHA-256(`payload`): 64 bytes `r ‖ s`. */
  async sign(payload: Uint8Array): Promise<Uint8Array> {
    counts.signatures++;
    return this.#key.sign(payload);
  }
}
