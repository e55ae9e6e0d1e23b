/**
 * ECDSA P-256 / SHA-256 with node:crypto (`#p256-platform` under Node): OpenSSL, IEEE P1363
 * signatures (`dsaEncoding: 'ieee-p1363'`, WebCrypto's and the SDK's `r ‖ s`). Loaded by a
 * dynamic import() only when a P-256 message or signer appears.
 */
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { KeyCache, compress, type P256Implementation, type P256KeyHandle } from './platform.js';

const publicKeys = new KeyCache<KeyObject>();

// SubjectPublicKeyInfo of id-ecPublicKey / prime256v1, up to the BIT STRING's bytes; OpenSSL
// takes compressed and uncompressed points (and refuses points off the curve).
const SPKI_PREFIX_65 = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
  0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);
const SPKI_PREFIX_33 = Uint8Array.from([
  0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
  0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
]);

function spki(point: Uint8Array): Uint8Array {
  const prefix = point.length === 33 ? SPKI_PREFIX_33 : SPKI_PREFIX_65;
  const der = new Uint8Array(prefix.length + point.length);
  der.set(prefix);
  der.set(point, prefix.length);
  return der;
}

function b64url(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

function handle(privateKey: KeyObject, uncompressed: Uint8Array): P256KeyHandle {
  return {
    path: 'node',
    publicKey: compress(uncompressed),
    async sign(payload) {
      const sig = sign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return new Uint8Array(sig.buffer, sig.byteOffset, sig.byteLength);
    },
  };
}

export const p256: P256Implementation = {
  path: 'node',
  available() {
    return typeof verify === 'function';
  },
  async verify(publicKey, payload, signature) {
    const key = await publicKeys.get(publicKey, async () => {
      try {
        return createPublicKey({ key: spki(publicKey), format: 'der', type: 'spki' });
      } catch {
        return undefined;
      }
    });
    // Not a point on the curve: an invalid signature, as WebCrypto's import error is.
    if (key === undefined) return false;
    return verify('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }, signature);
  },
  async generate() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = new Uint8Array(65);
    point[0] = 4;
    point.set(fromB64url(jwk.x), 1);
    point.set(fromB64url(jwk.y), 33);
    return handle(privateKey, point);
  },
  async fromPrivateKey(d) {
    if (d.length !== 32) throw new Error(`a P-256 private key is 32 bytes, got ${d.length}`);
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d); // throws for 0 and >= n
    const point = ecdh.getPublicKey();
    const uncompressed = new Uint8Array(point.buffer, point.byteOffset, point.byteLength);
    const jwk = { kty: 'EC' as const, crv: 'P-256' as const, d: b64url(d), x: b64url(uncompressed.subarray(1, 33)), y: b64url(uncompressed.subarray(33)) };
    return handle(createPrivateKey({ key: jwk, format: 'jwk' }), uncompressed);
  },
};
