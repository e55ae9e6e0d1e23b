// The benchmark group `coldstart` (issue #16): time from navigation to the first decrypted
// message in headless Chromium, side by side in one run, rounds interleaved:
//   after   streamr-e2ee as built now (pkg/: lazy web build, ready())
//   before  the package from before issue #16 (target/bench-variants/before/pkg, a copy of the
//           pkg/ of that commit; COLDSTART_BEFORE_PKG to point elsewhere; skipped when absent).
//           To make it: check out e9a1f46 (the last commit before #16), bash scripts/build-pkg.sh,
//           copy pkg/ to target/bench-variants/before/pkg.
//   sdk     stock @streamr/sdk 103.3.2 in the page (its browser build, bundled by webpack as an
//           app would), then the SDK's decode, signature check and decryption of the same
//           message (benches/coldstart/sdk-entry.mjs)
// Offline: no relay, no network. The message (1 KiB, signed, encrypted) and its group key are
// made in Node beforehand and inlined in each page; the network part of a first message is the
// same whichever library receives it, and is measured by the `network` group. Each sample is a
// fresh browser context (empty HTTP and code caches), over a link throttled to 10 Mbit/s and
// 40 ms RTT, files served brotli-compressed (q11) when the browser accepts it, as a CDN would.
// `node benches/coldstart.mjs [--quick] [--out file.json]` runs it alone; run.mjs runs it as a
// group and puts it in BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { summary } from './timing.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** 10 Mbit/s down, 5 up, 40 ms round trip (Chrome DevTools' own presets are near this). */
const LINK = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8 };
export const COLDSTART_VARIANTS = { after: 'ours (this build)', before: 'ours before #16', sdk: '@streamr/sdk 103.3.2 (webpack)' };

const hex = (b) => Buffer.from(b).toString('hex');

/** A signed, encrypted 1 KiB content message from a fresh EVM publisher, made with pkg/node. */
function fixture() {
  const lib = createRequire(import.meta.url)(`${repo}pkg/node/streamr_e2ee.js`);
  const streamId = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/coldstart';
  const pub = new lib.Publisher({ streamId }, lib.EvmSigner.generate());
  const size = 1024;
  pub.publish(new Uint8Array(size).fill(7), lib.ContentType.BINARY, 1_800_000_000_000);
  let message;
  let key;
  for (const o of pub.pollOutputs()) {
    if (o.type === 'send') message = o.bytes;
    if (o.type === 'storeKey') key = o.key;
  }
  if (!message || !key) throw new Error('the publisher made no message');
  const m = lib.StreamMessage.fromBytes(message);
  const fx = { streamId, size, publisherId: pub.userId, keyId: key.id, key: hex(key.data), message: hex(message), payload: hex(m.signaturePayload()), signature: hex(m.signature), content: hex(m.content) };
  m.free();
  pub.free();
  return fx;
}

function build(out, before) {
  const r = spawnSync(`${repo}node_modules/.bin/webpack`, ['--config', here('./coldstart/webpack.config.cjs')], {
    cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8',
    env: { ...process.env, COLDSTART_OUT: out, ...(before ? { COLDSTART_BEFORE_PKG: before } : {}) },
  });
  if (r.status !== 0) throw new Error(`webpack failed (${r.status ?? r.signal})\n${r.stdout}`);
}

const compress = (buf) => ({
  raw: buf.length,
  brotli: brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
});

/** Static files from `root`, brotli (or gzip) encoded once and kept; 127.0.0.1, a free port. */
function serve(root) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const cache = new Map();
  const encodings = new Set();
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file)) return res.writeHead(404).end();
    const accept = String(req.headers['accept-encoding'] ?? '');
    const enc = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : 'identity';
    encodings.add(enc);
    const k = `${file}|${enc}`;
    if (!cache.has(k)) {
      const body = readFileSync(file);
      cache.set(k, enc === 'br' ? brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }) : enc === 'gzip' ? gzipSync(body, { level: 9 }) : body);
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...(enc === 'identity' ? {} : { 'content-encoding': enc }) });
    res.end(cache.get(k));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, port: server.address().port, encodings })));
}

