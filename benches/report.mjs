// BENCHMARKS.md from the results of benches/run.mjs, and the issue #8 targets checked
// against them (shared with the chart).
import { renderNetwork } from './network/report.mjs';
import { renderPerf20 } from './perf20-report.mjs';
import { isValidRow, safeRatio } from './timing.mjs';

export const BROTLI_TARGET = 200_000;
const OURS = 'ours';

export function fmtTime(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}
const fmtRate = (perSec) => (perSec >= 1e6 ? `${(perSec / 1e6).toPrecision(3)} M` : perSec >= 1e3 ? `${(perSec / 1e3).toPrecision(3)} k` : perSec.toPrecision(3));
// Only ever given a safeRatio (benches/timing.mjs); anything else prints as a dash.
const fmtRatio = (r) => (!Number.isFinite(r) || r <= 0 ? '–' : r >= 10 ? `${r.toFixed(0)}×` : r >= 1 ? `${r.toFixed(2)}×` : `${r.toFixed(2)}×`);
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;

/** Every result, browser and native, by case name, in first-seen order. */
export function byCase(data) {
  const cases = new Map();
  for (const r of [...data.web.results, ...data.native.results]) {
    if (!cases.has(r.name)) cases.set(r.name, { name: r.name, group: r.group, rows: [] });
    cases.get(r.name).rows.push(r);
  }
  return [...cases.values()];
}

/** A case's median for `impl`, or undefined when that row is missing or failed (benches/timing.mjs). */
const median = (c, impl) => {
  const r = c?.rows.find((x) => x.impl === impl);
  return isValidRow(r) ? r.medianMs : undefined;
};
/** A target row for a case whose timings are not valid: neither met nor missed. */
const failedTarget = (target, why) => ({ target, measured: `no valid timing (${why})`, met: null, gap: '' });

