// The SDK's recorded key exchange (tests/vectors/key_exchange_messages.json, @streamr/sdk
// 103.3.2) through the package's JS surface, checked with implementations independent of ours:
//   - our Publisher, restored with the vector's group key and signing as the vector's
//     publisher, answers the SDK subscriber's recorded request; the wrapped key in our response
//     decrypts with the recorded subscriber private key using Node's OpenSSL (RSA-OAEP SHA-1)
//     or @noble/post-quantum 0.4.1 (ML-KEM-1024, as the SDK) + node:crypto HKDF-SHA512 and
//     AES-256-CTR;
//   - the SDK publisher's recorded responses unwrap with our MlKemKeyPair / RsaKeyPair loaded
//     from the recorded private keys.
// Node only: it needs node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDecipheriv, hkdfSync, privateDecrypt } from 'node:crypto';
import { ml_kem1024 } from '@noble/post-quantum/ml-kem';
import * as lib from 'streamr-e2ee';
import { fromHex, hex } from './suite.mjs';
import { vectors } from './vectors.mjs';

const { Publisher, StreamMessage, EvmSigner, MlDsa87Signer, MlKemKeyPair, RsaKeyPair, GroupKey, AsymmetricEncryptionType } = lib;

const KEM_CT = 1568;
const SALT = 64;

/** The vector identity as a local signer: secp256k1, or ML-DSA-87 from the SDK's expanded key. */
function signer(identity) {
  switch (identity.signatureType) {
    case 'ECDSA_SECP256K1_EVM':
      return EvmSigner.fromPrivateKey(fromHex(identity.privateKeyHex));
    case 'ML_DSA_87':
      return MlDsa87Signer.fromExpandedSecretKey(fromHex(identity.privateKeyHex), fromHex(identity.publicKeyHex));
    default:
      throw new Error(`identity type ${identity.signatureType}`);
  }
}

const streamIdOf = (v) => v.request.streamMessage.streamId;

