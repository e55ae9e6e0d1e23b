// `npm run bench` (node benches/run.mjs [--quick]): the side-by-side benchmarks of issue #8.
//   1. sizes of the package's .wasm and JS (raw, gzip -9, brotli -11)
//   2. native: our Rust core (cargo example bench_native) and Node's OpenSSL AES for reference
//   3. browser: headless Chromium runs benches/browser/entry.mjs (webpack bundle of pkg/ and of
//      @streamr/utils' browser build) against WebCrypto and the SDK's code
//   3b. worker (benches/browser/worker.mjs, docs/worker.md): RSA keygen and unwrap in the Web
//      Worker against the main thread and WebCrypto, with the main-thread blocking of each
//   4. network (issue #14, benches/network.mjs): ours against a stock SDK pair on a local Streamr
//      network (latency, key-exchange round trips), and the transport's bundle cost
//   4b. coldstart (issue #16, benches/coldstart.mjs): navigation to the first decrypted message,
//      this build against the pkg/ from before #16 and the SDK's browser bundle
//   5. writes BENCHMARKS.md, benches/results.json and the chart benches/chart.png
// --render: rewrite BENCHMARKS.md and the chart from the saved results.json, measuring nothing.
// --quick: a few samples of everything, results under test-results/bench/ (the committed
// BENCHMARKS.md is left alone), native part in the dev profile (no release build). It checks
// that the benchmarks still run; it never fails on a number.
// Other wasm builds to compare (optional): BENCH_VARIANT_SIMD128 / BENCH_VARIANT_O3 = a
// wasm-bindgen bundler directory (benches/build-variant.sh makes them).
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { renderChart } from './chart.mjs';
import { coldStartBench } from './coldstart.mjs';
import { networkBench } from './network.mjs';
import { renderMarkdown } from './report.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
// --merge (with --only=…): measure those groups again into the saved results.json.
const merge = args.includes('--merge');
const outDir = quick ? `${repo}test-results/bench` : repo;
const files = quick
  ? { md: `${outDir}/BENCHMARKS.md`, json: `${outDir}/results.json`, png: `${outDir}/chart.png` }
  : { md: `${repo}BENCHMARKS.md`, json: `${repo}benches/results.json`, png: `${repo}benches/chart.png` };
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const log = (s) => console.log(`bench: ${s}`);

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
  const flags = cpuinfo.match(/^flags\s*:\s*(.*)$/m)?.[1].split(' ') ?? [];
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
  const mem = readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s*(\d+)/m)?.[1];
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
  const rustc = spawnSync('rustc', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return {
    cpu: model, nproc, aesni: flags.includes('aes'), memGiB: mem ? (Number(mem) / 1048576).toFixed(1) : '?',
    kernel: os.release(), node: process.version, rustc, commit, date: new Date().toISOString(), loadStart: os.loadavg(),
  };
}

// ---- size ------------------------------------------------------------------------------------
function compressed(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
  };
}

function sizes() {
  const wasm = compressed(readFileSync(`${repo}pkg/web/streamr_e2ee_bg.wasm`));
  const jsFiles = [`${repo}pkg/web/streamr_e2ee.js`,
    ...readdirSync(`${repo}pkg/dist`).filter((f) => f.endsWith('.js')).map((f) => `${repo}pkg/dist/${f}`)];
  const js = compressed(Buffer.concat(jsFiles.map((f) => readFileSync(f))));
  const variants = {};
  for (const name of ['SIMD128', 'O3', 'CPUBITS64', 'WORDS32']) {
    const dir = process.env[`BENCH_VARIANT_${name}`] && resolvePath(repo, process.env[`BENCH_VARIANT_${name}`]);
    if (dir && existsSync(`${dir}/streamr_e2ee_bg.wasm`)) variants[name.toLowerCase()] = compressed(readFileSync(`${dir}/streamr_e2ee_bg.wasm`));
  }
  // Issue #16: the RSA module, fetched only for an RSA exchange (not part of `wasm`).
  const rsaWasm = compressed(readFileSync(`${repo}pkg/rsa-wasm/web/streamr_e2ee_rsa_wasm_bg.wasm`));
  // Issue #20: the recovery-lever modules (benches/recover-lever/build.sh), when built.
  const levers = {};
  for (const v of ['none', 'k256', 'precomputed', 'libsecp', 'lowmem', 'k256-32']) {
    const f = `${repo}target/recover-lever/${v}/recover_lever_bg.wasm`;
    if (existsSync(f)) levers[v] = compressed(readFileSync(f));
  }
  return { wasm, rsaWasm, js, jsFiles: jsFiles.map((f) => f.slice(repo.length)), variants, levers };
}

