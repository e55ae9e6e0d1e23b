/**
 * The shape both platform RSA modules (`#rsa-platform`: platform-web.ts with WebCrypto,
 * platform-node.ts with node:crypto) and the rsa-wasm fallback share: RSAES-OAEP with SHA-1,
 * MGF1-SHA-1 and an empty label, keys as DER (the core checked and decoded the PEM).
 */

/** Which code did an RSA operation. */
export type RsaPath = 'webcrypto' | 'node' | 'wasm';

/** A private key held by one of the paths (a CryptoKey, a KeyObject, or rsa-wasm memory). */
export interface RsaPrivateKeyHandle {
  readonly path: RsaPath;
  /** The SPKI DER of the public half. */
  readonly publicKeyDer: Uint8Array;
  /** RSA-OAEP-SHA-1 decryption; rejects on any failure. */
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
  /** The PKCS#8 DER; rejects for a non-extractable key. */
  exportPkcs8(): Promise<Uint8Array>;
  /** Frees what can be freed (rsa-wasm memory, zeroized). */
  dispose(): void;
}

/** One way to do RSA-OAEP-SHA-1. */
export interface RsaImplementation {
  readonly path: RsaPath;
  /** Whether this platform has it at all (WebCrypto needs a secure context). */
  available(): boolean;
  encrypt(spkiDer: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  generate(bits: number, extractable: boolean): Promise<RsaPrivateKeyHandle>;
  importPkcs8(der: Uint8Array, extractable: boolean): Promise<RsaPrivateKeyHandle>;
}
