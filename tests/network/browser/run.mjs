// Our publisher in headless Chromium on a local Streamr network, bundled by webpack 5 and by Vite:
//   1. builds: each bundler builds the publisher page (streamr-e2ee + streamr-e2ee/streamr-network)
//      and a page of streamr-e2ee alone; the latter must hold no module of
//      @streamr/trackerless-network, @streamr/dht or @streamr/config, the former must hold them
//      (module lists from the bundlers, and the emitted JavaScript scanned);
//   2. the local network (tests/network/localnet.mjs): anvil + StreamRegistryV5, the entry point
//      command, stock @streamr/sdk clients serving WebSocket;
//   3. per bundle: the page starts StreamrNetworkTransport (a browser node, WebSocket to the
//      entry point), createPublisher with a LocalSigner granted PUBLISH and a JsonRpcRegistry on
//      anvil, publishes N messages (the first right after createPublisher); a stock subscriber in
//      Node decrypts them all, in order; screenshots in test-results/network-browser/;
//   4. nothing left 127.0.0.1: Chromium resolves no other host and records every request and
//      WebSocket; the Node side runs under the loopback guard.
// Prints `ok`/`not ok` lines and `N passed, M failed`; exits 0 only if every check passed.
//   node tests/network/browser/run.mjs
import { guard } from '../guard.mjs'; // first: the loopback guard, before anything opens a socket
import { startLocalnet } from '../localnet.mjs';
import { NETWORK_MARKERS, NETWORK_PACKAGES, build, filesWith, modulesOf } from './builds.mjs';
import { launchBrowser } from './browser.mjs';
import { SHOTS, onlyScenario, publisherScenario } from './scenario.mjs';

const N = 20;
const BUNDLERS = ['webpack', 'vite'];

let count = 0;
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  count++;
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} ${count} - ${name}${ok || !detail ? '' : `\n  # ${String(detail).replace(/\n/g, '\n  # ')}`}`);
}

/** Check 5: importing streamr-e2ee alone pulls in none of the network layer; the page bundle does. */
function bundleChecks(only, page) {
  const b = only.bundler;
  const ownModules = only.modules.filter((m) => /\/pkg\/(index\.js|dist\/index\.js|web\/streamr_e2ee\.js)$/.test(m));
  const found = Object.fromEntries(NETWORK_PACKAGES.map((p) => [p, modulesOf(only.modules, p)]));
  check(`${b}: streamr-e2ee alone has no module of ${NETWORK_PACKAGES.join(', ')} (${only.modules.length} modules)`,
    ownModules.length >= 2 && Object.values(found).every((l) => l.length === 0),
    JSON.stringify({ ownModules, found }));
  const marked = Object.fromEntries(Object.entries(NETWORK_MARKERS).map(([p, s]) => [p, filesWith(only, s)]));
  check(`${b}: streamr-e2ee alone: no network-layer string in the emitted JavaScript (${Object.keys(only.js).length} files)`,
    Object.keys(only.js).length > 0 && Object.values(marked).every((l) => l.length === 0), JSON.stringify(marked));
  const inPage = Object.fromEntries(NETWORK_PACKAGES.map((p) => [p, modulesOf(page.modules, p).length]));
  const pageMarked = Object.fromEntries(Object.entries(NETWORK_MARKERS).map(([p, s]) => [p, filesWith(page, s)]));
  check(`${b}: the page bundle (with streamr-e2ee/streamr-network) does hold them: ${JSON.stringify(inPage)}`,
    Object.values(inPage).every((k) => k > 0) && Object.values(pageMarked).every((l) => l.length > 0), JSON.stringify(pageMarked));
}

async function main() {
  const started = Date.now();
  const builds = {};
  for (const bundler of BUNDLERS) {
    for (const app of ['page', 'only']) {
      const b = build(bundler, app);
      builds[`${bundler}-${app}`] = b;
      console.log(`# built ${bundler} ${app} in ${b.ms} ms: ${b.modules.length} modules, ${Object.keys(b.js).length} js files`);
    }
  }
  for (const bundler of BUNDLERS) bundleChecks(builds[`${bundler}-only`], builds[`${bundler}-page`]);

  const net = await startLocalnet();
  let browser;
  try {
    const launched = await launchBrowser();
    browser = launched.browser;
    const { context, log } = launched;
    for (const bundler of BUNDLERS) {
      const t = Date.now();
      const r = await publisherScenario({ net, context, log, b: builds[`${bundler}-page`], n: N, check });
      console.log(`# ${bundler} page: ${Date.now() - t} ms, transport ${JSON.stringify(r.stats)}`);
    }
    for (const bundler of BUNDLERS) await onlyScenario({ context, log, b: builds[`${bundler}-only`], check });
    for (const e of log.consoleErrors) console.log(`# console error: ${e}`);
    check(`Chromium: nothing but 127.0.0.1 (${log.responses.length} responses, ${log.webSockets.length} WebSockets recorded)`,
      log.offLoopback.length === 0 && log.webSockets.length > 0, log.offLoopback.join('\n'));
  } finally {
    await browser?.close();
    await net.stop();
  }
  check('Node: the loopback guard blocked nothing', guard.blocked.length === 0, JSON.stringify(guard.blocked));
  console.log(`# screenshots in ${SHOTS}; ${Math.round((Date.now() - started) / 1000)} s`);
}

main().then(
  () => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  },
  (e) => {
    console.error(e);
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  },
);
