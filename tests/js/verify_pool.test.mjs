// Issue #20's verification pool from JS (pkg/ in Node): recoverSigner in real worker threads,
// then handleMessageRecovered in arrival order, bad input included, and the pool's security
// property: a recovery without a valid tag for exactly those bytes never stands in for the
// core's own verification (docs/verify-pool.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { ContentType, EvmSigner, MlKemKeyPair, Publisher, StreamMessage, Subscriber, recoverSigner } from 'streamr-e2ee';

const STREAM = '0x0000000000000000000000000000000000000001/pool';
const T0 = 1_800_000_000_000;

/** Drains `m`: permissions granted, no stored keys; returns deliveries and error codes. */
function pump(m, now) {
  const out = { delivered: [], errors: [] };
  for (let outs = m.pollOutputs(); outs.length > 0; outs = m.pollOutputs()) {
    for (const o of outs) {
      if (o.type === 'ask') m.answer(o.id, o.question.type === 'permission' ? { type: 'permission', allowed: true } : { type: 'storedKey' }, now);
      else if (o.type === 'deliver') out.delivered.push(Array.from(o.content));
      else if (o.type === 'event' && o.event.type === 'error') out.errors.push(o.event.code);
    }
  }
  return out;
}

function published(count = 3) {
  const pub = new Publisher({ streamId: STREAM }, EvmSigner.generate());
  const sent = [];
  let key;
  for (let i = 0; i < count; i++) {
    pub.publish(new Uint8Array(8).fill(i), ContentType.BINARY, T0 + i);
    for (let outs = pub.pollOutputs(); outs.length; outs = pub.pollOutputs()) {
      for (const o of outs) {
        if (o.type === 'send') sent.push(o.bytes);
        else if (o.type === 'storeKey') key = { id: o.key.id, data: o.key.data };
        else if (o.type === 'ask') pub.answer(o.id, { type: 'storedKey' }, T0);
      }
    }
  }
  return { sent, key, publisherId: pub.userId };
}

function subscriber({ key, publisherId }) {
  const sub = new Subscriber({ streamId: STREAM }, EvmSigner.generate(), MlKemKeyPair.generate(), T0);
  sub.addKey(publisherId, key, T0);
  return sub;
}

const eight = (i) => Array(8).fill(i);
const code = (c) => (e) => e?.code === c;

/** One of the message's signed content bytes flipped: the signature no longer matches. */
function tampered(bytes) {
  const content = StreamMessage.fromBytes(bytes).content;
  const at = Buffer.from(bytes).indexOf(Buffer.from(content));
  assert.ok(at > 0);
  const copy = Uint8Array.from(bytes);
  copy[at + 20] ^= 1;
  return copy;
}