/** The targets of issue #8: { target, measured, met (true/false/null = not measured), gap }. */
export function targets(data) {
  const cases = byCase(data);
  const find = (name) => cases.find((c) => c.name === name);
  const out = [];
  const small = ['64 B', '1 KiB'].flatMap((s) => ['encrypt', 'decrypt'].map((op) => find(`AES-256-CTR ${op} ${s}`))).filter(Boolean);
  // null when either side has no valid timing: a target is never judged on a failed row.
  const ratio = (c, peer) => safeRatio(median(c, peer), median(c, OURS));
  // The worst case of a list, or why there is none: every case's ratio must be valid.
  const worst = (list, f) => {
    if (list.length === 0) return { why: 'no rows measured' };
    const rs = list.map((c) => ({ c, r: f(c) }));
    const bad = rs.filter((x) => x.r === null);
    if (bad.length) return { why: `${bad.map((x) => x.c.name).join(', ')}: a row failed or is missing` };
    return rs.reduce((a, b) => (b.r < a.r ? b : a));
  };
  const judge = (target, w, min, what) => (w.why ? failedTarget(target, w.why)
    : { target, measured: what(w), met: w.r >= min, gap: w.r >= min ? '' : `needs ${(min / w.r).toFixed(2)}× faster` });
  if (small.length) {
    const short = (w) => w.c.name.replace('AES-256-CTR ', '');
    out.push(judge('AES ≤ 1 KiB: ≥ 1.0× WebCrypto', worst(small, (c) => ratio(c, 'WebCrypto')), 1, (w) => `worst ${fmtRatio(w.r)} (${short(w)})`));
    out.push(judge('AES ≤ 1 KiB: ≥ 5× the SDK browser path', worst(small, (c) => ratio(c, 'SDK')), 5, (w) => `worst ${fmtRatio(w.r)} (${short(w)})`));
    const all = cases.filter((c) => c.group === 'aes' && c.rows.some((r) => r.impl === OURS));
    // Ours = the better of the sync wasm call and the async API (which routes to WebCrypto).
    const oursBest = (c) => {
      const ms = [median(c, OURS), ...c.rows.filter((r) => r.impl.startsWith('ours, async API')).map((r) => median(c, r.impl))];
      return ms.every((m) => m !== undefined) ? Math.min(...ms) : undefined;
    };
    const peersBest = (c) => (median(c, 'WebCrypto') === undefined || median(c, 'SDK') === undefined ? undefined : Math.min(median(c, 'WebCrypto'), median(c, 'SDK')));
    out.push(judge('AES every size: ≥ 0.95× the best of WebCrypto and SDK (async API routes large payloads to WebCrypto)', worst(all, (c) => safeRatio(peersBest(c), oursBest(c))), 0.95,
      (w) => `worst ${fmtRatio(w.r)} (${short(w)}), ours = the better of the sync and async API`));
  }
  const sub = find('Subscriber: decode + verify + decrypt, 1 KiB message');
  const subTarget = 'Subscriber pipeline, 1 KiB: ≥ 2× the SDK messages/s';
  if (sub && ratio(sub, 'SDK') === null) out.push(failedTarget(subTarget, 'a row failed or is missing'));
  else if (sub) {
    const r = ratio(sub, 'SDK');
    out.push({ target: 'Subscriber pipeline, 1 KiB: ≥ 2× the SDK messages/s', measured: `${fmtRate(1000 / median(sub, OURS))} vs ${fmtRate(1000 / median(sub, 'SDK'))} messages/s = ${fmtRatio(r)}`, met: r >= 2, gap: r >= 2 ? '' : `needs ${(2 / r).toFixed(2)}× faster` });
  }
  const rt = find('Key-exchange round trip over the relay, ML-KEM-1024');
  if (rt && !isValidRow(rt.rows[0])) {
    out.push(failedTarget('Key-exchange round trip over the local relay (ML-KEM): p50 ≤ 15 ms, p99 ≤ 50 ms', rt.rows[0].failed ?? 'invalid timings'));
  } else if (rt) {
    const r = rt.rows[0];
    const ok = r.medianMs <= 15 && r.p99Ms <= 50;
    const gaps = [r.medianMs > 15 ? `p50 ${fmtTime(r.medianMs - 15)} over` : '', r.p99Ms > 50 ? `p99 ${fmtTime(r.p99Ms - 50)} over` : ''].filter(Boolean).join(', ');
    out.push({ target: 'Key-exchange round trip over the local relay (ML-KEM): p50 ≤ 15 ms, p99 ≤ 50 ms', measured: `p50 ${fmtTime(r.medianMs)}, p99 ${fmtTime(r.p99Ms)} (${r.samples} round trips, ${data.web.relayProfile} relay build)`, met: ok, gap: gaps });
  } else {
    out.push({ target: 'Key-exchange round trip over the local relay (ML-KEM): p50 ≤ 15 ms, p99 ≤ 50 ms', measured: 'not measured (no relay binary)', met: null, gap: '' });
  }
  const st = data.web.startup;
  const kg = cases.find((c) => /^RSA-\d+ keygen$/.test(c.name));
  if (st && kg && median(kg, 'WebCrypto') === undefined) {
    out.push(failedTarget('RSA subscriber start-up no slower than WebCrypto key generation', 'the WebCrypto keygen row failed or is missing'));
  } else if (st && kg) {
    const wasmStart = st.find((s) => s.label.includes('key in wasm'));
    const ext = st.find((s) => s.label.includes('WebCrypto key'));
    const wc = median(kg, 'WebCrypto');
    out.push({ target: 'RSA subscriber start-up no slower than WebCrypto key generation', measured: `key in wasm ${fmtTime(wasmStart.ms)}, WebCrypto key ${fmtTime(ext.ms)}; WebCrypto keygen median ${fmtTime(wc)}`, met: ext.ms <= wc * 1.1, gap: ext.ms <= wc * 1.1 ? 'with the WebCrypto (external) key; the in-wasm key is slower' : `${fmtTime(ext.ms - wc)} slower` });
    out.push({ target: 'RSA subscriber start-up: no main-thread task over 50 ms', measured: `key in wasm: ${wasmStart.longTasks ? `longest task ${fmtTime(wasmStart.longestTaskMs)}` : 'no long task (> 50 ms)'}; WebCrypto key: ${ext.longTasks ? `longest task ${fmtTime(ext.longestTaskMs)}` : 'no long task (> 50 ms)'}`, met: ext.longestTaskMs <= 50, gap: ext.longestTaskMs <= 50 ? 'with the WebCrypto (external) key; in-wasm keygen blocks the thread' : `${fmtTime(ext.longestTaskMs - 50)} over` });
  }
  const pub = cases.find((c) => c.name.startsWith('Publisher:'));
  if (pub && median(pub, OURS) === undefined) {
    out.push(failedTarget('Publisher: ≥ 500 key responses/s (ML-KEM, local signer)', 'the row failed'));
  } else if (pub) {
    const rate = 1000 / median(pub, OURS);
    out.push({ target: 'Publisher: ≥ 500 key responses/s (ML-KEM, local signer)', measured: `${rate.toFixed(0)} responses/s`, met: rate >= 500, gap: rate >= 500 ? '' : `${(500 / rate).toFixed(2)}× short` });
  }
  const rk = cases.find((c) => c.name.startsWith('Rekey with') && c.name.endsWith('until all decrypt'));
  if (rk && median(rk, OURS) === undefined) {
    out.push(failedTarget('Rekey of 1,000 subscribers done in ≤ 5 s', 'the row failed'));
  } else if (rk) {
    const ms = median(rk, OURS);
    const n = Number(rk.name.match(/Rekey with (\d+)/)[1]);
    out.push({ target: 'Rekey of 1,000 subscribers done in ≤ 5 s', measured: `${fmtTime(ms)} with ${n} subscribers, all on one thread`, met: n >= 1000 ? ms <= 5000 : null, gap: n < 1000 ? 'quick run: fewer subscribers' : ms <= 5000 ? '' : `${fmtTime(ms - 5000)} over` });
  }
  const br = data.size.wasm.brotli;
  out.push({ target: '.wasm ≤ 200 KB brotli, every algorithm in', measured: `${kb(br)} brotli`, met: br <= BROTLI_TARGET, gap: br <= BROTLI_TARGET ? '' : `${kb(br - BROTLI_TARGET)} over (${(br / BROTLI_TARGET).toFixed(2)}× the target)` });
  return out;
}

