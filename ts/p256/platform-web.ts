/**
 * ECDSA P-256 / SHA-256 with WebCrypto (`#p256-platform` outside Node): native, constant-time,
 * IEEE P1363 `r ‖ s` signatures as the SDK's `EcdsaSecp256r1`. Private keys are
 * non-extractable. Loaded by a dynamic import() only when a P-256 message or signer appears.
 */
import { KeyCache, compress, type P256Implementation, type P256KeyHandle } from './platform.js';

const publicKeys = new KeyCache<CryptoKey>();

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

function subtle(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: Crypto }).crypto?.subtle;
}

function buf(b: Uint8Array): ArrayBuffer {
  return b.slice().buffer as ArrayBuffer;
}

// Field prime and curve constant b, to decompress a public key (public data) for engines
// whose importKey takes only uncompressed points (the SDK does the same on Safari).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

function toBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function toBytes32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31, x = v; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** `04 ‖ x ‖ y` from `02/03 ‖ x`, or undefined when x is not on the curve. */
export function decompress(point: Uint8Array): Uint8Array | undefined {
  const x = toBig(point.subarray(1));
  if (x >= P) return undefined;
  const rhs = (((x * x) % P) * x - 3n * x + B + 3n * P) % P;
  let y = modPow(rhs, (P + 1n) / 4n, P); // p ≡ 3 (mod 4)
  if ((y * y) % P !== rhs) return undefined;
  if (Number(y & 1n) !== ((point[0] ?? 0) & 1)) y = P - y;
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(point.subarray(1), 1);
  out.set(toBytes32(y), 33);
  return out;
}

async function importPublic(s: SubtleCrypto, publicKey: Uint8Array): Promise<CryptoKey | undefined> {
  try {
    return await s.importKey('raw', buf(publicKey), ALG, false, ['verify']);
  } catch {
    if (publicKey.length !== 33) return undefined;
    const full = decompress(publicKey);
    if (full === undefined) return undefined;
    try {
      return await s.importKey('raw', buf(full), ALG, false, ['verify']);
    } catch {
      return undefined;
    }
  }
}

function handle(privateKey: CryptoKey, publicKey: Uint8Array): P256KeyHandle {
  return {
    path: 'webcrypto',
    publicKey,
    async sign(payload) {
      const s = subtle();
      if (s === undefined) throw new Error('WebCrypto is not available');
      return new Uint8Array(await s.sign(SIGN, privateKey, buf(payload)));
    },
  };
}

function b64url(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// PKCS#8 PrivateKeyInfo { ecPublicKey, prime256v1, ECPrivateKey { 1, d } } without the public
// key, which WebCrypto computes on import; exported once as JWK to learn x and y.
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
  0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20,
]);

export const p256: P256Implementation = {
  path: 'webcrypto',
  available() {
    return subtle() !== undefined;
  },
  async verify(publicKey, payload, signature) {
    const s = subtle();
    if (s === undefined) throw new Error('WebCrypto is not available');
    const key = await publicKeys.get(publicKey, () => importPublic(s, publicKey));
    if (key === undefined) return false; // not a point on the curve
    return s.verify(SIGN, key, buf(signature), buf(payload));
  },
  async generate() {
    const s = subtle();
    if (s === undefined) throw new Error('WebCrypto is not available');
    const pair = (await s.generateKey(ALG, false, ['sign', 'verify'])) as CryptoKeyPair;
    const raw = new Uint8Array(await s.exportKey('raw', pair.publicKey));
    return handle(pair.privateKey, compress(raw));
  },
  async fromPrivateKey(d) {
    const s = subtle();
    if (s === undefined) throw new Error('WebCrypto is not available');
    if (d.length !== 32) throw new Error(`a P-256 private key is 32 bytes, got ${d.length}`);
    const der = new Uint8Array(PKCS8_PREFIX.length + 32);
    der.set(PKCS8_PREFIX);
    der.set(d, PKCS8_PREFIX.length);
    // Extractable only for this one export of x, y; the key signing afterwards is not.
    const temp = await s.importKey('pkcs8', buf(der), ALG, true, ['sign']);
    der.fill(0);
    const jwk = await s.exportKey('jwk', temp);
    if (jwk.x === undefined || jwk.y === undefined) throw new Error('WebCrypto gave no public key');
    const privateKey = await s.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: b64url(d) }, ALG, false, ['sign']);
    const x = Uint8Array.from(atob(jwk.x.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const y = Uint8Array.from(atob(jwk.y.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const point = new Uint8Array(65);
    point[0] = 4;
    point.set(x, 1);
    point.set(y, 33);
    return handle(privateKey, compress(point));
  },
};