// ---- native ----------------------------------------------------------------------------------
function nativeRust(extra = []) {
  const cargoArgs = ['run', '--quiet', '--example', 'bench_native', ...(quick ? [] : ['--release']), '--', ...(quick ? ['--quick'] : []), ...extra];
  log(`cargo ${cargoArgs.join(' ')}`);
  const r = spawnSync('cargo', cargoArgs, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench_native failed (${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Node's crypto (OpenSSL, AES-NI): what the SDK uses under Node; a native reference point. */
function nativeNodeAes() {
  const key = randomBytes(32);
  const out = [];
  const samples = quick ? 3 : 11;
  for (const size of [64, 1024, 16384, 1048576]) {
    const data = randomBytes(size);
    const enc = () => { const iv = randomBytes(16); const c = createCipheriv('aes-256-ctr', key, iv); return Buffer.concat([iv, c.update(data), c.final()]); };
    const ct = enc();
    const dec = () => { const d = createDecipheriv('aes-256-ctr', key, ct.subarray(0, 16)); return Buffer.concat([d.update(ct.subarray(16)), d.final()]); };
    const label = size >= 1048576 ? '1 MiB' : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
    for (const [op, fn] of [['encrypt', enc], ['decrypt', dec]]) {
      let iters = 1;
      const time = (n) => { const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(); return Number(process.hrtime.bigint() - t0) / 1e6; };
      while (time(iters) < (quick ? 2 : 15)) iters *= 2;
      const per = [];
      for (let s = 0; s < samples; s++) per.push(time(iters * 4) / (iters * 4));
      per.sort((a, b) => a - b);
      const q = (p) => per[Math.min(per.length - 1, Math.floor(p * (per.length - 1) + 0.5))];
      out.push({ group: 'aes', name: `AES-256-CTR ${op} ${label}`, impl: 'Node crypto (OpenSSL)', bytes: size,
        medianMs: q(0.5), minMs: per[0], maxMs: per[per.length - 1], p25Ms: q(0.25), p75Ms: q(0.75), iters: iters * 4, samples });
    }
  }
  return out;
}

// ---- browser ---------------------------------------------------------------------------------
function bundle(dir) {
  const r = spawnSync(`${repo}node_modules/.bin/webpack`, ['--config', here('./browser/webpack.config.cjs')],
    { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_OUT: dir }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`webpack failed (${r.status ?? r.signal})\n${r.stdout}`);
  writeFileSync(`${dir}/index.html`, '<!doctype html><meta charset="utf-8"><title>streamr-e2ee benchmarks</title><link rel="icon" href="data:,"><script src="main.js"></script>\n');
}

function startServer(dir) {
  const child = spawn(process.execPath, [`${repo}tests/js/browser/serve.mjs`, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolvePort({ child, port: JSON.parse(line).port }));
  });
}

/** The development relay (relay/), on a free port: the release build if there is one. */
function startRelay() {
  const bin = ['release', 'debug'].map((p) => `${repo}target/${p}/streamr-e2ee-relay`).find((f) => existsSync(f));
  if (!bin) return Promise.resolve(null);
  const child = spawn(bin, ['--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`relay exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (url) => {
      child.removeAllListeners('exit');
      resolve({ child, url: url.trim(), profile: bin.includes('/release/') ? 'release' : 'debug' });
    });
  });
}

let bundled = false;

async function inBrowser(browser, only) {
  const dir = `${repo}test-results/bench/bundle`;
  if (!bundled) {
    mkdirSync(dir, { recursive: true });
    log('webpack bundle');
    bundle(dir);
    bundled = true;
  }
  const { child, port } = await startServer(dir);
  const relay = await startRelay();
  if (relay) log(`relay (${relay.profile} build) at ${relay.url}`);
  else log('no relay binary (cargo build -p streamr-e2ee-relay): round trips skipped');
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); else if (m.text().startsWith('bench:')) log(`  ${m.text().slice(7)}`); });
    await page.addInitScript((c) => { window.__benchConfig = c; }, { quick, only, relayUrl: relay?.url });
    // The benchmarks keep the main thread busy: do not wait for the load event.
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bench || window.__benchError, null, { timeout: quick ? 120_000 : 1_800_000, polling: 500 });
    const err = await page.evaluate(() => window.__benchError);
    if (err) throw new Error(`browser benchmark failed: ${err}\n${errors.join('\n')}`);
    const r = await page.evaluate(() => window.__bench);
    await page.close();
    return { ...r, pageErrors: errors, relayProfile: relay?.profile };
  } finally {
    child.removeAllListeners('exit');
    process.kill(child.pid, 'SIGTERM');
    if (relay) process.kill(relay.child.pid, 'SIGTERM');
  }
}

