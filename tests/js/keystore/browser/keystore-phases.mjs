// IndexedDbKeyStore in Chromium: round trip, the SDK's schema both ways, and persistence over
// a reload and a browser restart (the runner uses one persistent profile for all phases).
import { IndexedDbKeyStore, SDK_DB_VERSION } from 'streamr-e2ee';
import { test, assert, assertEqual, assertBytes, assertRejects } from './harness.mjs';
import { sdkStoreKey, sdkReadKey, sdkOpen, sdkPut, bufferHex } from './sdk-idb.mjs';

// Fixed ids and keys so later phases (after a reload, after a restart) know what to expect.
const OWNER_OURS = '0x' + '11'.repeat(20); // database created by our store
const OWNER_SDK = '0x' + 'b2'.repeat(20); // database created the SDK's way
const PUB = '0x' + 'a1'.repeat(20);
const STREAM = `${PUB}/keystore-test`;
const OTHER_STREAM = `${PUB}/keystore-other`;
const keyBytes = (seed) => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 255);
const KEY_OURS = { id: 'GroupKey-ours-1', data: keyBytes(1) };
const KEY_SDK = { id: 'GroupKey-sdk-1', data: keyBytes(2) };
const KEY_SDK_OLDER = { id: 'GroupKey-sdk-0', data: keyBytes(3) };

