// The browser half of `npm run bench`: every case runs in this page (headless Chromium, the
// webpack bundle of pkg/), side by side with the alternatives a browser app would use:
// WebCrypto, and the SDK's own browser code (@streamr/utils as the SDK bundles it:
// browserify-aes behind createCipheriv, `secp256k1` (elliptic) behind EcdsaSecp256k1Evm,
// noble behind P-256 / ML-DSA-87 / ML-KEM). run.mjs sets window.__benchConfig before this
// script runs and collects window.__bench (or window.__benchError).
import * as lib from 'streamr-e2ee';
// The package's web build itself: its init returns the instance's exports (`memory`).
import initWasm from 'streamr-e2ee-web';
import * as simd from 'streamr-e2ee-variant-simd128';
import * as c64 from 'streamr-e2ee-variant-cpubits64';
import * as w32 from 'streamr-e2ee-variant-words32';
import * as o3 from 'streamr-e2ee-variant-o3';
import { Buffer } from 'buffer';
import { createCipheriv, createDecipheriv, EcdsaSecp256k1Evm, EcdsaSecp256r1, MlDsa87 } from '@streamr/utils';
import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { measure, measureRuns, minBatch } from './harness.mjs';
import { workerBench } from './worker.mjs';
import { invalidBatches, summary } from '../timing.mjs';
import { perf20 } from './perf20.mjs';

const cfg = window.__benchConfig ?? { quick: true };
const Q = cfg.quick;
const T = { sampleMs: Q ? 5 : 60, samples: Q ? 3 : 11 };
const SLOW = { samples: Q ? 1 : 5 };
// RSA key generation in wasm takes seconds: the quick run uses 2048-bit keys.
const RSA_BITS = Q ? 2048 : 4096;
const STREAM = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/bench';
const T0 = 1_800_000_000_000;
// Other builds of the same crate (raw wasm-bindgen modules, see run.mjs); a stub when not built.
const VARIANTS = [['ours', lib], ['ours (simd128)', simd], ['ours (opt-level 3)', o3], ['ours (cpubits 64)', c64], ['ours (cpubits 32 everywhere)', w32]].filter(([, l]) => l.encryptWithAES);
const ASYNC_AES = `ours, async API (WebCrypto from ${lib.WEBCRYPTO_AES_MIN_BYTES} B)`;
const results = [];
const notes = [];
const status = (s) => { document.title = s; console.log(`bench: ${s}`); };

const record = (group, name, impl, stats, extra = {}) => results.push({ group, name, impl, ...stats, ...extra });
const rand = (n) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(n, i + 65536)));
  return b;
};
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const hexToBytes = (h) => Uint8Array.from(h.replace(/^0x/, '').match(/../g).map((x) => parseInt(x, 16)));

// ---- AES-256-CTR --------------------------------------------------------------------------
async function aes() {
  const key = rand(32);
  const wcKey = await crypto.subtle.importKey('raw', key, 'AES-CTR', false, ['encrypt', 'decrypt']);
  const oursOf = (l) => ({ enc: (d) => l.encryptWithAES(d, key), dec: (c) => l.decryptWithAES(c, key) });
  const ours = oursOf(lib);
  // WebCrypto with the SDK's wire format: a fresh IV, `iv ‖ ct`, the full 128-bit counter.
  const webcrypto = {
    enc: async (d) => {
      const iv = crypto.getRandomValues(new Uint8Array(16));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 128 }, wcKey, d));
      const out = new Uint8Array(16 + ct.length);
      out.set(iv);
      out.set(ct, 16);
      return out;
    },
    dec: async (c) => new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CTR', counter: c.subarray(0, 16), length: 128 }, wcKey, c.subarray(16))),
  };
  // The SDK's EncryptionUtil.encryptWithAES / decryptWithAES over @streamr/utils.
  const sdk = {
    enc: (d) => {
      const iv = crypto.getRandomValues(new Uint8Array(16));
      const cipher = createCipheriv('aes-256-ctr', key, iv);
      return Buffer.concat([iv, cipher.update(d), cipher.final()]);
    },
    dec: (c) => {
      const decipher = createDecipheriv('aes-256-ctr', key, c.subarray(0, 16));
      return Buffer.concat([decipher.update(c.subarray(16)), decipher.final()]);
    },
  };
  // The async API: wasm below WEBCRYPTO_AES_MIN_BYTES, WebCrypto from there on.
  const routed = { enc: (d) => lib.encryptWithAESAsync(d, key), dec: (c) => lib.decryptWithAESAsync(c, key) };
  const impls = { ...Object.fromEntries(VARIANTS.map(([n, l]) => [n, oursOf(l)])), [ASYNC_AES]: routed, WebCrypto: webcrypto, SDK: sdk };
  for (const size of [64, 1024, 16384, 1048576]) {
    const data = rand(size);
    const ct = ours.enc(data);
    // Every implementation must produce the same wire bytes before it is timed.
    for (const [name, impl] of Object.entries(impls)) {
      const c = await impl.enc(data);
      if (!same(await ours.dec(c), data) || !same(await impl.dec(ct), data)) throw new Error(`AES ${name} disagrees at ${size} B`);
    }
    const label = size >= 1048576 ? '1 MiB' : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
    for (const [op, arg] of [['encrypt', data], ['decrypt', ct]]) {
      for (const [name, impl] of Object.entries(impls)) {
        status(`AES ${op} ${label} ${name}`);
        const st = await measure(() => impl[op === 'encrypt' ? 'enc' : 'dec'](arg), T);
        record('aes', `AES-256-CTR ${op} ${label}`, name, st, { bytes: size });
      }
    }
  }
}

