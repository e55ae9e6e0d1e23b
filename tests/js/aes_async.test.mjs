// encryptWithAESAsync / decryptWithAESAsync: large payloads go to WebCrypto (Node's
// globalThis.crypto.subtle here), small ones to wasm; both routes must give the SDK's bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { encryptWithAESAsync, decryptWithAESAsync, decryptWithAES, WEBCRYPTO_AES_MIN_BYTES } from 'streamr-e2ee';

/** The SDK's EncryptionUtil over Node's crypto: the reference bytes. */
const sdkEncrypt = (data, key, iv) => {
  const c = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([iv, c.update(data), c.final()]);
};
const sdkDecrypt = (cipher, key) => {
  const d = createDecipheriv('aes-256-ctr', key, cipher.subarray(0, 16));
  return Buffer.concat([d.update(cipher.subarray(16)), d.final()]);
};
const sizes = [0, 1, 63, WEBCRYPTO_AES_MIN_BYTES - 1, WEBCRYPTO_AES_MIN_BYTES, 16384, 1 << 20];
const routes = [['default routing', undefined], ['always wasm', { webCryptoMinBytes: Infinity }], ['always WebCrypto', { webCryptoMinBytes: 0 }]];

test('both routes decrypt what the SDK encrypts, including a counter that carries past 64 bits', async () => {
  const key = randomBytes(32);
  // An IV whose low 64 bits overflow on the second block: Node increments all 128 bits.
  const ivs = [randomBytes(16), Buffer.from('00000000000000ffffffffffffffffff', 'hex'), Buffer.alloc(16, 0xff)];
  for (const size of sizes) {
    const data = randomBytes(size);
    for (const iv of ivs) {
      const cipher = sdkEncrypt(data, key, iv);
      for (const [name, opts] of routes) {
        assert.deepEqual(Buffer.from(await decryptWithAESAsync(cipher, key, opts)), data, `${name}, ${size} B, iv ${iv.toString('hex')}`);
      }
    }
  }
});

test('both routes encrypt to bytes the SDK decrypts, with a fresh IV each time', async () => {
  const key = randomBytes(32);
  for (const size of sizes) {
    const data = randomBytes(size);
    for (const [name, opts] of routes) {
      const a = await encryptWithAESAsync(data, key, opts);
      const b = await encryptWithAESAsync(data, key, opts);
      assert.equal(a.length, 16 + size, name);
      assert.notDeepEqual(Buffer.from(a.subarray(0, 16)), Buffer.from(b.subarray(0, 16)), `${name}: IV reused`);
      assert.deepEqual(sdkDecrypt(Buffer.from(a), key), data, `${name}, ${size} B`);
      assert.deepEqual(Buffer.from(decryptWithAES(a, key)), data, `${name}, ${size} B, sync wasm`);
    }
  }
});

test('bad input gets the typed errors of the wasm functions on every route', async () => {
  for (const [name, opts] of routes) {
    await assert.rejects(encryptWithAESAsync(new Uint8Array(4096), new Uint8Array(16), opts), { name: 'StreamrE2eeError', code: 'INVALID_KEY' }, name);
    await assert.rejects(decryptWithAESAsync(new Uint8Array(4096), new Uint8Array(31), opts), { name: 'StreamrE2eeError', code: 'INVALID_KEY' }, name);
    await assert.rejects(decryptWithAESAsync(new Uint8Array(15), new Uint8Array(32), opts), { name: 'StreamrE2eeError', code: 'DECRYPT_ERROR' }, name);
  }
});