/** Every record of a database's object store, as [key, value] pairs. */
async function records(name, store) {
  const db = await new Promise((resolve, reject) => { const r = indexedDB.open(name); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  try {
    const os = db.transaction(store).objectStore(store);
    const [keys, values] = await Promise.all([os.getAllKeys(), os.getAll()].map((r) => new Promise((res) => { r.onsuccess = () => res(r.result); })));
    return keys.map((k, i) => [k, values[i]]);
  } finally {
    db.close();
  }
}

export function writePhase() {
  test('round trip: put and get keys and latest key ids', async () => {
    const store = await IndexedDbKeyStore.open({ ownerId: OWNER_OURS });
    assertEqual(store.databaseName, `streamr-sdk::${OWNER_OURS}`, 'database name');
    assertEqual(store.bindingsDatabaseName, `streamr-e2ee-bindings::${OWNER_OURS}`, 'bindings database name');
    assertEqual(await store.getKey(PUB, KEY_OURS.id, STREAM), undefined, 'absent key');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), undefined, 'absent latest id');
    await store.putKey(PUB, KEY_OURS.id, KEY_OURS.data, STREAM);
    await store.setLatestKeyId(PUB, STREAM, KEY_OURS.id);
    assertBytes(await store.getKey(PUB, KEY_OURS.id, STREAM), KEY_OURS.data, 'key read back');
    assertEqual(await store.getKey(PUB, KEY_OURS.id, OTHER_STREAM), undefined, 'not for another stream');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY_OURS.id, 'latest id read back');
    await store.close();
  });

  test('our records have the SDK\'s layout: the SDK\'s reads find them', async () => {
    const r = await sdkReadKey(OWNER_OURS, PUB, STREAM, KEY_OURS.id);
    assertEqual(r.version, 1, 'database version');
    assertEqual(r.stores.join(','), 'EncryptionKeys,LatestEncryptionKeyIds', 'object stores');
    assertEqual(r.hex, bufferHex(KEY_OURS.data), 'value is Buffer.toString(\'hex\') of the key');
    assertBytes(r.key, KEY_OURS.data, 'Buffer.from(value, \'hex\')');
    assertEqual(r.latest, KEY_OURS.id, 'latest id value');
    // Out-of-line keys, no key path and no generator, as createObjectStore(namespace).
    const db = await sdkOpen(OWNER_OURS);
    const tx = db.transaction(['EncryptionKeys', 'LatestEncryptionKeyIds']);
    for (const name of ['EncryptionKeys', 'LatestEncryptionKeyIds']) {
      const os = tx.objectStore(name);
      assertEqual(os.keyPath, null, `${name} keyPath`);
      assertEqual(os.autoIncrement, false, `${name} autoIncrement`);
      assertEqual(os.indexNames.length, 0, `${name} indexes`);
    }
    db.close();
    // The binding lives beside the SDK's database, in ours: key lookup → [stream ids].
    const bindings = await records(`streamr-e2ee-bindings::${OWNER_OURS}`, 'KeyBindings');
    assertEqual(JSON.stringify(bindings), JSON.stringify([[`${PUB}::${KEY_OURS.id}`, [STREAM]]]), 'binding record');
  });

  test('records the SDK wrote (its database, its layout) are read by ours: the stream\'s latest key only', async () => {
    // The SDK publishes on STREAM with an older key, then with the current one (its latest).
    await sdkStoreKey(OWNER_SDK, PUB, STREAM, KEY_SDK_OLDER.id, KEY_SDK_OLDER.data);
    await sdkStoreKey(OWNER_SDK, PUB, STREAM, KEY_SDK.id, KEY_SDK.data);
    const store = new IndexedDbKeyStore({ ownerId: OWNER_SDK });
    assertBytes(await store.getKey(PUB, KEY_SDK.id, STREAM), KEY_SDK.data, 'SDK latest key, for its stream');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY_SDK.id, 'SDK latest id');
    assertEqual(await store.getKey(PUB, KEY_SDK.id, OTHER_STREAM), undefined, 'SDK latest key, for another stream');
    // No binding records which stream an older SDK key belongs to: it is not released.
    assertEqual(await store.getKey(PUB, KEY_SDK_OLDER.id, STREAM), undefined, 'older SDK key');
    await store.close();
  });

  test('binding, add-only and replace (IndexedDB)', async () => {
    const owner = '0x' + '9a'.repeat(20);
    const store = await IndexedDbKeyStore.open({ ownerId: owner });
    const a = keyBytes(10);
    const b = keyBytes(11);
    await store.putKey(PUB, 'k', a, STREAM);
    assertEqual(await store.getKey(PUB, 'k', OTHER_STREAM), undefined, 'bound to STREAM only');
    await store.putKey(PUB, 'k', b, STREAM);
    assertBytes(await store.getKey(PUB, 'k', STREAM), a, 'add-only: the first key stays');
    await store.putKey(PUB, 'k', b, OTHER_STREAM);
    assertEqual(await store.getKey(PUB, 'k', OTHER_STREAM), undefined, 'other bytes: no binding to the other stream');
    await store.putKey(PUB, 'k', a, OTHER_STREAM);
    assertBytes(await store.getKey(PUB, 'k', OTHER_STREAM), a, 'the same key again: bound to both');
    await store.putKey(PUB, 'k', b, STREAM, { replace: true });
    assertBytes(await store.getKey(PUB, 'k', STREAM), b, 'replaced');
    assertEqual(await store.getKey(PUB, 'k', OTHER_STREAM), undefined, 'replace drops the other binding');
    // A key the SDK wrote is not overwritten by ours either.
    const db = await sdkOpen(owner);
    await sdkPut(db, 'EncryptionKeys', `${PUB}::sdk-key`, bufferHex(a));
    db.close();
    await store.putKey(PUB, 'sdk-key', b, STREAM);
    assertEqual(await store.getKey(PUB, 'sdk-key', STREAM), undefined, 'not bound: the SDK\'s bytes differ');
    assertEqual((await sdkReadKey(owner, PUB, STREAM, 'sdk-key')).hex, bufferHex(a), 'the SDK\'s key is untouched');
    await store.putKey(PUB, 'sdk-key', a, STREAM);
    assertBytes(await store.getKey(PUB, 'sdk-key', STREAM), a, 'the same bytes: now bound');
    await store.close();
  });

  test('a checksummed owner or publisher id opens the SDK\'s lower-case entries', async () => {
    const store = new IndexedDbKeyStore({ ownerId: '0x' + 'B2'.repeat(20) });
    assertEqual(store.databaseName, `streamr-sdk::${OWNER_SDK}`, 'lower-cased database name');
    assertBytes(await store.getKey('0x' + 'A1'.repeat(20), KEY_SDK.id, STREAM), KEY_SDK.data, 'SDK key');
    await store.close();
  });

  test('SDK_DB_VERSION is the SDK\'s version 1 and opening never upgrades', async () => {
    assertEqual(SDK_DB_VERSION, 1, 'version');
    const dbs = await indexedDB.databases();
    for (const owner of [OWNER_OURS, OWNER_SDK]) {
      const info = dbs.find((d) => d.name === `streamr-sdk::${owner}`);
      assertEqual(info?.version, 1, `version of ${owner}`);
    }
  });

  test('a corrupt stored value is INVALID_KEY, never returned as a key', async () => {
    const owner = '0x' + '33'.repeat(20);
    const db = await sdkOpen(owner);
    const tx = db.transaction(['EncryptionKeys', 'LatestEncryptionKeyIds'], 'readwrite');
    tx.objectStore('EncryptionKeys').put('zz-not-hex', `${PUB}::bad`);
    tx.objectStore('EncryptionKeys').put('abcd', `${PUB}::short`);
    // Each the latest key of a stream, so getKey reads it.
    tx.objectStore('LatestEncryptionKeyIds').put('bad', `${PUB}::${STREAM}`);
    tx.objectStore('LatestEncryptionKeyIds').put('short', `${PUB}::${OTHER_STREAM}`);
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
    const store = new IndexedDbKeyStore({ ownerId: owner });
    const err = await assertRejects(store.getKey(PUB, 'bad', STREAM), 'INVALID_KEY', 'non-hex value');
    assert(!err.message.includes('zz-not-hex'), 'the message does not quote the value');
    await assertRejects(store.getKey(PUB, 'short', OTHER_STREAM), 'INVALID_KEY', 'a 2-byte value');
    // A binding record that is not a list of stream ids is corrupt too.
    const bdb = await new Promise((resolve) => { const r = indexedDB.open(`streamr-e2ee-bindings::${owner}`); r.onsuccess = () => resolve(r.result); });
    const btx = bdb.transaction('KeyBindings', 'readwrite');
    btx.objectStore('KeyBindings').put('not a list', `${PUB}::bad`);
    await new Promise((resolve) => { btx.oncomplete = resolve; });
    bdb.close();
    await assertRejects(store.getKey(PUB, 'bad', OTHER_STREAM), 'INVALID_KEY', 'corrupt binding');
    await store.close();
  });

  test('a database at a newer version (not the SDK\'s) is KEY_STORE_UNAVAILABLE, left untouched', async () => {
    const owner = '0x' + '44'.repeat(20);
    const r = indexedDB.open(`streamr-sdk::${owner}`, 2);
    r.onupgradeneeded = () => r.result.createObjectStore('Other');
    const db = await new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    db.close();
    const store = new IndexedDbKeyStore({ ownerId: owner });
    await assertRejects(store.getKey(PUB, 'k', STREAM), 'KEY_STORE_UNAVAILABLE', 'newer version');
    const info = (await indexedDB.databases()).find((d) => d.name === `streamr-sdk::${owner}`);
    assertEqual(info?.version, 2, 'version unchanged');
  });

  test('bad arguments and a closed store are typed errors', async () => {
    const store = new IndexedDbKeyStore({ ownerId: OWNER_OURS });
    await assertRejects(store.putKey(PUB, 'k', new Uint8Array(31), STREAM), 'INVALID_KEY', '31-byte key');
    await assertRejects(store.putKey(PUB, '', KEY_OURS.data, STREAM), 'INVALID_ARGUMENT', 'empty key id');
    await assertRejects(store.putKey(PUB, 'k', KEY_OURS.data), 'INVALID_ARGUMENT', 'no stream');
    await assertRejects(store.getKey(PUB, 'k', ''), 'INVALID_ARGUMENT', 'empty stream id for getKey');
    await assertRejects(store.getLatestKeyId(PUB, ''), 'INVALID_ARGUMENT', 'empty stream id');
    await store.close();
    await assertRejects(store.getKey(PUB, KEY_OURS.id, STREAM), 'KEY_STORE_UNAVAILABLE', 'closed store');
  });
}

