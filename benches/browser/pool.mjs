// Issue #20, the worker pool's scaling figure: the whole subscriber pipeline over a burst of
// messages, single-threaded (handleMessage) against a pool of 1 and 2 workers that recover
// the signers (recoverSigner) while the core on the main thread takes the tagged results in
// arrival order (handleMessageRecovered) and does the rest (docs/verify-pool.md). Interleaved
// rounds; every message must be delivered, and every recovery accepted.
import * as lib from 'streamr-e2ee';
import { measureRuns } from './harness.mjs';

export const POOL = 'Pool: subscriber pipeline over a burst of 1 KiB messages, recovery in workers';
export const SHIM_POOL = 'Pool: the package option (createSubscriber, verifyWorkers) over a burst of 1 KiB messages';
const CHUNK = 25;

function startWorker() {
  const w = new Worker(new URL('./pool-worker.mjs', import.meta.url));
  const waiting = new Map();
  let next = 0;
  w.onmessage = ({ data }) => { waiting.get(data.id)(data); waiting.delete(data.id); };
  const call = (msg) => new Promise((resolve) => { const id = next++; waiting.set(id, resolve); w.postMessage({ ...msg, id }); });
  return { call, terminate: () => w.terminate() };
}

/** The burst through `workers`; the core takes each chunk as soon as it and those before it are back. */
async function viaPool(workers, burst, s, now, pump) {
  const poolKey = s.sub.poolKey;
  const chunks = [];
  for (let i = 0; i < burst.length; i += CHUNK) chunks.push(burst.slice(i, i + CHUNK));
  const done = new Array(chunks.length);
  let next = 0;
  const feed = () => {
    while (next < chunks.length && done[next]) {
      chunks[next].forEach((bytes, j) => s.sub.handleMessageRecovered(bytes, done[next][j], now));
      pump(s.sub, now, s.count);
      done[next] = null;
      next += 1;
    }
  };
  await Promise.all(chunks.map((c, k) => workers[k % workers.length].call({ messages: c, poolKey }).then((r) => { done[k] = r.results; feed(); })));
  const st = s.sub.poolStats;
  if (st.accepted !== burst.length || st.refused !== 0) throw new Error(`pool: ${st.accepted} accepted, ${st.refused} refused`);
}

/**
 * `run(way)` for each way: one warm-up round (JIT, the workers load the wasm), then rounds in
 * alternating order; one row per way, its rounds as the samples.
 */
async function interleaved(ways, run, { record, Q, G, name, per }) {
  for (const way of ways) await run(way);
  const times = Object.fromEntries(ways.map((w) => [w, []]));
  for (let r = 0; r < (Q ? 2 : 6); r++) {
    for (const way of r % 2 ? [...ways].reverse() : ways) times[way].push(await run(way));
  }
  for (const way of ways) {
    const list = times[way];
    let k = 0;
    record(G, name, way, await measureRuns(() => list[k++], { samples: list.length, per }), { rate: 'messages/s' });
  }
}

/** A registry port with no public grants and PUBLISH for everyone (the bench's chain). */
function yesRegistry(streamId) {
  const publicCall = lib.hasPublicPermissionCall(streamId, 'PUBLISH').slice(0, 4);
  const perms = new Uint8Array(160); // (canEdit, canDelete, publishExpiration, subscribeExpiration, canGrant)
  perms.fill(0xff, 64, 128);
  return {
    streamRegistryAddress: `0x${'11'.repeat(20)}`,
    async call(_to, data) {
      const isPublic = data.slice(0, 4).every((b, i) => b === publicCall[i]);
      return { type: 'callResult', data: isPublic ? new Uint8Array(32) : perms };
    },
  };
}

/**
 * The burst through the package's own handle, as an app gets it: createSubscriber with
 * `verifyWorkers` 0, 1 and 2 (the package's worker script), an in-page transport that hands the
 * burst over in one task, the key given in `options.keys`. One handle per setting, a fresh
 * subscription (fresh core) per round; the workers stay, warmed up.
 */