// ---- Signatures -----------------------------------------------------------------------------
/** A content message signed by `signer`, decoded, and its signature payload. */
function signedMessage(signer, size = 1024) {
  const pub = new lib.Publisher({ streamId: STREAM, encrypt: false }, signer);
  pub.publish(rand(size), lib.ContentType.BINARY, T0);
  const bytes = pub.pollOutputs().find((o) => o.type === 'send').bytes;
  const msg = lib.StreamMessage.fromBytes(bytes);
  return { bytes, msg, payload: msg.signaturePayload(), signature: msg.signature };
}

/** `signedMessage` for a shim P256Signer: the core asks it to sign (`sign` question). */
async function signedP256Message(signer, size = 1024) {
  const pub = new lib.Publisher({ streamId: STREAM, encrypt: false }, signer.external);
  pub.publish(rand(size), lib.ContentType.BINARY, T0);
  for (;;) {
    const outs = pub.pollOutputs();
    const ask = outs.find((o) => o.type === 'ask' && o.question.type === 'sign');
    const send = outs.find((o) => o.type === 'send');
    if (send !== undefined) {
      const msg = lib.StreamMessage.fromBytes(send.bytes);
      return { bytes: send.bytes, msg, payload: msg.signaturePayload(), signature: msg.signature };
    }
    if (ask === undefined) throw new Error('the publisher neither asked to sign nor sent');
    pub.answer(ask.id, { type: 'signature', signature: await signer.sign(ask.question.payload) }, T0);
  }
}

async function signatures() {
  const evm = lib.EvmSigner.generate();
  const sdkEvm = new EcdsaSecp256k1Evm();
  const { privateKey: sdkPriv } = sdkEvm.generateKeyPair();
  const { payload, signature } = signedMessage(evm);
  const address = hexToBytes(evm.address);
  if (!(await sdkEvm.verifySignature(address, payload, signature))) throw new Error('SDK does not verify our EVM signature');
  const sdkSig = await sdkEvm.createSignature(payload, sdkPriv);
  if (lib.recoverEvmAddress(payload, sdkSig).toLowerCase() !== `0x${Buffer.from(sdkEvm.recoverSignerUserId(sdkSig, payload)).toString('hex')}`) {
    throw new Error('we recover another address than the SDK');
  }
    status('EVM sign');
  for (const [name, l] of VARIANTS) {
    const s = l.EvmSigner.generate();
    record('sig', 'secp256k1 EVM sign (1 KiB message)', name, await measure(() => s.sign(payload), T));
  }
  record('sig', 'secp256k1 EVM sign (1 KiB message)', 'SDK', await measure(() => sdkEvm.createSignature(payload, sdkPriv), T));
  status('EVM recover');
  for (const [name, l] of VARIANTS) {
    if (l.recoverEvmAddress(payload, signature) !== evm.address) throw new Error(`${name} recovers another address`);
    record('sig', 'secp256k1 EVM verify (recover)', name, await measure(() => l.recoverEvmAddress(payload, signature), T));
  }
  record('sig', 'secp256k1 EVM verify (recover)', 'SDK', await measure(() => sdkEvm.verifySignature(address, payload, signature), T));

  // P-256 and ML-DSA-87: ours verifies the decoded message (payload built inside wasm);
  // the SDK verifies the payload (built by the caller).
  // P-256 is the platform's since issue #16 (docs/p256.md): the core answers NEEDS_P256 and
  // ours is the package's WebCrypto verification of what the core hands over.
  const p256 = await lib.P256Signer.generate();
  const m256 = await signedP256Message(p256);
  const check = m256.msg.verifySignature();
  if (check.status !== 'NEEDS_P256' || !(await lib.verifyP256Signature(check.publicKey, check.payload, check.signature))) throw new Error('P-256 message does not verify');
  if (!(await new EcdsaSecp256r1().verifySignature(p256.publicKey, m256.payload, m256.signature))) throw new Error('SDK does not verify our P-256 signature');
  status('P-256 verify');
  record('sig', 'P-256 verify (1 KiB message)', 'ours', await measure(async () => {
    const c = m256.msg.verifySignature();
    return lib.verifyP256Signature(c.publicKey, c.payload, c.signature);
  }, T));
  const sdk256 = new EcdsaSecp256r1();
  record('sig', 'P-256 verify (1 KiB message)', 'SDK', await measure(() => sdk256.verifySignature(p256.publicKey, m256.payload, m256.signature), T));

  const dsa = lib.MlDsa87Signer.generate();
  const mdsa = signedMessage(dsa);
  if (mdsa.msg.verifySignature().status !== 'VALID') throw new Error('ML-DSA-87 message does not verify');
  const sdkDsa = new MlDsa87();
  if (!(await sdkDsa.verifySignature(dsa.publicKey, mdsa.payload, mdsa.signature))) throw new Error('SDK does not verify our ML-DSA-87 signature');
  status('ML-DSA-87 verify');
  for (const [name, l] of VARIANTS) {
    const m = l.StreamMessage.fromBytes(mdsa.bytes);
    if (m.verifySignature().status !== 'VALID') throw new Error(`${name}: ML-DSA-87 message does not verify`);
    record('sig', 'ML-DSA-87 verify (1 KiB message)', name, await measure(() => m.verifySignature(), T));
  }
  record('sig', 'ML-DSA-87 verify (1 KiB message)', 'SDK', await measure(() => sdkDsa.verifySignature(dsa.publicKey, mdsa.payload, mdsa.signature), T));
}

