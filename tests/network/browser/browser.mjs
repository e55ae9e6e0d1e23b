// Headless Chromium (Debian's /usr/bin/chromium through playwright-core) that cannot leave
// 127.0.0.1: every host name but 127.0.0.1/localhost resolves to nothing
// (--host-resolver-rules), and every request and WebSocket the pages open is recorded, so a
// test can assert that none went anywhere else. Also the static file server for the builds.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SERVE = fileURLToPath(new URL('../../js/browser/serve.mjs', import.meta.url));
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** True for a URL that stays on this machine (no network at all for data:, blob:, about:). */
export function isLocalUrl(url) {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return LOOPBACK.has(u.hostname);
}

/**
 * Launches Chromium and one context that records network use:
 * `offLoopback` (every request/WebSocket not to 127.0.0.1: must stay empty), `webSockets`
 * (URLs the pages opened), `responses` (url, method, status, access-control-allow-origin).
 */
export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  const log = { offLoopback: [], webSockets: [], responses: [], pageErrors: [], consoleErrors: [] };
  context.on('request', (req) => {
    if (!isLocalUrl(req.url())) log.offLoopback.push(`${req.method()} ${req.url()}`);
  });
  context.on('response', async (res) => {
    const req = res.request();
    log.responses.push({ url: res.url(), method: req.method(), status: res.status(), origin: await req.headerValue('origin'), acao: await res.headerValue('access-control-allow-origin') });
  });
  context.on('page', (page) => {
    page.on('websocket', (ws) => {
      log.webSockets.push(ws.url());
      if (!isLocalUrl(ws.url())) log.offLoopback.push(`websocket ${ws.url()}`);
    });
    page.on('pageerror', (e) => log.pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') log.consoleErrors.push(m.text());
    });
  });
  return { browser, context, log };
}

/** Opens `url` in a new page and waits for the app's `window.__ready` (`log`: from launchBrowser). */
export async function openPage(context, url, log) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 60_000 }).catch((e) => {
    throw new Error(`${url} never became ready: ${e.message}\n${log.pageErrors.join('\n')}`);
  });
  return page;
}

/** Serves `dir` on 127.0.0.1 (tests/js/browser/serve.mjs, its own process); `stop()` ends it by PID. */
export function startServer(dir) {
  const child = spawn(process.execPath, [SERVE, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const early = (code) => reject(new Error(`server exited early (${code})`));
    child.once('exit', early);
    createInterface({ input: child.stdout }).once('line', (line) => {
      child.off('exit', early);
      const { port } = JSON.parse(line);
      const exited = new Promise((r) => child.once('exit', r));
      resolve({
        origin: `http://127.0.0.1:${port}`,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          process.kill(child.pid, 'SIGTERM');
          await exited;
        },
      });
    });
  });
}
