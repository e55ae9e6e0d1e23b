// `node benches/p256-node.mjs --inwasm <dir> [--quick]` (issue #16): ECDSA P-256 / SHA-256 in
// Node, side by side in one run: the platform (node:crypto, what the package uses now, through
// its own `verifyP256Signature` / `P256Signer`) and the in-wasm P-256 the main module had before
// (the `p256` crate), from a nodejs build of the core with the feature `p256`:
//
//   cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features --features p256
//   wasm-bindgen --target nodejs --out-dir <dir> target/wasm32-unknown-unknown/wasm-release/streamr_e2ee.wasm
//   wasm-opt -Oz <dir>/streamr_e2ee_bg.wasm -o <dir>/streamr_e2ee_bg.wasm
//
// Batches of calls timed together (each batch far above the timer's resolution), medians of
// the batches, ratios. Never fails on a number.
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import * as e2ee from 'streamr-e2ee';

const quick = process.argv.includes('--quick');
const at = process.argv.indexOf('--inwasm');
if (at < 0 || process.argv[at + 1] === undefined) throw new Error('usage: node benches/p256-node.mjs --inwasm <dir of a nodejs build with the feature p256>');
const inwasm = createRequire(import.meta.url)(resolve(process.argv[at + 1], 'streamr_e2ee.js'));

async function perOp(fn, batch, batches) {
  const t = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    t.push((performance.now() - t0) / batch);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const payload = new Uint8Array(1024).map((_, i) => i * 7);
const d = new Uint8Array(32).fill(9);
const platformSigner = await e2ee.P256Signer.fromPrivateKey(d);
const wasmSigner = inwasm.P256Signer.fromPrivateKey(d);
if (platformSigner.userId !== wasmSigner.userId) throw new Error('the two builds derive different public keys');
const sig = await platformSigner.sign(payload);
const pk = platformSigner.publicKey;
// Cross-checks first: each verifies the other's signature, and both refuse a tampered one.
if (!inwasm.verifyP256Signature(pk, payload, sig)) throw new Error('in-wasm P-256 refuses the platform signature');
if (!(await e2ee.verifyP256Signature(pk, payload, wasmSigner.sign(payload)))) throw new Error('platform refuses the in-wasm signature');
const bad = sig.slice();
bad[3] ^= 1;
if (inwasm.verifyP256Signature(pk, payload, bad) || (await e2ee.verifyP256Signature(pk, payload, bad))) throw new Error('a tampered signature verifies');

const batch = quick ? 50 : 200;
const batches = quick ? 5 : 11;
const rows = [];
const row = (op, platform, wasm) =>
  rows.push({ op, 'node:crypto µs': +(platform * 1000).toFixed(1), 'in-wasm µs': +(wasm * 1000).toFixed(1), 'in-wasm / platform': +(wasm / platform).toFixed(2) });
for (let round = 0; round < 2; round++) {
  // Interleaved, twice: the second round's numbers are the ones kept (warm JIT and caches).
  const pv = await perOp(() => e2ee.verifyP256Signature(pk, payload, sig), batch, batches);
  const wv = await perOp(() => inwasm.verifyP256Signature(pk, payload, sig), batch, batches);
  const ps = await perOp(() => platformSigner.sign(payload), batch, batches);
  const ws = await perOp(() => wasmSigner.sign(payload), batch, batches);
  if (round === 1) {
    row('P-256 verify (1 KiB)', pv, wv);
    row('P-256 sign (1 KiB)', ps, ws);
  }
}
console.table(rows);
console.log(JSON.stringify({ rows, stats: e2ee.p256Stats(), node: process.version }));