// ---- Key exchange primitives ----------------------------------------------------------------
async function keyExchange() {
  const gk = lib.GroupKey.generate();
  status('ML-KEM-1024');
  for (const [name, l] of VARIANTS) record('kem', 'ML-KEM-1024 keygen', name, await measure(() => l.MlKemKeyPair.generate().free(), T));
  record('kem', 'ML-KEM-1024 keygen', '@noble/post-quantum', await measure(() => ml_kem1024.keygen(), T));
  const kp = lib.MlKemKeyPair.generate();
  const pk = kp.publicKey;
  for (const [name, l] of VARIANTS) {
    const k = new l.GroupKey(gk.id, gk.data);
    record('kem', 'ML-KEM-1024 encapsulate', name, await measure(() => l.wrapGroupKey(k, l.AsymmetricEncryptionType.ML_KEM, pk), T), { note: 'wrapGroupKey: encapsulate + HKDF + AES of the group key' });
  }
  record('kem', 'ML-KEM-1024 encapsulate', '@noble/post-quantum', await measure(() => ml_kem1024.encapsulate(pk), T));
  const wrapped = await lib.wrapGroupKey(gk, lib.AsymmetricEncryptionType.ML_KEM, pk);
  const secret = kp.expandedSecretKey();
  for (const [name, l] of VARIANTS) {
    const k = l.MlKemKeyPair.fromExpandedSecretKey(secret);
    if (!same(k.unwrapGroupKey(gk.id, wrapped).data, gk.data)) throw new Error(`${name}: ML-KEM unwrap`);
    record('kem', 'ML-KEM-1024 decapsulate', name, await measure(() => k.unwrapGroupKey(gk.id, wrapped).free(), T), { note: 'unwrapGroupKey: decapsulate + HKDF + AES' });
  }
  const nk = ml_kem1024.keygen();
  const { cipherText } = ml_kem1024.encapsulate(nk.publicKey);
  record('kem', 'ML-KEM-1024 decapsulate', '@noble/post-quantum', await measure(() => ml_kem1024.decapsulate(cipherText, nk.secretKey), T));

  // RSA (issue #16): the main module has none. "ours" is the package's default path in a
  // browser (WebCrypto through its RSA provider, the baseline of the ratios); "ours (rsa-wasm)"
  // is the former in-wasm RSA (the same rsa crate), now the lazily loaded fallback module;
  // "WebCrypto" is the bare API.
  const rsaAlg = { name: 'RSA-OAEP', modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' };
  const RSA_PATHS = [['ours (rsa-wasm)', 'wasm'], ['ours', 'platform']];
  status(`RSA-${RSA_BITS} keygen`);
  for (const [label, prefer] of RSA_PATHS) {
    lib.configureRsa({ prefer });
    record('kem', `RSA-${RSA_BITS} keygen`, label, await measureRuns(async () => {
      const t0 = performance.now();
      (await lib.RsaKeyPair.generate(RSA_BITS)).free();
      return performance.now() - t0;
    }, SLOW), { note: prefer === 'wasm' ? 'one synchronous wasm call: blocks the thread it runs on' : 'WebCrypto through the package\'s RSA provider (the default)' });
  }
  record('kem', `RSA-${RSA_BITS} keygen`, 'WebCrypto', await measureRuns(async () => {
    const t0 = performance.now();
    await crypto.subtle.generateKey(rsaAlg, false, ['encrypt', 'decrypt']);
    return performance.now() - t0;
  }, SLOW));
  status(`RSA-${RSA_BITS} OAEP encrypt/decrypt`);
  for (const [label, prefer] of RSA_PATHS) {
    lib.configureRsa({ prefer });
    const rsa = await lib.RsaKeyPair.generate(RSA_BITS);
    const rsaWrapped = await lib.wrapGroupKey(gk, lib.AsymmetricEncryptionType.RSA, rsa.publicKeyPem);
    if (!same((await rsa.unwrapGroupKey(gk.id, rsaWrapped)).data, gk.data)) throw new Error(`${label}: RSA unwrap`);
    record('kem', `RSA-${RSA_BITS} OAEP encrypt (wrapGroupKey)`, label, await measure(() => lib.wrapGroupKey(gk, lib.AsymmetricEncryptionType.RSA, rsa.publicKeyPem), T));
    record('kem', `RSA-${RSA_BITS} OAEP decrypt`, label, await measure(async () => (await rsa.unwrapGroupKey(gk.id, rsaWrapped)).free(), T));
    rsa.free();
  }
  lib.configureRsa({ prefer: 'platform' });
  const wc = await crypto.subtle.generateKey(rsaAlg, false, ['encrypt', 'decrypt']);
  const wcCt = await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wc.publicKey, gk.data);
  record('kem', `RSA-${RSA_BITS} OAEP encrypt (wrapGroupKey)`, 'WebCrypto', await measure(() => crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wc.publicKey, gk.data), T));
  record('kem', `RSA-${RSA_BITS} OAEP decrypt`, 'WebCrypto', await measure(() => crypto.subtle.decrypt({ name: 'RSA-OAEP' }, wc.privateKey, wcCt), T));
}

