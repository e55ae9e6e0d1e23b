// MemoryKeyStore (the KeyStore port without persistence): Node unit tests against pkg/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryKeyStore, isKeyStoreError } from 'streamr-e2ee';

const PUB = '0x' + 'ab'.repeat(20);
const S = `${PUB}/stream-s`;
const T = `${PUB}/stream-t`;
const key = (fill) => new Uint8Array(32).fill(fill);
const rejectsWith = (promise, code) =>
  assert.rejects(promise, (e) => e.name === 'StreamrE2eeError' && e.code === code && isKeyStoreError(e, code));

test('round trip of keys and latest key ids, per publisher and stream', async () => {
  const store = new MemoryKeyStore();
  assert.equal(await store.getKey(PUB, 'k1', S), undefined);
  await store.putKey(PUB, 'k1', key(1), S);
  await store.putKey(PUB, 'k2', key(2), S);
  assert.deepEqual(await store.getKey(PUB, 'k1', S), key(1));
  assert.deepEqual(await store.getKey(PUB, 'k2', S), key(2));
  assert.equal(await store.getKey('0x' + 'cd'.repeat(20), 'k1', S), undefined);
  assert.equal(await store.getLatestKeyId(PUB, 'stream/a'), undefined);
  await store.setLatestKeyId(PUB, 'stream/a', 'k1');
  await store.setLatestKeyId(PUB, 'stream/a', 'k2');
  await store.setLatestKeyId(PUB, 'stream/b', 'k1');
  assert.equal(await store.getLatestKeyId(PUB, 'stream/a'), 'k2');
  assert.equal(await store.getLatestKeyId(PUB, 'stream/b'), 'k1');
});

test('a checksummed publisher id finds the lower-case entry (the SDK\'s toUserId)', async () => {
  const store = new MemoryKeyStore();
  const checksummed = '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01';
  await store.putKey(checksummed, 'k', key(7), S);
  assert.deepEqual(await store.getKey(checksummed.toLowerCase(), 'k', S), key(7));
});

test('stored keys are copies: changing the caller\'s array or the returned one changes nothing', async () => {
  const store = new MemoryKeyStore();
  const k = key(3);
  await store.putKey(PUB, 'k', k, S);
  k.fill(9);
  const got = await store.getKey(PUB, 'k', S);
  assert.deepEqual(got, key(3));
  got.fill(0);
  assert.deepEqual(await store.getKey(PUB, 'k', S), key(3));
});

test('bad arguments are typed errors', async () => {
  const store = new MemoryKeyStore();
  await rejectsWith(store.putKey(PUB, 'k', new Uint8Array(16), S), 'INVALID_KEY');
  await rejectsWith(store.putKey(PUB, 'k', 'not bytes', S), 'INVALID_KEY');
  await rejectsWith(store.putKey(PUB, '', key(1), S), 'INVALID_ARGUMENT');
  await rejectsWith(store.putKey(PUB, 'k', key(1)), 'INVALID_ARGUMENT'); // no stream: nothing to bind to
  await rejectsWith(store.putKey(PUB, 'k', key(1), ''), 'INVALID_ARGUMENT');
  await rejectsWith(store.getKey('', 'k', S), 'INVALID_ARGUMENT');
  await rejectsWith(store.getKey(PUB, 'k'), 'INVALID_ARGUMENT');
  await rejectsWith(store.setLatestKeyId(PUB, 's', ''), 'INVALID_ARGUMENT');
  await rejectsWith(store.getLatestKeyId(PUB, undefined), 'INVALID_ARGUMENT');
});

test('close wipes the keys and later calls fail with KEY_STORE_UNAVAILABLE', async () => {
  const store = new MemoryKeyStore();
  await store.putKey(PUB, 'k', key(5), S);
  await store.close();
  await rejectsWith(store.getKey(PUB, 'k', S), 'KEY_STORE_UNAVAILABLE');
  await rejectsWith(store.putKey(PUB, 'k', key(5), S), 'KEY_STORE_UNAVAILABLE');
});

test('error messages never contain key bytes', async () => {
  const store = new MemoryKeyStore();
  const secret = key(0xaa);
  const err = await store.putKey(PUB, '', secret, S).catch((e) => e);
  assert.ok(!err.message.includes('aaaa') && !err.message.includes('170'));
});

// Issue #13: a key is released only for the stream it is bound to, and never overwritten.
test('binding: a key stored for S is not returned for T (nor for another publisher)', async () => {
  const store = new MemoryKeyStore();
  await store.putKey(PUB, 'kS', key(1), S);
  assert.deepEqual(await store.getKey(PUB, 'kS', S), key(1));
  assert.equal(await store.getKey(PUB, 'kS', T), undefined, 'not bound to T');
  assert.equal(await store.getKey('0x' + 'cd'.repeat(20), 'kS', S), undefined);
});

test('add-only: a second putKey under the same id keeps the first key and binds nothing new', async () => {
  const store = new MemoryKeyStore();
  await store.putKey(PUB, 'k', key(1), S);
  await store.putKey(PUB, 'k', key(2), S);
  assert.deepEqual(await store.getKey(PUB, 'k', S), key(1), 'the stored key stays');
  await store.putKey(PUB, 'k', key(2), T);
  assert.equal(await store.getKey(PUB, 'k', T), undefined, 'other bytes for T: not bound to T');
  assert.deepEqual(await store.getKey(PUB, 'k', S), key(1));
  // The same key stored again for another stream (the same bytes): bound to both.
  await store.putKey(PUB, 'k', key(1), T);
  assert.deepEqual(await store.getKey(PUB, 'k', T), key(1));
  assert.deepEqual(await store.getKey(PUB, 'k', S), key(1));
});

test('replace: overwrites the key and binds it to that stream alone', async () => {
  const store = new MemoryKeyStore();
  await store.putKey(PUB, 'k', key(1), S);
  await store.putKey(PUB, 'k', key(1), T);
  await store.putKey(PUB, 'k', key(9), S, { replace: true });
  assert.deepEqual(await store.getKey(PUB, 'k', S), key(9));
  assert.equal(await store.getKey(PUB, 'k', T), undefined, 'T\'s binding named the old bytes');
  await store.putKey(PUB, 'k', key(8), S, { replace: false });
  assert.deepEqual(await store.getKey(PUB, 'k', S), key(9), 'replace: false is add-only');
});

test('the stream\'s latest key (LatestEncryptionKeyIds) counts as bound to it; no other key does', async () => {
  // What a key the SDK wrote looks like: a key, a latest id, no binding of ours. The memory
  // store has no SDK writer; setLatestKeyId alone gives the same state as putKey for another
  // stream plus the SDK's latest record for S.
  const store = new MemoryKeyStore();
  await store.putKey(PUB, 'latest', key(1), T);
  await store.putKey(PUB, 'older', key(2), T);
  await store.setLatestKeyId(PUB, S, 'latest');
  assert.deepEqual(await store.getKey(PUB, 'latest', S), key(1), 'the latest key of S is released for S');
  assert.equal(await store.getKey(PUB, 'older', S), undefined, 'an older key is not');
  await store.setLatestKeyId(PUB, S, 'older');
  assert.equal(await store.getKey(PUB, 'latest', S), undefined, 'no longer the latest');
  assert.deepEqual(await store.getKey(PUB, 'latest', T), key(1), 'still bound to T');
});