/** Cold start (issue #16, benches/coldstart.mjs): navigation to the first decrypted message. */
export function renderColdStart(cs) {
  if (!cs) return '## Cold start (issue #16)\n\nnot measured in this run (`node benches/run.mjs --only=coldstart --merge`)\n';
  const after = cs.rows.find((r) => r.variant === 'after');
  const base = isValidRow(after?.firstMessage) ? after.firstMessage.medianMs : undefined;
  const vs = (r) => {
    if (r.variant === 'after') return '—';
    const x = safeRatio(r.firstMessage.medianMs, base);
    return x === null ? '– (a row failed)' : fmtRatio(x);
  };
  const files = (r) => Object.entries(r.files).map(([f, s]) => `\`${f}\` ${kb(s.raw)} / ${kb(s.brotli)}`).join(', ');
  const total = (r) => Object.values(r.files).reduce((a, s) => a + s.brotli, 0);
  return `## Cold start (issue #16)

From navigation to the first decrypted message, headless Chromium, each sample a fresh browser context
(empty caches), link throttled to ${(cs.link.downloadThroughput * 8 / 1e6).toFixed(0)} Mbit/s down and ${cs.link.latency} ms RTT, files served ${cs.rows[0].encodings.join('/')}-encoded.
Offline: the 1 KiB message (signed, encrypted) and its group key are inlined in the page; the network part
of a first message is the same for every library (see the Streamr Network section). Ours: load the package,
\`ready()\`, a subscriber (EVM identity + ML-KEM key pair) handles the message and its permission question.
The SDK: stock \`@streamr/sdk\` bundled by webpack as an app would, then its decode
(\`convertBytesToStreamMessage\`), EVM signature check and AES-CTR on the same message (payload built
beforehand, no subscriber state: in its favour). ${cs.rounds} rounds, interleaved.
**"ours is N×"** = the row's median ÷ this build's median.

| page | first message: median | IQR (p25–p75) | min–max | library ready: median | files (raw / brotli) | brotli total | ours is |
| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |
${cs.rows.map((r) => `| ${r.impl} | ${fmtTime(r.firstMessage.medianMs)} | ${fmtTime(r.firstMessage.p25Ms)}–${fmtTime(r.firstMessage.p75Ms)} | ${fmtTime(r.firstMessage.minMs)}–${fmtTime(r.firstMessage.maxMs)} | ${fmtTime(r.loaded.medianMs)} | ${files(r)} | ${kb(total(r))} | ${vs(r)} |`).join('\n')}
`;
}