/** recoverSigner in `n` real worker threads, chunks round-robin, results in chunk order. */
async function recoverInWorkers(messages, poolKey, n) {
  const src = `
    const { parentPort } = require('node:worker_threads');
    import('streamr-e2ee').then((lib) => {
      parentPort.on('message', ({ id, messages, poolKey }) => {
        parentPort.postMessage({ id, results: messages.map((b) => lib.recoverSigner(b, poolKey)) });
      });
      parentPort.postMessage({ ready: true });
    });`;
  const workers = await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const w = new Worker(src, { eval: true });
    w.once('error', reject);
    w.once('message', () => resolve(w));
  })));
  try {
    const chunks = [];
    for (let i = 0; i < messages.length; i += 2) chunks.push(messages.slice(i, i + 2));
    const results = await Promise.all(chunks.map((c, k) => new Promise((resolve) => {
      const w = workers[k % n];
      const on = (m) => { if (m.id === k) { w.off('message', on); resolve(m.results); } };
      w.on('message', on);
      w.postMessage({ id: k, messages: c, poolKey });
    })));
    return results.flat();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

test('verification pool: two worker threads recover, the core takes the tagged results in arrival order', async () => {
  const p = published(5);
  const sub = subscriber(p);
  const poolKey = sub.poolKey;
  assert.equal(poolKey.length, 32);
  assert.deepEqual(sub.poolKey, poolKey, 'one key per subscriber');
  const recovered = await recoverInWorkers(p.sent, poolKey, 2);
  assert.equal(recovered.length, 5);
  for (const r of recovered) assert.equal(`0x${Buffer.from(r.address).toString('hex')}`, p.publisherId);
  p.sent.forEach((b, i) => sub.handleMessageRecovered(b, recovered[i], T0 + 10));
  assert.deepEqual(pump(sub, T0 + 10), { delivered: [0, 1, 2, 3, 4].map(eight), errors: [] });
  assert.deepEqual(sub.poolStats, { accepted: 5, refused: 0 });
  sub.free();
});

test('verification pool: a forged recovery is refused and the core verifies for itself', () => {
  const p = published(2);
  const sub = subscriber(p);
  const poolKey = sub.poolKey;
  const forged = tampered(p.sent[0]);
  const claimed = Buffer.from(p.publisherId.slice(2), 'hex');
  // The publisher's address with a made-up tag, a genuine tag for other bytes, a tag under
  // another key: all refused, the forged message verified in the core and dropped.
  sub.handleMessageRecovered(forged, { address: claimed, tag: new Uint8Array(32) }, T0 + 10);
  sub.handleMessageRecovered(forged, recoverSigner(p.sent[0], poolKey), T0 + 10);
  sub.handleMessageRecovered(forged, { address: claimed, tag: recoverSigner(forged, new Uint8Array(32).fill(7)).tag }, T0 + 10);
  assert.deepEqual(pump(sub, T0 + 10), { delivered: [], errors: Array(3).fill('INVALID_SIGNATURE') });
  assert.deepEqual(sub.poolStats, { accepted: 0, refused: 3 });
  // An honest, tagged recovery of the forged bytes: not the claimed publisher, dropped.
  const honest = recoverSigner(forged, poolKey);
  assert.notDeepEqual(Array.from(honest.address), Array.from(claimed));
  sub.handleMessageRecovered(forged, honest, T0 + 10);
  assert.deepEqual(pump(sub, T0 + 10), { delivered: [], errors: ['INVALID_SIGNATURE'] });
  // A refused hint on a genuine message: still delivered (verified in the core).
  sub.handleMessageRecovered(p.sent[0], { address: claimed, tag: new Uint8Array(5) }, T0 + 10);
  assert.deepEqual(pump(sub, T0 + 10).delivered, [eight(0)]);
  assert.deepEqual(sub.poolStats, { accepted: 1, refused: 4 });
  sub.free();
});

test('verification pool: bad input is a typed error, never a panic', () => {
  const p = published(1);
  const sub = subscriber(p);
  const poolKey = sub.poolKey;
  assert.throws(() => recoverSigner(p.sent[0], new Uint8Array(31)), code('INVALID_ARGUMENT'));
  assert.throws(() => recoverSigner('bytes', poolKey), code('INVALID_ARGUMENT'));
  assert.throws(() => recoverSigner(p.sent[0], null), code('INVALID_ARGUMENT'));
  assert.throws(() => recoverSigner(new Uint8Array([1, 2, 3]), poolKey), (e) => typeof e.code === 'string' && e.code !== 'INVALID_ARGUMENT');
  assert.throws(() => sub.handleMessageRecovered(p.sent[0], { address: new Uint8Array(20) }, T0), code('INVALID_ARGUMENT'));
  assert.throws(() => sub.handleMessageRecovered(p.sent[0], null, T0), code('INVALID_ARGUMENT'));
  assert.throws(() => sub.handleMessageRecovered([1, 2], recoverSigner(p.sent[0], poolKey), T0), code('INVALID_ARGUMENT'));
  // The wasm instance is still healthy after all of that.
  sub.handleMessageRecovered(p.sent[0], recoverSigner(p.sent[0], poolKey), T0 + 10);
  assert.deepEqual(pump(sub, T0 + 10).delivered, [eight(0)]);
  sub.free();
});

// The shim's pool (ts/api/verify-pool.ts, behind `verifyWorkers`), with stand-in workers: how
// it splits a burst, and that a failed or silent worker costs speed, never a message.
const { VerifyPool } = await import('../../pkg/dist/api/verify-pool.js');

/** A stand-in worker: records its calls; `answer` decides each call's fate. */
function fakeWorker(answer) {
  const w = {
    calls: [],
    terminated: false,
    recoverSigners(poolKey, messages) {
      w.calls.push(messages.map((m) => m[0]));
      return answer(poolKey, messages);
    },
    terminate() {
      w.terminated = true;
    },
  };
  return w;
}
const echo = (_key, messages) => Promise.resolve(messages.map((m) => ({ address: m, tag: m })));
const turn = () => new Promise((r) => setTimeout(r, 0));

test('shim pool: a burst of one turn is split over the workers; each message gets its own result', async () => {
  const [a, b] = [fakeWorker(echo), fakeWorker(echo)];
  const pool = new VerifyPool([a, b], { maxChunk: 4 });
  const key = new Uint8Array(32);
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.recover(key, Uint8Array.of(i))));
  assert.deepEqual(results.map((r) => r.address[0]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Two calls in flight per worker at most, chunks of at most 4, the burst shared.
  assert.deepEqual([...a.calls, ...b.calls].flat().sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(a.calls.length >= 1 && b.calls.length >= 1, JSON.stringify([a.calls, b.calls]));
  assert.ok([...a.calls, ...b.calls].every((c) => c.length <= 4));
  // One call carries one subscription's messages (same key: one call; two keys: two).
  const one = fakeWorker(echo);
  const single = new VerifyPool([one]);
  const other = new Uint8Array(32).fill(1);
  await Promise.all([single.recover(key, Uint8Array.of(20)), single.recover(key, Uint8Array.of(21))]);
  await Promise.all([single.recover(key, Uint8Array.of(22)), single.recover(other, Uint8Array.of(23))]);
  assert.deepEqual(one.calls, [[20, 21], [22], [23]]);
  pool.terminate();
  assert.ok(a.terminated && b.terminated);
  assert.equal(await pool.recover(key, Uint8Array.of(1)), null, 'no worker left: the core verifies');
});

test('shim pool: a failing worker is stopped and reported once; its messages get null, the rest go on', async () => {
  const lost = [];
  const bad = fakeWorker(() => Promise.reject(new Error('worker crashed')));
  const good = fakeWorker(echo);
  const pool = new VerifyPool([bad, good], { maxChunk: 2, onWorkerLost: (e) => lost.push(e.code) });
  const key = new Uint8Array(32);
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.recover(key, Uint8Array.of(i))));
  const nulls = results.flatMap((r, i) => (r === null ? [i] : []));
  assert.deepEqual(nulls.sort(), bad.calls.flat().sort(), 'exactly the failed worker\'s messages are null');
  assert.ok(nulls.length > 0 && bad.terminated);
  assert.deepEqual(lost, ['WORKER_UNAVAILABLE']);
  assert.equal(pool.size, 1);
  const later = await Promise.all([pool.recover(key, Uint8Array.of(7)), pool.recover(key, Uint8Array.of(8))]);
  assert.deepEqual(later.map((r) => r.address[0]), [7, 8], 'later messages go to the worker left');
});

test('shim pool: a worker that never answers is stopped after the timeout; its messages get null', async () => {
  const lost = [];
  const silent = fakeWorker(() => new Promise(() => {}));
  const pool = new VerifyPool([silent], { chunkTimeoutMs: 50, onWorkerLost: (e) => lost.push(e) });
  const key = new Uint8Array(32);
  const t0 = Date.now();
  const results = await Promise.all([pool.recover(key, Uint8Array.of(1)), pool.recover(key, Uint8Array.of(2))]);
  assert.deepEqual(results, [null, null]);
  assert.ok(Date.now() - t0 >= 45);
  assert.ok(silent.terminated);
  assert.equal(lost.length, 1);
  assert.equal(lost[0].code, 'WORKER_UNAVAILABLE');
  assert.match(lost[0].message, /did not answer within 50 ms/);
  await turn();
  assert.equal(await pool.recover(key, Uint8Array.of(3)), null);
});
