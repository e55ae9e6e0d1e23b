// Issue #20 in the browser benchmark (group `perf20`): where one 1 KiB message's time goes in
// the subscriber (the breakdown), and the levers against it, side by side with the SDK in this
// one page. Row names starting "Breakdown:" pair with the native rows of the same names
// (examples/bench_native.rs); "Lever:" rows are the lever table. benches/report.mjs renders both.
// The recovery levers are small modules of benches/recover-lever/ (its build.sh); a lever whose
// module is not built is skipped (a stub, like the build variants).
import * as lib from 'streamr-e2ee';
import * as leverBoth from 'recover-lever-both';
import * as leverPre from 'recover-lever-precomputed';
import * as leverLow from 'recover-lever-lowmem';
import * as leverK32 from 'recover-lever-k256-32';
import { Buffer } from 'buffer';
import { createDecipheriv, EcdsaSecp256k1Evm } from '@streamr/utils';
import { measure, measureRuns } from './harness.mjs';
import { poolScaling } from './pool.mjs';

const built = (m) => (m.missing ? null : m);

export const BD = {
  whole: 'Breakdown: whole handleMessage + pollOutputs',
  decode: 'Breakdown: decode (protobuf to StreamMessage)',
  payload: 'Breakdown: signature payload building',
  keccak: 'Breakdown: EIP-191 keccak of the payload',
  recover: 'Breakdown: secp256k1 recovery + address keccak',
  recoverAll: 'Breakdown: recoverEvmAddress (keccak + recovery + address)',
  aes: 'Breakdown: AES-256-CTR decrypt 1 KiB',
  shimDecode: 'Breakdown: the shim\'s decodeContent (BINARY: content in and out again)',
  emptyCall: 'Breakdown: a wasm call that does nothing (pollOutputs, empty queue)',
  jsCopy: 'Breakdown: one 1 KiB copy in JS (Uint8Array.slice)',
};
export const LEVER = {
  recover: 'Lever: secp256k1 EVM recovery (keccak + recover + address)',
  sign: 'Lever: secp256k1 EVM sign (k256, steady state)',
  pipeline: 'Lever: subscriber pipeline per 1 KiB message, same messages, interleaved rounds',
};