// ---- Pipelines ------------------------------------------------------------------------------
/** Drains `m`, answering every question at once (permissions granted, local signers). */
function pump(m, now, onOutput = null) {
  for (let outs = m.pollOutputs(); outs.length > 0; outs = m.pollOutputs()) {
    for (const o of outs) {
      if (o.type === 'ask') {
        // loadKey: these hosts keep no key store (the keys come through addKey or key exchange).
        if (o.question.type === 'loadKey') m.answer(o.id, { type: 'storedKey' }, now);
        else if (o.question.type === 'permission') m.answer(o.id, { type: 'permission', allowed: true }, now);
        else throw new Error(`unexpected question ${o.question.type}`);
      } else if (onOutput) {
        onOutput(o);
      }
    }
  }
}

/** `count` encrypted, signed content messages of `size` bytes from one EVM publisher. */
function publishMany(count, size, signer = lib.EvmSigner.generate()) {
  const pub = new lib.Publisher({ streamId: STREAM }, signer);
  const content = rand(size);
  const sent = [];
  let key;
  for (let i = 0; i < count; i++) {
    pub.publish(content, lib.ContentType.BINARY, T0 + i);
    pump(pub, T0 + i, (o) => {
      if (o.type === 'send') sent.push(o.bytes);
      if (o.type === 'storeKey') key = { id: o.key.id, data: o.key.data };
    });
  }
  return { pub, sent, key, publisherId: pub.userId };
}

async function subscriberPipeline() {
  const n = Q ? 300 : 1000;
  const PIPE = { samples: Q ? 3 : 5 };
  const { sent, key, publisherId } = publishMany(n + 1, 1024);
  for (const [name, l] of VARIANTS) {
    const kx = l.MlKemKeyPair.generate();
    status(`subscriber pipeline (${name})`);
    const ours = await measureRuns(() => {
      const sub = new l.Subscriber({ streamId: STREAM }, l.EvmSigner.generate(), kx, T0);
      sub.addKey(publisherId, key, T0);
      let delivered = 0;
      const count = (o) => { if (o.type === 'deliver') delivered += 1; };
      sub.handleMessage(sent[0], T0); // the first message asks for the publisher's permission
      pump(sub, T0, count);
      const t0 = performance.now();
      for (let i = 1; i <= n; i++) {
        sub.handleMessage(sent[i], T0 + i);
        pump(sub, T0 + i, count);
      }
      const dt = performance.now() - t0;
      if (delivered !== n + 1) throw new Error(`subscriber delivered ${delivered} of ${n + 1}`);
      sub.free();
      return dt;
    }, { ...PIPE, per: n });
    record('pipe', 'Subscriber: decode + verify + decrypt, 1 KiB message', name, ours, { rate: 'messages/s', note: 'wasm Subscriber: decode, EVM recover, chain order, AES-CTR, deliver' });
  }

  await shimDecodeComparison(sent, key, publisherId, n, PIPE);

  // The SDK's per-message crypto: SignatureValidator (EcdsaSecp256k1Evm.verifySignature over
  // the payload) then EncryptionUtil.decryptWithAES. Its protobuf decode, payload building and
  // ordering are not counted: the comparison is in the SDK's favour.
  const sdkEvm = new EcdsaSecp256k1Evm();
  const address = hexToBytes(publisherId);
  const pre = sent.map((b) => {
    const m = lib.StreamMessage.fromBytes(b);
    return { payload: m.signaturePayload(), signature: m.signature, content: m.content };
  });
  status('subscriber pipeline (SDK)');
  const sdk = await measureRuns(async () => {
    const t0 = performance.now();
    for (let i = 1; i <= n; i++) {
      const { payload, signature, content } = pre[i];
      if (!(await sdkEvm.verifySignature(address, payload, signature))) throw new Error('SDK verify failed');
      const decipher = createDecipheriv('aes-256-ctr', key.data, content.subarray(0, 16));
      const plain = Buffer.concat([decipher.update(content.subarray(16)), decipher.final()]);
      if (plain.length !== 1024) throw new Error('SDK decrypt');
    }
    return performance.now() - t0;
  }, { ...PIPE, per: n });
  record('pipe', 'Subscriber: decode + verify + decrypt, 1 KiB message', 'SDK', sdk, { rate: 'messages/s', note: 'SDK verify + decrypt only (no decode)' });
}

