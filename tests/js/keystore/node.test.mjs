// What the browser-only parts do under Node: typed errors, not ReferenceErrors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CryptoWorker, IndexedDbKeyStore, SealedKeyStore } from 'streamr-e2ee';

const typed = (code) => (e) => e.name === 'StreamrE2eeError' && e.code === code;

test('CryptoWorker.spawn without Web Workers is WORKER_UNAVAILABLE', () => {
  assert.throws(() => CryptoWorker.spawn(), typed('WORKER_UNAVAILABLE'));
});

test('IndexedDB stores without IndexedDB are KEY_STORE_UNAVAILABLE', async () => {
  await assert.rejects(IndexedDbKeyStore.open({ ownerId: '0x' + '11'.repeat(20) }), typed('KEY_STORE_UNAVAILABLE'));
  await assert.rejects(SealedKeyStore.open({ ownerId: '0x' + '11'.repeat(20), secret: { passphrase: 'x' } }), typed('KEY_STORE_UNAVAILABLE'));
  assert.throws(() => new IndexedDbKeyStore({ ownerId: '' }), typed('INVALID_ARGUMENT'));
});
