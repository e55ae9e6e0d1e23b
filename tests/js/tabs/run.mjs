// Many tabs, one identity (issue 17, docs/multi-tab.md), in headless Chromium (Debian's, driven
// by playwright-core), through the REAL relay, with permissions from a REAL anvil running
// StreamRegistryV5 and keys in IndexedDB. The tabs of one browser context share an origin's
// storage, Web Locks and BroadcastChannels, as tabs of one profile do.
//   A. three tabs on one identity publish and subscribe: every tab gets every message once, in
//      order, all from one engine (one message chain);
//   B. the leading tab is closed mid-stream while the others publish: another tab takes over;
//      nothing is lost or duplicated;
//   C. three tabs subscribe with a wallet: one key request per key on the relay, one wallet
//      prompt per key, not one per tab;
//   D. for comparison, three tabs with multiTab: false and no key store: one request and one
//      prompt per tab (with a shared store it is one to three, by timing);
//   E. without Web Locks (deleted by an init script) the page warns once and runs alone.
// Prints each check and `N passed, N failed`; exits non-zero if any failed.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { JsonRpcRegistry, LocalSigner, MemoryKeyStore, StreamMessage, WebSocketTransport, createPublisher } from 'streamr-e2ee';
import { PERM, deployRegistry, sleep, startAnvil, startRelay, until } from '../shim/harness.mjs';
import { injectWallet, promptsIn } from '../../demo/wallet.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../../../');
const bundleDir = here('../../../test-results/tabs-bundle');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `\n     ${detail}`}`);
}

function bundle() {
  const r = spawnSync(`${repo}node_modules/.bin/webpack`, ['--config', here('./webpack.config.cjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`webpack failed (${r.status ?? r.signal})`);
  writeFileSync(`${bundleDir}/index.html`, '<!doctype html><meta charset="utf-8"><title>streamr-e2ee tabs</title><link rel="icon" href="data:,"><script src="main.js"></script>\n');
}

function startServer() {
  const child = spawn(process.execPath, [here('../browser/serve.mjs'), bundleDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, port: JSON.parse(line).port }));
  });
}

/** Every frame on the stream as the relay forwards it, decoded here (the test's view, not the shim's). */
async function tapRelay(relayUrl, part) {
  const transport = new WebSocketTransport(relayUrl, { WebSocket });
  const frames = [];
  await transport.subscribe(part, (bytes) => {
    const m = StreamMessage.fromBytes(bytes);
    frames.push({ type: m.messageType, from: m.publisherId.toLowerCase() });
    m.free();
  });
  return {
    count: (type, from) => frames.filter((f) => f.type === type && f.from === from).length,
    close: () => transport.close(),
  };
}

async function openTab(context, url, errors, warnings) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'warning' && m.text().startsWith('streamr-e2ee:')) warnings.push(m.text());
    else if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
  return page;
}

const status = (page) => page.evaluate(() => window.tabs.status());
const received = (page) => page.evaluate(() => window.tabs.received());

/** Whether `got` holds, for each tag in `tags`, exactly i = from..to-1 in order; else why not. */
function exactlyOnceInOrder(got, tags, from, to) {
  for (const tag of tags) {
    const is = got.filter((m) => m.tab === tag).map((m) => m.i);
    const want = Array.from({ length: to - from }, (_, k) => from + k);
    if (is.length !== want.length || is.some((v, k) => v !== want[k])) {
      const dup = is.length - new Set(is).size;
      const at = is.findIndex((v, k) => v !== want[k]);
      const around = got.filter((m) => m.tab === tag).slice(Math.max(0, at - 3), at + 4).map((m) => `${m.i}@${m.chain.slice(0, 4)}:${m.seq}`);
      return `tag ${tag}: ${is.length} of ${want.length}, ${dup} duplicated, first out of place at ${at}: ${around.join(' ')}`;
    }
  }
  return '';
}

async function main() {
  bundle();
  const { Wallet } = await import('ethers');
  const [anvil, server, relay] = await Promise.all([startAnvil(), startServer(), startRelay()]);
  let browser;
  let tap;
  let nodePublisher;
  const wallets = [];
  const pageErrors = [];
  const consoleWarnings = [];
  try {
    const chain = await deployRegistry(anvil.url);
    const streamId = await chain.createStream(`/tabs-${Date.now()}`);
    const part = `${streamId}#0`;
    const user = Wallet.createRandom();
    const outside = Wallet.createRandom();
    const plain = Wallet.createRandom();
    await chain.grant(streamId, user.address, PERM.PUBLISH);
    await chain.grant(streamId, user.address, PERM.SUBSCRIBE);
    await chain.grant(streamId, outside.address, PERM.PUBLISH);
    await chain.grant(streamId, plain.address, PERM.SUBSCRIBE);
    const base = { relayUrl: relay.url, rpcUrl: anvil.url, registryAddress: chain.address, streamId };
    tap = await tapRelay(relay.url, part);
    const u = user.address.toLowerCase();

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const url = `http://127.0.0.1:${server.port}/`;

    // A. Three tabs, one identity, publishing and subscribing.
    const ctxA = await browser.newContext();
    const tabs = [];
    for (let k = 0; k < 3; k++) {
      const page = await openTab(ctxA, url, pageErrors, consoleWarnings);
      await page.evaluate((c) => window.tabs.start(c), { ...base, privateKey: user.privateKey, publish: true, subscribe: true });
      tabs.push(page);
    }
    const leadsA = await Promise.all(tabs.map(status));
    check('A: one tab leads the publisher and the subscriber (the first)', leadsA.map((s) => [s.publisherLeads, s.subscriberLeads].join()).join(' ') === 'true,true false,false false,false', JSON.stringify(leadsA.map((s) => [s.publisherLeads, s.subscriberLeads])));
    const N = 100;
    await Promise.all(tabs.map((p, k) => p.evaluate(([t, n]) => window.tabs.publishRange(t, 0, n), [`a${k}`, N])));
    await Promise.all(tabs.map((p) => until(async () => (await status(p)).received >= 3 * N, 60_000, 'A: every message in every tab')));
    await sleep(500);
    for (let k = 0; k < 3; k++) {
      const got = await received(tabs[k]);
      const why = exactlyOnceInOrder(got, ['a0', 'a1', 'a2'], 0, N);
      check(`A: tab ${k} got all ${3 * N} messages (${N} from each tab) once, each tab's in order`, got.length === 3 * N && why === '', why || `got ${got.length}`);
      if (k === 0) {
        check('A: one group key for the three tabs (the leader made one and shared it)', new Set(got.map((m) => m.keyId)).size === 1, JSON.stringify([...new Set(got.map((m) => m.keyId))]));
        const chains = ['a0', 'a1', 'a2'].map((t) => new Set(got.filter((m) => m.tab === t).map((m) => m.chain)));
        check('A: each tab publishes on a message chain of its own', chains.every((c) => c.size === 1) && new Set(chains.map((c) => [...c][0])).size === 3);
      }
    }
    const sA = await Promise.all(tabs.map(status));
    check('A: every publish resolved, none failed', sA.every((s) => s.published === N && s.publishErrors.length === 0), JSON.stringify(sA.map((s) => s.publishErrors)));
    check(`A: the relay carried ${3 * N} content messages from the identity, one per publish`, tap.count('MESSAGE', u) === 3 * N, `${tap.count('MESSAGE', u)}`);
    check('A: no key request: the tabs read the key the leader stored', tap.count('GROUP_KEY_REQUEST', u) === 0, `${tap.count('GROUP_KEY_REQUEST', u)}`);

    // B. Close the leading tab while the other two publish; they publish on after it is gone.
    const M = 200;
    const AFTER = 50;
    const before = tap.count('MESSAGE', u);
    const publishing = [1, 2].map((k) => tabs[k].evaluate(([t, n]) => window.tabs.publishRange(t, 0, n, 5, 25), [`b${k}`, M]));
    await until(async () => (await status(tabs[1])).published >= N + 30, 60_000, 'B: publishes before the close');
    const closedAt = Date.now();
    await tabs[0].close();
    const leadersBack = async (pages) => {
      const st = await Promise.all(pages.map(status));
      return st.some((x) => x.publisherLeads) && st.some((x) => x.subscriberLeads);
    };
    await until(() => leadersBack([tabs[1], tabs[2]]), 30_000, 'B: new leaders');
    const takeOverMs = Date.now() - closedAt;
    await Promise.all(publishing);
    await Promise.all([1, 2].map((k) => tabs[k].evaluate(([t, a, b]) => window.tabs.publishRange(t, a, b), [`b${k}`, M, M + AFTER])));
    const rest = [tabs[1], tabs[2]];
    const bTotal = 2 * (M + AFTER);
    await Promise.all(rest.map((p) => until(async () => (await received(p)).filter((m) => m.tab[0] === 'b').length >= bTotal, 90_000, async () => `B: all ${bTotal} messages after the hand-off (got ${(await received(p)).filter((m) => m.tab[0] === 'b').length})`)));
    await sleep(1000);
    const sB = await Promise.all(rest.map(status));
    check('B: one of the remaining tabs took over each role', sB.filter((s) => s.publisherLeads).length === 1 && sB.filter((s) => s.subscriberLeads).length === 1, JSON.stringify(sB.map((s) => [s.publisherLeads, s.subscriberLeads])));
    for (const [k, p] of [[1, tabs[1]], [2, tabs[2]]]) {
      const got = (await received(p)).filter((m) => m.tab[0] === 'b');
      const why = exactlyOnceInOrder(got, ['b1', 'b2'], 0, M + AFTER);
      check(`B: tab ${k} got all ${bTotal} messages across the hand-off, none lost, none twice, each tab's in order`, got.length === bTotal && why === '', why || `got ${got.length}`);
      const all = await received(p);
      check(`B: tab ${k} got nothing twice in all (${all.length} messages)`, new Set(all.map((m) => `${m.tab}/${m.i}`)).size === all.length);
      check(`B: tab ${k}: each publishing tab's chain went on across the hand-off (one chain per tab)`, ['b1', 'b2'].every((t) => new Set(got.filter((m) => m.tab === t).map((m) => m.chain)).size === 1));
    }
    check('B: every publish in the remaining tabs resolved, none failed', sB.every((s) => s.published === N + M + AFTER && s.publishErrors.length === 0), JSON.stringify(sB.map((s) => [s.published, s.publishErrors])));
    check('B: no errors in the remaining tabs', sB.every((s) => s.errors.length === 0), JSON.stringify(sB.map((s) => s.errors)));
    const onWire = tap.count('MESSAGE', u) - before;
    console.log(`  hand-off: both locks held by remaining tabs ${takeOverMs} ms after page.close() was called (polled every 20 ms through page.evaluate; includes the close itself); ${JSON.stringify(sB.map((s) => s.handoffs))} (requests re-sent as signed bytes / as content); relay carried ${onWire} content messages for ${bTotal} publishes; deliveries repeated by the new leader and skipped: ${sB.map((s) => s.stats.duplicates).join(', ')}`);

    // F. A crash: three new tabs on another identity, publishes acknowledged late (so some are
    // on the wire but unconfirmed); the leading renderer is crashed mid-stream.
    const crashUser = Wallet.createRandom();
    await chain.grant(streamId, crashUser.address, PERM.PUBLISH);
    await chain.grant(streamId, crashUser.address, PERM.SUBSCRIBE);
    const cu = crashUser.address.toLowerCase();
    const ctxF = await browser.newContext();
    const fTabs = [];
    for (let k = 0; k < 3; k++) {
      const page = await openTab(ctxF, url, pageErrors, consoleWarnings);
      await page.evaluate((c) => window.tabs.start(c), { ...base, privateKey: crashUser.privateKey, publish: true, subscribe: true, ackDelayMs: 15 });
      fTabs.push(page);
    }
    const F = 100;
    const fPublishing = [1, 2].map((k) => fTabs[k].evaluate(([t, n]) => window.tabs.publishRange(t, 0, n, 5, 25), [`f${k}`, F]));
    await until(async () => (await status(fTabs[1])).published >= 20, 60_000, 'F: publishes before the crash');
    const crashed = new Promise((r) => fTabs[0].once('crash', r));
    const cdp = await ctxF.newCDPSession(fTabs[0]);
    const crashAt = Date.now();
    cdp.send('Page.crash').catch(() => undefined); // never answered: the renderer is gone
    await crashed;
    await until(async () => {
      const st = await Promise.all([fTabs[1], fTabs[2]].map(status));
      return st.some((x) => x.publisherLeads) && st.some((x) => x.subscriberLeads);
    }, 30_000, 'F: new leaders');
    const crashTakeOverMs = Date.now() - crashAt;
    await Promise.all(fPublishing);
    await Promise.all([fTabs[1], fTabs[2]].map((p) => until(async () => (await received(p)).filter((m) => m.tab[0] === 'f').length >= 2 * F, 90_000, async () => `F: all ${2 * F} after the crash (got ${(await received(p)).filter((m) => m.tab[0] === 'f').length})`)));
    await sleep(1000);
    const sF = await Promise.all([fTabs[1], fTabs[2]].map(status));
    check('F: after the crash one of the remaining tabs leads each role', sF.filter((s) => s.publisherLeads).length === 1 && sF.filter((s) => s.subscriberLeads).length === 1, JSON.stringify(sF.map((s) => [s.publisherLeads, s.subscriberLeads])));
    for (const [k, p] of [[1, fTabs[1]], [2, fTabs[2]]]) {
      const got = (await received(p)).filter((m) => m.tab[0] === 'f');
      const why = exactlyOnceInOrder(got, ['f1', 'f2'], 0, F);
      check(`F: tab ${k} got all ${2 * F} messages across the crash, none lost, none twice, each tab's in order`, got.length === 2 * F && why === '', why || `got ${got.length}`);
    }
    check('F: every publish in the remaining tabs resolved, none failed', sF.every((s) => s.published === F && s.publishErrors.length === 0), JSON.stringify(sF.map((s) => [s.published, s.publishErrors])));
    check('F: no errors in the remaining tabs', sF.every((s) => s.errors.length === 0), JSON.stringify(sF.map((s) => s.errors)));
    console.log(`  crash: both locks held by remaining tabs ${crashTakeOverMs} ms after Page.crash was sent; ${JSON.stringify(sF.map((s) => s.handoffs))} (re-sent as signed bytes / as content); relay carried ${tap.count('MESSAGE', cu)} content messages for ${2 * F} publishes (a re-sent message the old leader had sent too is on the wire twice); skipped as repeats: ${sF.map((s) => s.stats.duplicates).join(', ')}`);
    await ctxF.close();

    // C. Three tabs subscribe with a wallet; a publisher outside the browser (Node) publishes.
    const ctxC = await browser.newContext();
    const walletC = await injectWallet(ctxC, { index: 5, rpcUrl: anvil.url, chainId: 31337, streamRegistry: chain.address });
    wallets.push(walletC);
    await chain.grant(streamId, walletC.address, PERM.SUBSCRIBE);
    const ctxD = await browser.newContext();
    const walletD = await injectWallet(ctxD, { index: 6, rpcUrl: anvil.url, chainId: 31337, streamRegistry: chain.address });
    wallets.push(walletD);
    await chain.grant(streamId, walletD.address, PERM.SUBSCRIBE);
    const cTabs = [];
    for (let k = 0; k < 3; k++) {
      const page = await openTab(ctxC, url, pageErrors, consoleWarnings);
      await page.evaluate((c) => window.tabs.start(c), { ...base, wallet: true, subscribe: true });
      cTabs.push(page);
    }
    const registry = new JsonRpcRegistry({ streamRegistryAddress: chain.address, rpcUrl: anvil.url });
    nodePublisher = createPublisher({
      streamId, signer: LocalSigner.fromPrivateKey(outside.privateKey), registry, keyStore: new MemoryKeyStore(),
      transport: new WebSocketTransport(relay.url, { WebSocket }), options: { encryption: 'always' },
    });
    await nodePublisher.ready;
    const publishFromNode = async (tab, from, to) => {
      for (let i = from; i < to; i++) {
        await nodePublisher.publish({ tab, i });
        if (i % 10 === 9) await sleep(20);
      }
    };
    const tagged = async (page, tag) => (await received(page)).filter((m) => m.tab === tag);
    const prompts = async (pages) => (await Promise.all(pages.map(status))).reduce((n, s) => n + promptsIn(s.walletCalls).signatures, 0);
    await publishFromNode('c', 0, 30);
    await Promise.all(cTabs.map((p) => until(async () => (await tagged(p, 'c')).length >= 30, 60_000, 'C: 30 messages in every wallet tab')));
    await publishFromNode('c', 30, 40); // after the key arrived: nothing more to ask
    await Promise.all(cTabs.map((p) => until(async () => (await tagged(p, 'c')).length >= 40, 60_000, 'C: 40 messages in every wallet tab')));
    await sleep(500);
    const w = walletC.address;
    for (let k = 0; k < 3; k++) {
      const why = exactlyOnceInOrder(await tagged(cTabs[k], 'c'), ['c'], 0, 40);
      check(`C: wallet tab ${k} got all 40 messages once, in order`, why === '', why);
    }
    check('C: one key request on the relay for the key, not one per tab', tap.count('GROUP_KEY_REQUEST', w) === 1, `${tap.count('GROUP_KEY_REQUEST', w)} requests`);
    check('C: one wallet prompt (personal_sign) in all three tabs', (await prompts(cTabs)) === 1, `${await prompts(cTabs)} prompts`);
    await nodePublisher.rekey();
    await publishFromNode('c', 40, 70);
    await Promise.all(cTabs.map((p) => until(async () => (await tagged(p, 'c')).length >= 70, 60_000, 'C: 70 messages after the re-key')));
    await sleep(500);
    const cGot = await tagged(cTabs[2], 'c');
    check('C: after a re-key (a second key), every tab has all 70 once, in order', (await Promise.all(cTabs.map(async (p) => exactlyOnceInOrder(await tagged(p, 'c'), ['c'], 0, 70)))).every((x) => x === ''));
    check('C: two keys, two key requests on the relay, two prompts', new Set(cGot.map((m) => m.keyId)).size === 2 && tap.count('GROUP_KEY_REQUEST', w) === 2 && (await prompts(cTabs)) === 2, `${new Set(cGot.map((m) => m.keyId)).size} keys, ${tap.count('GROUP_KEY_REQUEST', w)} requests, ${await prompts(cTabs)} prompts`);

    // D. For comparison: three tabs with multiTab: false (as before this change) and no key store,
    // so that no tab can find the key another stored (with one it is one to three, by timing).
    const dTabs = [];
    for (let k = 0; k < 3; k++) {
      const page = await openTab(ctxD, url, pageErrors, consoleWarnings);
      await page.evaluate((c) => window.tabs.start(c), { ...base, wallet: true, subscribe: true, multiTab: false, noKeyStore: true });
      dTabs.push(page);
    }
    await publishFromNode('d', 0, 10);
    await Promise.all(dTabs.map((p) => until(async () => (await tagged(p, 'd')).length >= 10, 60_000, 'D: 10 messages in every tab')));
    await sleep(500);
    const wd = walletD.address;
    const dRequests = tap.count('GROUP_KEY_REQUEST', wd);
    const dPrompts = await prompts(dTabs);
    check('D (multiTab: false, no key store): each tab asks for itself: three key requests, three prompts', dRequests === 3 && dPrompts === 3, `${dRequests} requests, ${dPrompts} prompts`);
    console.log(`  without coordination: ${dRequests} key requests and ${dPrompts} prompts for one key in three tabs; with it: 1 and 1`);

    // E. No Web Locks: the page warns once and each handle runs its own engine.
    const ctxE = await browser.newContext();
    await ctxE.addInitScript(() => {
      delete Navigator.prototype.locks;
    });
    const warningsBefore = consoleWarnings.length;
    const eTab = await openTab(ctxE, url, pageErrors, consoleWarnings);
    await eTab.evaluate((c) => window.tabs.start(c), { ...base, privateKey: user.privateKey, publish: true, subscribe: true });
    await eTab.evaluate(() => window.tabs.publishRange('e', 0, 10));
    await until(async () => (await tagged(eTab, 'e')).length >= 10, 60_000, 'E: 10 messages without coordination');
    const sE = await status(eTab);
    check('E: without navigator.locks, one MULTI_TAB_UNAVAILABLE warning event for two handles', sE.warnings.length === 1 && sE.warnings[0].code === 'MULTI_TAB_UNAVAILABLE' && sE.warnings[0].missing.join() === 'navigator.locks', JSON.stringify(sE.warnings));
    check('E: and one console warning; multiTabStatus() says unavailable', consoleWarnings.length - warningsBefore === 1 && sE.multiTab.available === false && sE.multiTab.warning?.code === 'MULTI_TAB_UNAVAILABLE', JSON.stringify({ console: consoleWarnings.slice(warningsBefore), status: sE.multiTab }));
    check('E: the page still publishes and receives on its own', exactlyOnceInOrder(await tagged(eTab, 'e'), ['e'], 0, 10) === '' && sE.publisherLeads === undefined);
    check('no warnings where the APIs exist', warningsBefore === 0, consoleWarnings.join('\n'));
    check('no page errors', pageErrors.length === 0, pageErrors.join('\n'));
  } finally {
    await browser?.close();
    await nodePublisher?.close();
    await tap?.close();
    for (const w of wallets) w.close();
    await relay.stop();
    await anvil.stop();
    server.child.removeAllListeners('exit');
    process.kill(server.child.pid, 'SIGTERM');
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}

main().then((ok) => process.exit(ok ? 0 : 1), (e) => {
  console.error(e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