/**
 * Issue #13: the shim no longer decodes. Before, with a key store (the documented set-up), the
 * subscription decoded every inbound message itself to look for a key it could load
 * (`StreamMessage.fromBytes`, read `messageType`, `groupKeyId`, `publisherId`, `free()`, then
 * `core.hasKey`) before `handleMessage` decoded it again. Both paths on the same build and the
 * same messages, side by side: two subscribers take the messages in chunks, in alternation
 * (the order flipping each chunk), so load on the shared machine hits both alike; the ratio is
 * taken per round. The extra decode is also timed on its own.
 */
function oldShimDecode(sub, bytes) {
  let msg;
  try {
    msg = lib.StreamMessage.fromBytes(bytes);
    if (msg.messageType === 'MESSAGE') {
      const keyId = msg.groupKeyId;
      const pub = msg.publisherId;
      // The old shim read the key store here when the core lacked the key; here it has it.
      if (keyId !== undefined && !sub.hasKey(pub, keyId)) throw new Error('bench: the core should hold the key');
    }
  } finally {
    msg?.free();
  }
}

async function shimDecodeComparison(sent, key, publisherId, n, PIPE) {
  const kx = lib.MlKemKeyPair.generate();
  const CHUNK = 20;
  const round = () => {
    const subs = [false, true].map((oldShim) => {
      const sub = new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), kx, T0);
      sub.addKey(publisherId, key, T0);
      const state = { sub, oldShim, delivered: 0, ms: 0 };
      sub.handleMessage(sent[0], T0);
      pump(sub, T0, (o) => { if (o.type === 'deliver') state.delivered += 1; });
      return state;
    });
    const feed = (st, from, to) => {
      const count = (o) => { if (o.type === 'deliver') st.delivered += 1; };
      const t0 = performance.now();
      for (let i = from; i < to; i++) {
        if (st.oldShim) oldShimDecode(st.sub, sent[i]);
        st.sub.handleMessage(sent[i], T0 + i);
        pump(st.sub, T0 + i, count);
      }
      st.ms += performance.now() - t0;
    };
    for (let from = 1, c = 0; from <= n; from += CHUNK, c++) {
      const to = Math.min(n + 1, from + CHUNK);
      const order = c % 2 === 0 ? subs : [...subs].reverse();
      for (const st of order) feed(st, from, to);
    }
    for (const st of subs) {
      if (st.delivered !== n + 1) throw new Error(`subscriber delivered ${st.delivered} of ${n + 1}`);
      st.sub.free();
    }
    return { now: subs[0].ms / n, old: subs[1].ms / n };
  };
  status('subscriber through the shim: without and with the old extra decode');
  const rounds = [];
  for (let r = 0; r < PIPE.samples * 2; r++) rounds.push(round());
  // Per message; each round's total (n messages) must be a valid timing (benches/timing.mjs).
  const summarize = (xs) => {
    const why = invalidBatches(xs.map((x) => x * n), minBatch());
    return why ? { failed: why, iters: n, samples: xs.length } : summary(xs, n);
  };
  const NOW = 'ours';
  const OLD = 'ours + the old shim decode (before #13)';
  const name = 'Subscriber per message through the shim, 1 KiB: bytes straight to the core vs the old extra decode';
  const ratios = rounds.map((x) => x.old / x.now).sort((a, b) => a - b);
  const ratio = ratios[Math.floor(ratios.length / 2)];
  record('pipe', name, NOW, summarize(rounds.map((x) => x.now)), { rate: 'messages/s', note: 'the shim passes the bytes to Subscriber.handleMessage undecoded (issue #13)' });
  record('pipe', name, OLD, summarize(rounds.map((x) => x.old)), {
    rate: 'messages/s',
    note: `before: StreamMessage.fromBytes + messageType/groupKeyId/publisherId + free() + hasKey, then handleMessage; per-round ratio old/new: median ${ratio.toFixed(3)}, range ${ratios[0].toFixed(3)}–${ratios.at(-1).toFixed(3)} over ${ratios.length} rounds`,
  });
  // The extra decode alone, per message (what the removal saves, without the pipeline's noise).
  const probe = new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), kx, T0);
  probe.addKey(publisherId, key, T0);
  let i = 0;
  const decode = await measure(() => oldShimDecode(probe, sent[1 + (i++ % n)]), T);
  probe.free();
  record('pipe', 'The old shim\'s extra decode alone, per 1 KiB message', NOW, decode, { note: 'StreamMessage.fromBytes + 3 getters + free() + hasKey: what the shim no longer does per inbound message' });
  const share = decode.medianMs / rounds.map((x) => x.now).sort((a, b) => a - b)[rounds.length >> 1];
  console.log(`bench: shim decode: per-round ratio old/new median ${ratio.toFixed(3)} (range ${ratios[0].toFixed(3)}–${ratios.at(-1).toFixed(3)}); the decode alone ${(decode.medianMs * 1000).toFixed(1)} µs = ${(share * 100).toFixed(1)} % of a message's pipeline`);
}

