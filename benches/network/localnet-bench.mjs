// The network group's measurements (issue #14), in a process of its own (the network layer
// installs process-wide exit handlers, and the loopback guard must load before any socket):
//   node benches/network/localnet-bench.mjs [--quick] --out results.json
// One local Streamr network (tests/network/localnet.mjs: anvil, StreamRegistryV5, one entry
// point), two pairs side by side, rounds interleaved so machine load hits both alike:
//   ours:  createPublisher on its own StreamrNetworkTransport → createSubscriber on another
//   stock: @streamr/sdk 103.3.2 publisher client → stock subscriber client
// 1. publish → deliver latency, steady state (the key already held), messages spaced;
// 2. key-exchange round trip: the publisher re-keys (new key not sent in-band), publishes one
//    message; the subscriber requests the key and delivers it. RSA-2048 and ML-KEM-1024.
// Each pair has its own stream, so no subscriber sees the other pair's traffic.
import { guard } from '../../tests/network/guard.mjs';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Wallet } from 'ethers';
import { LocalSigner, createPublisher, createSubscriber } from 'streamr-e2ee';
import { PERM, freePort, sleep, startLocalnet } from '../../tests/network/localnet.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const out = args[args.indexOf('--out') + 1];
if (!args.includes('--out') || !out) throw new Error('usage: localnet-bench.mjs [--quick] --out file.json');

const CONFIG = {
  latencyRounds: quick ? 8 : 200,
  keyExchangeRounds: quick ? 3 : 30,
  warmup: quick ? 2 : 10,
  spacingMs: 20,
  // Re-keys further apart: our publisher answers one requester 5 times a second at most
  // (maxKeyRequestsPerRequesterPerSecond); a refused request costs a 2 s retry.
  keyExchangeSpacingMs: 250,
  rsaKeyLength: 2048, // the localnet SDK clients' rsaKeyLength; ours set to the same
  payloadChars: 200,
};
const DELIVERY_TIMEOUT_MS = 60_000;
const log = (s) => console.error(`bench: network: ${s}`);
const pad = 'x'.repeat(CONFIG.payloadChars);