/** After a reload (same page, same profile) and after a browser restart: everything is still there. */
export function persistedPhase() {
  test('our keys and latest ids are still there', async () => {
    const store = await IndexedDbKeyStore.open({ ownerId: OWNER_OURS });
    assertBytes(await store.getKey(PUB, KEY_OURS.id, STREAM), KEY_OURS.data, 'our key');
    assertEqual(await store.getKey(PUB, KEY_OURS.id, OTHER_STREAM), undefined, 'still bound to its stream only');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY_OURS.id, 'our latest id');
    await store.close();
  });
  test('the SDK\'s keys are still there, and ours are still readable the SDK\'s way', async () => {
    const store = await IndexedDbKeyStore.open({ ownerId: OWNER_SDK });
    assertBytes(await store.getKey(PUB, KEY_SDK.id, STREAM), KEY_SDK.data, 'SDK key');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY_SDK.id, 'SDK latest id');
    assertEqual(await store.getKey(PUB, KEY_SDK_OLDER.id, STREAM), undefined, 'older SDK key still not released');
    await store.close();
    const r = await sdkReadKey(OWNER_OURS, PUB, STREAM, KEY_OURS.id);
    assertBytes(r.key, KEY_OURS.data, 'our key, read the SDK\'s way');
    assertEqual(r.latest, KEY_OURS.id, 'our latest id, read the SDK\'s way');
  });
}
