// Issue #20's pool as the package's option (`verifyWorkers`, docs/verify-pool.md), in Node 20:
// the real relay, anvil with StreamRegistryV5, our publisher; the subscriber's workers are
// real worker_threads running the package's recoverSigner, answering after random delays so
// their answers come back out of order. (The default workers, Web Workers, are tested in
// Chromium: tests/js/pages/run.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { LocalSigner, createPublisher, createSubscriber } from 'streamr-e2ee';
import { PERM, relayAndChain, until } from './harness.mjs';

const env = relayAndChain();
const { track, transport, registry } = env;

const THREAD = `
  const { parentPort, workerData } = require('node:worker_threads');
  let seen = 0;
  import('streamr-e2ee').then((lib) => {
    parentPort.on('message', async ({ id, poolKey, messages }) => {
      seen += messages.length;
      if (seen > workerData.dieAfter) process.exit(1); // a crash with this call in flight
      await new Promise((r) => setTimeout(r, Math.random() * workerData.delayMs));
      const results = messages.map((b) => { try { return lib.recoverSigner(b, poolKey); } catch { return null; } });
      parentPort.postMessage({ id, results });
    });
    parentPort.postMessage({ ready: true });
  });`;

/** A RecoveryWorker on a worker thread (dies at the call that takes it past `dieAfter` messages). */
function threadWorker({ delayMs = 5, dieAfter = Infinity } = {}) {
  const thread = new Worker(THREAD, { eval: true, workerData: { delayMs, dieAfter } });
  const pending = new Map();
  let next = 1;
  let exited = false;
  const ready = new Promise((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  thread.on('message', (m) => {
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    p.resolve(m.results);
  });
  thread.on('exit', () => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error('the thread exited'));
    pending.clear();
  });
  const w = {
    ready,
    stats: { calls: 0, terminated: false },
    async recoverSigners(poolKey, messages) {
      await ready;
      if (exited) throw new Error('the thread exited');
      w.stats.calls++;
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, poolKey, messages });
      });
    },
    terminate() {
      w.stats.terminated = true;
      void thread.terminate();
    },
  };
  return w;
}

async function setup(name) {
  const streamId = await env.chain.createStream(`/${name}-${Date.now()}`);
  const pubSigner = LocalSigner.generate();
  const subSigner = LocalSigner.generate();
  await env.chain.grant(streamId, pubSigner.address, PERM.PUBLISH);
  await env.chain.grant(streamId, subSigner.address, PERM.SUBSCRIBE);
  const publisher = track(createPublisher({ streamId, signer: pubSigner, transport: transport(), registry: registry(), options: { encryption: 'always' } }));
  await publisher.ready;
  return { streamId, publisher, subSigner };
}

async function subscribe({ streamId, subSigner }, verifyWorkers) {
  const subscriber = createSubscriber({ signer: subSigner, transport: transport(), registry: registry(), options: { verifyWorkers } });
  track(subscriber);
  const got = [];
  const errors = [];
  const sub = await subscriber.subscribe(streamId, 0, (m) => got.push(m.content.i));
  sub.on('error', (e) => errors.push(e));
  return { subscriber, sub, got, errors };
}

const inOrder = (got, n) => got.length === n && got.every((v, k) => v === k);

test('verifyWorkers: two worker threads answering out of order; every message once, in order, each recovery taken', { timeout: 120_000 }, async () => {
  const s = await setup('pool');
  const workers = [];
  const { sub, got, errors } = await subscribe(s, { count: 2, spawn: () => (workers.push(threadWorker({ delayMs: 8 })), workers.at(-1)) });
  await Promise.all(workers.map((w) => w.ready));
  const N = 200;
  for (let i = 0; i < N; i++) await s.publisher.publish({ i });
  await until(() => got.length >= N, 60_000, () => `${N} messages (got ${got.length})`);
  assert.ok(inOrder(got, N), `out of order or duplicated: ${got.slice(0, 20)}`);
  assert.deepEqual(errors.map((e) => e.code), []);
  // Every content message and the key response came through the pool and its tag checked out.
  // Every content message's recovery came from the pool (key responses are verified in the core).
  assert.equal(sub.poolStats.accepted, N, JSON.stringify(sub.poolStats));
  assert.equal(sub.poolStats.refused, 0);
  assert.equal(workers.length, 2);
  assert.ok(workers.every((w) => w.stats.calls > 0), 'both workers worked');
  await sub.unsubscribe();
  assert.equal(sub.poolStats.accepted, N, 'the counters outlive the subscription');
});

test('verifyWorkers: a worker that crashes mid-stream is reported once; nothing is lost', { timeout: 120_000 }, async () => {
  const s = await setup('pool-crash');
  // The first worker (picked when both are idle) dies at the call that takes it past 20 messages.
  const workers = [threadWorker({ dieAfter: 20 }), threadWorker()];
  await Promise.all(workers.map((w) => w.ready));
  let k = 0;
  const { sub, got, errors } = await subscribe(s, { count: 2, spawn: () => workers[k++] });
  const N = 120;
  for (let i = 0; i < N; i++) await s.publisher.publish({ i });
  await until(() => got.length >= N, 60_000, () => `${N} messages (got ${got.length})`);
  assert.ok(inOrder(got, N), `out of order or duplicated: ${got.slice(0, 20)}`);
  assert.deepEqual(errors.map((e) => e.code), ['WORKER_UNAVAILABLE']);
  assert.match(errors[0].message, /verification worker failed/);
  assert.ok(workers[0].stats.terminated, 'the crashed worker was given up');
  assert.ok(!workers[1].stats.terminated);
  assert.ok(workers[1].stats.calls > 0, JSON.stringify(workers.map((w) => w.stats)));
  // The crashed call's messages were verified in the core: fewer than N taken from the pool.
  assert.ok(sub.poolStats.accepted > 0 && sub.poolStats.accepted < N && sub.poolStats.refused === 0, JSON.stringify(sub.poolStats));
});

test('verifyWorkers in Node without a spawn is refused at once (WORKER_UNAVAILABLE); bad settings are INVALID_ARGUMENT naming the field', () => {
  const args = (verifyWorkers) => ({ signer: LocalSigner.generate(), transport: transport(), registry: registry(), options: { verifyWorkers } });
  assert.equal(typeof Worker === 'function' && typeof globalThis.Worker, 'undefined', 'Node 20 has no Web Worker');
  assert.throws(() => createSubscriber(args(2)), (e) => e.code === 'WORKER_UNAVAILABLE' && /verifyWorkers/.test(e.message));
  for (const bad of [65, -1, 1.5, { count: 1, timeoutMs: -1 }, { count: 1, spawn: 'no' }, { nope: 1 }]) {
    assert.throws(() => createSubscriber(args(bad)), (e) => e.code === 'INVALID_ARGUMENT' && /verifyWorkers/.test(e.message), JSON.stringify(bad));
  }
  // 0 is off: no worker needed.
  assert.doesNotThrow(() => createSubscriber(args(0)));
});