function caseTable(cases, { rate = 'ops/s', throughput = false } = {}) {
  const lines = [`| case | implementation | median | IQR (p25–p75) | min–max | ${throughput ? 'MB/s' : rate} | ours is |`, '| --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const c of cases) {
    const base = median(c, OURS);
    for (const r of c.rows) {
      if (!isValidRow(r)) {
        lines.push(`| ${c.name} | ${r.impl} | **failed**: ${r.failed ?? 'no valid timing'} | – | – | – | – |`);
        continue;
      }
      const per = throughput ? `${((r.bytes / r.medianMs) / 1000).toPrecision(3)}` : fmtRate(1000 / r.medianMs);
      const ratio = safeRatio(r.medianMs, base);
      const vs = r.impl === OURS ? '—' : ratio === null ? '– (our row failed)' : fmtRatio(ratio);
      lines.push(`| ${c.name} | ${r.impl} | ${fmtTime(r.medianMs)} | ${fmtTime(r.p25Ms)}–${fmtTime(r.p75Ms)} | ${fmtTime(r.minMs)}–${fmtTime(r.maxMs)} | ${per} | ${vs} |`);
    }
  }
  return lines.join('\n');
}

/** The \`worker\` rows: wall time, and how long the main thread was blocked meanwhile. */
function workerTable(cases) {
  if (cases.length === 0) return 'not measured in this run';
  const lines = ['| case | implementation | API | wall time (median) | ours is | main thread blocked | worst timer gap | samples |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const c of cases) {
    const base = median(c, OURS);
    for (const r of c.rows) {
      if (!isValidRow(r)) {
        lines.push(`| ${c.name} | ${r.impl} | \`${r.api}\` | **failed**: ${r.failed ?? 'no valid timing'} | – | – | – | – |`);
        continue;
      }
      const ratio = safeRatio(r.medianMs, base);
      const vs = r.impl === OURS ? '—' : ratio === null ? '– (our row failed)' : fmtRatio(ratio);
      lines.push(`| ${c.name} | ${r.impl} | \`${r.api}\` | ${fmtTime(r.medianMs)} | ${vs} | ${r.blockedMs > 0 ? fmtTime(r.blockedMs) : 'none'} | ${fmtTime(r.maxTimerGapMs)} | ${r.samples} |`);
    }
  }
  return lines.join('\n');
}

// The size work of issue #8, measured once by hand (the runner measures the shipped build and the
// variants live, above). Sizes: raw / gzip -9 / brotli -11 bytes of the bundler .wasm.
const SIZE_NOTES = `### What was tried (2026-11-25, measured with \`twiggy\` 0.8 and node:zlib)

| build | raw | gzip -9 | brotli -11 |
| --- | ---: | ---: | ---: |
| before: \`release\` (opt-level 3, fat LTO, 1 CGU), \`wasm-opt -O\` | 1,121,073 | 413,641 | 306,937 |
| opt-level "z" everywhere, \`wasm-opt -O\` | 819,810 | 344,739 | 269,378 |
| opt-level "z" everywhere, \`wasm-opt -Oz\` | 814,204 | 344,477 | 268,583 |
| shipped: \`wasm-release\` (z, with aes/keccak/k256/module-lattice at 3), \`wasm-opt -Oz\` | see the table above | | |

- \`panic = "abort"\` changes nothing: wasm32-unknown-unknown already aborts on panic. \`strip\` changes
  nothing either: wasm-bindgen and wasm-opt already drop the name section. \`wasm-opt -Oz\` over \`-O\`: −0.3 %.
- Where the bytes are (opt-level z build, twiggy, by crate; inlining blurs the lines): our crate with the
  generics it instantiates 23 %, constant data segments 13 % (104 KB of tables, 42 KB of it strings),
  crypto-bigint (RSA) 12 %, core (formatting, including about 25 KB of float formatting) 8 %, k256 5 %,
  alloc 3 %, sha2 2 %, der 2 %, rsa 2 %, then a long tail.
- What would close the gap to 200 KB brotli (not done: each needs more than build flags): RSA out of
  the main module (crypto-bigint + rsa + der + crypto-primes + base64ct are about 150 KB raw; browsers can
  keep the RSA key in WebCrypto through the external key exchange the Subscriber already supports,
  or load RSA as a second, lazily fetched module); nightly \`-Z build-std\` with
  \`panic_immediate_abort\` (drops the panic and formatting machinery; needs a nightly toolchain in CI);
  no float formatting on error paths.
- The choice: the size-first build saves about 36 KB brotli (12 %) and leaves the subscriber pipeline, the
  hot path of every message, unchanged; it makes ML-KEM and ML-DSA-87 about 2× slower and sync AES about
  1.5–2× slower (the per-package opt-level 3 overrides do not survive fat LTO for these generic crates).
  Large AES payloads go to WebCrypto through the async API anyway. To ship the speed-first build instead,
  set \`opt-level = 3\` in \`[profile.wasm-release]\` and the budget in \`scripts/build-pkg.sh\` to about 310,000.`;

