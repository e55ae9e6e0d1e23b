/**
 * RSA-OAEP-SHA-1 with node:crypto (`#rsa-platform` under Node): OpenSSL, as the stock SDK
 * uses (`publicEncrypt` / `privateDecrypt` with `oaepHash: 'sha1'`, Node's default for OAEP).
 * Loaded by a dynamic import() only when an RSA exchange happens.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';
import type { RsaImplementation, RsaPrivateKeyHandle } from './platform.js';

const OAEP = constants.RSA_PKCS1_OAEP_PADDING;

function bytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function handle(privateKey: KeyObject, publicKey: KeyObject, extractable: boolean): RsaPrivateKeyHandle {
  return {
    path: 'node',
    publicKeyDer: bytes(publicKey.export({ format: 'der', type: 'spki' })),
    async decrypt(ciphertext) {
      return bytes(privateDecrypt({ key: privateKey, padding: OAEP, oaepHash: 'sha1' }, ciphertext));
    },
    async exportPkcs8() {
      if (!extractable) throw new Error('this RSA key is not extractable');
      return bytes(privateKey.export({ format: 'der', type: 'pkcs8' }));
    },
    dispose() {},
  };
}

export const rsa: RsaImplementation = {
  path: 'node',
  available() {
    return true;
  },
  async encrypt(spkiDer, data) {
    const key = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
    return bytes(publicEncrypt({ key, padding: OAEP, oaepHash: 'sha1' }, data));
  },
  generate(bits, extractable) {
    return new Promise((resolve, reject) => {
      generateKeyPair('rsa', { modulusLength: bits, publicExponent: 65537 }, (err, pub, priv) => {
        if (err !== null) reject(err);
        else resolve(handle(priv, pub, extractable));
      });
    });
  },
  async importPkcs8(der, extractable) {
    const priv = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return handle(priv, createPublicKey(priv), extractable);
  },
};
