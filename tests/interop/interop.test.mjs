// @streamr/sdk 103.3.2 (the real npm bundle) against streamr-e2ee, both ways, and the SDK
// itself running on the streamr-e2ee backend. See docs/sdk-backend.md for the table of what
// this proves. Run: node --test tests/interop/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './harness.mjs';

const { stock, backend, e2ee, high, standIn, counted, sum } = H;
const S = stock.__internals;
const B = backend.__internals;
const hex = (b) => Buffer.from(b).toString('hex');

// ------------------------------------------------------------------ symmetric + rotation

test('AES-256-CTR, 60 random sizes and keys: SDK ⇄ streamr-e2ee (wasm, high-level, SDK-on-backend)', () => {
  for (let i = 0; i < 60; i++) {
    const data = H.randomBytes(H.randomSize(i < 30 ? 64 : 20000));
    const key = Buffer.from(H.randomBytes(32));
    const fromSdk = S.EncryptionUtil.encryptWithAES(data, key);
    assert.equal(fromSdk.length, 16 + data.length);
    assert.equal(hex(e2ee.decryptWithAES(fromSdk, key)), hex(data));
    assert.equal(hex(high.EncryptionUtil.decryptWithAES(fromSdk, key)), hex(data));
    assert.equal(hex(B.EncryptionUtil.decryptWithAES(fromSdk, key)), hex(data));
    for (const ours of [e2ee.encryptWithAES(data, key), high.EncryptionUtil.encryptWithAES(data, key), B.EncryptionUtil.encryptWithAES(data, key)]) {
      const back = S.EncryptionUtil.decryptWithAES(Buffer.from(ours), key);
      assert.ok(Buffer.isBuffer(back));
      assert.equal(hex(back), hex(data));
    }
  }
  assert.ok(Buffer.isBuffer(high.EncryptionUtil.encryptWithAES(new Uint8Array(3), Buffer.alloc(32))), 'Buffer out');
});

test('rotation: encryptNextGroupKey / decryptNextGroupKey, SDK ⇄ ours, 20 random key pairs', () => {
  for (let i = 0; i < 20; i++) {
    const cur = S.GroupKey.generate();
    const next = S.GroupKey.generate();
    const ourCur = new high.GroupKey(cur.id, Buffer.from(cur.data));
    const fromSdk = cur.encryptNextGroupKey(next);
    assert.equal(fromSdk.data.length, 48);
    const k1 = ourCur.decryptNextGroupKey(fromSdk);
    assert.equal(k1.id, next.id);
    assert.equal(hex(k1.data), hex(next.data));
    const wasmCur = new e2ee.GroupKey(cur.id, cur.data);
    assert.equal(hex(e2ee.decryptNextGroupKey(wasmCur, fromSdk).data), hex(next.data));
    for (const ours of [ourCur.encryptNextGroupKey(new high.GroupKey(next.id, Buffer.from(next.data))),
      e2ee.encryptNextGroupKey(wasmCur, new e2ee.GroupKey(next.id, next.data))]) {
      const k2 = cur.decryptNextGroupKey({ id: ours.id, data: Buffer.from(ours.data) });
      assert.equal(k2.id, next.id);
      assert.equal(hex(k2.data), hex(next.data));
    }
  }
  const g = high.GroupKey.generate();
  assert.match(g.id, /^[0-9a-f-]{36}-GroupKey\d+$/);
  assert.throws(() => new high.GroupKey('x', Buffer.alloc(31)), /256 bits/);
  assert.throws(() => new high.GroupKey('x', new Uint8Array(32)), /must be a Buffer/);
});