/** One publisher, `subs` ML-KEM subscribers: times 1,000 simultaneous key requests and a rekey. */
async function publisherRound(subs) {
  const { pub, sent, publisherId } = publishMany(1, 64);
  const subscribers = [];
  for (let i = 0; i < subs; i++) {
    subscribers.push(new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), lib.MlKemKeyPair.generate(), T0));
  }
  const requests = [];
  const delivered = new Set();
  const subOut = (i) => (o) => {
    if (o.type === 'send') requests.push([i, o.bytes]);
    if (o.type === 'deliver') delivered.add(i);
  };
  subscribers.forEach((s, i) => { s.handleMessage(sent[0], T0); pump(s, T0, subOut(i)); });
  if (requests.length !== subs) throw new Error(`${requests.length} key requests from ${subs} subscribers`);
  const recipient = new Map(subscribers.map((s, i) => [s.userId.toLowerCase(), i]));
  const responses = [];
  const pubOut = (o) => {
    if (o.type !== 'send') return;
    const r = lib.StreamMessage.fromBytes(o.bytes).groupKeyResponse;
    if (r) responses.push([recipient.get(r.recipientId.toLowerCase()), o.bytes]);
  };
  // 1. All requests arrive at once; the publisher answers every one.
  const now = T0 + 1000;
  const batch = requests.splice(0);
  let t0 = performance.now();
  for (const [, bytes] of batch) pub.handleMessage(bytes, now);
  pump(pub, now, pubOut);
  const answerMs = performance.now() - t0;
  if (responses.length !== subs) throw new Error(`${responses.length} responses to ${subs} requests`);
  for (const [i, bytes] of responses.splice(0)) { subscribers[i].handleMessage(bytes, now); pump(subscribers[i], now, subOut(i)); }
  if (delivered.size !== subs) throw new Error(`${delivered.size} of ${subs} subscribers decrypt`);

  // 2. Rekey: a new key, sent to no one; every subscriber fetches it again. Time until all decrypt.
  delivered.clear();
  const later = now + 60_000;
  t0 = performance.now();
  let publisherMs = 0;
  let tp = performance.now();
  pub.rekey();
  pub.publish(rand(64), lib.ContentType.BINARY, later);
  const msgs = [];
  pump(pub, later, (o) => { if (o.type === 'send') msgs.push(o.bytes); });
  publisherMs += performance.now() - tp;
  subscribers.forEach((s, i) => { for (const m of msgs) s.handleMessage(m, later); pump(s, later, subOut(i)); });
  tp = performance.now();
  for (const [, bytes] of requests.splice(0)) pub.handleMessage(bytes, later);
  pump(pub, later, pubOut);
  publisherMs += performance.now() - tp;
  for (const [i, bytes] of responses.splice(0)) { subscribers[i].handleMessage(bytes, later); pump(subscribers[i], later, subOut(i)); }
  const rekeyMs = performance.now() - t0;
  if (delivered.size !== subs) throw new Error(`after rekey ${delivered.size} of ${subs} subscribers decrypt`);
  for (const s of subscribers) s.free();
  pub.free();
  return { answerMs, rekeyMs, publisherMs };
}

async function publisherPipelines() {
  const subs = Q ? 100 : 1000;
  const rounds = [];
  for (let r = 0; r < (Q ? 1 : 3); r++) {
    status(`publisher round ${r + 1}`);
    rounds.push(await publisherRound(subs));
  }
  const stats = async (key, per) => measureRuns((() => { let k = 0; return () => rounds[k++][key]; })(), { samples: rounds.length, per });
  record('pipe', `Publisher: ${subs} simultaneous ML-KEM key requests`, 'ours', await stats('answerMs', subs), { rate: 'responses/s', note: 'per response: verify request, 2 permission answers, ML-KEM encapsulate, sign' });
  record('pipe', `Rekey with ${subs} subscribers, until all decrypt`, 'ours', await stats('rekeyMs', 1), { note: 'every subscriber and the publisher on this one thread' });
  record('pipe', `Rekey with ${subs} subscribers, publisher's share`, 'ours', await stats('publisherMs', 1));
}

