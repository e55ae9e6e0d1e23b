// The part of node:crypto platform-node.ts uses (the shim compiles without @types/node).
declare module 'node:crypto' {
  interface KeyObject {
    export(options: { format: 'der'; type: 'pkcs8' | 'spki' }): Uint8Array;
  }
  interface OaepKey {
    key: KeyObject;
    padding: number;
    oaepHash: 'sha1';
  }
  export const constants: { RSA_PKCS1_OAEP_PADDING: number };
  export function createPublicKey(key: KeyObject | { key: Uint8Array; format: 'der'; type: 'spki' }): KeyObject;
  export function createPrivateKey(key: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): KeyObject;
  export function publicEncrypt(key: OaepKey, data: Uint8Array): Uint8Array;
  export function privateDecrypt(key: OaepKey, data: Uint8Array): Uint8Array;
  export function generateKeyPair(
    type: 'rsa',
    options: { modulusLength: number; publicExponent: number },
    callback: (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) => void,
  ): void;
}