test('decryptStreamMessage: SDK-made message content + newGroupKey, and DECRYPT_ERROR as the SDK', () => {
  const key = S.GroupKey.generate();
  const next = S.GroupKey.generate();
  const content = Buffer.from('{"hello":"world"}');
  const msg = { content: S.EncryptionUtil.encryptWithAES(content, key.data), newGroupKey: key.encryptNextGroupKey(next) };
  const [plain, nk] = high.EncryptionUtil.decryptStreamMessage(msg, new high.GroupKey(key.id, Buffer.from(key.data)));
  assert.equal(plain.toString(), content.toString());
  assert.equal(hex(nk.data), hex(next.data));
  const bad = { content: msg.content, newGroupKey: { id: next.id, data: Buffer.alloc(5) } };
  assert.throws(() => high.EncryptionUtil.decryptStreamMessage(bad, new high.GroupKey(key.id, Buffer.from(key.data))),
    (e) => e.code === 'DECRYPT_ERROR' && /new encryption key/.test(e.message));
});

// ------------------------------------------------------------------ key pairs, RSA, ML-KEM

for (const bits of [640, 1024, 2048]) {
  test(`RSA-OAEP (${bits} bits): SDK key pairs ⇄ ours, both directions, random plaintexts`, async () => {
    const sdkPair = await S.RSAKeyPair.create(bits);
    const ourPair = await high.RSAKeyPair.create(bits);
    assert.equal(ourPair.getEncryptionType(), e2ee.AsymmetricEncryptionType.RSA);
    assert.match(ourPair.getPublicKey().toString('utf8'), /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    assert.match(ourPair.getPrivateKey().toString('utf8'), /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    const RSA = e2ee.AsymmetricEncryptionType.RSA;
    for (let i = 0; i < 4; i++) {
      const pt = Buffer.from(H.randomBytes(i === 0 ? 32 : 1 + H.randomSize(20)));
      // SDK encrypts to our key pair; we decrypt (high-level and the wasm key pair).
      const c1 = await S.EncryptionUtil.encryptForPublicKey(pt, ourPair.getPublicKey(), RSA);
      assert.equal(hex(await high.EncryptionUtil.decryptWithPrivateKey(c1, ourPair.getPrivateKey(), RSA)), hex(pt));
      // We encrypt to the SDK's key pair; the SDK decrypts.
      const c2 = await high.EncryptionUtil.encryptForPublicKey(pt, sdkPair.getPublicKey(), RSA);
      assert.equal(c2.length, bits / 8);
      assert.equal(hex(await S.EncryptionUtil.decryptWithPrivateKey(c2, sdkPair.getPrivateKey(), RSA)), hex(pt));
      // The SDK's private key loads into our RsaKeyPair (node:crypto here; and the rsa-wasm module).
      if (pt.length === 32) {
        for (const prefer of ['platform', 'wasm']) {
          e2ee.configureRsa({ prefer });
          try {
            const pair = await e2ee.RsaKeyPair.fromPkcs8Pem(Buffer.from(sdkPair.getPrivateKey()).toString('utf8'));
            assert.equal(pair.path, prefer === 'wasm' ? 'wasm' : 'node');
            assert.equal(Buffer.from(pair.publicKey).toString(), Buffer.from(sdkPair.getPublicKey()).toString());
            assert.equal(hex((await pair.unwrapGroupKey('k', c2)).data), hex(pt));
          } finally {
            e2ee.configureRsa({ prefer: 'platform' });
          }
        }
      }
    }
  });
}

test('ML-KEM-1024: SDK key pairs ⇄ ours, both directions, 6 random key pairs', async () => {
  const ML = e2ee.AsymmetricEncryptionType.ML_KEM;
  for (let i = 0; i < 6; i++) {
    const sdkPair = S.MLKEMKeyPair.create();
    const ourPair = high.MLKEMKeyPair.create();
    assert.equal(ourPair.getPublicKey().length, 1568);
    assert.equal(ourPair.getPrivateKey().length, 3168);
    assert.ok(Buffer.isBuffer(ourPair.getPrivateKey()));
    const pt = Buffer.from(H.randomBytes(32));
    const c1 = await S.EncryptionUtil.encryptForPublicKey(pt, ourPair.getPublicKey(), ML);
    assert.equal(c1.length, 1568 + 64 + 16 + 32);
    assert.equal(hex(await high.EncryptionUtil.decryptWithPrivateKey(c1, ourPair.getPrivateKey(), ML)), hex(pt));
    const c2 = await high.EncryptionUtil.encryptForPublicKey(pt, sdkPair.getPublicKey(), ML);
    assert.equal(hex(await S.EncryptionUtil.decryptWithPrivateKey(c2, sdkPair.getPrivateKey(), ML)), hex(pt));
    const wasmPair = e2ee.MlKemKeyPair.fromExpandedSecretKey(sdkPair.getPrivateKey());
    assert.equal(hex(wasmPair.publicKey), hex(sdkPair.getPublicKey()));
    assert.equal(hex(wasmPair.unwrapGroupKey('k', c2).data), hex(pt));
    // Our key pair's secret key works in the SDK's decryption too.
    const c3 = await S.EncryptionUtil.encryptForPublicKey(pt, ourPair.getPublicKey(), ML);
    assert.equal(hex(await S.EncryptionUtil.decryptWithPrivateKey(c3, ourPair.getPrivateKey(), ML)), hex(pt));
  }
});

// ------------------------------------------------------------------ the stand-ins, call by call

test('stand-in createCipheriv/createDecipheriv: streaming update/final equals node:crypto, other algorithms delegated', async () => {
  const { createCipheriv: nodeCipher } = await import('node:crypto');
  for (let i = 0; i < 30; i++) {
    const key = Buffer.from(H.randomBytes(32));
    const iv = Buffer.from(H.randomBytes(16));
    const parts = Array.from({ length: 1 + H.randomSize(4) }, () => Buffer.from(H.randomBytes(H.randomSize(70))));
    const ref = nodeCipher('aes-256-ctr', key, iv);
    const expected = Buffer.concat([...parts.map((p) => ref.update(p)), ref.final()]);
    const ours = standIn.createCipheriv('aes-256-ctr', key, iv);
    const got = Buffer.concat([...parts.map((p) => ours.update(p)), ours.final()]);
    assert.equal(hex(got), hex(expected));
    const dec = standIn.createDecipheriv('aes-256-ctr', key, iv);
    assert.equal(hex(Buffer.concat([dec.update(got), dec.final()])), hex(Buffer.concat(parts)));
  }
  const { result: gcm, ours } = await counted(() => standIn.createCipheriv('aes-256-gcm', Buffer.alloc(32), Buffer.alloc(12)));
  assert.equal(typeof gcm.getAuthTag, 'function', 'aes-256-gcm is the original Node cipher');
  assert.equal(sum(ours), 0);
  assert.throws(() => standIn.createCipheriv('aes-256-ctr', Buffer.alloc(31), Buffer.alloc(16)), (e) => e.code === 'INVALID_KEY');
});

test('stand-in publicEncrypt/privateDecrypt ⇄ node:crypto (RSA-OAEP SHA-1, PEM strings)', async () => {
  const nc = await import('node:crypto');
  const { publicKey, privateKey } = nc.generateKeyPairSync('rsa', { modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  for (let i = 0; i < 5; i++) {
    const pt = Buffer.from(H.randomBytes(1 + H.randomSize(60)));
    const c1 = standIn.publicEncrypt(publicKey, pt);
    assert.ok(Buffer.isBuffer(c1));
    assert.equal(hex(nc.privateDecrypt(privateKey, c1)), hex(pt));
    assert.equal(hex(standIn.privateDecrypt(privateKey, nc.publicEncrypt(publicKey, pt))), hex(pt));
  }
  assert.throws(() => standIn.privateDecrypt(privateKey, Buffer.alloc(128)), (e) => e.code === 'DECRYPT_ERROR');
});

test('stand-in getSubtle: HKDF-SHA-512 deriveKey/deriveBits equal WebCrypto; other calls are WebCrypto', async () => {
  const real = globalThis.crypto.subtle;
  const ours = standIn.getSubtle();
  for (let i = 0; i < 10; i++) {
    const ikm = H.randomBytes(32);
    const salt = H.randomBytes(64);
    const params = { name: 'HKDF', hash: 'SHA-512', salt, info: Buffer.from('streamr-key-exchange') };
    const derive = async (s) => {
      const base = await s.importKey('raw', ikm, { name: 'HKDF' }, false, ['deriveKey', 'deriveBits']);
      const k = await s.deriveKey(params, base, { name: 'AES-CTR', length: 256 }, true, ['encrypt', 'decrypt']);
      return [hex(new Uint8Array(await s.exportKey('raw', k))), hex(new Uint8Array(await s.deriveBits(params, base, 512)))];
    };
    const { result, ours: calls, originals } = await counted(() => derive(ours));
    assert.deepEqual(result, await derive(real));
    assert.equal(calls.hkdfSha512, 2);
    assert.equal(originals['subtle.deriveKey'] ?? 0, 0);
  }
  const digest = await ours.digest('SHA-256', new Uint8Array([1]));
  assert.equal(digest.byteLength, 32);
});

test('stand-in ml_kem1024 ⇄ @noble/post-quantum (keygen/encapsulate/decapsulate)', async () => {
  const noble = (await import('@noble/post-quantum/ml-kem')).ml_kem1024;
  const ours = (await import('streamr-e2ee/sdk-backend/ml-kem')).ml_kem1024;
  for (let i = 0; i < 5; i++) {
    const a = ours.keygen();
    const b = noble.keygen();
    const e1 = noble.encapsulate(a.publicKey);
    assert.equal(hex(ours.decapsulate(e1.cipherText, a.secretKey)), hex(e1.sharedSecret));
    const e2 = ours.encapsulate(b.publicKey);
    assert.equal(e2.cipherText.length, 1568);
    assert.equal(hex(noble.decapsulate(e2.cipherText, b.secretKey)), hex(e2.sharedSecret));
  }
  const seed = H.randomBytes(64);
  assert.equal(hex(ours.keygen(seed).publicKey), hex(noble.keygen(seed).publicKey), 'seeded keygen is noble');
});

// ------------------------------------------------------------------ signatures, all types

for (const keyType of H.KEY_TYPES) {
  test(`signatures ${keyType}: real @streamr/utils ⇄ stand-in, 12 random payloads, tampering rejected by both`, async () => {
    const { SigningUtil: RealSU } = await import('@streamr/utils');
    const real = RealSU.getInstance(keyType);
    const ours = standIn.SigningUtil.getInstance(keyType);
    assert.ok(ours instanceof RealSU, 'a subclass of the original');
    for (const [signerPair, signWith, verifyWith] of [[real.generateKeyPair(), real, ours], [ours.generateKeyPair(), ours, real]]) {
      real.assertValidKeyPair(signerPair.publicKey, signerPair.privateKey);
      ours.assertValidKeyPair(signerPair.publicKey, signerPair.privateKey);
      for (let i = 0; i < 12; i++) {
        const payload = Buffer.from(H.randomBytes(H.randomSize(i < 6 ? 40 : 3000)));
        const sig = await signWith.createSignature(payload, signerPair.privateKey);
        assert.equal(await verifyWith.verifySignature(signerPair.publicKey, payload, sig), true);
        assert.equal(await signWith.verifySignature(signerPair.publicKey, payload, sig), true);
        const tampered = Buffer.concat([payload, Buffer.from([1])]);
        assert.equal(await verifyWith.verifySignature(signerPair.publicKey, tampered, sig), false);
        assert.equal(await signWith.verifySignature(signerPair.publicKey, tampered, sig), false);
      }
    }
    const other = real.generateKeyPair();
    const mine = ours.generateKeyPair();
    assert.throws(() => ours.assertValidKeyPair(other.publicKey, mine.privateKey));
  });
}

test('secp256k1 EVM helpers: keccakHash (both modes), recoverPublicKey, recoverSignerUserId, publicKeyToAddress equal the original', async () => {
  const { EcdsaSecp256k1Evm: Real } = await import('@streamr/utils');
  const real = new Real();
  const ours = new standIn.EcdsaSecp256k1Evm();
  for (let i = 0; i < 10; i++) {
    const payload = Buffer.from(H.randomBytes(H.randomSize(500)));
    assert.equal(hex(ours.keccakHash(payload)), hex(real.keccakHash(payload)));
    assert.equal(hex(ours.keccakHash(payload, false)), hex(real.keccakHash(payload, false)));
    assert.ok(Buffer.isBuffer(ours.keccakHash(payload)));
    const { privateKey } = real.generateKeyPair();
    const sig = await real.createSignature(payload, privateKey);
    assert.equal(hex(await ours.createSignature(payload, privateKey)), hex(sig), 'RFC 6979: byte-identical');
    assert.equal(hex(ours.recoverPublicKey(sig, payload)), hex(real.recoverPublicKey(sig, payload)));
    assert.equal(hex(ours.recoverSignerUserId(sig, payload)), hex(real.recoverSignerUserId(sig, payload)));
    const pub = real.recoverPublicKey(sig, payload);
    assert.equal(hex(ours.publicKeyToAddress(pub)), hex(real.publicKeyToAddress(pub)));
  }
  assert.throws(() => ours.publicKeyToAddress(new Uint8Array(33)), /Expected 65 bytes/);
});

test('ERC-1271: the SDK facade on the backend asks the contract about the same EIP-191 digest as stock', async () => {
  const { ethers } = await import('ethers');
  const seen = [];
  const contractFactory = { createReadContract: () => ({ isValidSignature: async (hash) => { seen.push(hash); return '0x1626ba7e'; } }) };
  const provider = { getProvider: () => ({}) };
  const id = stock.EthereumKeyPairIdentity.generate();
  for (const sdk of [stock, backend]) {
    const facade = new sdk.__internals.ERC1271ContractFacade(contractFactory, provider);
    const payload = Buffer.from(H.randomBytes(100));
    const sig = await id.createMessageSignature(payload);
    assert.equal(await facade.isValidSignature('0x' + '11'.repeat(20), payload, sig), true);
    assert.equal(hex(seen.at(-1)), ethers.hashMessage(payload).slice(2));
    facade.publisherCache.clear(); // its 10-minute expiry timer would keep the process alive
  }
});

// ------------------------------------------------------------------ messages: SDK ⇄ our Publisher/Subscriber

const signers = {
  ECDSA_SECP256K1_EVM: () => e2ee.EvmSigner.generate(),
  // The shim's P256Signer (issue #16): the platform's key; the core asks it to sign.
  ECDSA_SECP256R1: () => e2ee.P256Signer.generate(),
  ML_DSA_87: () => e2ee.MlDsa87Signer.generate(),
};
const contentsOf = (n) => Array.from({ length: n }, (_, i) => ({ i, blob: Buffer.from(H.randomBytes(H.randomSize(i % 3 === 0 ? 2000 : 50))).toString('base64') }));

for (const keyType of H.KEY_TYPES) {
  test(`messages ${keyType}: SDK publishes (with rotation) → our Subscriber verifies and decrypts`, async () => {
    const id = H.identity(stock, keyType);
    const contents = contentsOf(9);
    const { bytes, keys } = await H.sdkPublish(stock, id, contents, 4);
    assert.ok(keys.length >= 2, 'rotated');
    const now = Date.now();
    const sub = new e2ee.Subscriber({ streamId: H.STREAM }, e2ee.EvmSigner.generate(), e2ee.MlKemKeyPair.generate(), now);
    sub.addKey(await id.getUserId(), new e2ee.GroupKey(keys[0].id, keys[0].data), now);
    const delivered = [];
    for (const b of bytes) {
      sub.handleMessage(b, now);
      for (const o of await H.pumpAsync(sub, now)) {
        if (o.type === 'deliver') delivered.push(JSON.parse(Buffer.from(o.content).toString()));
        if (o.type === 'event') assert.notEqual(o.event.type, 'error', JSON.stringify(o.event));
      }
    }
    assert.deepEqual(delivered, contents);
  });

  test(`messages ${keyType}: our Publisher publishes (with rotation) → the SDK validates and decrypts`, async () => {
    const signer = await signers[keyType]();
    const p256 = signer instanceof e2ee.P256Signer ? signer : undefined;
    const pub = new e2ee.Publisher({ streamId: H.STREAM }, p256?.external ?? signer);
    const contents = contentsOf(9);
    const bytes = [];
    const keys = [];
    let now = Date.now();
    for (const [i, c] of contents.entries()) {
      if (i > 0 && i % 4 === 0) pub.rotate();
      pub.publish(Buffer.from(JSON.stringify(c)), e2ee.ContentType.JSON, now++);
      for (const o of await H.pumpAsync(pub, now, undefined, p256)) {
        if (o.type === 'send') bytes.push(o.bytes);
        if (o.type === 'storeKey') keys.push({ id: o.key.id, data: o.key.data });
      }
    }
    assert.ok(keys.length >= 2, 'rotated');
    assert.deepEqual(await H.sdkReceive(stock, bytes, [keys[0]]), contents, 'stock SDK (rotation learned from newGroupKey)');
  });
}

// ------------------------------------------------------------------ the SDK itself on the backend

for (const keyType of H.KEY_TYPES) {
  test(`SDK on the backend, ${keyType}: its publish path makes messages stock SDK accepts; only our code did the crypto`, async () => {
    const id = H.identity(backend, keyType);
    const contents = contentsOf(7);
    const { result: { bytes, keys }, ours, originals } = await counted(() => H.sdkPublish(backend, id, contents, 3));
    assert.equal(sum(originals), 0, `originals called: ${JSON.stringify(originals)}`);
    const sign = { ECDSA_SECP256K1_EVM: 'EcdsaSecp256k1Evm.createSignature', ECDSA_SECP256R1: 'EcdsaSecp256r1.createSignature', ML_DSA_87: 'MlDsa87.createSignature' }[keyType];
    assert.equal(ours[sign], contents.length, 'one signature per message');
    assert.equal(ours.createCipheriv, contents.length + 2, 'content + 2 rotations encrypted by us');
    assert.deepEqual(await H.sdkReceive(stock, bytes, [keys[0]]), contents);
  });

  test(`SDK on the backend, ${keyType}: its subscribe path validates and decrypts stock SDK messages; only our code did the crypto`, async () => {
    const id = H.identity(stock, keyType);
    const contents = contentsOf(7);
    const { bytes, keys } = await H.sdkPublish(stock, id, contents, 3);
    const { result, ours, originals } = await counted(() => H.sdkReceive(backend, bytes, [keys[0]]));
    assert.deepEqual(result, contents);
    assert.equal(sum(originals), 0, `originals called: ${JSON.stringify(originals)}`);
    const verify = { ECDSA_SECP256K1_EVM: 'EcdsaSecp256k1Evm.verifySignature', ECDSA_SECP256R1: 'EcdsaSecp256r1.verifySignature', ML_DSA_87: 'MlDsa87.verifySignature' }[keyType];
    assert.equal(ours[verify], contents.length, 'one verification per message');
    assert.equal(ours.createDecipheriv, contents.length + 2, 'content + 2 rotations decrypted by us');
    // And a tampered message is refused by the backend as by stock.
    const bad = Buffer.from(bytes[1]);
    bad[bad.length - 10] ^= 1;
    for (const sdk of [stock, backend]) {
      await assert.rejects(H.sdkReceive(sdk, [bad], keys), (e) => ['INVALID_SIGNATURE', 'DECRYPT_ERROR'].includes(e.code) || /signature|decrypt|invalid/i.test(e.message));
    }
  });
}

test('the stock control: the stock SDK publish and subscribe paths do call the original crypto (the spies work)', async () => {
  const id = H.identity(stock, 'ECDSA_SECP256K1_EVM');
  const { result: { bytes, keys }, originals: o1, ours: u1 } = await counted(() => H.sdkPublish(stock, id, contentsOf(3), 0));
  assert.equal(o1['secp256k1.ecdsaSign'], 3);
  assert.equal(o1['node:crypto.createCipheriv'], 3);
  assert.equal(sum(u1), 0);
  const { originals: o2 } = await counted(() => H.sdkReceive(stock, bytes, keys));
  assert.equal(o2['secp256k1.ecdsaRecover'], 3);
  assert.equal(o2['node:crypto.createDecipheriv'], 3);
});

// ------------------------------------------------------------------ key exchange end to end

for (const quantum of [false, true]) {
  const kex = quantum ? 'ML-KEM' : 'RSA';
  for (const kind of ['stock', 'backend']) {
    test(`key exchange (${kex}): ${kind} SDK SubscriberKeyExchange's request → our Publisher answers → the SDK decrypts the key`, async () => {
      const sdk = H.sdks[kind];
      const signer = e2ee.EvmSigner.generate();
      // The SDK's test configuration (H.config) makes 640-bit RSA keys; our publisher serves
      // RSA keys from minRsaKeyBits (default 2048) up, so this is how such a setup interoperates.
      const pub = new e2ee.Publisher({ streamId: H.STREAM, minRsaKeyBits: 640 }, signer);
      let now = Date.now();
      pub.publish(Buffer.from('{}'), e2ee.ContentType.JSON, now);
      const key = H.pump(pub, now).find((o) => o.type === 'storeKey').key;
      const stored = [];
      const store = { set: async (id, publisherId, k) => { stored.push({ id, publisherId, k }); }, get: async () => undefined };
      const subId = sdk.EthereumKeyPairIdentity.generate();
      const rsaBefore = e2ee.rsaStats().operations;
      const { ske, net } = H.subscriberKeyExchange(sdk, subId, store, H.config({ requireQuantumResistantKeyExchange: quantum }));
      const { ours } = await counted(async () => {
        await ske.doRequestGroupKey(key.id, pub.userId, H.STREAM_PART);
        assert.equal(net.sent.length, 1);
        pub.handleMessage(sdk.convertStreamMessageToBytes(net.sent[0]), ++now);
        const sends = (await H.pumpAsync(pub, now)).filter((o) => o.type === 'send');
        assert.equal(sends.length, 1, 'our Publisher answered');
        await net.deliver(sdk.convertBytesToStreamMessage(sends[0].bytes));
      });
      assert.equal(stored.length, 1, 'the SDK accepted our response');
      assert.equal(stored[0].id, key.id);
      assert.equal(stored[0].publisherId, pub.userId);
      assert.equal(hex(stored[0].k), hex(key.data));
      if (!quantum) {
        // Our publisher's wrap (its wrapGroupKeys question) ran on node:crypto through the
        // package's provider (issue #16), once.
        const rsaAfter = e2ee.rsaStats().operations;
        assert.equal(rsaAfter.node - rsaBefore.node, 1, JSON.stringify(rsaAfter));
        assert.equal(rsaAfter.wasm, rsaBefore.wasm, 'rsa-wasm not used');
      }
      if (kind === 'backend') {
        assert.ok(ours[quantum ? 'ml_kem1024.decapsulate' : 'privateDecrypt'] === 1, JSON.stringify(ours));
        assert.ok(ours['EcdsaSecp256k1Evm.verifySignature'] >= 1);
      }
    });

    test(`key exchange (${kex}): our Subscriber's request → ${kind} SDK PublisherKeyExchange answers → we decrypt`, async () => {
      const sdk = H.sdks[kind];
      const pubId = sdk.EthereumKeyPairIdentity.generate();
      const contents = contentsOf(2);
      const { bytes, keys } = await H.sdkPublish(sdk, pubId, contents, 0);
      const sdkKey = keys[0];
      const owner = await pubId.getUserId();
      const store = { get: async (id, o) => (id === sdkKey.id && o === owner ? sdkKey : undefined), set: async () => {} };
      const { pke, net } = H.publisherKeyExchange(sdk, pubId, store, H.config({ requireQuantumResistantKeyExchange: quantum }));
      let now = Date.now();
      const kx = quantum ? e2ee.MlKemKeyPair.generate() : await e2ee.RsaKeyPair.generate(1024);
      // An RsaKeyPair is the host's (node:crypto here): the subscriber asks it to unwrap.
      const sub = new e2ee.Subscriber({ streamId: H.STREAM }, e2ee.EvmSigner.generate(), quantum ? kx : kx.keyExchange, now);
      const delivered = [];
      const collect = (outs) => {
        for (const o of outs) if (o.type === 'deliver') delivered.push(JSON.parse(Buffer.from(o.content).toString()));
        return outs;
      };
      for (const b of bytes) {
        sub.handleMessage(b, now);
        const requests = collect(await H.pumpAsync(sub, now, quantum ? undefined : kx)).filter((o) => o.type === 'send');
        for (const r of requests) await pke.onMessage(sdk.convertBytesToStreamMessage(r.bytes));
      }
      assert.equal(net.sent.length, 1, 'the SDK answered our one request');
      sub.handleMessage(sdk.convertStreamMessageToBytes(net.sent[0]), ++now);
      collect(await H.pumpAsync(sub, now, quantum ? undefined : kx));
      assert.deepEqual(delivered, contents);
      if (!quantum) assert.equal(kx.path, 'node', 'the platform RSA (node:crypto) unwrapped');
      assert.ok(sub.hasKey(owner, sdkKey.id));
    });
  }
}

test("key exchange (RSA): the stock SDK's 640-bit test key is denied by our publisher's default floor, nothing sent", async () => {
  const sdk = H.sdks.stock;
  const pub = new e2ee.Publisher({ streamId: H.STREAM }, e2ee.EvmSigner.generate());
  let now = Date.now();
  pub.publish(Buffer.from('{}'), e2ee.ContentType.JSON, now);
  const key = H.pump(pub, now).find((o) => o.type === 'storeKey').key;
  const store = { set: async () => {}, get: async () => undefined };
  const { ske, net } = H.subscriberKeyExchange(sdk, sdk.EthereumKeyPairIdentity.generate(), store, H.config());
  await ske.doRequestGroupKey(key.id, pub.userId, H.STREAM_PART);
  assert.equal(net.sent.length, 1);
  pub.handleMessage(sdk.convertStreamMessageToBytes(net.sent[0]), ++now);
  const outs = H.pump(pub, now);
  assert.equal(outs.filter((o) => o.type === 'send').length, 0, 'no response');
  const denied = outs.filter((o) => o.type === 'event' && o.event.type === 'keyRequestDenied').map((o) => o.event.code);
  assert.deepEqual(denied, ['ENCRYPTION_POLICY_VIOLATION']);
});

// ------------------------------------------------------------------ the Node recipe, as an app runs it

test('Node recipe: `node --require streamr-e2ee/sdk-backend/register` puts the real import(\'@streamr/sdk\') on the backend', async () => {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(process.execPath, ['--require', 'streamr-e2ee/sdk-backend/register', new URL('./register-child.mjs', import.meta.url).pathname],
    { encoding: 'utf8', env: process.env });
  const { messages, key, next, calls, rsa } = JSON.parse(out.trim().split('\n').at(-1));
  assert.deepEqual(rsa, { operations: { webcrypto: 0, node: 0, wasm: 0 }, wasmLoaded: false, platformLoaded: false }, 'nothing RSA loaded');
  assert.equal(calls['EcdsaSecp256k1Evm.createSignature'], 3, JSON.stringify(calls));
  assert.equal(calls.createCipheriv, 4, 'the SDK\'s AES ran in the stand-in');
  assert.ok(calls['EcdsaSecp256k1Evm.generateKeyPair'] >= 1);
  // The stock SDK accepts them: signatures valid, content decrypts, rotation key recovered.
  const bytes = messages.map((h) => Buffer.from(h, 'hex'));
  const plain = await H.sdkReceive(stock, bytes, [{ id: key.id, data: Buffer.from(key.data, 'hex') }]);
  assert.equal(plain.length, 3);
  const last = stock.convertBytesToStreamMessage(bytes[2]);
  assert.equal(last.newGroupKey.id, next);
});
