// Issue #20, the worker pool's scaling figure: the whole subscriber pipeline over a burst of
// messages, single-threaded (handleMessage) against a pool of 1 and 2 workers that recover
// the signers (recoverSigner) while the core on the main thread takes the tagged results in
// arrival order (handleMessageRecovered) and does the rest (docs/verify-pool.md). Interleaved
// rounds; every message must be delivered, and every recovery accepted.
import * as lib from 'streamr-e2ee';
import { measureRuns } from './harness.mjs';

export const POOL = 'Pool: subscriber pipeline over a burst of 1 KiB messages, recovery in workers';
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

export async function poolScaling({ record, status, Q, sent, n, G, fresh, pump, T0 }) {
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
    const names = Object.keys(ways);
    const run = async (name) => {
      const s = fresh();
      const t0 = performance.now();
      await ways[name](s);
      const dt = performance.now() - t0;
      if (s.delivered() !== n + 1) throw new Error(`${name}: delivered ${s.delivered()} of ${n + 1}`);
      s.sub.free();
      return dt;
    };
    for (const name of names) await run(name); // warm-up: JIT, wasm compiled in each worker
    const times = Object.fromEntries(names.map((k) => [k, []]));
    for (let r = 0; r < (Q ? 2 : 6); r++) {
      for (const name of r % 2 ? [...names].reverse() : names) times[name].push(await run(name));
    }
    for (const name of names) {
      const list = times[name];
      let k = 0;
      record(G, POOL, name, await measureRuns(() => list[k++], { samples: list.length, per: burst.length }), { rate: 'messages/s' });
    }
  } finally {
    for (const ws of Object.values(pools)) for (const w of ws) w.terminate();
  }
}