/** Decrypts one wrapped group key with the recorded subscriber private key, without our code. */
function independentUnwrap(v, data) {
  const kx = v.subscriberKeyExchangeKeyPair;
  if (kx.type === 'RSA') {
    return new Uint8Array(privateDecrypt(
      { key: kx.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, data));
  }
  assert.equal(kx.type, 'ML_KEM');
  assert.equal(data.length, KEM_CT + SALT + 16 + 32);
  const kemCt = data.subarray(0, KEM_CT);
  const salt = data.subarray(KEM_CT, KEM_CT + SALT);
  const aes = data.subarray(KEM_CT + SALT);
  const shared = ml_kem1024.decapsulate(kemCt, fromHex(kx.privateKeyHex));
  const wrapKey = Buffer.from(hkdfSync('sha512', shared, salt, Buffer.from('streamr-key-exchange'), 32));
  const decipher = createDecipheriv('aes-256-ctr', wrapKey, aes.subarray(0, 16));
  return new Uint8Array(Buffer.concat([decipher.update(aes.subarray(16)), decipher.final()]));
}

for (const [i, v] of vectors.keyExchange.vectors.entries()) {
  test(`SDK vector #${i} (${v.label.slice(0, 60)}): our Publisher answers the SDK request; independent unwrap`, async () => {
    const now = v.request.streamMessage.timestamp + 25;
    const identity = signer(v.publisher);
    const p = new Publisher({ streamId: streamIdOf(v) }, identity);
    assert.equal(p.userId, v.publisher.userId);
    p.restoreKeys(new GroupKey(v.groupKey.id, fromHex(v.groupKey.dataHex)), []);
    p.handleMessage(fromHex(v.request.streamMessageProtobufHex), now);
    const sent = [];
    const questions = [];
    for (let round = 0; round < 3; round++) {
      for (const out of p.pollOutputs()) {
        if (out.type === 'ask') questions.push(out);
        else if (out.type === 'send') sent.push(out.bytes);
        else if (out.type === 'event') assert.notEqual(out.event.type, 'keyRequestDenied', `${out.event.code}: ${out.event.message}`);
      }
      for (const q of questions.splice(0)) {
        // RSA is the host's (issue #16): the package's platform RSA answers the wrap.
        if (q.question.type === 'wrapGroupKeys') {
          assert.equal(v.subscriberKeyExchangeKeyPair.type, 'RSA');
          p.answer(q.id, await lib.answerWrapGroupKeys(q.question), now);
          continue;
        }
        assert.equal(q.question.type, 'permission');
        p.answer(q.id, { type: 'permission', allowed: true }, now);
      }
    }
    // The same two checks the SDK publisher made (PUBLISH of itself, SUBSCRIBE of the requester).
    assert.equal(sent.length, 1, 'one response');
    const response = StreamMessage.fromBytes(sent[0]);
    assert.equal(response.messageType, 'GROUP_KEY_RESPONSE');
    assert.equal(response.verifySignature().status, 'VALID');
    assert.equal(response.signatureTypeName, v.publisher.signatureType);
    assert.equal(response.publisherId, v.publisher.userId);
    assert.equal(response.streamId, streamIdOf(v));
    const body = response.groupKeyResponse;
    assert.equal(body.requestId, v.request.groupKeyRequest.requestId);
    assert.equal(body.recipientId, v.subscriber.userId);
    assert.equal(body.encryptionType, v.request.groupKeyRequest.encryptionType);
    assert.equal(body.groupKeys.length, 1);
    assert.equal(body.groupKeys[0].id, v.groupKey.id);
    assert.equal(hex(independentUnwrap(v, body.groupKeys[0].data)), v.groupKey.dataHex);
  });

  test(`SDK vector #${i} (${v.label.slice(0, 60)}): the SDK publisher's response unwraps with our key pair`, async () => {
    const kx = v.subscriberKeyExchangeKeyPair;
    const pair = kx.type === 'RSA'
      ? await RsaKeyPair.fromPkcs8Pem(kx.privateKeyPem)
      : MlKemKeyPair.fromExpandedSecretKey(fromHex(kx.privateKeyHex));
    const expectedPublic = kx.type === 'RSA' ? hex(new TextEncoder().encode(kx.publicKeyPem)) : kx.publicKeyHex;
    assert.equal(hex(pair.publicKey), expectedPublic, 'same public key as the request carried');
    assert.equal(hex(pair.publicKey), v.request.groupKeyRequest.publicKeyHex);
    assert.equal(pair.encryptionType, kx.type === 'RSA' ? AsymmetricEncryptionType.RSA : AsymmetricEncryptionType.ML_KEM);
    const response = StreamMessage.fromBytes(fromHex(v.response.streamMessageProtobufHex)).groupKeyResponse;
    const [wrapped] = response.groupKeys;
    const key = await pair.unwrapGroupKey(wrapped.id, wrapped.data);
    assert.equal(key.id, v.groupKey.id);
    assert.equal(hex(key.data), v.groupKey.dataHex);
    // And the independent implementation agrees on the SDK's own bytes.
    assert.equal(hex(independentUnwrap(v, wrapped.data)), v.groupKey.dataHex);
  });
}

test('wrapGroupKey output unwraps with the independent implementations (RSA-OAEP SHA-1, ML-KEM + HKDF + AES-CTR)', async () => {
  for (const v of vectors.keyExchange.vectors) {
    const kx = v.subscriberKeyExchangeKeyPair;
    const key = new GroupKey(v.groupKey.id, fromHex(v.groupKey.dataHex));
    const publicKey = kx.type === 'RSA' ? kx.publicKeyPem : fromHex(kx.publicKeyHex);
    const type = kx.type === 'RSA' ? AsymmetricEncryptionType.RSA : AsymmetricEncryptionType.ML_KEM;
    const wrapped = await lib.wrapGroupKey(key, type, publicKey);
    assert.equal(hex(independentUnwrap(v, wrapped)), v.groupKey.dataHex, v.label);
  }
});
