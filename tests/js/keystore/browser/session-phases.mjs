// IndexedDbSessionKeyStore in Chromium (the SessionSigner's default store in browsers): a
// session key sealed with AES-256-GCM under a non-extractable WebCrypto key stored beside it,
// bound to its slot; it survives a reload and a browser restart; a record moved to another slot
// is discarded; remove deletes it, wrapping key included.
import { IndexedDbSessionKeyStore, SESSION_DB_NAME, EvmSigner } from 'streamr-e2ee';
import { test, assert, assertEqual, assertBytes } from './harness.mjs';
import { bufferHex } from './sdk-idb.mjs';

const SLOT = '31337/0x5fbdb2315678afecb367f032d93f642f64180aa3/0x70997970c51812dc3a010c7d01b50e0d17dc79c8/0xabc/session';
const OTHER_SLOT = `${SLOT}-other`;
// Fixed bytes so the later phases know what must come back.
const KEY = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);

async function records() {
  const db = await new Promise((resolve, reject) => { const r = indexedDB.open(SESSION_DB_NAME); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const os = db.transaction('SessionKeys').objectStore('SessionKeys');
  const [keys, values] = await Promise.all([os.getAllKeys(), os.getAll()].map((r) => new Promise((res) => { r.onsuccess = () => res(r.result); })));
  db.close();
  return keys.map((k, i) => [k, values[i]]);
}

async function putRaw(slot, value) {
  const db = await new Promise((resolve) => { const r = indexedDB.open(SESSION_DB_NAME); r.onsuccess = () => resolve(r.result); });
  const tx = db.transaction('SessionKeys', 'readwrite');
  tx.objectStore('SessionKeys').put(value, slot);
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  db.close();
}

export function sessionWritePhase() {
  test('session key store: round trip; sealed at rest under a non-extractable AES-GCM key', async () => {
    const store = new IndexedDbSessionKeyStore();
    await store.save(SLOT, KEY);
    assertBytes(await store.load(SLOT), KEY, 'load');
    assertEqual(await store.load(OTHER_SLOT), undefined, 'another slot has nothing');
    const [[slot, record]] = (await records()).filter(([k]) => k === SLOT);
    assertEqual(slot, SLOT, 'keyed by slot');
    assert(record.wrappingKey instanceof CryptoKey, 'the wrapping key is a CryptoKey');
    assertEqual(record.wrappingKey.extractable, false, 'non-extractable');
    assertEqual(record.wrappingKey.algorithm.name, 'AES-GCM', 'AES-GCM');
    assertEqual(record.wrappingKey.algorithm.length, 256, '256 bits');
    let exported = false;
    try {
      await crypto.subtle.exportKey('raw', record.wrappingKey);
      exported = true;
    } catch { /* expected */ }
    assert(!exported, 'a script cannot export it');
    assertEqual(record.sealed.length, 32 + 16, 'ct ‖ tag');
    assert(!bufferHex(record.sealed).includes(bufferHex(KEY)), 'the key does not appear at rest');
    // The session key it holds signs in wasm.
    const evm = EvmSigner.fromPrivateKey(await store.load(SLOT));
    assert(/^0x[0-9a-f]{40}$/.test(evm.address), 'a usable secp256k1 key');
    evm.free();
    await store.close();
  });

  test('session key store: a record moved to another slot does not open and is discarded; remove deletes it', async () => {
    const store = new IndexedDbSessionKeyStore();
    await store.save(`${SLOT}-moved`, KEY);
    const [[, record]] = (await records()).filter(([k]) => k === `${SLOT}-moved`);
    await putRaw(OTHER_SLOT, record);
    assertEqual(await store.load(OTHER_SLOT), undefined, 'bound to its slot');
    assert(!(await records()).some(([k]) => k === OTHER_SLOT), 'the moved record was discarded');
    assertBytes(await store.load(`${SLOT}-moved`), KEY, 'the original still opens');
    await store.remove(`${SLOT}-moved`);
    assertEqual(await store.load(`${SLOT}-moved`), undefined, 'removed');
    assert(!(await records()).some(([k]) => k === `${SLOT}-moved`), 'no record left, wrapping key included');
    await store.close();
  });
}

export function sessionPersistedPhase() {
  test('session key store: the key saved before is back (no prompt needed to open it)', async () => {
    const store = new IndexedDbSessionKeyStore();
    assertBytes(await store.load(SLOT), KEY, 'the same key');
    await store.close();
  });
}
