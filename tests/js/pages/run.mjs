// Two pages, one publisher and one subscriber, in headless Chromium (Debian's, driven by
// playwright-core), through the REAL relay, with permissions from a REAL anvil running
// StreamRegistryV5 and keys in IndexedDB:
//   1. 1,000 encrypted messages arrive, in order, decrypted, none duplicated, while the relay
//      is stopped (SIGTERM) and restarted on the same port in the middle;
//   2. both pages reload: the keys come back from IndexedDB and no key request is made for a
//      key the pages already have (requests counted on both sides);
//   3. P-256 identities, signed and verified on WebCrypto;
//   4. the verification pool (`verifyWorkers`, issue #20): subscriber pages whose signers are
//      recovered in real Web Workers (the package's worker chunk as webpack emitted it; one
//      worker killed mid-stream; a worker that never answers) get every message once, in order.
// Prints each check and `N passed, N failed`; exits non-zero if any failed.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PERM, deployRegistry, sleep, startAnvil, startRelay, until } from '../shim/harness.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../../../');
const bundleDir = here('../../../test-results/pages-bundle');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TOTAL = 1000;
const RESTART_AT = 400;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `\n     ${detail}`}`);
}

function bundle() {
  const webpack = `${repo}node_modules/.bin/webpack`;
  const r = spawnSync(webpack, ['--config', here('./webpack.config.cjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`webpack failed (${r.status ?? r.signal})`);
  writeFileSync(`${bundleDir}/index.html`, '<!doctype html><meta charset="utf-8"><title>streamr-e2ee pages</title><link rel="icon" href="data:,"><script src="main.js"></script>\n');
}

function startServer() {
  const child = spawn(process.execPath, [here('../browser/serve.mjs'), bundleDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, port: JSON.parse(line).port }));
  });
}

async function openPage(browser, url, errors) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  // Chromium logs each refused connection while the relay is down: the reconnects, expected.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/' failed/.test(m.text())) errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
  return page;
}

async function main() {
  bundle();
  const { Wallet } = await import('ethers');
  const [anvil, server] = await Promise.all([startAnvil(), startServer()]);
  let relay = await startRelay();
  let browser;
  const pageErrors = [];
  try {
    const chain = await deployRegistry(anvil.url);
    const streamId = await chain.createStream(`/pages-${Date.now()}`);
    const pubKey = Wallet.createRandom();
    const subKey = Wallet.createRandom();
    await chain.grant(streamId, pubKey.address, PERM.PUBLISH);
    await chain.grant(streamId, subKey.address, PERM.SUBSCRIBE);
    const base = { relayUrl: relay.url, rpcUrl: anvil.url, registryAddress: chain.address, streamId };
    const pubCfg = { ...base, privateKey: pubKey.privateKey };
    const subCfg = { ...base, privateKey: subKey.privateKey };

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext();
    const url = `http://127.0.0.1:${server.port}/`;
    let [pubPage, subPage] = await Promise.all([openPage(context, url, pageErrors), openPage(context, url, pageErrors)]);
    const pub = await pubPage.evaluate((c) => window.shim.startPublisher(c), pubCfg);
    check('the publisher page starts, encrypting', pub.encrypted === true && pub.publisherId === pubKey.address.toLowerCase());
    await subPage.evaluate((c) => window.shim.startSubscriber(c), subCfg);
    const subStatus = () => subPage.evaluate(() => window.shim.status());
    const pubStatus = () => pubPage.evaluate(() => window.shim.status());

    // 1. 1,000 messages with a relay restart in the middle.
    // Paced (30 ms every 10 messages, ~3 s in all) so the restart falls mid-stream.
    const publishing = pubPage.evaluate(([from, to]) => window.shim.publishRange(from, to, 10, 30), [0, TOTAL]);
    await until(async () => (await pubStatus()).published >= RESTART_AT, 60_000, 'messages before the restart');
    await relay.stop();
    await until(async () => !(await pubStatus()).connected, 10_000, 'the publisher page to see the drop');
    await sleep(500); // the publisher keeps publishing into its transport's queue meanwhile
    const whileDown = await pubStatus();
    relay = await startRelay(relay.port);
    await publishing;
    await until(async () => (await subStatus()).received >= TOTAL, 60_000, async () => `all ${TOTAL} messages (got ${(await subStatus()).received})`);
    await sleep(500);
    const received = await subPage.evaluate(() => window.shim.received());
    const is = received.map((m) => m.i);
    const inOrder = is.every((v, k) => v === k);
    check(`${TOTAL} messages arrive, in order, none duplicated`, is.length === TOTAL && inOrder, `got ${is.length}, first out of place at ${is.findIndex((v, k) => v !== k)}`);
    check('every message was encrypted and decrypted', received.every((m) => m.encrypted === true && typeof m.keyId === 'string'));
    const ps = await pubStatus();
    const ss = await subStatus();
    check('the relay restart happened mid-stream: both pages reconnected', ps.connects >= 2 && ss.connects >= 2, JSON.stringify({ pub: ps.connects, sub: ss.connects }));
    check('messages were published while the relay was down and still arrived', whileDown.queued > 0, `queued while down: ${whileDown.queued}`);
    check('no publish failed', ps.published === TOTAL && ps.publishErrors.length === 0, JSON.stringify(ps.publishErrors));
    check('one key request, answered once', ss.keyRequestsSent === 1 && ps.keyRequests === 1, JSON.stringify({ sent: ss.keyRequestsSent, answered: ps.keyRequests }));
    check('no errors on either page', ps.errors.length === 0 && ss.errors.length === 0, JSON.stringify({ pub: ps.errors, sub: ss.errors }));
    console.log(`  relay restart: ${whileDown.queued} publishes queued while down; ${ps.resent} frames sent but unconfirmed at the drop, sent again; duplicates dropped by the subscriber's core: ${ss.stats.duplicates}`);

    // 2. Reload both pages: keys come back from IndexedDB; no second request for a known key.
    await Promise.all([pubPage.reload(), subPage.reload()]);
    await Promise.all([pubPage.waitForFunction(() => window.__ready === true), subPage.waitForFunction(() => window.__ready === true)]);
    await pubPage.evaluate((c) => window.shim.startPublisher({ ...c, relayUrl: c.relayUrl }), { ...pubCfg, relayUrl: relay.url });
    await subPage.evaluate((c) => window.shim.startSubscriber(c), { ...subCfg, relayUrl: relay.url });
    await pubPage.evaluate(() => window.shim.publishRange(0, 20));
    await until(async () => (await subStatus()).received >= 20, 30_000, 'messages after the reload');
    await sleep(300);
    const after = await subPage.evaluate(() => window.shim.received());
    const ps2 = await pubStatus();
    const ss2 = await subStatus();
    check('after the reload all 20 arrive under the key from before (restored from IndexedDB)', after.length === 20 && after.every((m, k) => m.i === k && m.keyId === received[TOTAL - 1].keyId), JSON.stringify(after.slice(0, 2)));
    check('no key request after the reload (subscriber sent 0, publisher answered 0)', ss2.keyRequestsSent === 0 && ps2.keyRequests === 0, JSON.stringify({ sent: ss2.keyRequestsSent, answered: ps2.keyRequests }));
    check('no errors after the reload', ps2.errors.length === 0 && ss2.errors.length === 0 && ps2.publishErrors.length === 0, JSON.stringify({ pub: ps2.errors, sub: ss2.errors }));
    check('the secp256k1 pages never loaded P-256 (issue #16)', !ps2.p256.platformLoaded && !ss2.p256.platformLoaded, JSON.stringify([ps2.p256, ss2.p256]));

    // 3. P-256 identities (issue #16): two fresh pages, WebCrypto signs and verifies, the core decides.
    const { createECDH } = await import('node:crypto');
    const p256Key = () => {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      return { privateKey: ecdh.getPrivateKey().toString('hex').padStart(64, '0'), userId: `0x${ecdh.getPublicKey('hex', 'compressed')}` };
    };
    const [p256Pub, p256Sub] = [p256Key(), p256Key()];
    const stream2 = await chain.createStream(`/pages-p256-${Date.now()}`);
    await (await chain.registry.grantPermissionForUserId(stream2, p256Pub.userId, PERM.PUBLISH)).wait();
    await (await chain.registry.grantPermissionForUserId(stream2, p256Sub.userId, PERM.SUBSCRIBE)).wait();
    const cfg2 = { ...base, relayUrl: relay.url, streamId: stream2, p256: true };
    const [pPage, sPage] = await Promise.all([openPage(context, url, pageErrors), openPage(context, url, pageErrors)]);
    const p256Started = await pPage.evaluate((c) => window.shim.startPublisher(c), { ...cfg2, privateKey: p256Pub.privateKey });
    check('the P-256 publisher page starts as its compressed public key', p256Started.publisherId === p256Pub.userId, JSON.stringify(p256Started));
    await sPage.evaluate((c) => window.shim.startSubscriber(c), { ...cfg2, privateKey: p256Sub.privateKey });
    await pPage.evaluate(() => window.shim.publishRange(0, 20));
    const p256Status = () => sPage.evaluate(() => window.shim.status());
    await until(async () => (await p256Status()).received >= 20, 30_000, async () => `20 P-256 messages (got ${(await p256Status()).received}; ${JSON.stringify((await p256Status()).errors)})`);
    await sleep(300);
    const got = await sPage.evaluate(() => window.shim.received());
    const pps = await pPage.evaluate(() => window.shim.status());
    const sps = await p256Status();
    check('P-256: 20 messages arrive in order, encrypted, from the P-256 publisher', got.length === 20 && got.every((m, k) => m.i === k && m.encrypted && m.publisherId === p256Pub.userId), JSON.stringify(got.slice(0, 2)));
    check('P-256: the publisher page signed on WebCrypto (20 messages + the key response) and verified the key request', pps.p256.platformLoaded && pps.p256.signatures >= 21 && pps.p256.verifications >= 1, JSON.stringify(pps.p256));
    check('P-256: the subscriber page verified every message and the response on WebCrypto, and signed its request', sps.p256.verifications >= 21 && sps.p256.signatures >= 1, JSON.stringify(sps.p256));
    check('P-256: no errors on either page', pps.errors.length === 0 && sps.errors.length === 0 && pps.publishErrors.length === 0, JSON.stringify({ pub: pps.errors, sub: sps.errors, publish: pps.publishErrors }));

    // 4. The verification pool, three subscriber pages on one stream, one publisher page.
    const stream3 = await chain.createStream(`/pages-pool-${Date.now()}`);
    const poolPub = Wallet.createRandom();
    const poolSubs = { default: Wallet.createRandom(), tracked: Wallet.createRandom(), silent: Wallet.createRandom() };
    await chain.grant(stream3, poolPub.address, PERM.PUBLISH);
    for (const w of Object.values(poolSubs)) await chain.grant(stream3, w.address, PERM.SUBSCRIBE);
    const cfg3 = { ...base, relayUrl: relay.url, streamId: stream3 };
    const poolPubPage = await openPage(context, url, pageErrors);
    await poolPubPage.evaluate((c) => window.shim.startPublisher(c), { ...cfg3, privateKey: poolPub.privateKey });
    const poolPages = {};
    for (const [pool, w] of Object.entries(poolSubs)) {
      poolPages[pool] = await openPage(context, url, pageErrors);
      await poolPages[pool].evaluate((c) => window.shim.startSubscriber(c), { ...cfg3, privateKey: w.privateKey, pool });
    }
    const POOL_N = 300;
    const poolStatus = (pool) => poolPages[pool].evaluate(() => window.shim.status());
    // Two bursts (no pauses); between them the tracked page's first worker is killed, as a crash
    // would end it (a crash with a call in flight: tests/js/shim/pool.test.mjs).
    const HALF = POOL_N / 2;
    await poolPubPage.evaluate(([from, to]) => window.shim.publishRange(from, to, 1_000_000, 0), [0, HALF]);
    await until(async () => (await poolStatus('tracked')).received >= HALF, 60_000, 'the first burst on the tracked page');
    await poolPages.tracked.evaluate(() => window.shim.killWorker(0));
    await poolPubPage.evaluate(([from, to]) => window.shim.publishRange(from, to, 1_000_000, 0), [HALF, POOL_N]);
    for (const pool of Object.keys(poolPages)) {
      await until(async () => (await poolStatus(pool)).received >= POOL_N, 60_000, async () => `${POOL_N} messages on the ${pool} page (got ${(await poolStatus(pool)).received})`);
    }
    await sleep(300);
    const poolGot = {};
    const poolSt = {};
    for (const pool of Object.keys(poolPages)) {
      poolGot[pool] = (await poolPages[pool].evaluate(() => window.shim.received())).map((m) => m.i);
      poolSt[pool] = await poolStatus(pool);
    }
    const allInOrder = (is) => is.length === POOL_N && is.every((v, k) => v === k);
    check(`pool (2 workers, the package's worker chunk): ${POOL_N} messages in order, none twice`, allInOrder(poolGot.default), `got ${poolGot.default.length}`);
    check('pool: every content message recovered in the workers and taken by the core (the key response is verified in the core)', poolSt.default.poolStats?.accepted === POOL_N && poolSt.default.poolStats?.refused === 0 && poolSt.default.errors.length === 0, JSON.stringify([poolSt.default.poolStats, poolSt.default.errors]));
    check(`pool, a worker killed between two bursts: ${POOL_N} messages in order, none lost or twice`, allInOrder(poolGot.tracked), `got ${poolGot.tracked.length}`);
    check('pool, a worker killed: one WORKER_UNAVAILABLE event, the other worker went on', poolSt.tracked.errors.length === 1 && /^WORKER_UNAVAILABLE: a verification worker failed/.test(poolSt.tracked.errors[0]) && poolSt.tracked.poolStats?.accepted > 0 && poolSt.tracked.workers === 2, JSON.stringify([poolSt.tracked.errors, poolSt.tracked.poolStats]));
    check(`pool, a worker that never answers: given up after its timeout, ${POOL_N} messages in order, verified in the core`, allInOrder(poolGot.silent) && poolSt.silent.poolStats?.accepted === 0, `got ${poolGot.silent.length}, ${JSON.stringify(poolSt.silent.poolStats)}`);
    check('pool, a worker that never answers: one WORKER_UNAVAILABLE event naming the timeout', poolSt.silent.errors.length === 1 && /did not answer within 1000 ms/.test(poolSt.silent.errors[0]), JSON.stringify(poolSt.silent.errors));
    const bad = await poolPages.default.evaluate((c) => window.shim.badVerifyWorkers(c), cfg3);
    check('pool: a bad verifyWorkers throws INVALID_ARGUMENT from createSubscriber in a page with multi-tab on', bad === 'INVALID_ARGUMENT', bad);
    check('no page errors', pageErrors.length === 0, pageErrors.join('\n'));
  } finally {
    await browser?.close();
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
