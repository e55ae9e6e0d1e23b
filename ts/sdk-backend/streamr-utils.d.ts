/**
 * The part of `@streamr/utils` 103.x the stand-in uses, typed without Node's types (the shim
 * compiles with `types: []`; the real declarations pull in `crypto`/`Buffer` from
 * @types/node). ts/tsconfig.json maps `@streamr/utils` here for type checking only: the
 * emitted JavaScript imports the real package. Signatures copied from
 * @streamr/utils/dist/exports-nodejs.d.ts (103.3.2).
 */
type Bytes = Uint8Array;

export declare function hexToBinary(hex: string): Uint8Array;
export declare function binaryToHex(bytes: Uint8Array, addPrefix?: boolean): string;
export declare function areEqualBinaries(a: Uint8Array, b: Uint8Array): boolean;
export declare function getSubtle(): unknown;
export declare function createCipheriv(algorithm: string, key: Bytes, iv: Bytes | null): unknown;
export declare function createDecipheriv(algorithm: string, key: Bytes, iv: Bytes | null): unknown;
export declare function publicEncrypt(publicKey: string, buffer: Bytes): Uint8Array;
export declare function privateDecrypt(privateKey: string, buffer: Bytes): Uint8Array;

export declare const KEY_TYPES: readonly ['ECDSA_SECP256K1_EVM', 'ECDSA_SECP256R1', 'ML_DSA_87'];
type KeyType = (typeof KEY_TYPES)[number];
interface KeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}
type Jwk = { d?: string };

export declare abstract class SigningUtil {
  abstract generateKeyPair(): KeyPair;
  abstract createSignature(payload: Bytes, privateKey: Bytes): Promise<Uint8Array>;
  abstract verifySignature(publicKey: Bytes, payload: Bytes, signature: Bytes): Promise<boolean>;
  abstract assertValidKeyPair(publicKey: Bytes, privateKey: Bytes): void;
  static getInstance(type: KeyType): SigningUtil;
}
export declare class EcdsaSecp256k1Evm extends SigningUtil {
  generateKeyPair(): KeyPair;
  keccakHash(message: Bytes, useEthereumMagic?: boolean): Uint8Array;
  recoverPublicKey(signature: Bytes, payload: Bytes): Uint8Array;
  createSignature(payload: Bytes, privateKey: Bytes): Promise<Uint8Array>;
  publicKeyToAddress(publicKey: Bytes): Uint8Array;
  recoverSignerUserId(signature: Bytes, payload: Bytes): Uint8Array;
  verifySignature(expectedUserId: Bytes, payload: Bytes, signature: Bytes): Promise<boolean>;
  assertValidKeyPair(address: Bytes, privateKey: Bytes): void;
}
export declare class EcdsaSecp256r1 extends SigningUtil {
  generateKeyPair(compressPublicKey?: boolean): KeyPair;
  isCompressedPublicKey(publicKey: Bytes): boolean;
  isUncompressedPublicKey(publicKey: Bytes): boolean;
  getPublicKeyFromPrivateKey(privateKey: Bytes, compressed?: boolean): Uint8Array;
  getUncompressedPublicKey(publicKey: Bytes): Uint8Array;
  privateKeyToJWK(privateKey: Bytes): Jwk;
  createSignature(payload: Bytes, privateKey: Bytes | Jwk): Promise<Uint8Array>;
  verifySignature(publicKey: Bytes, payload: Bytes, signature: Bytes): Promise<boolean>;
  assertValidKeyPair(publicKey: Bytes, privateKey: Bytes): void;
}
export declare class MlDsa87 extends SigningUtil {
  generateKeyPair(): KeyPair;
  createSignature(payload: Bytes, privateKey: Bytes, seed?: Bytes): Promise<Uint8Array>;
  verifySignature(publicKey: Bytes, payload: Bytes, signature: Bytes): Promise<boolean>;
  assertValidKeyPair(publicKey: Bytes, privateKey: Bytes): void;
}
