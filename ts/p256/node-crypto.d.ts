// The part of node:crypto platform-node.ts uses beyond ts/rsa/node-crypto.d.ts (the shim
// compiles without @types/node; the declarations merge).
declare module 'node:crypto' {
  interface KeyObject {
    export(options: { format: 'jwk' }): { x: string; y: string };
  }
  interface NodeBytes extends Uint8Array {}
  interface Ecdh {
    setPrivateKey(key: Uint8Array): void;
    getPublicKey(): NodeBytes;
  }
  export function createECDH(curve: 'prime256v1'): Ecdh;
  export function createPrivateKey(key: { key: { kty: 'EC'; crv: 'P-256'; d: string; x: string; y: string }; format: 'jwk' }): KeyObject;
  export function generateKeyPairSync(type: 'ec', options: { namedCurve: 'P-256' }): { privateKey: KeyObject; publicKey: KeyObject };
  export function sign(algorithm: 'sha256', data: Uint8Array, key: { key: KeyObject; dsaEncoding: 'ieee-p1363' }): NodeBytes;
  export function verify(algorithm: 'sha256', data: Uint8Array, key: { key: KeyObject; dsaEncoding: 'ieee-p1363' }, signature: Uint8Array): boolean;
}
