// The demo end to end, in headless Chromium, against what `npm start` starts (by default on a
// local Streamr network: anvil + StreamRegistryV5, an entry point, a stock @streamr/sdk client;
// DEMO_TRANSPORT=relay runs the same on the dev relay, without the stock client's steps):
//   1. runs scripts/start.mjs as a child (--skip-setup, any free ports), waits for its `Demo ready: <url>`
//   2. playwright-core drives /usr/bin/chromium through the page:
//        publish → both subscribers decrypt, and so does the stock SDK client (its panel);
//        the stock SDK client publishes → both subscribers decrypt;
//        rotate → both continue without a gap and without a key exchange;
//        revoke Bob on chain + rekey → only Alice decrypts what follows, Bob's request is denied;
//        rotate again → Alice continues without a gap;
//        an injected EIP-1193 wallet (ethers behind window.ethereum) signs as the publisher,
//        then as a third subscriber;
//        the wallet panel's "Sign in once" (a session key: 1 transaction, then no prompt per
//        message; restored after a reload with 0 prompts; Sign out: 1 transaction),
//        tests/demo/session-steps.mjs.
//   3. Ctrl-C (SIGINT to the start command's PID) stops everything it started.
// Loopback: every Node process of the demo runs with tests/interop/loopback-guard.cjs
// (NODE_OPTIONS --require), which refuses and logs any connection leaving 127.0.0.1; Chromium
// resolves no other host (--host-resolver-rules), uses no UDP for WebRTC, and every request
// it makes is recorded. Both counts must be 0.
// Screenshots go to test-results/demo/ (git-ignored). Prints `N passed, N failed`.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { signInOnceSteps } from './session-steps.mjs';
import { injectWallet } from './wallet.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/demo`;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
  // No WebRTC over UDP. Left alone, the page's browser nodes connect to each other on the
  // host's own interface addresses, named with mDNS (the resolver rules above already leave
  // those names unresolved; this gathers no candidates at all). So they reach each other only
  // through the Node nodes' WebSockets on 127.0.0.1, the case the demo must work in.
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];
const GUARD = `${ROOT}tests/interop/loopback-guard.cjs`;
const NETWORK = (process.env.DEMO_TRANSPORT || 'network') === 'network';
const READY_TIMEOUT_MS = Number(process.env.DEMO_READY_TIMEOUT_MS ?? 900_000); // a cold build included
const STEP_TIMEOUT_MS = 30_000; // generous: a 2-core machine shared with builds
const LOOPBACK_URL = /^(?:https?|wss?):\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?\//;
const outside = []; // non-loopback requests Chromium made

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed += 1; console.log(`ok   ${name}`); } else { failed += 1; console.log(`FAIL ${name}${detail ? `\n     ${detail}` : ''}`); }
  return ok;
}

/** Starts `node scripts/start.mjs` on free ports; resolves with the URL it prints. */
function startDemo() {
  // --skip-setup: the test command runs scripts/setup.sh first, and set-up may rightly reach
  // package registries; the demo itself must not (the guard below would count it).
  const child = spawn(process.execPath, ['scripts/start.mjs', '--skip-setup', '--port', '0', '--rpc-port', '0', '--network-port', '0', '--relay-port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${GUARD}`.trim() },
  });
  const output = [];
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Demo ready" line after ${READY_TIMEOUT_MS / 1000}s`)), READY_TIMEOUT_MS);
    const onLine = (line) => {
      output.push(line);
      console.log(`  start| ${line}`);
      const m = line.match(/Demo ready: (http\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`npm start exited ${code} before it was ready`)); });
  });
  return { child, ready, output };
}

/** Records what Chromium requests off the loopback (http, https, ws, wss). */
function watchRequests(target, where) {
  const check = (url) => { if (/^(?:https?|wss?):/.test(url) && !LOOPBACK_URL.test(url)) outside.push(`${where}: ${url}`); };
  target.on('request', (r) => check(r.url()));
  target.on('websocket', (ws) => check(ws.url()));
}

