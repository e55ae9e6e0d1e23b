// `node benches/rsa-node.mjs [--quick]` (issue #16): RSA-OAEP-SHA-1 in Node, side by side in
// one run, through the package's own provider: the platform (node:crypto, the default) and
// the rsa-wasm module (the `rsa` crate: the in-wasm RSA the main module had before #16).
// Prints per-operation medians and the ratios; the browser rows (WebCrypto vs rsa-wasm) are in
// benches/browser/entry.mjs. Never fails on a number.
import { performance } from 'node:perf_hooks';
import * as e2ee from 'streamr-e2ee';

const quick = process.argv.includes('--quick');
const { RsaKeyPair, GroupKey, AsymmetricEncryptionType, configureRsa, rsaStats, wrapGroupKey } = e2ee;

async function median(fn, samples) {
  const t = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const rows = [];
for (const bits of [2048, 4096]) {
  const out = {};
  for (const prefer of ['platform', 'wasm']) {
    configureRsa({ prefer });
    const key = GroupKey.generate();
    const keygen = await median(async () => (await RsaKeyPair.generate(bits)).free(), quick ? 2 : (bits === 4096 ? 3 : 7));
    const pair = await RsaKeyPair.generate(bits);
    const wrapped = await wrapGroupKey(key, AsymmetricEncryptionType.RSA, pair.publicKeyPem);
    const encrypt = await median(() => wrapGroupKey(key, AsymmetricEncryptionType.RSA, pair.publicKeyPem), quick ? 5 : 51);
    const decrypt = await median(async () => (await pair.unwrapGroupKey(key.id, wrapped)).free(), quick ? 5 : 51);
    out[prefer] = { path: pair.path, keygen, encrypt, decrypt };
    pair.free();
  }
  for (const op of ['keygen', 'encrypt', 'decrypt']) {
    rows.push({ op: `RSA-${bits} ${op}`, [`${out.platform.path} ms`]: +out.platform[op].toFixed(3), [`${out.wasm.path} ms`]: +out.wasm[op].toFixed(3), 'rsa-wasm / platform': +(out.wasm[op] / out.platform[op]).toFixed(1) });
  }
}
configureRsa({ prefer: 'platform' });
console.table(rows);
console.log(JSON.stringify({ rows, stats: rsaStats(), node: process.version }));
