// A tiny app built with Vite, with no wasm plugin (the package's web build loads its .wasm by
// `new URL(…, import.meta.url)`, in the page and in the worker): the key store and the worker
// must work there as under webpack.
import {
  IndexedDbKeyStore, SealedKeyStore, CryptoWorker, GroupKey, AsymmetricEncryptionType, wrapGroupKey,
  encryptWithAESAsync, decryptWithAESAsync,
} from 'streamr-e2ee';
import { test, assertEqual, assertBytes, run } from '../browser/harness.mjs';
import { measure } from '../browser/longtasks.mjs';
import { rsaLazyPhase } from '../browser/rsa-phases.mjs';
import { p256LazyPhase } from '../browser/p256-phases.mjs';

// First of all, before anything in this page has loaded the core (the harness's run(), which
// calls ready(), waits for it; issue #16): the package's async APIs await ready() themselves;
// only raw bindings need the app to call it.
const asyncBeforeReady = (async () => {
  const store = await SealedKeyStore.open({ ownerId: '0x' + '98'.repeat(20), secret: { passphrase: 'first thing' } });
  await store.close();
  const key = new Uint8Array(32).fill(7);
  const sealed = await encryptWithAESAsync(new Uint8Array([1, 2, 3]), key);
  return decryptWithAESAsync(sealed, key);
})().catch((e) => e);
test('vite: async APIs called before any ready(): SealedKeyStore.open, encryptWithAESAsync load the core', async () => {
  const out = await asyncBeforeReady;
  if (out instanceof Error) throw out;
  assertBytes(out, new Uint8Array([1, 2, 3]), 'AES round trip');
});

// Then, before anything else does RSA in this page (issue #16).
rsaLazyPhase('vite');
// Then P-256, before anything else signs or verifies P-256 here.
p256LazyPhase('vite');

const OWNER = '0x' + '99'.repeat(20);
const PUB = '0x' + 'a1'.repeat(20);

test('vite: IndexedDbKeyStore round trip', async () => {
  const store = await IndexedDbKeyStore.open({ ownerId: OWNER });
  const key = GroupKey.generate();
  await store.putKey(PUB, key.id, key.data, `${PUB}/vite`);
  await store.setLatestKeyId(PUB, `${PUB}/vite`, key.id);
  assertBytes(await store.getKey(PUB, key.id, `${PUB}/vite`), key.data, 'key');
  assertEqual(await store.getLatestKeyId(PUB, `${PUB}/vite`), key.id, 'latest id');
  await store.close();
});

test('vite: SealedKeyStore (AES-GCM in wasm) round trip', async () => {
  const store = await SealedKeyStore.open({ ownerId: OWNER, secret: { passphrase: 'vite passphrase' } });
  const key = GroupKey.generate();
  await store.putKey(PUB, key.id, key.data, `${PUB}/vite`);
  assertBytes(await store.getKey(PUB, key.id, `${PUB}/vite`), key.data, 'key');
  await store.close();
});

test('vite: the worker chunk loads its wasm and generates RSA-2048 without a long task', async () => {
  const worker = CryptoWorker.spawn();
  try {
    await worker.ready;
    const { result: pair, stats } = await measure(() => worker.generateRsaKeyPair(2048));
    assertEqual(stats.longTasksFromPath.length, 0, `long tasks from the keygen path (${JSON.stringify(stats)})`);
    const key = GroupKey.generate();
    const unwrapped = await pair.unwrapGroupKey(key.id, await wrapGroupKey(key, AsymmetricEncryptionType.RSA, pair.publicKey));
    assertBytes(unwrapped.data, key.data, 'unwrapped key');
    return stats;
  } finally {
    worker.terminate();
  }
});

// The async APIs above fetched the core (once); run() checks that ready() fetches nothing more.
asyncBeforeReady.then(() => run('vite', { loadedBefore: true }));
