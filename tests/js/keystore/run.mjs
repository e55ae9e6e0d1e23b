// Key store and worker tests in headless Chromium, with one persistent profile (a temporary
// user-data-dir, deleted at the end) so IndexedDB survives a reload and a browser restart:
//   1. webpack bundles browser/entry.mjs (+ the package's wasm and worker chunk), and Vite
//      builds vite-app/ (the same package, no wasm plugin)
//   2. tests/js/browser/serve.mjs serves each on 127.0.0.1 (own processes, stopped by PID)
//   3. phases: write → reload (page.reload) → restart (new browser, same profile) → worker
//      (RSA-4096 off the main thread, long tasks counted) → vite (the Vite build). The numbers
//      behind docs/worker.md are a benchmark: the `worker` group of benches/run.mjs.
// Prints failures and `N passed, N failed`; exits non-zero if any failed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../../../');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const INDEX_HTML = '<!doctype html><meta charset="utf-8"><title>streamr-e2ee key store tests</title><link rel="icon" href="data:,"><script src="main.js"></script>\n';

function webpackBundle() {
  const webpack = join(repo, 'node_modules/.bin/webpack');
  const r = spawnSync(webpack, ['--config', here('./webpack.config.cjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`webpack failed (${r.status ?? r.signal})`);
  const dir = join(repo, 'test-results/keystore-webpack');
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  return dir;
}

function viteBuild() {
  const vite = join(repo, 'node_modules/.bin/vite');
  const r = spawnSync(vite, ['build', '--config', here('./vite-app/vite.config.mjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status ?? r.signal})`);
  return join(repo, 'test-results/keystore-vite');
}

/** The RSA module's size: the pages tell its fetch from the main module's by it. */
const RSA_WASM_BYTES = statSync(join(repo, 'pkg/rsa-wasm/web/streamr_e2ee_rsa_wasm_bg.wasm')).size;

function startServer(dir) {
  const child = spawn(process.execPath, [join(repo, 'tests/js/browser/serve.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolvePort({ child, port: JSON.parse(line).port }));
  });
}

function stopServer(child) {
  child.removeAllListeners('exit');
  process.kill(child.pid, 'SIGTERM');
}

const launch = (profile) =>
  chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });

/** Runs one phase in `page` (navigating to it, or reloading), returns its results. */
async function phase(page, url, { reload = false } = {}) {
  const errors = [];
  const onError = (e) => errors.push(String(e));
  const onConsole = (m) => { if (m.type() === 'error') errors.push(m.text()); };
  page.on('pageerror', onError);
  page.on('console', onConsole);
  try {
    if (reload) {
      await page.evaluate((u) => history.replaceState(null, '', u), url);
      await page.reload();
    } else {
      await page.goto(url);
    }
    const handle = await page.waitForFunction(() => window.__results, null, { timeout: 120_000 })
      .catch((e) => { throw new Error(`no results from ${url}: ${e.message}\n${errors.join('\n')}`); });
    const results = await handle.jsonValue();
    for (const e of errors) results.failures.push({ name: `${results.phase}: page error`, message: e });
    results.failed += errors.length;
    return results;
  } finally {
    page.off('pageerror', onError);
    page.off('console', onConsole);
  }
}

async function main() {
  const dir = webpackBundle();
  const viteDir = viteBuild();
  const profile = mkdtempSync(join(tmpdir(), 'streamr-e2ee-keystore-'));
  const { child, port } = await startServer(dir);
  const all = [];
  let context;
  let viteServer;
  try {
    const origin = `http://127.0.0.1:${port}`;
    context = await launch(profile);
    let page = context.pages()[0] ?? await context.newPage();
    all.push(await phase(page, `${origin}/?phase=write`));
    all.push(await phase(page, `${origin}/?phase=reload`, { reload: true }));
    await context.close();
    context = await launch(profile); // same profile: a browser restart
    page = context.pages()[0] ?? await context.newPage();
    all.push(await phase(page, `${origin}/?phase=restart`));
    // A fresh document first thing in it, so nothing RSA ran before (issue #16).
    all.push(await phase(page, `${origin}/?phase=rsa&rsaWasmBytes=${RSA_WASM_BYTES}`));
    all.push(await phase(page, `${origin}/?phase=worker`));
    viteServer = await startServer(viteDir);
    all.push(await phase(page, `http://127.0.0.1:${viteServer.port}/?rsaWasmBytes=${RSA_WASM_BYTES}`));
  } finally {
    await context?.close();
    stopServer(child);
    if (viteServer) stopServer(viteServer.child);
    rmSync(profile, { recursive: true, force: true });
  }
  let passed = 0;
  let failed = 0;
  console.log(`browser: ${all[0]?.userAgent}`);
  for (const r of all) {
    passed += r.passed;
    failed += r.failed;
    console.log(`  ${r.phase}: ${r.passed} passed, ${r.failed} failed`);
    for (const [name, note] of Object.entries(r.notes)) console.log(`    ${name}: ${JSON.stringify(note)}`);
    for (const f of r.failures) console.log(`FAIL ${f.name}\n  ${f.message.replace(/\n/g, '\n  ')}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}

main().then((ok) => process.exit(ok ? 0 : 1), (e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