// Issue #16, the cuts other than RSA's (measured by hand on 2026-12-07: each build of the
// wasm-release profile through wasm-bindgen and wasm-opt -Oz, node:zlib brotli q11; speed in
// Node 22 / V8 over the nodejs build of each variant, CPU time of interleaved rounds, 5 rounds,
// an A/A pair of the same build differing by up to ±5 %, ±10 % under the heaviest load).
const SIZE_NOTES_16 = `### Issue #16: the cuts besides RSA (2026-12-07)

Each row against the build it was tried on (the float row against the shipped build of the day,
898,341 raw / 292,211 brotli; the sha2 row on the k256 "z" build; the path row is what is left of
the measured total); the total of the kept cuts is one measured build. Found with \`twiggy\` 0.8 (top, monos, paths) on a build
with names (\`wasm-opt -Oz -g\`).

| cut | raw | brotli | cost (hot paths) | kept |
| --- | ---: | ---: | --- | --- |
| no \`f64\` \`Display\` in error messages (\`js_number\`: JS prints the number): core's float printing (flt2dec, dragon + grisu) leaves | −21,222 | −7,360 | none: error paths only | yes |
| k256 at opt-level "z" instead of 3 (\`FieldElement::sqrt\` was 28 KB inlined) | −14,103 | −2,705 | EVM sign 1.17×, EVM recover 1.11× slower (recover runs for every message) | **no** |
| sha2's compact rounds (\`--cfg sha2_backend_soft="compact"\`, shipped build only) | −16,614 | −2,895 | P-256 verify about 1.16× slower (SHA-256 of the payload); EVM sign, ML-KEM wrap (HKDF-SHA-512) within noise | yes |
| \`--remap-path-prefix\` of cargo's registry (shorter panic-location file names) | −2,510 | −234 | none | yes |
| aes, keccak, module-lattice at "z" instead of 3 | +2,904 | +640 | — (bigger: the opt-level 3 code of these crates is smaller after wasm-opt) | no |
| \`wasm-opt\`: \`-Oz --converge\` / \`-Oz -Oz\` / \`-Os\` / \`-Oz -iit\` / \`--strip-producers --strip-target-features\` | −852 / −852 / +5,577 / −794 / −265 | +340 / +639 / +681 / +6 / −161 | — | no (noise-level or worse) |

- Total of the kept cuts: 898,341 → 857,995 raw, 292,211 → 281,722 brotli (−10,489, −3.6 %).
- Where the rest is (twiggy by crate, the optimised module with names, raw): our crate 210 KB
  (with the generics it instantiates; 34 KB of it the strings of typed error messages), constant data
  101 KB (tables and strings), crypto-bigint 100 KB (RSA), k256 51 KB, core 47 KB (panics and
  \`fmt\`), alloc 24 KB, rsa 23 KB, der 18 KB, primeorder 12 KB (P-256), hashbrown 11 KB, aes 10 KB.
- P-256 out of the main module (after RSA and the cuts above; docs/p256.md): verification is a
  \`verifyP256\` question and P-256 signers are the platform's (WebCrypto, node:crypto), loaded only
  for P-256: 670,601 → 628,620 raw, 215,221 → 202,357 brotli (−12,864, −6.0 %). P-256 verify in
  Node is 19.5× faster on node:crypto than it was in wasm (\`benches/p256-node.mjs\`).
- Not done, and what it would take: ML-DSA-87 *signing* in a separate module (about 10 KB raw); the panic and
  formatting machinery needs nightly \`-Z build-std\` with \`panic_immediate_abort\`.`;

