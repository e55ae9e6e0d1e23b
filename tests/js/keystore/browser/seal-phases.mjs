// SealedKeyStore in Chromium: passphrase (PBKDF2-SHA-256) and wallet-signature (HKDF) sealing
// with AES-256-GCM from the wasm core; wrong secrets are KEY_STORE_LOCKED and change nothing.
import { SealedKeyStore, EvmSigner, MIN_PBKDF2_ITERATIONS } from 'streamr-e2ee';
import { test, assert, assertEqual, assertBytes, assertRejects } from './harness.mjs';
import { bufferHex } from './sdk-idb.mjs';

const OWNER_PASS = '0x' + '55'.repeat(20);
const PUB = '0x' + 'a1'.repeat(20);
const STREAM = `${PUB}/sealed`;
const OTHER_STREAM = `${PUB}/sealed-other`;
const PASSPHRASE = 'correct horse battery staple';
const KEY1 = { id: 'GroupKey-sealed-1', data: Uint8Array.from({ length: 32 }, (_, i) => 200 - i) };
const KEY2 = { id: 'GroupKey-sealed-2', data: Uint8Array.from({ length: 32 }, (_, i) => i * 3) };
// A fixed wallet key so the reload phase signs as the same owner.
const WALLET_KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

/** The SignerPort of a wasm EvmSigner (personal_sign, deterministic like MetaMask's). */
function signerPort(evm, claimedId = evm.userId) {
  return { signatureType: 'ECDSA_SECP256K1_EVM', getUserId: async () => claimedId, sign: async (p) => evm.sign(p) };
}

