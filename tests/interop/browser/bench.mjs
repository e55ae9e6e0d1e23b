// Chromium benchmark of the SDK backend: bundles entry.mjs (the SDK's browser build + the
// documented webpack recipe), opens it in headless Chromium from 127.0.0.1, and writes
// target/bench/sdk-backend-chromium.json plus a table. Not part of scripts/test.sh.
//   node tests/interop/browser/bench.mjs
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const out = path.join(repo, 'target/bench/browser');
const { chromium } = require('playwright-core');

const r = spawnSync(path.join(repo, 'node_modules/.bin/webpack'), ['--config', path.join(here, 'webpack.config.cjs'), '--stats', 'errors-only'], { cwd: repo, stdio: 'inherit' });
if (r.status !== 0) throw new Error(`webpack failed (${r.status ?? r.signal})`);

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = http.createServer((req, res) => {
  if (req.url === '/') {
    res.setHeader('content-type', 'text/html');
    return res.end('<!doctype html><link rel="icon" href="data:,"><script src="main.js"></script>');
  }
  const f = path.join(out, path.basename(req.url));
  if (!fs.existsSync(f)) { res.statusCode = 404; return res.end(); }
  res.setHeader('content-type', types[path.extname(f)] ?? 'application/octet-stream');
  res.end(fs.readFileSync(f));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
let result;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', String(e)));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => globalThis.__result !== undefined, null, { timeout: 600000 });
  result = await page.evaluate(() => globalThis.__result);
} finally {
  await browser.close();
  server.close();
}
if (result.error) throw new Error(result.error);
const report = { what: 'per-message crypto of @streamr/sdk 103.3.2 in Chromium: @streamr/utils browser build vs streamr-e2ee stand-in, same page, medians of 5 interleaved rounds', date: new Date().toISOString(), ...result };
fs.writeFileSync(path.join(repo, 'target/bench/sdk-backend-chromium.json'), JSON.stringify(report, null, 2) + '\n');
console.log('recipe check (the SDK\'s own calls, counted by the stand-in):', JSON.stringify(result.recipe));
console.log('| key type | operation | stock op/s | backend op/s | backend / stock |');
console.log('| --- | --- | --: | --: | --: |');
for (const x of result.results) console.log(`| ${x.keyType} | ${x.op} | ${x.stockPerSec} | ${x.backendPerSec} | ${x.ratio}× |`);
console.log('written to target/bench/sdk-backend-chromium.json');
