// MemoryKeyStore (the KeyStore port without persistence): Node unit tests against pkg/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryKeyStore, isKeyStoreError } from 'streamr-e2ee';

const PUB = '0x' + 'ab'.repeat(20);
const key = (fill) => new Uint8Array(32).fill(fill);
const rejectsWith = (promise, code) =>
  assert.rejects(promise, (e) => e.name === 'StreamrE2eeError' && e.code === code && isKeyStoreError(e, code));

test('round trip of keys and latest key ids, per publisher and stream', async () => {
  const store = new MemoryKeyStore();
  assert.equal(await store.getKey(PUB, 'k1'), undefined);
  await store.putKey(PUB, 'k1', key(1));
  await store.putKey(PUB, 'k2', key(2));
  assert.deepEqual(await store.getKey(PUB, 'k1'), key(1));
  assert.deepEqual(await store.getKey(PUB, 'k2'), key(2));
  assert.equal(await store.getKey('0x' + 'cd'.repeat(20), 'k1'), undefined);
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
  await store.putKey(checksummed, 'k', key(7));
  assert.deepEqual(await store.getKey(checksummed.toLowerCase(), 'k'), key(7));
});

test('stored keys are copies: changing the caller\'s array or the returned one changes nothing', async () => {
  const store = new MemoryKeyStore();
  const k = key(3);
  await store.putKey(PUB, 'k', k);
  k.fill(9);
  const got = await store.getKey(PUB, 'k');
  assert.deepEqual(got, key(3));
  got.fill(0);
  assert.deepEqual(await store.getKey(PUB, 'k'), key(3));
});

test('bad arguments are typed errors', async () => {
  const store = new MemoryKeyStore();
  await rejectsWith(store.putKey(PUB, 'k', new Uint8Array(16)), 'INVALID_KEY');
  await rejectsWith(store.putKey(PUB, 'k', 'not bytes'), 'INVALID_KEY');
  await rejectsWith(store.putKey(PUB, '', key(1)), 'INVALID_ARGUMENT');
  await rejectsWith(store.getKey('', 'k'), 'INVALID_ARGUMENT');
  await rejectsWith(store.setLatestKeyId(PUB, 's', ''), 'INVALID_ARGUMENT');
  await rejectsWith(store.getLatestKeyId(PUB, undefined), 'INVALID_ARGUMENT');
});

test('close wipes the keys and later calls fail with KEY_STORE_UNAVAILABLE', async () => {
  const store = new MemoryKeyStore();
  await store.putKey(PUB, 'k', key(5));
  await store.close();
  await rejectsWith(store.getKey(PUB, 'k'), 'KEY_STORE_UNAVAILABLE');
  await rejectsWith(store.putKey(PUB, 'k', key(5)), 'KEY_STORE_UNAVAILABLE');
});

test('error messages never contain key bytes', async () => {
  const store = new MemoryKeyStore();
  const secret = key(0xaa);
  const err = await store.putKey(PUB, '', secret).catch((e) => e);
  assert.ok(!err.message.includes('aaaa') && !err.message.includes('170'));
});