/** Deliveries by message number: `next(i)` resolves with the callback's clock reading. */
function deliveries(name) {
  const waiting = new Map();
  const keyIds = [];
  return {
    keyIds,
    errors: [],
    onContent(content, keyId) {
      keyIds.push(keyId);
      const w = waiting.get(content?.i);
      if (w) {
        waiting.delete(content.i);
        w(performance.now());
      }
    },
    next(i) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: message ${i} not delivered in ${DELIVERY_TIMEOUT_MS} ms`)), DELIVERY_TIMEOUT_MS);
        waiting.set(i, (t) => (clearTimeout(timer), resolve(t)));
      });
    },
  };
}

let seq = 0;
/** One message through `pair`: ms from just before publish() to the subscriber's callback. */
async function once(pair) {
  const i = ++seq;
  const delivered = pair.d.next(i);
  const t0 = performance.now();
  const [, t1] = await Promise.all([pair.publish({ i, pad }), delivered]);
  return t1 - t0;
}

/** A re-key (not timed) then one message: the subscriber needs a key exchange to deliver it. */
async function rekeyed(pair) {
  await pair.rekey();
  const before = pair.d.keyIds.length;
  const ms = await once(pair);
  const [prev, now] = [pair.d.keyIds[before - 1], pair.d.keyIds.at(-1)];
  if (!now || now === prev) throw new Error(`${pair.name}: the message after the re-key came under the old key (${now})`);
  return ms;
}

/** `rounds` interleaved rounds (ours, stock / stock, ours, …), samples `spacingMs` apart. */
async function interleaved(pairs, rounds, fn, spacingMs) {
  const samples = Object.fromEntries(pairs.map((p) => [p.side, []]));
  for (let r = 0; r < rounds; r++) {
    for (const p of r % 2 === 0 ? pairs : [...pairs].reverse()) {
      samples[p.side].push(await fn(p));
      await sleep(spacingMs);
    }
  }
  return samples;
}

const SELECTORS = { fb5642a0: 'hasPublicPermission', '7aa31f8c': 'getPermissionsForUserId', '1626ba7e': 'isValidSignature' };

/** Our publishers' registry port with every call timed (ms, in `times`) and counted by function. */
function timedRegistry(base) {
  const times = [];
  const calls = {};
  const registry = {
    streamRegistryAddress: base.streamRegistryAddress,
    async call(to, data) {
      const t = performance.now();
      const sel = Buffer.from(data.subarray(0, 4)).toString('hex');
      const name = SELECTORS[sel] ?? sel;
      calls[name] = (calls[name] ?? 0) + 1;
      try {
        return await base.call(to, data);
      } finally {
        times.push(performance.now() - t);
      }
    },
  };
  const reset = () => {
    times.length = 0;
    for (const k of Object.keys(calls)) delete calls[k];
  };
  return { registry, times, calls, reset };
}

function summary(xs) {
  if (xs.length === 0) return { samples: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { samples: s.length, medianMs: q(0.5), p90Ms: q(0.9), minMs: s[0], maxMs: s.at(-1) };
}

function compare(samples) {
  const ours = summary(samples.ours);
  const stock = summary(samples.stock);
  return { ours, stock, ratioMedian: ours.medianMs / stock.medianMs, ratioP90: ours.p90Ms / stock.p90Ms };
}

async function main() {
  const t0 = Date.now();
  const loadStart = os.loadavg();
  const net = await startLocalnet({ keyRequestTimeout: 30_000 });
  const handles = [];
  try {
    const { chain } = net;
    const streams = {};
    for (const side of ['ours', 'stock']) {
      for (const kind of ['latency', 'RSA', 'ML_KEM']) streams[`${side}/${kind}`] = await chain.createStream(`/bench-${kind.toLowerCase()}-${side}`);
    }
    log(`localnet up in ${Date.now() - t0} ms; 6 streams`);

    // Ours: one publisher transport and one subscriber transport, each serving WebSocket (the
    // localnet has no WebRTC: two dial-out-only nodes could not reach each other).
    const pubSigner = LocalSigner.generate();
    const subSigner = LocalSigner.generate();
    // Our publishers' eth_calls timed: after a re-key ours checks the subscriber's permission on
    // chain again (the SDK's publisher answers from its 24 h cache); the report says what it cost.
    const rpc = timedRegistry(net.registry());
    const registry = net.registry();
    const kinds = ['latency', 'RSA', 'ML_KEM'];
    for (const k of kinds) {
      await chain.grant(streams[`ours/${k}`], pubSigner.address, PERM.PUBLISH);
      await chain.grant(streams[`ours/${k}`], subSigner.address, PERM.SUBSCRIBE);
    }
    const ws = async () => { const port = await freePort(); return { websocketPortRange: { min: port, max: port } }; };
    const tPub = await net.transport(await ws());
    const tSub = await net.transport(await ws());
    const subOptions = { keyRequestTimeout: 30_000, rsaKeyLength: CONFIG.rsaKeyLength };
    const subRsa = createSubscriber({ signer: subSigner, transport: tSub, registry, options: { ...subOptions, keyExchange: 'RSA' } });
    const subMlKem = createSubscriber({ signer: subSigner, transport: tSub, registry, options: { ...subOptions, keyExchange: 'ML_KEM' } });
    handles.push(subRsa, subMlKem);
    const ours = {};
    const oursKeyRequests = {};
    const denied = [];
    for (const k of kinds) {
      const d = deliveries(`ours/${k}`);
      const sub = await (k === 'ML_KEM' ? subMlKem : subRsa).subscribe(streams[`ours/${k}`], 0, (m) => d.onContent(m.content, m.groupKeyId));
      sub.on('error', (e) => d.errors.push(e.code));
      oursKeyRequests[k] = () => sub.stats.keyRequestsSent;
      const publisher = createPublisher({ streamId: streams[`ours/${k}`], signer: pubSigner, transport: tPub, registry: rpc.registry });
      handles.push(publisher);
      publisher.on('keyDenied', (e) => denied.push(`${k}: ${e.code}`));
      ours[k] = { side: 'ours', name: `ours/${k}`, d, publish: (c) => publisher.publish(c), rekey: () => publisher.rekey() };
    }

    // Stock: one publisher client on its three streams; the RSA subscriber (the SDK default)
    // and the ML-KEM one (requireQuantumResistantKeyExchange) as two clients.
    const [wPub, wSub, wSubQ] = [Wallet.createRandom(), Wallet.createRandom(), Wallet.createRandom()];
    for (const k of kinds) {
      await chain.grant(streams[`stock/${k}`], wPub.address, PERM.PUBLISH);
      await chain.grant(streams[`stock/${k}`], (k === 'ML_KEM' ? wSubQ : wSub).address, PERM.SUBSCRIBE);
    }
    const P = await net.sdkClient(wPub.privateKey);
    const S = await net.sdkClient(wSub.privateKey);
    const SQ = await net.sdkClient(wSubQ.privateKey, { encryption: { requireQuantumResistantKeyExchange: true } });
    const stock = {};
    for (const k of kinds) {
      const d = deliveries(`stock/${k}`);
      const streamId = streams[`stock/${k}`];
      const sub = await (k === 'ML_KEM' ? SQ : S).subscribe(streamId, (content, meta) => d.onContent(content, meta.encryptionKeyId));
      sub.on('error', (e) => d.errors.push(e.code ?? String(e)));
      stock[k] = { side: 'stock', name: `stock/${k}`, d, publish: (c) => P.publish(streamId, c), rekey: () => P.updateEncryptionKey({ streamId, distributionMethod: 'rekey' }) };
    }
    log(`both pairs subscribed in ${Date.now() - t0} ms; warming up (first key exchanges, RSA key generation)`);

    // Warm-up, not recorded: joins, the first key exchange (and key-pair generation), JIT.
    for (const k of kinds) {
      for (let w = 0; w < CONFIG.warmup; w++) await Promise.all([once(ours[k]), once(stock[k])]);
    }
    for (const k of ['RSA', 'ML_KEM']) await Promise.all([rekeyed(ours[k]), rekeyed(stock[k])]);
    log(`warm in ${Date.now() - t0} ms`);

    const latency = compare(await interleaved([ours.latency, stock.latency], CONFIG.latencyRounds, once, CONFIG.spacingMs));
    log(`latency: ours ${latency.ours.medianMs.toFixed(1)} ms, stock ${latency.stock.medianMs.toFixed(1)} ms (median)`);
    const keyExchange = {};
    for (const k of ['RSA', 'ML_KEM']) {
      const before = oursKeyRequests[k]();
      rpc.reset();
      keyExchange[k] = compare(await interleaved([ours[k], stock[k]], CONFIG.keyExchangeRounds, rekeyed, CONFIG.keyExchangeSpacingMs));
      const requests = oursKeyRequests[k]() - before;
      if (requests < CONFIG.keyExchangeRounds) throw new Error(`ours/${k}: ${requests} key requests for ${CONFIG.keyExchangeRounds} re-keys`);
      keyExchange[k].oursKeyRequests = requests;
      keyExchange[k].oursEthCalls = { perRound: rpc.times.length / CONFIG.keyExchangeRounds, calls: { ...rpc.calls }, ...summary(rpc.times) };
      log(`key exchange ${k}: ours ${keyExchange[k].ours.medianMs.toFixed(1)} ms, stock ${keyExchange[k].stock.medianMs.toFixed(1)} ms (median)`);
    }
    if (denied.length) throw new Error(`our publishers refused key requests: ${denied.join(', ')}`);
    const errors = Object.fromEntries([...Object.values(ours), ...Object.values(stock)].map((p) => [p.name, p.d.errors]));
    const result = {
      config: CONFIG,
      latency,
      keyExchange,
      errors,
      guardBlocked: guard.blocked.length,
      guardBlockedTargets: guard.blocked.map((b) => `${b.kind} ${b.target}`),
      loadStart,
      loadEnd: os.loadavg(),
      seconds: (Date.now() - t0) / 1000,
    };
    writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
    log(`done in ${result.seconds.toFixed(0)} s; loopback guard blocked ${result.guardBlocked}`);
  } finally {
    for (const h of handles.reverse()) await h.close().catch(() => undefined);
    await net.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