/** Counts, without changing anything, the RTCPeerConnections of a page that get connected. */
function countWebrtc() {
  window.__webrtcConnected = 0;
  const Native = window.RTCPeerConnection;
  if (Native === undefined) return;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected') window.__webrtcConnected += 1; });
    }
  };
}

/** Lines the loopback guard wrote into this run's logs (.demo/*.log written since `since`) or the start output. */
function guardLines(output, since) {
  const dir = `${ROOT}.demo`;
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log') && statSync(`${dir}/${f}`).mtimeMs >= since)
    .map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
  return [...logs, output.join('\n')].flatMap((text) => text.split('\n')).filter((l) => l.includes('[loopback-guard] BLOCKED'));
}

const portOpen = (url) => new Promise((resolve) => {
  const { hostname, port } = new URL(url);
  const s = connect(Number(port), hostname);
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const t0 = Date.now();
  const demo = startDemo();
  let browser;
  let wallet;
  try {
    const url = await demo.ready;
    console.log(`demo ready after ${((Date.now() - t0) / 1000).toFixed(1)}s at ${url}`);
    // The servers of the summary: chain, relay or entry point, the stock client (HTTP and its node).
    const serverUrls = [...new Set(demo.output.filter((l) => /^\s+(chain|relay|network|stock SDK)\s/.test(l))
      .flatMap((l) => l.match(/(?:https?|ws):\/\/127\.0\.0\.1:\d+/g) ?? []))];
    const config = JSON.parse(readFileSync(`${ROOT}.demo/public/config.json`, 'utf8'));
    check(`config.json: the page uses the ${NETWORK ? 'network (one entry point on 127.0.0.1, the stock client)' : 'relay'} transport`, NETWORK
      ? config.transport.kind === 'network' && config.transport.entryPoints.length === 1 && config.transport.entryPoints[0].websocket.host === '127.0.0.1' && config.transport.stockSdk !== undefined
      : config.transport.kind === 'relay' && /^ws:\/\/127\.0\.0\.1:/.test(config.transport.relayUrl), JSON.stringify(config.transport));
    const publisherAddress = config.devAccounts.publisher.address;
    const stockAddress = config.transport.stockSdk?.address;

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    watchRequests(page, 'page');
    await page.addInitScript(countWebrtc);
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    check('the page loads its config and connects every participant', true);
    if (NETWORK) {
      // Ready means joined: each browser node's chip says how many neighbours it had when its subscribe resolved.
      const chips = await page.$$eval('#status .chip', (c) => c.map((x) => `${x.textContent}: ${x.title}`).filter((t) => t.startsWith('network:')));
      check('network: the 4 browser nodes (publisher, Alice, Bob, wire view) joined the stream part with a neighbour each',
        chips.length === 4 && chips.every((t) => /joined the stream part \([1-9]\d* neighbours?\)/.test(t)), chips.join(' | '));
    }

    const state = () => page.evaluate(() => JSON.parse(JSON.stringify(window.demo)));
    const texts = async (name) => (await state()).subscribers[name].messages.map((m) => m.text);
    const waitFor = (fn, arg) => page.waitForFunction(fn, arg, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    const hasText = (name, text) => waitFor(([n, t]) => window.demo.subscribers[n].messages.some((m) => m.text === t), [name, text]);
    const publish = async (text) => {
      await page.fill('#message', text);
      await page.click('[data-testid=publish]');
    };
    const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

    // 1. publish → both decrypt (each after one key exchange), and so does the stock client.
    await publish('first message');
    const a1 = await hasText('Alice', 'first message');
    const b1 = await hasText('Bob', 'first message');
    check('publish: Alice decrypts the first message', a1);
    check('publish: Bob decrypts the first message', b1);
    const stockHas = (text, from) => waitFor(([t, f]) => window.demo.stock.received.some((m) => m.text === t && m.publisherId === f), [text, from]);
    if (NETWORK) {
      const got = await stockHas('first message', publisherAddress);
      const shown = await page.$(`[data-testid=stock-received] li[data-text="first message"][data-publisher="${publisherAddress}"]`);
      check('stock SDK panel: the stock @streamr/sdk client decrypted the page\'s first message, from the page\'s publisher', got && shown !== null, JSON.stringify((await state()).stock));
    }
    let s = await state();
    const requesters = NETWORK ? 'Alice, Bob and the stock SDK client' : 'Alice and Bob';
    check(`publish: the publisher answered the key requests of ${requesters} (SUBSCRIBE checked on chain)`, s.publisher.answered === (NETWORK ? 3 : 2) && s.publisher.denied === 0, JSON.stringify(s.publisher));
    const wire = await page.$$eval('[data-testid=wire] tr[data-type=MESSAGE]', (rows) => rows.map((r) => r.textContent));
    const plainHex = Buffer.from('first message').toString('hex');
    const cipherCells = await page.$$eval('[data-testid=wire] tr[data-type=MESSAGE] .cipher', (c) => c.map((x) => x.textContent));
    check('wire view: the content frame shows ciphertext, not the plaintext', wire.length >= 1 && cipherCells.length >= 1 && cipherCells.every((c) => !c.includes(plainHex)), JSON.stringify(cipherCells));
    // The wire view is a node of its own: what reached Alice and Bob may reach it a moment later.
    const wireRows = (selector, n) => waitFor(([sel, min]) => document.querySelectorAll(sel).length >= min, [selector, n]);
    check('wire view: key requests and responses travel on the stream too', await wireRows('[data-testid=wire] tr[data-type=GROUP_KEY_REQUEST]', 2)
      && await wireRows('[data-testid=wire] tr[data-type=GROUP_KEY_RESPONSE]', 2));
    if (NETWORK) {
      await wireRows(`[data-testid=wire] tr[data-type=GROUP_KEY_REQUEST][data-publisher="${stockAddress}"]`, 1);
      const stockRequest = await page.$$eval(`[data-testid=wire] tr[data-type=GROUP_KEY_REQUEST][data-publisher="${stockAddress}"]`, (rows) => rows.map((r) => r.textContent));
      check('wire view: the stock client asked for the key with the SDK\'s own key exchange (RSA)', stockRequest.some((t) => /RSA public key/.test(t)), JSON.stringify(stockRequest));
    }
    const timeline = await page.textContent('[data-testid=subscriber-Alice] [data-testid=timeline]');
    check('timeline: request sent, response received, key stored with its latency', /key request sent/.test(timeline) && /key response received/.test(timeline) && /key unwrapped and stored.*\d+ ms after the request/.test(timeline), timeline);
    await shot('01-publish-both-decrypt');

    // 2. the stock client publishes → the page's subscribers decrypt (after an ML-KEM key exchange with it).
    if (NETWORK) {
      await page.fill('#stock-message', 'from the stock SDK');
      await page.click('[data-testid=stock-publish]');
      const published = await waitFor(() => window.demo.stock.published.some((m) => m.text === 'from the stock SDK'));
      check('stock SDK panel: the stock client published the message', published && (await page.$('[data-testid=stock-published] li[data-text="from the stock SDK"]')) !== null);
      const fromStock = (name) => waitFor(([n, f]) => window.demo.subscribers[n].messages.some((m) => m.text === 'from the stock SDK' && m.publisherId === f), [name, stockAddress]);
      const a = await fromStock('Alice');
      const b = await fromStock('Bob');
      check('stock → page: Alice decrypts what the stock client published, from the stock client', a);
      check('stock → page: Bob decrypts what the stock client published, from the stock client', b);
      // The key-store write is reported once its async put resolves, which may come after the
      // delivery it enabled: wait for the reports, then count them.
      await waitFor((f) => ['Alice', 'Bob'].every((n) => window.demo.subscribers[n].keysBy[f] !== undefined), stockAddress);
      s = await state();
      check('stock → page: each fetched the stock client\'s key (one key from it)', s.subscribers.Alice.keysBy[stockAddress] === 1 && s.subscribers.Bob.keysBy[stockAddress] === 1, JSON.stringify([s.subscribers.Alice.keysBy, s.subscribers.Bob.keysBy]));
      const responsesSelector = `[data-testid=wire] tr[data-type=GROUP_KEY_RESPONSE][data-publisher="${stockAddress}"]`;
      const responses = await wireRows(responsesSelector, 2);
      check('wire view: the stock client\'s key responses (to Alice and Bob) travel on the stream', responses, String(await page.$$eval(responsesSelector, (rows) => rows.length)));
      await page.locator('[data-testid=stock-sdk]').scrollIntoViewIfNeeded();
      await shot('02-stock-sdk-panel');
    }

    // 3. rotate → both continue without a gap, without a new key exchange.
    s = await state();
    const requestsBefore = { Alice: s.subscribers.Alice.requests, Bob: s.subscribers.Bob.requests };
    await page.click('[data-testid=rotate]');
    await publish('after rotate 1');
    await publish('after rotate 2');
    const a2 = await hasText('Alice', 'after rotate 2');
    const b2 = await hasText('Bob', 'after rotate 2');
    check('rotate: Alice and Bob both decrypt the messages after the rotation', a2 && b2);
    // The rotated key's store is reported after its async put (see stock → page above).
    await waitFor((f) => ['Alice', 'Bob'].every((n) => (window.demo.subscribers[n].keysBy[f] ?? 0) >= 2), publisherAddress);
    s = await state();
    // The page publisher's messages, each naming the one before it in its chain (prevMsgRef).
    const ours = (name) => s.subscribers[name].messages.filter((m) => m.publisherId === publisherAddress);
    const contiguous = (name) => ours(name).every((m, i, all) => i === 0 || m.prev === all[i - 1].ref);
    check('rotate: no gap (each message links to the previous one, no MESSAGE_GAP)', contiguous('Alice') && contiguous('Bob')
      && !s.subscribers.Alice.errors.includes('MESSAGE_GAP') && !s.subscribers.Bob.errors.includes('MESSAGE_GAP'), JSON.stringify(s.subscribers));
    check('rotate: the new key came in-band (no new key request, a new key stored)',
      s.subscribers.Alice.requests === requestsBefore.Alice && s.subscribers.Bob.requests === requestsBefore.Bob
      && s.subscribers.Alice.keysBy[publisherAddress] === 2 && s.subscribers.Bob.keysBy[publisherAddress] === 2, JSON.stringify(s.subscribers));
    const keys = (name) => new Set(ours(name).map((m) => m.keyId));
    check('rotate: the later messages use a different group key', keys('Alice').size === 2);
    if (NETWORK) check('rotate: the stock client decrypts the messages after the rotation too', await stockHas('after rotate 2', publisherAddress));
    await shot('03-rotate-no-gap');

    // 3. revoke Bob on chain + rekey → only Alice decrypts what follows.
    const bob = await page.evaluate(() => document.querySelector('#perm-address').value);
    await page.click('[data-testid=revoke]');
    const revoked = await waitFor(() => document.querySelector('[data-testid=subscriber-Bob] .badge.revoked') !== null);
    check('revoke: the transaction is mined and Bob shows SUBSCRIBE revoked', revoked, bob);
    await page.click('[data-testid=rekey]');
    await publish('after revoke');
    const a3 = await hasText('Alice', 'after revoke');
    check('revoke + rekey: Alice decrypts the new message', a3);
    const denied = await waitFor(() => window.demo.publisher.denied >= 1);
    s = await state();
    check("revoke + rekey: Bob's key request is denied (PERMISSION_DENIED)", denied && (await page.$('[data-testid=publisher] .error[data-code=PERMISSION_DENIED]')) !== null, JSON.stringify(s.publisher));
    await page.waitForTimeout(1500); // Bob's retries get nothing either
    check('revoke + rekey: Bob does not decrypt the new message', !(await texts('Bob')).includes('after revoke'), JSON.stringify(await texts('Bob')));
    const held = await page.textContent('[data-testid=subscriber-Bob] .held');
    check("revoke + rekey: Bob's panel says the message waits for a key", /waiting for the key/.test(held ?? ''), held);
    if (NETWORK) check('revoke + rekey: the stock client (still granted SUBSCRIBE) fetches the new key and decrypts', await stockHas('after revoke', publisherAddress));

    // 4. rotate again → Alice continues without a gap; Bob still reads nothing new.
    await page.click('[data-testid=rotate]');
    await publish('after second rotate');
    const a4 = await hasText('Alice', 'after second rotate');
    s = await state();
    check('rotate after revoke: Alice continues without a gap', a4 && contiguous('Alice') && !s.subscribers.Alice.errors.includes('MESSAGE_GAP'), JSON.stringify(s.subscribers.Alice));
    check('rotate after revoke: Bob still decrypts nothing new', !(await texts('Bob')).some((t) => t.startsWith('after ') && t !== 'after rotate 1' && t !== 'after rotate 2'));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('04-revoked-bob-rekey');

    check('no uncaught page errors', pageErrors.length === 0, pageErrors.join('\n'));
    const webrtc = await page.evaluate(() => window.__webrtcConnected);
    check('loopback: no WebRTC connection between the browser nodes (they meet through WebSockets on 127.0.0.1)', webrtc === 0, String(webrtc));
    // The wallet page below is a second set of browser nodes: close this one first.
    await page.close();

    // 5. An injected EIP-1193 wallet (window.ethereum) signs as the publisher. The wallet is
    //    ethers holding anvil account 3, reached through the EIP-1193 request() interface the
    //    page uses with MetaMask: eth_requestAccounts, then personal_sign for every signature
    //    (and eth_sendTransaction for a session, step 6): tests/demo/wallet.mjs.
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
    wallet = await injectWallet(ctx, { index: 3, rpcUrl: config.rpcUrl, chainId: config.chainId, streamRegistry: config.streamRegistry });
    const walletAddress = wallet.address;
    const wpage = await ctx.newPage();
    watchRequests(wpage, 'wallet page');
    wpage.on('pageerror', (e) => pageErrors.push(`wallet page: ${e}`));
    await wpage.goto(url);
    await wpage.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const prompts = await wpage.textContent('#wallet');
    check('wallet: the page finds window.ethereum and says which prompts come', /eth_requestAccounts/.test(prompts) && /personal_sign/.test(prompts), prompts);
    await wpage.click('[data-testid=connect-wallet]');
    const connected = await wpage.waitForFunction(() => /Wallet connected.*signs as the publisher/.test(document.querySelector('#wallet').textContent), null, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    check('wallet: connected, granted PUBLISH on chain, now the publisher', connected, await wpage.textContent('#wallet'));
    await wpage.fill('#message', 'signed by the wallet');
    await wpage.click('[data-testid=publish]');
    const walletDelivered = await wpage.waitForFunction(() => window.demo.subscribers.Alice.messages.some((m) => m.text === 'signed by the wallet'), null, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    const calls = await wpage.evaluate(() => window.__walletCalls);
    const signs = calls.filter((c) => c === 'personal_sign').length;
    check('wallet: Alice decrypts a message the wallet signed, after a key response the wallet signed', walletDelivered && signs >= 2, JSON.stringify(calls));
    const wireFrom = await wpage.$$eval('[data-testid=wire] tr[data-type=MESSAGE]', (rows) => rows.map((r) => [r.dataset.publisher, r.children[2].textContent]));
    check('wallet: the wire shows the wallet as the publisher', wireFrom.some(([id, shown]) => id === walletAddress && shown === 'your wallet'), JSON.stringify(wireFrom));
    // The same wallet as a third subscriber: its key request is a personal_sign prompt too.
    const signsBefore = signs;
    await wpage.click('[data-testid=connect-wallet-subscriber]');
    const youPanel = await wpage.waitForSelector('[data-testid=subscriber-You] .badge.granted', { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    // The status says so once the new subscriber has joined (its own node, on the network).
    const youSubscribed = await wpage.waitForFunction(() => /subscribes as "You"/.test(document.querySelector('#wallet').textContent), null, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    check('wallet as subscriber: granted SUBSCRIBE on chain, its panel appears, subscribed', youPanel && youSubscribed, await wpage.textContent('#wallet'));
    await wpage.fill('#message', 'for the wallet subscriber');
    await wpage.click('[data-testid=publish]');
    const youGot = await wpage.waitForFunction(() => window.demo.subscribers.You?.messages.some((m) => m.text === 'for the wallet subscriber'), null, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    const signsAfter = (await wpage.evaluate(() => window.__walletCalls)).filter((c) => c === 'personal_sign').length;
    const youTimeline = await wpage.textContent('[data-testid=subscriber-You] [data-testid=timeline]');
    check('wallet as subscriber: it decrypts after a key request the wallet signed',
      youGot && /sign the key request/.test(youTimeline) && /wallet signed/.test(youTimeline) && signsAfter > signsBefore, `personal_sign ${signsBefore} → ${signsAfter}; ${youTimeline}; ${await wpage.$$eval('#status .chip', (c) => c.map((x) => `${x.textContent}: ${x.title}`).join(' | '))}`);
    await wpage.screenshot({ path: `${SHOTS}/05-wallet-publisher-and-subscriber.png`, fullPage: true });
    await wpage.close(); // the next page is a new set of browser nodes

    // 6. "Sign in once": a session key (same browser context: the same IndexedDB after a reload).
    await signInOnceSteps({ ctx, url, config, wallet, network: NETWORK, check, watchRequests, pageErrors,
      stepTimeoutMs: STEP_TIMEOUT_MS, shotPath: `${SHOTS}/06-sign-in-once.png` });
    check('no uncaught page errors in the wallet pages', pageErrors.length === 0, pageErrors.join('\n'));

    // Loopback: nothing left 127.0.0.1, from Chromium or from any Node process of the demo.
    check('loopback: Chromium requested nothing outside 127.0.0.1', outside.length === 0, outside.join('\n'));
    if (NETWORK) {
      const stockState = await (await fetch(`${config.transport.stockSdk.url}/state`)).json();
      check('loopback: the guard runs in the stock SDK client\'s process and blocked nothing', stockState.loopbackGuardBlocked === 0, JSON.stringify(stockState.loopbackGuardBlocked));
    }
    const blocked = guardLines(demo.output, t0);
    check('loopback: the guard blocked nothing in any Node process of the demo (.demo/*.log)', blocked.length === 0, blocked.join('\n'));

    // 7. Ctrl-C stops everything the start command started.
    await browser.close();
    browser = undefined;
    demo.child.removeAllListeners('exit');
    const exited = new Promise((resolve) => demo.child.once('exit', (code, signal) => resolve(code ?? signal)));
    process.kill(demo.child.pid, 'SIGINT');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    const stillOpen = [];
    for (const u of [url, ...serverUrls]) if (await portOpen(u.replace(/^ws/, 'http'))) stillOpen.push(u);
    check(`Ctrl-C: the start command exits and its page, chain and ${NETWORK ? 'entry point and stock client' : 'relay'} servers are gone`,
      code === 130 && stillOpen.length === 0 && serverUrls.length === (NETWORK ? 4 : 2), `exit ${code}; still open: ${stillOpen.join(', ')}; servers ${serverUrls}`);
  } finally {
    wallet?.close();
    await browser?.close();
    if (demo.child.exitCode === null && demo.child.signalCode === null) process.kill(demo.child.pid, 'SIGINT');
  }
}

main().then(() => {
  console.log(`screenshots: ${SHOTS}/`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}, (e) => {
  console.error(e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
