// Independent checks of the built package against other implementations (Node's OpenSSL
// AES-CTR, ethers v6), and of the package's Node entry points (import and require).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createCipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { hashMessage, verifyMessage, Wallet } from 'ethers';
import * as lib from 'streamr-e2ee';
import { fromHex } from './suite.mjs';
import { vectors } from './vectors.mjs';

const { encryptWithAES, decryptWithAES, EvmSigner, StreamMessage } = lib;

test('encryptWithAES output decrypts with node:crypto aes-256-ctr (iv = first 16 bytes)', () => {
  for (const len of [0, 1, 15, 16, 17, 1000, 65537]) {
    const key = randomBytes(32);
    const plaintext = randomBytes(len);
    const out = encryptWithAES(plaintext, key);
    assert.equal(out.length, 16 + len);
    const decipher = createDecipheriv('aes-256-ctr', key, out.subarray(0, 16));
    const back = Buffer.concat([decipher.update(out.subarray(16)), decipher.final()]);
    assert.deepEqual(back, plaintext);
  }
});

test('node:crypto aes-256-ctr output decrypts with decryptWithAES, counter wrap included', () => {
  for (const iv of [randomBytes(16), Buffer.alloc(16, 0xff), Buffer.from('00000000000000000000000fffffffff'.padStart(32, '0'), 'hex')]) {
    const key = randomBytes(32);
    const plaintext = randomBytes(100);
    const cipher = createCipheriv('aes-256-ctr', key, iv);
    const ct = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
    assert.deepEqual(Buffer.from(decryptWithAES(ct, key)), plaintext);
  }
});

test('EvmSigner signatures verify with ethers v6 verifyMessage, and the addresses agree', async () => {
  for (const hexKey of [vectors.signatures.signer.privateKeyHex, randomBytes(32).toString('hex')]) {
    const signer = EvmSigner.fromPrivateKey(fromHex(hexKey));
    const wallet = new Wallet(`0x${hexKey}`);
    assert.equal(signer.address, wallet.address.toLowerCase());
    for (const payload of [new Uint8Array(0), new TextEncoder().encode('hello'), randomBytes(300)]) {
      const sig = signer.sign(payload);
      assert.equal(sig.length, 65);
      assert.equal(verifyMessage(payload, `0x${Buffer.from(sig).toString('hex')}`).toLowerCase(), signer.address);
      // ethers signs the same way (RFC 6979, low-S): identical bytes.
      assert.equal(`0x${Buffer.from(sig).toString('hex')}`, await wallet.signMessage(payload));
    }
  }
});

test('ERC_1271 digest is the EIP-191 hash of the signature payload (ethers hashMessage)', () => {
  const bytes = fromHex(vectors.content.vectors[0].streamMessageProtobufHex);
  const m = StreamMessage.fromBytes(Uint8Array.of(...bytes, 0x20, 0x02));
  const check = m.verifySignature();
  assert.equal(check.status, 'NEEDS_ERC1271');
  assert.equal(`0x${Buffer.from(check.digest).toString('hex')}`, hashMessage(m.signaturePayload()));
});

test('the package loads through require() too, as the same module instance', () => {
  const required = createRequire(import.meta.url)('streamr-e2ee');
  assert.deepEqual(Object.keys(required).sort(), Object.keys(lib).sort());
  assert.equal(required.StreamMessage, lib.StreamMessage);
  const key = required.GroupKey.generate();
  // A key made through require() is accepted by a function imported with import.
  assert.equal(lib.encryptNextGroupKey(key, key).id, key.id);
});

test('errors are Error instances with name StreamrE2eeError, a code and a stack', () => {
  const err = assert.throws(() => StreamMessage.fromBytes(new Uint8Array([1, 2, 3])), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'StreamrE2eeError');
    assert.equal(e.code, 'MALFORMED_MESSAGE');
    assert.match(e.message, /^malformed message: /);
    assert.equal(typeof e.stack, 'string');
    return true;
  });
  assert.equal(err, undefined);
});
