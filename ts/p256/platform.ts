/**
 * The shape both platform P-256 modules (`#p256-platform`: platform-web.ts with WebCrypto,
 * platform-node.ts with node:crypto) export. They only compute ECDSA P-256 with SHA-256 over
 * the bytes the core gives them; the core decides what is signed and what a valid signature
 * means (docs/p256.md).
 */

/** Which implementation ran. */
export type P256Path = 'webcrypto' | 'node';

/** A P-256 private key held by the platform (a non-extractable CryptoKey, a KeyObject). */
export interface P256KeyHandle {
  readonly path: P256Path;
  /** The 33-byte SEC1 compressed public key: the user id. */
  readonly publicKey: Uint8Array;
  /** ECDSA over SHA-256(`payload`): 64 bytes `r ‖ s` (IEEE P1363), as WebCrypto signs. */
  sign(payload: Uint8Array): Promise<Uint8Array>;
}

/** ECDSA P-256 / SHA-256 on one platform. */
export interface P256Implementation {
  readonly path: P256Path;
  available(): boolean;
  /** Whether `signature` (64 bytes `r ‖ s`, any S) over `payload` verifies under the SEC1 `publicKey`; false for a key not on the curve. */
  verify(publicKey: Uint8Array, payload: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** A fresh key (private part non-extractable). */
  generate(): Promise<P256KeyHandle>;
  /** A key from its 32-byte big-endian scalar (the SDK's `privateKey`); throws for 0 or >= n. */
  fromPrivateKey(d: Uint8Array): Promise<P256KeyHandle>;
}

/**
 * Imported public keys by their bytes: a subscriber verifies many messages of few publishers,
 * and importing (parsing, decompressing the point) costs more than half of a verification.
 * Public data; bounded, oldest out first.
 */
export class KeyCache<K> {
  readonly #entries = new Map<string, K>();
  constructor(private readonly max = 256) {}

  async get(publicKey: Uint8Array, load: () => Promise<K | undefined>): Promise<K | undefined> {
    let id = '';
    for (const b of publicKey) id += b.toString(16).padStart(2, '0');
    const hit = this.#entries.get(id);
    if (hit !== undefined) return hit;
    const key = await load();
    if (key === undefined) return undefined; // not cached: an invalid key stays cheap to refuse anyway
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(id, key);
    return key;
  }
}

/** `02`/`03 ‖ x` from `04 ‖ x ‖ y`. */
export function compress(uncompressed: Uint8Array): Uint8Array {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4) throw new Error('not an uncompressed P-256 point');
  const out = new Uint8Array(33);
  out[0] = 2 + ((uncompressed[64] ?? 0) & 1);
  out.set(uncompressed.subarray(1, 33), 1);
  return out;
}