async function shimPool({ record, Q, n, G, STREAM, pump }) {
  // Messages of now (the handle's core checks timestamps against the clock).
  const pub = new lib.Publisher({ streamId: STREAM }, lib.EvmSigner.generate());
  const content = crypto.getRandomValues(new Uint8Array(1024));
  const now = Date.now();
  const burst = [];
  let key;
  for (let i = 0; i <= n; i++) {
    pub.publish(content, lib.ContentType.BINARY, now + i);
    pump(pub, now + i, (o) => {
      if (o.type === 'send') burst.push(o.bytes);
      if (o.type === 'storeKey') key = { id: o.key.id, data: o.key.data };
    });
  }
  pub.free();
  const settings = { 'verifyWorkers: 0 (one thread)': 0, 'verifyWorkers: 1': 1, 'verifyWorkers: 2': 2 };
  const handles = {};
  let deliver;
  const transport = {
    async subscribe(_part, onMessage) { deliver = onMessage; return async () => {}; },
    async publish() {},
    async close() {},
  };
  for (const [name, verifyWorkers] of Object.entries(settings)) {
    handles[name] = lib.createSubscriber({
      signer: lib.LocalSigner.generate(),
      transport,
      registry: yesRegistry(STREAM),
      options: { verifyWorkers, multiTab: false, keys: { [STREAM]: { id: key.id, data: key.data } } },
    });
  }
  const run = async (name) => {
    let got = 0;
    let wake = () => {};
    const sub = await handles[name].subscribe(STREAM, 0, () => { got += 1; wake(); });
    const errors = [];
    sub.on('error', (e) => { errors.push(e.code); wake(); });
    /** Resolves once `count` messages are in; rejects on an error event or after 60 s. */
    const delivered = (count) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: ${got} of ${count} delivered in 60 s`)), 60_000);
      wake = () => {
        if (errors.length > 0) reject(new Error(`${name}: errors ${errors.join()}`));
        else if (got >= count) resolve();
        else return;
        clearTimeout(timer);
      };
      wake();
    });
    // The first message asks the registry for the publisher's PUBLISH (a cached answer after):
    // outside the timing, as in the rows above; the rest would wait in the core meanwhile.
    deliver(burst[0]);
    await delivered(1);
    const t0 = performance.now();
    for (let i = 1; i < burst.length; i++) deliver(burst[i]);
    await delivered(burst.length);
    const dt = performance.now() - t0;
    const st = sub.poolStats;
    await sub.unsubscribe();
    if (errors.length > 0) throw new Error(`${name}: errors ${errors.join()}`);
    if (st !== undefined && (st.accepted !== burst.length || st.refused !== 0)) throw new Error(`${name}: ${JSON.stringify(st)}`);
    return dt;
  };
  const per = burst.length - 1;
  try {
    await interleaved(Object.keys(settings), run, { record, Q, G, name: SHIM_POOL, per });
  } finally {
    for (const h of Object.values(handles)) await h.close();
  }
}

export async function poolScaling({ record, status, Q, sent, n, G, fresh, pump, T0, STREAM }) {
  if (typeof Worker === 'undefined' || typeof lib.recoverSigner !== 'function') return;
  status('issue #20 pool');
  const burst = sent.slice(1, n + 1);
  const now = T0 + n;
  const pools = { 1: [startWorker()], 2: [startWorker(), startWorker()] };
  try {
    for (const ws of Object.values(pools)) await Promise.all(ws.map((w) => w.call({ ping: true })));
    const ways = {
      'single thread (handleMessage)': async (s) => { for (const b of burst) { s.sub.handleMessage(b, now); pump(s.sub, now, s.count); } },
      'pool of 1 worker': (s) => viaPool(pools[1], burst, s, now, pump),
      'pool of 2 workers': (s) => viaPool(pools[2], burst, s, now, pump),
    };
    const run = async (name) => {
      const s = fresh();
      const t0 = performance.now();
      await ways[name](s);
      const dt = performance.now() - t0;
      if (s.delivered() !== n + 1) throw new Error(`${name}: delivered ${s.delivered()} of ${n + 1}`);
      s.sub.free();
      return dt;
    };
    await interleaved(Object.keys(ways), run, { record, Q, G, name: POOL, per: burst.length });
  } finally {
    for (const ws of Object.values(pools)) for (const w of ws) w.terminate();
  }
  status('issue #20 pool: the package option');
  await shimPool({ record, Q, n, G, STREAM, pump });
}