/** Every record of every store in a database, as [store, key, value] (for before/after checks). */
async function dump(name) {
  const db = await new Promise((resolve, reject) => { const r = indexedDB.open(name); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const out = [];
  for (const store of [...db.objectStoreNames].sort()) {
    const os = db.transaction(store).objectStore(store);
    const [keys, values] = await Promise.all([os.getAllKeys(), os.getAll()].map((r) => new Promise((res) => { r.onsuccess = () => res(r.result); })));
    keys.forEach((k, i) => out.push([store, k, values[i]]));
  }
  db.close();
  return out;
}

const serialize = (records) => JSON.stringify(records, (_, v) => (v instanceof Uint8Array ? `u8:${bufferHex(v)}` : v));

export function sealWritePhase() {
  test('passphrase: round trip of keys and latest ids', async () => {
    const store = await SealedKeyStore.open({ ownerId: OWNER_PASS, secret: { passphrase: PASSPHRASE } });
    assertEqual(store.databaseName, `streamr-e2ee-sealed::${OWNER_PASS}`, 'database name');
    await store.putKey(PUB, KEY1.id, KEY1.data, STREAM);
    await store.putKey(PUB, KEY2.id, KEY2.data, STREAM);
    await store.setLatestKeyId(PUB, STREAM, KEY2.id);
    assertBytes(await store.getKey(PUB, KEY1.id, STREAM), KEY1.data, 'key 1');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY2.id, 'latest');
    assertEqual(await store.getKey(PUB, 'absent', STREAM), undefined, 'absent key');
    await store.close();
    const again = await SealedKeyStore.open({ ownerId: OWNER_PASS, secret: { passphrase: PASSPHRASE } });
    assertBytes(await again.getKey(PUB, KEY2.id, STREAM), KEY2.data, 'key 2 after reopening');
    await again.close();
  });

  test('ciphertext at rest: not the key hex, not the key bytes, and the salt and KDF are stored', async () => {
    const records = await dump(`streamr-e2ee-sealed::${OWNER_PASS}`);
    const value = records.find(([s, k]) => s === 'EncryptionKeys' && k === `${PUB}::${KEY1.id}`)?.[2];
    assert(value instanceof Uint8Array, 'the stored value is bytes');
    assertEqual(value.length, 12 + 32 + 16, 'nonce ‖ ct ‖ tag');
    const stored = bufferHex(value);
    assert(!stored.includes(bufferHex(KEY1.data)) && stored !== bufferHex(KEY1.data), 'the key does not appear at rest');
    assert(!serialize(records).includes(bufferHex(KEY1.data)) && !serialize(records).includes(bufferHex(KEY2.data)), 'no key anywhere in the database');
    const latest = records.find(([s, k]) => s === 'LatestEncryptionKeyIds' && k === `${PUB}::${STREAM}`)?.[2];
    assert(latest instanceof Uint8Array && !bufferHex(latest).includes(bufferHex(new TextEncoder().encode(KEY2.id))), 'latest key id sealed too');
    const meta = records.find(([s]) => s === 'Meta')?.[2];
    assertEqual(meta.kdf.kdf, 'PBKDF2-SHA-256', 'kdf');
    assertEqual(meta.kdf.iterations, MIN_PBKDF2_ITERATIONS, 'iterations');
    assert(MIN_PBKDF2_ITERATIONS >= 600_000, 'at least 600,000 iterations');
    assertEqual(meta.salt.length, 16, 'salt length');
    const sdkDb = (await indexedDB.databases()).find((d) => d.name === `streamr-sdk::${OWNER_PASS}`);
    assertEqual(sdkDb, undefined, 'nothing written to the SDK\'s database');
  });

  test('wrong passphrase: KEY_STORE_LOCKED, nothing overwritten, the right one still opens', async () => {
    const before = serialize(await dump(`streamr-e2ee-sealed::${OWNER_PASS}`));
    const err = await assertRejects(SealedKeyStore.open({ ownerId: OWNER_PASS, secret: { passphrase: 'Correct horse battery staple' } }), 'KEY_STORE_LOCKED', 'wrong passphrase');
    assert(!err.message.includes('horse'), 'the message does not quote the passphrase');
    await assertRejects(SealedKeyStore.open({ ownerId: OWNER_PASS, secret: { signer: signerPort(EvmSigner.fromPrivateKey(WALLET_KEY)) } }), 'KEY_STORE_LOCKED', 'a wallet on a passphrase store');
    assertEqual(serialize(await dump(`streamr-e2ee-sealed::${OWNER_PASS}`)), before, 'database unchanged');
    const store = await SealedKeyStore.open({ ownerId: OWNER_PASS, secret: { passphrase: PASSPHRASE } });
    assertBytes(await store.getKey(PUB, KEY1.id, STREAM), KEY1.data, 'key 1 still there');
    await store.close();
  });

  test('a sealed value moved to another entry does not authenticate (DECRYPT_ERROR)', async () => {
    const owner = '0x' + '66'.repeat(20);
    const store = await SealedKeyStore.open({ ownerId: owner, secret: { passphrase: PASSPHRASE } });
    await store.putKey(PUB, 'a', KEY1.data, STREAM);
    await store.putKey(PUB, 'b', KEY2.data, STREAM);
    await store.putKey(PUB, 'c', KEY2.data, OTHER_STREAM);
    const records = await dump(`streamr-e2ee-sealed::${owner}`);
    const sealedA = records.find(([s, k]) => s === 'EncryptionKeys' && k === `${PUB}::a`)[2];
    const bindingA = records.find(([s, k]) => s === 'KeyBindings' && k === `${PUB}::a`)[2];
    assert(bindingA instanceof Uint8Array, 'the binding is sealed');
    const db = await new Promise((resolve) => { const r = indexedDB.open(`streamr-e2ee-sealed::${owner}`); r.onsuccess = () => resolve(r.result); });
    const tx = db.transaction(['EncryptionKeys', 'KeyBindings'], 'readwrite');
    tx.objectStore('EncryptionKeys').put(sealedA, `${PUB}::b`);
    // Someone who can write the database tries to bind c (a key of OTHER_STREAM) to STREAM.
    tx.objectStore('KeyBindings').put(bindingA, `${PUB}::c`);
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
    await assertRejects(store.getKey(PUB, 'b', STREAM), 'DECRYPT_ERROR', 'moved value');
    await assertRejects(store.getKey(PUB, 'c', STREAM), 'DECRYPT_ERROR', 'moved binding');
    assertBytes(await store.getKey(PUB, 'a', STREAM), KEY1.data, 'original entry still opens');
    await store.close();
    await assertRejects(store.getKey(PUB, 'a', STREAM), 'KEY_STORE_UNAVAILABLE', 'closed store');
  });

  test('wallet signature: round trip, the same wallet reopens, another wallet is KEY_STORE_LOCKED', async () => {
    const evm = EvmSigner.fromPrivateKey(WALLET_KEY);
    const owner = evm.userId;
    const store = await SealedKeyStore.open({ ownerId: owner, secret: { signer: signerPort(evm) } });
    await store.putKey(PUB, KEY1.id, KEY1.data, STREAM);
    await store.setLatestKeyId(PUB, STREAM, KEY1.id);
    await store.close();
    const again = await SealedKeyStore.open({ ownerId: owner, secret: { signer: signerPort(evm) } });
    assertBytes(await again.getKey(PUB, KEY1.id, STREAM), KEY1.data, 'key after reopening');
    await again.close();
    const before = serialize(await dump(`streamr-e2ee-sealed::${owner}`));
    const other = EvmSigner.generate();
    await assertRejects(SealedKeyStore.open({ ownerId: owner, secret: { signer: signerPort(other) } }), 'KEY_STORE_LOCKED', 'another wallet');
    await assertRejects(SealedKeyStore.open({ ownerId: owner, secret: { signer: signerPort(other, owner) } }), 'KEY_STORE_LOCKED', 'another key claiming to be the owner');
    await assertRejects(SealedKeyStore.open({ ownerId: owner, secret: { passphrase: PASSPHRASE } }), 'KEY_STORE_LOCKED', 'a passphrase on a wallet store');
    const refusing = { signatureType: 'ECDSA_SECP256K1_EVM', getUserId: async () => owner, sign: async () => { throw new Error('User rejected the request'); } };
    await assertRejects(SealedKeyStore.open({ ownerId: owner, secret: { signer: refusing } }), 'KEY_STORE_LOCKED', 'a refused prompt');
    assertEqual(serialize(await dump(`streamr-e2ee-sealed::${owner}`)), before, 'database unchanged');
  });

  test('two tabs creating the same sealed store at once agree on one salt', async () => {
    const owner = '0x' + '88'.repeat(20);
    const [a, b] = await Promise.all([0, 1].map(() => SealedKeyStore.open({ ownerId: owner, secret: { passphrase: PASSPHRASE } })));
    await a.putKey(PUB, 'k', KEY1.data, STREAM);
    assertBytes(await b.getKey(PUB, 'k', STREAM), KEY1.data, 'written by one, read by the other');
    await a.close();
    await b.close();
    const metas = (await dump(`streamr-e2ee-sealed::${owner}`)).filter(([s]) => s === 'Meta');
    assertEqual(metas.length, 1, 'one Meta record');
  });

  test('binding, add-only, replace and the latest-key rule (sealed)', async () => {
    const owner = '0x' + '89'.repeat(20);
    const store = await SealedKeyStore.open({ ownerId: owner, secret: { passphrase: PASSPHRASE } });
    await store.putKey(PUB, 'k', KEY1.data, STREAM);
    assertEqual(await store.getKey(PUB, 'k', OTHER_STREAM), undefined, 'bound to STREAM only');
    await store.putKey(PUB, 'k', KEY2.data, STREAM);
    assertBytes(await store.getKey(PUB, 'k', STREAM), KEY1.data, 'add-only: the first key stays');
    await store.putKey(PUB, 'k', KEY2.data, OTHER_STREAM);
    assertEqual(await store.getKey(PUB, 'k', OTHER_STREAM), undefined, 'other bytes: no binding');
    await store.putKey(PUB, 'k', KEY1.data, OTHER_STREAM);
    assertBytes(await store.getKey(PUB, 'k', OTHER_STREAM), KEY1.data, 'the same key again: bound to both');
    await store.putKey(PUB, 'k', KEY2.data, STREAM, { replace: true });
    assertBytes(await store.getKey(PUB, 'k', STREAM), KEY2.data, 'replaced');
    assertEqual(await store.getKey(PUB, 'k', OTHER_STREAM), undefined, 'replace drops the other binding');
    // A stream's latest key counts as bound to it (as for keys without a binding record).
    await store.setLatestKeyId(PUB, OTHER_STREAM, 'k');
    assertBytes(await store.getKey(PUB, 'k', OTHER_STREAM), KEY2.data, 'the latest key of OTHER_STREAM');
    await store.close();
  });

  test('bad options are INVALID_ARGUMENT', async () => {
    await assertRejects(SealedKeyStore.open({ ownerId: '0x' + '77'.repeat(20), secret: { passphrase: 'x', iterations: 1000 } }), 'INVALID_ARGUMENT', 'too few iterations');
    await assertRejects(SealedKeyStore.open({ ownerId: '0x' + '77'.repeat(20), secret: {} }), 'INVALID_ARGUMENT', 'no secret');
    await assertRejects(SealedKeyStore.open({ ownerId: '0x' + '77'.repeat(20), secret: { passphrase: '' } }), 'INVALID_ARGUMENT', 'empty passphrase');
  });
}

export function sealPersistedPhase() {
  test('sealed keys survive: passphrase store and wallet store reopen with their secrets', async () => {
    const store = await SealedKeyStore.open({ ownerId: OWNER_PASS, secret: { passphrase: PASSPHRASE } });
    assertBytes(await store.getKey(PUB, KEY1.id, STREAM), KEY1.data, 'passphrase store key 1');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY2.id, 'passphrase store latest');
    await store.close();
    const evm = EvmSigner.fromPrivateKey(WALLET_KEY);
    const wallet = await SealedKeyStore.open({ ownerId: evm.userId, secret: { signer: signerPort(evm) } });
    assertBytes(await wallet.getKey(PUB, KEY1.id, STREAM), KEY1.data, 'wallet store key');
    await wallet.close();
  });
}