/** ctx: the entry's helpers and settings (record, status, T, Q, publishMany, pump, STREAM, T0, hexToBytes, rand). */
export async function perf20(ctx) {
  const { record, status, T, Q, publishMany, pump, STREAM, T0, hexToBytes } = ctx;
  const n = Q ? 200 : 1000;
  const { sent, key, publisherId } = publishMany(n + 1, 1024);
  const kx = lib.MlKemKeyPair.generate();
  const G = 'perf20';

  // ---- The breakdown --------------------------------------------------------------------
  status('issue #20 breakdown');
  const fresh = () => {
    const sub = new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), kx, T0);
    sub.addKey(publisherId, key, T0);
    let delivered = 0;
    const count = (o) => { if (o.type === 'deliver') delivered += 1; };
    sub.handleMessage(sent[0], T0); // the permission question, outside the timing
    pump(sub, T0, count);
    return { sub, count, delivered: () => delivered };
  };
  const whole = await measureRuns(() => {
    const s = fresh();
    const t0 = performance.now();
    for (let i = 1; i <= n; i++) {
      s.sub.handleMessage(sent[i], T0 + i);
      pump(s.sub, T0 + i, s.count);
    }
    const dt = performance.now() - t0;
    if (s.delivered() !== n + 1) throw new Error(`breakdown: delivered ${s.delivered()} of ${n + 1}`);
    s.sub.free();
    return dt;
  }, { samples: Q ? 3 : 7, per: n });
  record(G, BD.whole, 'ours', whole, { note: 'the wasm Subscriber driven directly: handleMessage (bytes copied in), pollOutputs (output objects, content copied out)' });

  const bytes = sent[1];
  const msg = lib.StreamMessage.fromBytes(bytes);
  const payload = msg.signaturePayload();
  const signature = msg.signature;
  const content = msg.content;
  msg.free();
  record(G, BD.decode, 'ours', await measure(() => lib.StreamMessage.fromBytes(bytes).free(), T), { note: 'StreamMessage.fromBytes + free(): the message copied in, decoded, a handle made and freed' });
  const held = lib.StreamMessage.fromBytes(bytes);
  record(G, BD.payload, 'ours', await measure(() => held.signaturePayload(), T), { note: 'signaturePayload(): built in wasm, copied out' });
  held.free();
  const both = built(leverBoth);
  // The keccak and recovery rows from the lever module built as the shipped one is (10x26 limbs).
  const k32 = built(leverK32);
  if (k32) {
    const digest = k32.eip191Keccak(payload);
    if (k32.recoverK256Prehash(digest, signature) === undefined) throw new Error('lever module does not recover');
    record(G, BD.keccak, 'ours', await measure(() => k32.eip191Keccak(payload), T), { note: 'benches/recover-lever k256-32 (keccak at opt-level 3, as in the shipped module)' });
    record(G, BD.recover, 'ours', await measure(() => k32.recoverK256Prehash(digest, signature), T), { note: 'benches/recover-lever k256-32: k256 recover_from_prehash (10x26 limbs, as shipped) + keccak of the point' });
  }
  if (lib.recoverEvmAddress(payload, signature) !== publisherId) throw new Error('recoverEvmAddress disagrees');
  record(G, BD.recoverAll, 'ours', await measure(() => lib.recoverEvmAddress(payload, signature), T), { note: 'the shipped module: payload copied in, address out as a string' });
  record(G, BD.aes, 'ours', await measure(() => lib.decryptWithAES(content, key.data), T), { note: 'decryptWithAES: ciphertext copied in, plaintext out' });
  const plain = lib.decryptWithAES(content, key.data);
  record(G, BD.shimDecode, 'ours', await measure(() => lib.decodeContent(plain, lib.ContentType.BINARY), T), { note: 'ts/api/subscriber.ts deliver(): decodeContent(out.content, BINARY) copies the content in and out again' });
  const idle = new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), kx, T0);
  record(G, BD.emptyCall, 'ours', await measure(() => idle.pollOutputs(), T), { note: 'the boundary cost of one call' });
  idle.free();
  record(G, BD.jsCopy, 'ours', await measure(() => plain.slice(), T), { note: 'what one crossing of the content costs at least (a copy)' });

  // ---- Lever: recovery implementations ----------------------------------------------------
  status('issue #20 levers: recovery');
  const sdkEvm = new EcdsaSecp256k1Evm();
  const address = hexToBytes(publisherId);
  const addrHex = (b) => `0x${Buffer.from(b).toString('hex')}`;
  const recoverers = [['ours', () => lib.recoverEvmAddress(payload, signature)]];
  const low = built(leverLow);
  const pre = built(leverPre);
  if (both) {
    recoverers.push(['k256, 5x52 limbs (as shipped before #20; lever module, opt-level 3)', () => both.recoverK256(payload, signature)]);
    recoverers.push(['libsecp256k1 (secp256k1 crate, ECMULT_WINDOW_SIZE 15)', () => both.recoverLibsecp(payload, signature)]);
  }
  if (low) recoverers.push(['libsecp256k1 lowmemory (window 4)', () => low.recoverLibsecp(payload, signature)]);
  if (pre) recoverers.push(['k256 + precomputed-tables', () => pre.recoverK256(payload, signature)]);
  if (k32) recoverers.push(['k256, 10x26 limbs (cpubits = "32")', () => k32.recoverK256(payload, signature)]);
  for (const [name, f] of recoverers) {
    const got = f();
    if ((typeof got === 'string' ? got : addrHex(got)) !== publisherId) throw new Error(`${name} recovers another address`);
    record(G, LEVER.recover, name, await measure(f, T));
  }
  record(G, LEVER.recover, 'SDK', await measure(() => sdkEvm.verifySignature(address, payload, signature), T));

  // precomputed-tables: what it does to signing, and its first-use cost (the table is built
  // lazily by the first signature of the page).
  if (both && pre) {
    status('issue #20 levers: precomputed-tables');
    const sk = crypto.getRandomValues(new Uint8Array(32));
    const firstUse = {};
    for (const [name, m] of [['k256, 5x52 limbs (lever module, opt-level 3)', both], ['k256 + precomputed-tables', pre]]) {
      const t0 = performance.now();
      m.signK256(sk, payload);
      firstUse[name] = performance.now() - t0;
    }
    for (const [name, m] of [['k256, 5x52 limbs (lever module, opt-level 3)', both], ['k256 + precomputed-tables', pre]]) {
      record(G, LEVER.sign, name, await measure(() => m.signK256(sk, payload), T), { firstUseMs: firstUse[name] });
    }
  }

  // ---- Lever: the pipeline: one by one, and through the shim's old delivery ------------------
  // (A batch entry, handleMessages, was measured and dropped: see benches/perf20-report.mjs.)
  status('issue #20 levers: pipeline');
  const paths = {
    'ours': (s) => { for (let i = 1; i <= n; i++) { s.sub.handleMessage(sent[i], T0 + i); pump(s.sub, T0 + i, s.count); } },
    'ours + the shim\'s decodeContent (the delivery before #20)': (s) => {
      const deliverShim = (o) => { if (o.type === 'deliver') { lib.decodeContent(o.content, o.contentType); s.count(o); } };
      for (let i = 1; i <= n; i++) { s.sub.handleMessage(sent[i], T0 + i); pump(s.sub, T0 + i, deliverShim); }
    },
  };
  const names = Object.keys(paths);
  const times = Object.fromEntries(names.map((k) => [k, []]));
  const rounds = Q ? 2 : 6;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const s = fresh();
      const t0 = performance.now();
      paths[name](s);
      const dt = performance.now() - t0;
      if (s.delivered() !== n + 1) throw new Error(`${name}: delivered ${s.delivered()} of ${n + 1}`);
      times[name].push(dt);
      s.sub.free();
    }
  }
  const asRuns = (list) => measureRuns((() => { let k = 0; return () => list[k++]; })(), { samples: list.length, per: n });
  for (const name of names) {
    if (times[name].length) record(G, LEVER.pipeline, name, await asRuns(times[name]), { rate: 'messages/s' });
  }
  // The SDK's per-message crypto on the same messages (as the 'pipe' group's SDK row).
  const pre2 = sent.map((b) => {
    const m = lib.StreamMessage.fromBytes(b);
    const r = { payload: m.signaturePayload(), signature: m.signature, content: m.content };
    m.free();
    return r;
  });
  const sdk = await measureRuns(async () => {
    const t0 = performance.now();
    for (let i = 1; i <= n; i++) {
      const { payload: p, signature: sg, content: c } = pre2[i];
      if (!(await sdkEvm.verifySignature(address, p, sg))) throw new Error('SDK verify failed');
      const d = createDecipheriv('aes-256-ctr', key.data, c.subarray(0, 16));
      if (Buffer.concat([d.update(c.subarray(16)), d.final()]).length !== 1024) throw new Error('SDK decrypt');
    }
    return performance.now() - t0;
  }, { samples: Q ? 2 : 5, per: n });
  record(G, LEVER.pipeline, 'SDK', sdk, { rate: 'messages/s', note: 'SDK verify + decrypt only (no decode, no ordering): in its favour' });

  // ---- The worker pool --------------------------------------------------------------------
  await poolScaling({ ...ctx, sent, n, record, G, fresh });
}
