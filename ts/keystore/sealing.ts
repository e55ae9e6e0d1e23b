/**
 * Where a sealed store's AES-256-GCM key comes from: a passphrase (PBKDF2-SHA-256 in
 * WebCrypto, which runs off the main thread) or a wallet signature over a fixed message
 * (HKDF-SHA-256 in wasm). The derived key lives in wasm memory (`SealingKey`).
 */
import { SealingKey, recoverEvmAddress } from '#wasm';
import type { SignerPort } from '../ports.js';
import { keyStoreError } from './errors.js';
import { normalizeUserId } from './ids.js';
import { ready } from '../ready.js';

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; lower counts are refused. */
export const MIN_PBKDF2_ITERATIONS = 600_000;
export const SALT_LEN = 16;

/** How to unlock a `SealedKeyStore`. */
export type SealingSecret =
  | {
      /** Any non-empty string; never stored, never logged. */
      passphrase: string;
      /** PBKDF2 iterations for a new store (default and minimum 600,000); an existing store keeps its own. */
      iterations?: number;
    }
  | {
      /** Signs the unlock message (`personal_sign`); must be the store's owner. */
      signer: SignerPort;
      /** The origin named in the message; default `location.origin`. */
      origin?: string;
    };

/** How the stored key was derived, kept next to the salt (not secret). */
export type KdfRecord =
  | { kdf: 'PBKDF2-SHA-256'; iterations: number }
  | { kdf: 'HKDF-SHA-256/personal_sign' };

export function kdfFor(secret: SealingSecret): KdfRecord {
  if ('passphrase' in secret) {
    const iterations = secret.iterations ?? MIN_PBKDF2_ITERATIONS;
    if (!Number.isSafeInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS) {
      throw keyStoreError('INVALID_ARGUMENT', `iterations must be an integer >= ${MIN_PBKDF2_ITERATIONS}`);
    }
    return { kdf: 'PBKDF2-SHA-256', iterations };
  }
  return { kdf: 'HKDF-SHA-256/personal_sign' };
}

/**
 * The message a wallet signs to unlock the store. Domain-separated (names this package, the
 * purpose, the account and the origin, and a version) so the signature is useless for
 * anything else and a user can see what they sign. Changing it changes every derived key:
 * it is versioned, never edited.
 */
export function unlockMessage(ownerId: string, origin: string): string {
  return [
    'streamr-e2ee: unlock the encryption keys stored in this browser.',
    '',
    `Account: ${ownerId}`,
    `Origin: ${origin}`,
    'Purpose: key store sealing key, version 1',
    '',
    'Signing this sends no transaction and costs nothing. Sign it only on the site named above.',
  ].join('\n');
}

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (s === undefined) throw keyStoreError('KEY_STORE_UNAVAILABLE', 'WebCrypto is not available (a secure context is needed)');
  return s;
}

export function randomSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SALT_LEN));
}

/** Derives the sealing key for `secret` under `kdf` and `salt`. */
export async function deriveSealingKey(ownerId: string, secret: SealingSecret, kdf: KdfRecord, salt: Uint8Array): Promise<SealingKey> {
  await ready();
  if ('passphrase' in secret) {
    if (kdf.kdf !== 'PBKDF2-SHA-256') throw keyStoreError('KEY_STORE_LOCKED', 'this store is sealed with a wallet signature, not a passphrase');
    if (typeof secret.passphrase !== 'string' || secret.passphrase.length === 0) throw keyStoreError('INVALID_ARGUMENT', 'the passphrase must be a non-empty string');
    if (!Number.isSafeInteger(kdf.iterations) || kdf.iterations < MIN_PBKDF2_ITERATIONS) {
      throw keyStoreError('KEY_STORE_LOCKED', 'the stored PBKDF2 iteration count is below the minimum');
    }
    const s = subtle();
    const base = await s.importKey('raw', new TextEncoder().encode(secret.passphrase), 'PBKDF2', false, ['deriveBits']);
    const bits = new Uint8Array(await s.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations: kdf.iterations }, base, 256));
    try {
      return SealingKey.fromBytes(bits);
    } finally {
      bits.fill(0);
    }
  }
  if (kdf.kdf !== 'HKDF-SHA-256/personal_sign') throw keyStoreError('KEY_STORE_LOCKED', 'this store is sealed with a passphrase, not a wallet signature');
  const { signer } = secret;
  const signerId = normalizeUserId(await signer.getUserId(), 'the signer\'s user id');
  if (signerId !== ownerId) throw keyStoreError('KEY_STORE_LOCKED', 'the signer is not the owner of this key store');
  const origin = secret.origin ?? (globalThis as { location?: Location }).location?.origin;
  if (typeof origin !== 'string' || origin.length === 0) throw keyStoreError('INVALID_ARGUMENT', 'origin is needed outside a page');
  const message = new TextEncoder().encode(unlockMessage(ownerId, origin));
  let signature: Uint8Array;
  try {
    signature = await signer.sign(message);
  } catch (err) {
    throw keyStoreError('KEY_STORE_LOCKED', 'the wallet did not sign the unlock message', err);
  }
  try {
    // A wallet that signed with another account would seal under a key the owner cannot remake.
    if (signer.signatureType === 'ECDSA_SECP256K1_EVM' && recoverEvmAddress(message, signature) !== ownerId) {
      throw keyStoreError('KEY_STORE_LOCKED', 'the unlock signature is not the owner\'s');
    }
    return SealingKey.fromSignature(signature, salt);
  } finally {
    signature.fill(0);
  }
}