// ---- Key-exchange round trip over the real relay ---------------------------------------------
/** A relay connection (docs/relay-protocol.md) subscribed to `part`; `onData` gets payloads. */
function relayConnection(url, part) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'streamr-e2ee-relay.v1');
    ws.binaryType = 'arraybuffer';
    ws.onerror = () => reject(new Error(`relay ${url} unreachable`));
    const name = new TextEncoder().encode(part);
    const conn = {
      onData: () => {},
      publish(payload) {
        const frame = new Uint8Array(3 + name.length + payload.length);
        frame[0] = 0x01;
        new DataView(frame.buffer).setUint16(1, name.length);
        frame.set(name, 3);
        frame.set(payload, 3 + name.length);
        ws.send(frame);
      },
      close: () => ws.close(),
    };
    ws.onmessage = ({ data }) => {
      if (typeof data === 'string') {
        const m = JSON.parse(data);
        if (m.type === 'hello') ws.send(JSON.stringify({ type: 'subscribe', id: 1, streamPartition: part }));
        else if (m.type === 'ack') resolve(conn);
        else if (m.type === 'error') reject(new Error(`relay: ${m.code} ${m.message}`));
        return;
      }
      conn.onData(new Uint8Array(data, 3 + new DataView(data).getUint16(1)));
    };
  });
}

/** Drains `m` with real time; `unwrap(question)` answers an external key exchange asynchronously. */
function pumpLive(m, onOutput, unwrap) {
  for (let outs = m.pollOutputs(); outs.length > 0; outs = m.pollOutputs()) {
    for (const o of outs) {
      if (o.type !== 'ask') { onOutput(o); continue; }
      if (o.question.type === 'permission') m.answer(o.id, { type: 'permission', allowed: true }, Date.now());
      else if (o.question.type === 'loadKey') m.answer(o.id, { type: 'storedKey' }, Date.now()); // no key store
      else if (o.question.type === 'wrapGroupKeys') {
        // RSA key requests: the package's platform RSA (issue #16).
        lib.answerWrapGroupKeys(o.question).then((a) => { m.answer(o.id, a, Date.now()); pumpLive(m, onOutput, unwrap); });
      } else if (o.question.type === 'unwrapGroupKey' && unwrap) {
        unwrap(o.question).then((bytes) => { m.answer(o.id, { type: 'groupKeyBytes', bytes }, Date.now()); pumpLive(m, onOutput, unwrap); });
      } else throw new Error(`unexpected question ${o.question.type}`);
    }
  }
}

/**
 * Round trips of the key exchange through the relay: a fresh subscriber (key pair made
 * beforehand) gets a content message under an unknown key, sends its request through the
 * relay to the publisher (same page, own connection), which answers through the relay; the
 * time runs until the subscriber delivers the message.
 */