// Issue #16, part C (measured by hand on 2026-12-07 as above: the browser module's build through
// wasm-bindgen --target web and wasm-opt -Oz, node:zlib brotli q11; each row against the
// same tree's browser module with only that change).
const SIZE_NOTES_16C = `### Issue #16: the custodian out of the browser module, and the small cuts measured (2026-12-07)

Each row against the browser module of the same tree (the custodian row: the Node module, built
with the feature, against the browser module, built without it; the others: the browser module
after the custodian cut, 644,180 raw / 207,069 brotli, with only that change).

| cut | raw | brotli | cost (hot paths) | kept |
| --- | ---: | ---: | --- | --- |
| the key custodian (\`Custodian\`, its grace period, its wasm class) in the Node module only: crate feature \`custodian\`, a second cargo build for \`pkg/node/\` | −26,425 | −7,995 | none (no shared code changed; the second build relinks the main crate only, about 15 s) | yes |
| ML-DSA-87 *signing* (\`MlDsa87Signer\`) out of the browser module | −23,635 | −6,151 | none on a hot path, but browsers could no longer sign as ML-DSA-87 (the SDK backend's \`ML_DSA_87\` identities): needs a lazily loaded module as rsa-wasm, signing as an external signer | not done |
| \`SealingKey\` out of the browser module (the sealed IndexedDB key store on WebCrypto AES-GCM, same \`nonce ‖ ct ‖ tag\` bytes) | −6,649 | −1,547 | WebCrypto is asynchronous and the store seals inside IndexedDB read-modify-write callbacks; \`aes-gcm\` stays for \`sealCustodianIdentity\` | not done |
| \`pkcs8PemToDer\` out (PEM/DER/base64 stay: the publisher reads RSA public keys in PEM for \`minRsaKeyBits\`) | −759 | −34 | — | no (noise) |

- \`hashbrown\` is 11.4 KB raw in the shipped module (105 functions, \`RawTable::find\` 13 copies of
  250 bytes); BTreeMap would add its own code for the same maps and put O(log n) string compares on
  the per-message lookups (keys, chains, replay): not tried.
- After the custodian cut, by crate (twiggy on the optimised module with names, raw): our crate
  200 KB, constant data 46 KB, k256 49 KB, core 47 KB, alloc 23 KB, der + base64ct + spki + pkcs1
  + PEM 16 KB, crypto-bigint 16 KB, primeorder + p256 32 KB (P-256), hashbrown 11 KB, wasm-bindgen
  + js-sys 12 KB, aes 10 KB, ml-dsa 20 KB (about 9 KB of it signing).`;

/** The shipped (size-first) build against the opt-level 3 and simd128 builds, case by case. */
function tradeOff(cases, s) {
  const VARIANT_IMPLS = ['ours (opt-level 3)', 'ours (simd128)', 'ours (cpubits 64)', 'ours (cpubits 32 everywhere)'];
  const rows = cases.filter((c) => median(c, OURS) !== undefined && c.rows.some((r) => VARIANT_IMPLS.includes(r.impl)));
  if (rows.length === 0) return '';
  const cell = (c, impl) => { const r = safeRatio(median(c, OURS), median(c, impl)); return r === null ? '–' : fmtRatio(r); };
  const size = (v) => (v ? `${kb(v.brotli)} brotli` : 'not built');
  return `### Size against speed

The shipped build (opt-level "z", ${kb(s.wasm.brotli)} brotli) against the opt-level 3 build (${size(s.variants.o3)}),
the shipped profile with simd128 (${size(s.variants.simd128)}), the shipped module without \`cpubits = "32"\`
(${size(s.variants.cpubits64)}: 64-bit words where the cpubits crate picks them for wasm32, k256's 5x52 field among them),
and the shipped module with \`cpubits = "32"\` for every crate, the aes crate's fixslice included (${size(s.variants.words32)}:
as shipped before \`scripts/rustc-wrapper.sh\`; see "Issue #20"): how many times faster each variant is than the shipped
build (below 1: slower).
The opt-level 3 and simd128 builds have the crate's default features and none of the shipped build's \`--cfg\`s, so they
run k256 in 5x52 limbs and AES in 64-bit words too: their secp256k1 and AES rows include the cpubits column's effect.

| case | opt-level 3 | simd128 | cpubits 64 | cpubits 32 everywhere |
| --- | ---: | ---: | ---: | ---: |
${rows.map((c) => `| ${c.name} | ${cell(c, 'ours (opt-level 3)')} | ${cell(c, 'ours (simd128)')} | ${cell(c, 'ours (cpubits 64)')} | ${cell(c, 'ours (cpubits 32 everywhere)')} |`).join('\n')}`;
}

