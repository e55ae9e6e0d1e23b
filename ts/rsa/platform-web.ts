/**
 * RSA-OAEP-SHA-1 with WebCrypto (`#rsa-platform` outside Node): native, off the main thread,
 * and private keys can stay non-extractable. Loaded by a dynamic import() only when an RSA
 * exchange happens.
 */
import type { RsaImplementation, RsaPrivateKeyHandle } from './platform.js';

const OAEP_SHA1 = { name: 'RSA-OAEP', hash: 'SHA-1' } as const;

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (s === undefined) throw new Error('WebCrypto is not available (a secure context is needed)');
  return s;
}

async function handle(privateKey: CryptoKey, publicKeyDer: Uint8Array): Promise<RsaPrivateKeyHandle> {
  return {
    path: 'webcrypto',
    publicKeyDer,
    async decrypt(ciphertext) {
      return new Uint8Array(await subtle().decrypt(OAEP_SHA1, privateKey, ciphertext as BufferSource));
    },
    async exportPkcs8() {
      return new Uint8Array(await subtle().exportKey('pkcs8', privateKey));
    },
    dispose() {},
  };
}

export const rsa: RsaImplementation = {
  path: 'webcrypto',
  available() {
    return (globalThis as { crypto?: Crypto }).crypto?.subtle !== undefined;
  },
  async encrypt(spkiDer, data) {
    const key = await subtle().importKey('spki', spkiDer as BufferSource, OAEP_SHA1, false, ['encrypt']);
    return new Uint8Array(await subtle().encrypt(OAEP_SHA1, key, data as BufferSource));
  },
  async generate(bits, extractable) {
    const pair = await subtle().generateKey(
      { ...OAEP_SHA1, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) },
      extractable,
      ['encrypt', 'decrypt'],
    );
    const spki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey));
    return handle(pair.privateKey, spki);
  },
  async importPkcs8(der, extractable) {
    // Imported extractable once to read the public half (WebCrypto cannot derive it from a
    // non-extractable private key), then again as asked.
    const probe = await subtle().importKey('pkcs8', der as BufferSource, OAEP_SHA1, true, ['decrypt']);
    const jwk = await subtle().exportKey('jwk', probe);
    const pub = await subtle().importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RSA-OAEP', ext: true }, OAEP_SHA1, true, ['encrypt']);
    jwk.d = jwk.p = jwk.q = jwk.dp = jwk.dq = jwk.qi = '';
    const spki = new Uint8Array(await subtle().exportKey('spki', pub));
    const key = extractable ? probe : await subtle().importKey('pkcs8', der as BufferSource, OAEP_SHA1, false, ['decrypt']);
    return handle(key, spki);
  },
};