async function sample(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', LINK);
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__coldstart || window.__coldstartError, null, { timeout: 120_000, polling: 50 });
    const r = await page.evaluate(() => window.__coldstart ?? { error: window.__coldstartError });
    if (r.error) throw new Error(`cold-start page failed: ${r.error}`);
    // What the page fetched (the bundler may emit files this page never loads, e.g. a worker's).
    r.fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()));
    return r;
  } finally {
    await context.close();
  }
}

export async function coldStartBench({ quick = false, log = console.log, workDir = `${repo}test-results/bench` } = {}) {
  const out = `${workDir}/coldstart`;
  mkdirSync(out, { recursive: true });
  const beforePkg = process.env.COLDSTART_BEFORE_PKG ?? `${repo}target/bench-variants/before/pkg`;
  const haveBefore = existsSync(`${beforePkg}/index.js`);
  if (!haveBefore) log(`coldstart: no ${beforePkg} (a copy of pkg/ from before issue #16): that row is skipped`);
  log('coldstart: webpack builds');
  build(out, haveBefore ? beforePkg : null);
  const fx = fixture();
  const variants = ['after', ...(haveBefore ? ['before'] : []), 'sdk'];
  const sizes = {};
  for (const v of variants) {
    const dir = `${out}/${v}`;
    writeFileSync(`${dir}/index.html`, `<!doctype html><meta charset="utf-8"><title>cold start</title><link rel="icon" href="data:,"><script>window.__coldstartFixture=${JSON.stringify(fx)}</script><script src="main.js"></script>\n`);
    sizes[v] = Object.fromEntries(readdirSync(dir).filter((f) => /\.(js|wasm)$/.test(f)).map((f) => [f, compress(readFileSync(`${dir}/${f}`))]));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const servers = {};
  try {
    for (const v of variants) servers[v] = await serve(resolve(`${out}/${v}`));
    const rounds = quick ? 2 : 12;
    const times = Object.fromEntries(variants.map((v) => [v, []]));
    // One unrecorded round first: the browser process's own start-up is nobody's cold start.
    for (const v of variants) await sample(browser, `http://127.0.0.1:${servers[v].port}/`);
    for (let r = 0; r < rounds; r++) {
      // Alternate the order so a slow spell of the shared machine hits every variant alike.
      for (const v of r % 2 ? [...variants].reverse() : variants) times[v].push(await sample(browser, `http://127.0.0.1:${servers[v].port}/`));
      log(`coldstart: round ${r + 1}/${rounds}`);
    }
    const rows = variants.map((v) => ({
      variant: v, impl: COLDSTART_VARIANTS[v],
      firstMessage: summary(times[v].map((t) => t.decrypted), 1),
      loaded: summary(times[v].map((t) => t.loaded), 1),
      files: Object.fromEntries(Object.entries(sizes[v]).filter(([f]) => times[v].some((t) => t.fetched.includes(f) || f === 'main.js'))),
      encodings: [...servers[v].encodings],
    }));
    return { rows, link: LINK, rounds, date: new Date().toISOString() };
  } finally {
    for (const s of Object.values(servers)) s.server.close();
    await browser.close();
  }
}

// Alone: node benches/coldstart.mjs [--quick] [--out file]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outFile = args.includes('--out') ? args[args.indexOf('--out') + 1] : `${repo}test-results/bench/coldstart.json`;
  coldStartBench({ quick: args.includes('--quick'), log: (s) => console.log(`bench: ${s}`) }).then((r) => {
    writeFileSync(outFile, JSON.stringify(r, null, 1) + '\n');
    for (const row of r.rows) console.log(`${row.impl}: first message median ${row.firstMessage.medianMs.toFixed(1)} ms (library ready ${row.loaded.medianMs.toFixed(1)} ms)`);
    console.log(`wrote ${outFile}`);
  }, (e) => { console.error(e); process.exit(1); });
}
