// Benchmark: @streamr/sdk 103.3.2's own subscribe pipeline (decode, validate = verify the
// signature + permission checks answered from memory, decrypt) and publish path (encrypt +
// sign), stock vs the same bundle on the streamr-e2ee backend, side by side in one process,
// rounds interleaved so machine load hits both alike. Writes JSON (default
// target/bench/sdk-backend-node.json) and prints a table of messages/s and ratios.
//   node tests/interop/bench.mjs [--messages N] [--rounds R] [--out file]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as H from './harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const N = Number(arg('messages', 200));
const ROUNDS = Number(arg('rounds', 5));
const OUT = arg('out', 'target/bench/sdk-backend-node.json');
const payload = () => ({ id: Math.random(), text: 'x'.repeat(200), values: Array.from({ length: 20 }, (_, i) => i) });

async function rate(fn, n) {
  const t = process.hrtime.bigint();
  await fn();
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = [];
for (const keyType of H.KEY_TYPES) {
  const n = keyType === 'ML_DSA_87' ? Math.max(20, Math.floor(N / 4)) : N;
  const contents = Array.from({ length: n }, payload);
  const ids = { stock: H.identity(H.stock, keyType), backend: H.identity(H.backend, keyType) };
  const { bytes, keys } = await H.sdkPublish(H.stock, ids.stock, contents, 0);
  const sub = { stock: [], backend: [] };
  const pub = { stock: [], backend: [] };
  // One warm-up round each, not recorded.
  for (const kind of ['stock', 'backend']) await H.sdkReceive(H.sdks[kind], bytes.slice(0, 5), keys);
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of r % 2 === 0 ? ['stock', 'backend'] : ['backend', 'stock']) {
      sub[kind].push(await rate(() => H.sdkReceive(H.sdks[kind], bytes, keys), n));
      pub[kind].push(await rate(() => H.sdkPublish(H.sdks[kind], ids[kind], contents, 0), n));
    }
  }
  for (const [path, m] of [['subscribe (verify + decrypt)', sub], ['publish (encrypt + sign)', pub]]) {
    const stock = median(m.stock);
    const backend = median(m.backend);
    results.push({ keyType, path, messages: n, rounds: ROUNDS, stockPerSec: Math.round(stock), backendPerSec: Math.round(backend), ratio: +(backend / stock).toFixed(2) });
  }
}

const report = {
  what: '@streamr/sdk 103.3.2 message paths, stock vs streamr-e2ee backend (same bundle, same process), medians of interleaved rounds',
  node: process.version,
  date: new Date().toISOString(),
  results,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(report, null, 2) + '\n');
console.log('| key type | path | stock msg/s | backend msg/s | backend / stock |');
console.log('| --- | --- | --: | --: | --: |');
for (const r of results) console.log(`| ${r.keyType} | ${r.path} | ${r.stockPerSec} | ${r.backendPerSec} | ${r.ratio}× |`);
console.log(`written to ${OUT}`);
