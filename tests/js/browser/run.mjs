// The shared suites (suite.mjs, scenarios.mjs) in headless Chromium through the bundler build:
//   1. webpack bundles entry.mjs (+ the package's .wasm) into test-results/browser-bundle/
//   2. serve.mjs serves it on 127.0.0.1:<free port> (its own process, stopped by PID)
//   3. playwright-core drives Debian's /usr/bin/chromium headless and reads window.__results
// Prints the failures and `N passed, N failed`; exits non-zero if any failed.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../../../');
const bundleDir = here('../../../test-results/browser-bundle');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function bundle() {
  const webpack = here('../../../node_modules/.bin/webpack');
  const r = spawnSync(webpack, ['--config', here('./webpack.config.cjs')], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`webpack failed (${r.status ?? r.signal})`);
  writeFileSync(`${bundleDir}/index.html`, '<!doctype html><meta charset="utf-8"><title>streamr-e2ee tests</title><link rel="icon" href="data:,"><script src="main.js"></script>\n');
}

function startServer() {
  const child = spawn(process.execPath, [here('./serve.mjs'), bundleDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolvePort({ child, port: JSON.parse(line).port }));
  });
}

async function main() {
  bundle();
  const { child, port } = await startServer();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(`http://127.0.0.1:${port}/`);
    const handle = await page.waitForFunction(() => window.__results, null, { timeout: 180_000 })
      .catch((e) => { throw new Error(`no results from the page: ${e.message}\n${pageErrors.join('\n')}`); });
    const results = await handle.jsonValue();
    console.log(`browser: ${results.userAgent}`);
    for (const f of results.failures) console.log(`FAIL ${f.name}\n  ${f.message.replace(/\n/g, '\n  ')}`);
    for (const [suite, c] of Object.entries(results.suites ?? {})) console.log(`  ${suite}: ${c.passed} passed, ${c.failed} failed`);
    for (const e of pageErrors) console.log(`page error: ${e}`);
    console.log(`${results.passed} passed, ${results.failed} failed`);
    return results.failed === 0 && results.passed > 0 && pageErrors.length === 0;
  } finally {
    await browser?.close();
    child.removeAllListeners('exit');
    process.kill(child.pid, 'SIGTERM');
  }
}

main().then((ok) => process.exit(ok ? 0 : 1), (e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