async function relayRoundTrips(url) {
  const part = `${STREAM}#0`;
  const pubConn = await relayConnection(url, part);
  const subConn = await relayConnection(url, part);
  const pub = new lib.Publisher({ streamId: STREAM }, lib.EvmSigner.generate());
  let content;
  pub.publish(rand(1024), lib.ContentType.BINARY, Date.now());
  pumpLive(pub, (o) => { if (o.type === 'send') content = o.bytes; });
  pubConn.onData = (bytes) => { pub.handleMessage(bytes, Date.now()); pumpLive(pub, (o) => { if (o.type === 'send') pubConn.publish(o.bytes); }); };
  const runs = async (label, count, makeKeyExchange, unwrap) => {
    const kxs = [];
    for (let i = 0; i < count; i++) kxs.push(await makeKeyExchange());
    const times = [];
    for (const kx of kxs) {
      const sub = new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), kx, Date.now());
      const t0 = performance.now();
      const done = new Promise((resolve) => {
        const onOut = (o) => { if (o.type === 'send') subConn.publish(o.bytes); if (o.type === 'deliver') resolve(); };
        subConn.onData = (bytes) => { sub.handleMessage(bytes, Date.now()); pumpLive(sub, onOut, unwrap); };
        sub.handleMessage(content, Date.now());
        pumpLive(sub, onOut, unwrap);
      });
      await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`${label}: no key within 10 s`)), 10_000))]);
      times.push(performance.now() - t0);
      sub.free();
    }
    times.sort((a, b) => a - b);
    const q = (p) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
    record('relay', `Key-exchange round trip over the relay, ${label}`, 'ours', { medianMs: q(0.5), p25Ms: q(0.25), p75Ms: q(0.75), minMs: times[0], maxMs: times.at(-1), p99Ms: q(0.99), iters: 1, samples: times.length });
  };
  status('relay round trips (ML-KEM)');
  await runs('ML-KEM-1024', Q ? 10 : 200, () => lib.MlKemKeyPair.generate());
  status('relay round trips (RSA, WebCrypto key)');
  const rsaAlg = { name: 'RSA-OAEP', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' };
  const { publicKey, privateKey } = await crypto.subtle.generateKey(rsaAlg, false, ['encrypt', 'decrypt']);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', publicKey));
  const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----\n`;
  await runs('RSA-4096 (WebCrypto key, external)', Q ? 5 : 100, () => ({ encryptionType: lib.AsymmetricEncryptionType.RSA, publicKey: pem }),
    async (q) => new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, q.data)));
  pubConn.close();
  subConn.close();
  pub.free();
}

// ---- Memory ---------------------------------------------------------------------------------
async function memoryUse() {
  const { memory } = await initWasm(); // already loaded by ready(): the same instance
  const mb = () => memory.buffer.byteLength;
  const out = { startBytes: mb() };
  status('memory: held messages');
  // 10,000 held messages: 10 publishers × 1,000 (maxHeldPerChain), no key ever arrives.
  const heldTarget = Q ? 1000 : 10000;
  const sub = new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), lib.MlKemKeyPair.generate(), T0);
  for (let p = 0; p < heldTarget / 1000; p++) {
    const { sent } = publishMany(1000, 1024);
    sent.forEach((b, i) => { sub.handleMessage(b, T0 + i); pump(sub, T0 + i); });
  }
  out.heldMessages = sub.heldMessages;
  out.withHeldBytes = mb();
  sub.free();
  out.afterFreeBytes = mb();

  status('memory: processed messages');
  // 100,000 (the figure) takes too long on this shared machine; the growth is what counts.
  const total = Q ? 1000 : 30000;
  const signer = lib.EvmSigner.generate();
  const pub = new lib.Publisher({ streamId: STREAM }, signer);
  const s2 = new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), lib.MlKemKeyPair.generate(), T0);
  const content = rand(1024);
  let delivered = 0;
  const checkpoints = [];
  for (let i = 0; i < total; i++) {
    pub.publish(content, lib.ContentType.BINARY, T0 + i);
    pump(pub, T0 + i, (o) => {
      if (o.type === 'storeKey') s2.addKey(pub.userId, o.key, T0 + i);
      if (o.type === 'send') { s2.handleMessage(o.bytes, T0 + i); pump(s2, T0 + i, (d) => { if (d.type === 'deliver') delivered += 1; }); }
    });
    if ((i + 1) % (total / 10) === 0) checkpoints.push({ processed: i + 1, bytes: mb() });
  }
  if (delivered !== total) throw new Error(`memory run delivered ${delivered} of ${total}`);
  out.processed = total;
  out.checkpoints = checkpoints;
  pub.free();
  s2.free();
  return out;
}

// ---- Start-up: main-thread long tasks -------------------------------------------------------
async function startupLongTasks() {
  const tasks = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(e.duration); });
  obs.observe({ type: 'longtask', buffered: false });
  const run = async (label, make) => {
    // Let the entries of earlier work (the benchmarks before) arrive first, then forget them.
    await new Promise((r) => setTimeout(r, 300));
    tasks.length = 0;
    const t0 = performance.now();
    const s = await make();
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
    s?.free?.();
    return { label, ms, longestTaskMs: tasks.length ? Math.max(...tasks) : 0, longTasks: tasks.length };
  };
  const out = [];
  out.push(await run('ML-KEM subscriber start-up', () => new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), lib.MlKemKeyPair.generate(), T0)));
  out.push(await run(`RSA-${RSA_BITS} subscriber start-up (key in wasm: the rsa-wasm module)`, async () => {
    lib.configureRsa({ prefer: 'wasm' });
    try {
      return new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), (await lib.RsaKeyPair.generate(RSA_BITS)).keyExchange, T0);
    } finally {
      lib.configureRsa({ prefer: 'platform' });
    }
  }));
  out.push(await run(`RSA-${RSA_BITS} subscriber start-up (WebCrypto key, external)`, async () => {
    const { publicKey } = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' }, false, ['encrypt', 'decrypt']);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', publicKey));
    const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----\n`;
    return new lib.Subscriber({ streamId: STREAM }, lib.EvmSigner.generate(), { encryptionType: lib.AsymmetricEncryptionType.RSA, publicKey: pem }, T0);
  }));
  obs.disconnect();
  return out;
}

async function main() {
  await lib.ready();
  const t0 = performance.now();
  const only = cfg.only ? new Set(cfg.only) : null;
  const want = (s) => !only || only.has(s);
  if (want('aes')) await aes();
  if (want('sig')) await signatures();
  if (want('kem')) await keyExchange();
  if (want('pipe')) { await subscriberPipeline(); await publisherPipelines(); }
  if (want('perf20')) await perf20({ record, status, T, Q, publishMany, pump, STREAM, T0, hexToBytes });
  if (want('relay') && cfg.relayUrl) await relayRoundTrips(cfg.relayUrl);
  if (want('worker')) await workerBench({ record, status, bits: RSA_BITS, samples: SLOW.samples });
  const mem = want('mem') ? await memoryUse() : null;
  const startup = want('startup') ? await startupLongTasks() : null;
  return { userAgent: navigator.userAgent, results, notes, memory: mem, startup, seconds: (performance.now() - t0) / 1000, config: { ...cfg, ...T, slowSamples: SLOW.samples } };
}

main().then((r) => { window.__bench = r; }, (e) => { window.__benchError = String(e && e.stack ? e.stack : e); });
