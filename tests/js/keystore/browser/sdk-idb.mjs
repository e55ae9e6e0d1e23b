// What @streamr/sdk 103.3.2 (dist/exports-browser.js) does to IndexedDB, as raw calls. The
// SDK goes through `idb` 8 (`openDB`, `db.get`, `db.put`), whose calls are exactly these:
//   3541  openDB(`streamr-sdk::${opts.ownerId}`, 1, { upgrade(db) {
//   3543      opts.namespaces.forEach((namespace) => db.createObjectStore(namespace)); } })
//   3556  get(key, namespace)        -> this.db.get(namespace, key)
//   3559  set(key, value, namespace) -> await this.db.put(namespace, value, key)
//   3580  NAMESPACES = { ENCRYPTION_KEYS: 'EncryptionKeys', LATEST_ENCRYPTION_KEY_IDS: 'LatestEncryptionKeyIds' }
//   3600  ownerId: await this.identity.getUserId()            (toUserId: '0x' + lower-case hex)
//   3634  formLookupKey1(keyId, publisherId) = `${publisherId}::${keyId}`
//   3637  formLookupKey2(publisherId, streamId) = `${publisherId}::${streamId}`
//   3653  get: new GroupKey(keyId, Buffer.from(value, 'hex'))
//   3661  set: persistence.set(formLookupKey1(keyId, publisherId), Buffer.from(data).toString('hex'))
//   3668  setLatestEncryptionKeyId: persistence.set(formLookupKey2(publisherId, streamId), keyId)
// This file is the stand-in for the SDK in the compatibility tests; it does not use our code.
const NAMESPACES = ['EncryptionKeys', 'LatestEncryptionKeyIds'];

const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

export function sdkOpen(ownerId) {
  const r = indexedDB.open(`streamr-sdk::${ownerId}`, 1);
  r.onupgradeneeded = () => NAMESPACES.forEach((ns) => r.result.createObjectStore(ns));
  return req(r);
}

/** idb's db.put: one readwrite transaction, resolved when it completes. */
export async function sdkPut(db, namespace, key, value) {
  const tx = db.transaction(namespace, 'readwrite');
  tx.objectStore(namespace).put(value, key);
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
}

export function sdkGet(db, namespace, key) {
  return req(db.transaction(namespace, 'readonly').objectStore(namespace).get(key));
}

/** Buffer.from(data).toString('hex') */
export const bufferHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
/** Buffer.from(value, 'hex') for the SDK's own values */
export const bufferFromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

/** LocalGroupKeyStore.set + setLatestEncryptionKeyId, for `ownerId`. */
export async function sdkStoreKey(ownerId, publisherId, streamId, keyId, data) {
  const db = await sdkOpen(ownerId);
  try {
    await sdkPut(db, 'EncryptionKeys', `${publisherId}::${keyId}`, bufferHex(data));
    await sdkPut(db, 'LatestEncryptionKeyIds', `${publisherId}::${streamId}`, keyId);
  } finally {
    db.close();
  }
}

/** LocalGroupKeyStore.get + getLatestEncryptionKeyId, for `ownerId`. */
export async function sdkReadKey(ownerId, publisherId, streamId, keyId) {
  const db = await sdkOpen(ownerId);
  try {
    const hex = await sdkGet(db, 'EncryptionKeys', `${publisherId}::${keyId}`);
    const latest = await sdkGet(db, 'LatestEncryptionKeyIds', `${publisherId}::${streamId}`);
    return { hex, key: hex === undefined ? undefined : bufferFromHex(hex), latest, version: db.version, stores: [...db.objectStoreNames] };
  } finally {
    db.close();
  }
}