export function renderMarkdown(data, { chart }) {
  const m = data.machine;
  const cases = byCase(data);
  const group = (g) => cases.filter((c) => c.group === g);
  const t = targets(data);
  const mark = (x) => (x.met === true ? '✅ met' : x.met === false ? '❌ not met' : '⬜ not measured');
  const s = data.size;
  const load = (l) => l?.map((x) => x.toFixed(2)).join(' / ') ?? '?';
  const noteRows = [...data.web.results, ...data.native.results].filter((r) => r.note);
  const notes = [...new Map(noteRows.map((r) => [`${r.name}|${r.note}`, `- ${r.name}, ${r.impl.startsWith('ours') ? 'ours' : r.impl}: ${r.note}`])).values()];
  const mem = data.web.memory;
  const st = data.web.startup;
  return `# Benchmarks

${data.quick ? '> **Quick run** (`--quick`): a few short samples, a smaller workload; it checks that the benchmarks run. The numbers are not meaningful.\n\n' : ''}Our wasm side by side with what a browser app would use instead: WebCrypto, and the SDK's own
browser code (\`@streamr/utils\` 103.3.2 browser build: \`browserify-aes\` behind \`createCipheriv\`,
\`secp256k1\`/elliptic behind \`EcdsaSecp256k1Evm\`, noble behind P-256, ML-DSA-87 and ML-KEM). All
browser figures come from one run in headless Chromium, in one page, on the main thread.
**"ours is N×"** = the row's median time ÷ our (Chromium, shipped build) median time: above 1 we are faster.
The machine is shared and noisy; compare the ratios, not the absolute times.

![Benchmark chart](${chart})

## Targets (issue #8)

| target | measured | status | gap |
| --- | --- | --- | --- |
${t.map((x) => `| ${x.target} | ${x.measured} | ${mark(x)} | ${x.gap} |`).join('\n')}

## Machine and run

- CPU: ${m.cpu} (${m.nproc} cores visible to nproc${m.aesni ? ', AES-NI' : ''}), ${m.memGiB} GiB RAM, Linux ${m.kernel}
- Chromium ${m.chromium} (headless, \`/usr/bin/chromium\` via playwright-core), Node ${m.node}, ${m.rustc}
- Load average (1/5/15 min) at start ${load(m.loadStart)}, at end ${load(m.loadEnd)} (other engineers share the machine)
- Date ${m.date}, commit \`${m.commit}\`, ${data.seconds.toFixed(0)} s in all${(m.merged ?? []).map((x) => `\n- Measured again on ${x.date} (commit \`${x.commit}\`, load ${load(x.loadStart)} → ${load(x.loadEnd)}): ${x.groups.join(', ')}`).join('')}
- Sampling: ${data.web.config ? `each case is calibrated to about ${data.web.config.sampleMs} ms per sample, ${data.web.config.samples} samples (slow cases: ${data.web.config.slowSamples} single runs); median and spread over the samples` : 'no browser cases in this run'}. Native: Rust \`${data.native.profile}\` profile.
- Reproduce: \`${data.command}\` (needs \`bash scripts/build-pkg.sh\` first; for the variant rows,
  \`bash benches/build-variant.sh simd128\` / \`o3\` / \`cpubits64\` / \`words32\` and \`BENCH_VARIANT_SIMD128=target/bench-variants/simd128/bundler\` (\`_O3\`, \`_CPUBITS64\`, \`_WORDS32\` alike);
  for issue #20's lever rows, \`bash benches/recover-lever/build.sh\`, which needs clang and lld)

## AES-256-CTR (the SDK's wire format: random IV, \`iv ‖ ct\`)

${caseTable(group('aes'), { throughput: true })}

WebCrypto is awaited per call (its promise round trip is part of what a caller pays).
\`Node crypto (OpenSSL)\` and \`ours (native)\` are native reference points, not browser options.

## Signatures

${caseTable(group('sig'))}

## Key exchange primitives

${caseTable(group('kem'))}

## Pipelines (Chromium, wasm handles driven directly, permissions answered at once)

${caseTable(group('pipe'), { rate: 'per s' })}

The SDK row of the subscriber pipeline is its per-message crypto only (\`EcdsaSecp256k1Evm.verifySignature\`
over a pre-built payload, then \`createDecipheriv\`): no protobuf decode, no payload building, no ordering,
so the comparison is in the SDK's favour. Ours is the whole \`Subscriber.handleMessage\` + \`pollOutputs\`.
The "through the shim" case (issue #13) runs the same messages through the same build twice, side by side
(two subscribers fed the same messages in chunks of 20, in alternation): as the shim passes them now
(bytes straight to \`handleMessage\`), and with the decode the shim did before on every inbound message
when a key store was set (\`StreamMessage.fromBytes\`, three getters, \`free()\`, \`hasKey\`). "ours is N×" on
its second row is what that extra decode cost (the per-round ratio is in the notes); the next case times
the extra decode alone.
The rekey figure runs the publisher and every subscriber on one thread; the publisher's share is what one
publisher machine would spend.

Notes:
${notes.join('\n')}

${renderPerf20(data, { fmtTime, fmtRatio, kb })}
## Key-exchange round trip over the local relay (Chromium ↔ \`relay/\`, ${data.web.relayProfile ?? '–'} build)

${group('relay').length ? `| round trip | p50 | p99 | IQR (p25–p75) | min–max | runs |\n| --- | ---: | ---: | ---: | ---: | ---: |\n${group('relay').map((c) => { const r = c.rows[0]; return `| ${c.name.replace('Key-exchange round trip over the relay, ', '')} | ${fmtTime(r.medianMs)} | ${fmtTime(r.p99Ms)} | ${fmtTime(r.p25Ms)}–${fmtTime(r.p75Ms)} | ${fmtTime(r.minMs)}–${fmtTime(r.maxMs)} | ${r.samples} |`; }).join('\n')}` : 'not measured in this run'}

From a fresh subscriber handling a content message under an unknown key (its key pair made beforehand)
to the delivery of that message: request signed and sent through the relay, the publisher (same page, its
own WebSocket) checks and answers through the relay, the subscriber verifies and unwraps. Both ends share
the page's one thread, so their work adds up.

## RSA off the main thread (Chromium, \`CryptoWorker\`, docs/worker.md)

${workerTable(group('worker'))}

"ours" is the work in the package's Web Worker. Each sample runs alone; "main thread blocked" is the
median total of the Long Tasks (> 50 ms) while it ran, "worst timer gap" the longest wait of a 5 ms
timer on the main thread over all samples: a worker is for those two columns, not for the wall time.

${renderNetwork(data.network, { fmtTime, fmtRatio, kb })}
${renderColdStart(data.coldstart)}
## Size

| file | raw | gzip -9 | brotli -11 |
| --- | ---: | ---: | ---: |
| \`pkg/web/streamr_e2ee_bg.wasm\` (shipped) | ${kb(s.wasm.raw)} | ${kb(s.wasm.gzip)} | ${kb(s.wasm.brotli)} |
| JS around it (${s.jsFiles.map((f) => `\`${f}\``).join(', ')}) | ${kb(s.js.raw)} | ${kb(s.js.gzip)} | ${kb(s.js.brotli)} |
${Object.entries(s.variants).map(([n, v]) => `| variant \`${n}\` .wasm | ${kb(v.raw)} | ${kb(v.gzip)} | ${kb(v.brotli)} |`).join('\n')}