async function screenshot(browser, svg, file) {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
  const el = await page.$('svg');
  await el.screenshot({ path: file });
  await page.close();
}

/** --render: BENCHMARKS.md and the chart again from the saved results (after a change to the report). */
async function render() {
  const data = JSON.parse(readFileSync(files.json, 'utf8'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    await screenshot(browser, renderChart(data), files.png);
    writeFileSync(files.md, renderMarkdown(data, { chart: quick ? 'chart.png' : 'benches/chart.png' }));
    log(`wrote ${files.md} and ${files.png} from ${files.json}`);
  } finally {
    await browser.close();
  }
}

async function main() {
  if (args.includes('--render')) return render();
  const t0 = Date.now();
  mkdirSync(outDir, { recursive: true });
  const m = machine();
  log(`load average at start: ${m.loadStart.map((x) => x.toFixed(2)).join(' ')} (${m.nproc} cores)`);
  const size = sizes();
  log(`wasm ${size.wasm.raw} B raw, ${size.wasm.gzip} gzip, ${size.wasm.brotli} brotli`);
  const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
  const saved = merge ? JSON.parse(readFileSync(files.json, 'utf8')) : null;
  // A merge keeps the saved variant sizes when no variant is given: its rows were measured on them.
  if (saved && Object.keys(size.variants).length === 0) size.variants = saved.size?.variants ?? {};
  if (saved && Object.keys(size.levers).length === 0) size.levers = saved.size?.levers ?? {};
  // A run of the network or cold-start groups alone measures nothing native.
  const networkOnly = only?.every((g) => g === 'network' || g === 'coldstart');
  const native = saved ? saved.native : args.includes('--no-native') || networkOnly ? { results: [], profile: 'skipped' } : nativeRust();
  if (!saved && !networkOnly) native.results.push(...nativeNodeAes());
  // A merge of perf20 (issue #20) measures its native rows again (the breakdown's other half).
  if (saved && only?.includes('perf20')) {
    native.results = [...native.results.filter((r) => r.group !== 'perf20'), ...nativeRust(['--breakdown-only']).results];
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    m.chromium = browser.version();
    // Memory in a page of its own: wasm memory never shrinks, so after the other cases (1,000
    // subscribers, 1 MiB buffers) it would show their high-water mark instead.
    const groups = ['aes', 'sig', 'kem', 'pipe', 'perf20', 'relay', 'worker', 'startup', 'mem', 'network', 'coldstart'].filter((g) => !only || only.includes(g));
    let web = merge ? JSON.parse(readFileSync(files.json, 'utf8')).web : null;
    const main = groups.filter((g) => g !== 'mem' && g !== 'network' && g !== 'coldstart');
    if (main.length) {
      const r = await inBrowser(browser, main);
      web = web ? { ...web, results: [...web.results.filter((x) => !main.includes(x.group)), ...r.results], startup: r.startup ?? web.startup, userAgent: r.userAgent } : r;
    }
    if (groups.includes('mem')) {
      const r = await inBrowser(browser, ['mem']);
      web = web ? { ...web, memory: r.memory } : r;
    }
    web ??= { results: [], config: null };
    const network = groups.includes('network') ? await networkBench({ quick, workDir: `${repo}test-results/bench`, log }) : saved?.network;
    const coldstart = groups.includes('coldstart') ? await coldStartBench({ quick, workDir: `${repo}test-results/bench`, log }) : saved?.coldstart;
    m.loadEnd = os.loadavg();
    m.userAgent = web.userAgent;
    if (saved) {
      saved.machine.merged = [...(saved.machine.merged ?? []), { groups, date: m.date, loadStart: m.loadStart, loadEnd: m.loadEnd, commit: m.commit }];
    }
    const data = { quick, machine: saved ? saved.machine : m, size, native, web, network, coldstart, command: `npm run bench${quick ? ' -- --quick' : ''}`, seconds: saved ? saved.seconds : (Date.now() - t0) / 1000 };
    writeFileSync(files.json, JSON.stringify(data, null, 1) + '\n');
    await screenshot(browser, renderChart(data), files.png);
    writeFileSync(files.md, renderMarkdown(data, { chart: quick ? 'chart.png' : 'benches/chart.png' }));
    log(`wrote ${files.md}, ${files.png}, ${files.json} in ${Math.round((Date.now() - t0) / 1000)} s`);
    log(`load average at end: ${m.loadEnd.map((x) => x.toFixed(2)).join(' ')}`);
    log(`${web.results.length} browser and ${native.results.length} native cases`);
    console.log("1 passed, 0 failed");
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
