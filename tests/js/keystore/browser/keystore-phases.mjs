// IndexedDbKeyStore in Chromium: round trip, the SDK's schema both ways, and persistence over
// a reload and a browser restart (the runner uses one persistent profile for all phases).
import { IndexedDbKeyStore, SDK_DB_VERSION } from 'streamr-e2ee';
import { test, assert, assertEqual, assertBytes, assertRejects } from './harness.mjs';
import { sdkStoreKey, sdkReadKey, sdkOpen, bufferHex } from './sdk-idb.mjs';

// Fixed ids and keys so later phases (after a reload, after a restart) know what to expect.
const OWNER_OURS = '0x' + '11'.repeat(20); // database created by our store
const OWNER_SDK = '0x' + 'b2'.repeat(20); // database created the SDK's way
const PUB = '0x' + 'a1'.repeat(20);
const STREAM = `${PUB}/keystore-test`;
const keyBytes = (seed) => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 255);
const KEY_OURS = { id: 'GroupKey-ours-1', data: keyBytes(1) };
const KEY_SDK = { id: 'GroupKey-sdk-1', data: keyBytes(2) };

export function writePhase() {
  test('round trip: put and get keys and latest key ids', async () => {
    const store = await IndexedDbKeyStore.open({ ownerId: OWNER_OURS });
    assertEqual(store.databaseName, `streamr-sdk::${OWNER_OURS}`, 'database name');
    assertEqual(await store.getKey(PUB, KEY_OURS.id), undefined, 'absent key');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), undefined, 'absent latest id');
    await store.putKey(PUB, KEY_OURS.id, KEY_OURS.data);
    await store.setLatestKeyId(PUB, STREAM, KEY_OURS.id);
    assertBytes(await store.getKey(PUB, KEY_OURS.id), KEY_OURS.data, 'key read back');
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
  });

  test('records the SDK wrote (its database, its layout) are read by ours', async () => {
    await sdkStoreKey(OWNER_SDK, PUB, STREAM, KEY_SDK.id, KEY_SDK.data);
    const store = new IndexedDbKeyStore({ ownerId: OWNER_SDK });
    assertBytes(await store.getKey(PUB, KEY_SDK.id), KEY_SDK.data, 'SDK key');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY_SDK.id, 'SDK latest id');
    await store.close();
  });

  test('a checksummed owner or publisher id opens the SDK\'s lower-case entries', async () => {
    const store = new IndexedDbKeyStore({ ownerId: '0x' + 'B2'.repeat(20) });
    assertEqual(store.databaseName, `streamr-sdk::${OWNER_SDK}`, 'lower-cased database name');
    assertBytes(await store.getKey('0x' + 'A1'.repeat(20), KEY_SDK.id), KEY_SDK.data, 'SDK key');
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
    const tx = db.transaction('EncryptionKeys', 'readwrite');
    tx.objectStore('EncryptionKeys').put('zz-not-hex', `${PUB}::bad`);
    tx.objectStore('EncryptionKeys').put('abcd', `${PUB}::short`);
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
    const store = new IndexedDbKeyStore({ ownerId: owner });
    const err = await assertRejects(store.getKey(PUB, 'bad'), 'INVALID_KEY', 'non-hex value');
    assert(!err.message.includes('zz-not-hex'), 'the message does not quote the value');
    await assertRejects(store.getKey(PUB, 'short'), 'INVALID_KEY', 'a 2-byte value');
    await store.close();
  });

  test('a database at a newer version (not the SDK\'s) is KEY_STORE_UNAVAILABLE, left untouched', async () => {
    const owner = '0x' + '44'.repeat(20);
    const r = indexedDB.open(`streamr-sdk::${owner}`, 2);
    r.onupgradeneeded = () => r.result.createObjectStore('Other');
    const db = await new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    db.close();
    const store = new IndexedDbKeyStore({ ownerId: owner });
    await assertRejects(store.getKey(PUB, 'k'), 'KEY_STORE_UNAVAILABLE', 'newer version');
    const info = (await indexedDB.databases()).find((d) => d.name === `streamr-sdk::${owner}`);
    assertEqual(info?.version, 2, 'version unchanged');
  });

  test('bad arguments and a closed store are typed errors', async () => {
    const store = new IndexedDbKeyStore({ ownerId: OWNER_OURS });
    await assertRejects(store.putKey(PUB, 'k', new Uint8Array(31)), 'INVALID_KEY', '31-byte key');
    await assertRejects(store.putKey(PUB, '', KEY_OURS.data), 'INVALID_ARGUMENT', 'empty key id');
    await assertRejects(store.getLatestKeyId(PUB, ''), 'INVALID_ARGUMENT', 'empty stream id');
    await store.close();
    await assertRejects(store.getKey(PUB, KEY_OURS.id), 'KEY_STORE_UNAVAILABLE', 'closed store');
  });
}

/** After a reload (same page, same profile) and after a browser restart: everything is still there. */
export function persistedPhase() {
  test('our keys and latest ids are still there', async () => {
    const store = await IndexedDbKeyStore.open({ ownerId: OWNER_OURS });
    assertBytes(await store.getKey(PUB, KEY_OURS.id), KEY_OURS.data, 'our key');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY_OURS.id, 'our latest id');
    await store.close();
  });
  test('the SDK\'s keys are still there, and ours are still readable the SDK\'s way', async () => {
    const store = await IndexedDbKeyStore.open({ ownerId: OWNER_SDK });
    assertBytes(await store.getKey(PUB, KEY_SDK.id), KEY_SDK.data, 'SDK key');
    assertEqual(await store.getLatestKeyId(PUB, STREAM), KEY_SDK.id, 'SDK latest id');
    await store.close();
    const r = await sdkReadKey(OWNER_OURS, PUB, STREAM, KEY_OURS.id);
    assertBytes(r.key, KEY_OURS.data, 'our key, read the SDK\'s way');
    assertEqual(r.latest, KEY_OURS.id, 'our latest id, read the SDK\'s way');
  });
}