${tradeOff(cases, s)}

Target: ≤ 200 KB brotli for the .wasm. ${s.wasm.brotli <= BROTLI_TARGET ? 'Met.' : `Not met: ${kb(s.wasm.brotli - BROTLI_TARGET)} over.`}
\`scripts/build-pkg.sh\` fails the build past the brotli budget it sets (see below).

${SIZE_NOTES_16}

${SIZE_NOTES_16C}

${SIZE_NOTES}

## Memory (wasm linear memory)

${mem ? `- At start: ${kb(mem.startBytes)}; with ${mem.heldMessages} held messages (1 KiB, waiting for a key): ${kb(mem.withHeldBytes)}; after freeing that subscriber: ${kb(mem.afterFreeBytes)} (wasm memory never shrinks).
- Processing ${mem.processed.toLocaleString('en')} messages (1 KiB, publish → subscribe → deliver; the issue names 100,000, which takes too long on this shared machine): ${mem.checkpoints.map((c) => `${c.processed.toLocaleString('en')}: ${kb(c.bytes)}`).join(', ')}.
  ${mem.checkpoints.at(-1).bytes === mem.checkpoints[0].bytes ? 'No growth after the first checkpoint.' : `Growth from the first to the last checkpoint: ${kb(mem.checkpoints.at(-1).bytes - mem.checkpoints[0].bytes)}.`}` : 'not measured in this run'}

## Start-up (main thread)

${st ? `| start-up | wall time | long tasks | longest task |\n| --- | ---: | ---: | ---: |\n${st.map((x) => `| ${x.label} | ${fmtTime(x.ms)} | ${x.longTasks} | ${x.longTasks ? fmtTime(x.longestTaskMs) : 'none over 50 ms'} |`).join('\n')}` : 'not measured in this run'}

## Not measured

- Long tasks during the start-up of the full shim (createSubscriber with its transport): only the handles are measured.
`;
}
