// The demo end to end, in headless Chromium, against what `npm start` starts:
//   1. runs scripts/start.mjs as a child (any free ports), waits for its `Demo ready: <url>`
//   2. playwright-core drives /usr/bin/chromium through the page:
//        publish → both subscribers decrypt;
//        rotate → both continue without a gap and without a key exchange;
//        revoke Bob on chain + rekey → only Alice decrypts what follows, Bob's request is denied;
//        rotate again → Alice continues without a gap;
//        an injected EIP-1193 wallet (ethers behind window.ethereum) signs as the publisher,
//        then as a third subscriber.
//   3. Ctrl-C (SIGINT to the start command's PID) stops everything it started.
// Screenshots go to test-results/demo/ (git-ignored). Prints `N passed, N failed`.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HDNodeWallet, getBytes } from 'ethers';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/demo`;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const READY_TIMEOUT_MS = Number(process.env.DEMO_READY_TIMEOUT_MS ?? 900_000); // a cold build included
const STEP_TIMEOUT_MS = 20_000;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed += 1; console.log(`ok   ${name}`); } else { failed += 1; console.log(`FAIL ${name}${detail ? `\n     ${detail}` : ''}`); }
  return ok;
}

/** Starts `node scripts/start.mjs` on free ports; resolves with the URL it prints. */
function startDemo() {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--rpc-port', '0', '--relay-port', '0'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
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
  try {
    const url = await demo.ready;
    console.log(`demo ready after ${((Date.now() - t0) / 1000).toFixed(1)}s at ${url}`);
    const serverUrls = demo.output.join('\n').match(/(?:chain|relay)\s+(\S+:\/\/\S+)/g)?.map((l) => l.split(/\s+/)[1]) ?? [];

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    check('the page loads its config and connects every participant', true);

    const state = () => page.evaluate(() => JSON.parse(JSON.stringify(window.demo)));
    const texts = async (name) => (await state()).subscribers[name].messages.map((m) => m.text);
    const waitFor = (fn, arg) => page.waitForFunction(fn, arg, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    const hasText = (name, text) => waitFor(([n, t]) => window.demo.subscribers[n].messages.some((m) => m.text === t), [name, text]);
    const publish = async (text) => {
      await page.fill('#message', text);
      await page.click('[data-testid=publish]');
    };
    const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

    // 1. publish → both decrypt (each after one key exchange).
    await publish('first message');
    const a1 = await hasText('Alice', 'first message');
    const b1 = await hasText('Bob', 'first message');
    check('publish: Alice decrypts the first message', a1);
    check('publish: Bob decrypts the first message', b1);
    let s = await state();
    check('publish: the publisher answered both key requests (SUBSCRIBE checked on chain)', s.publisher.answered === 2 && s.publisher.denied === 0, JSON.stringify(s.publisher));
    const wire = await page.$$eval('[data-testid=wire] tr[data-type=MESSAGE]', (rows) => rows.map((r) => r.textContent));
    const plainHex = Buffer.from('first message').toString('hex');
    const cipherCells = await page.$$eval('[data-testid=wire] tr[data-type=MESSAGE] .cipher', (c) => c.map((x) => x.textContent));
    check('wire view: the content frame shows ciphertext, not the plaintext', wire.length >= 1 && cipherCells.length >= 1 && cipherCells.every((c) => !c.includes(plainHex)), JSON.stringify(cipherCells));
    check('wire view: key requests and responses travel on the stream too', (await page.$$('[data-testid=wire] tr[data-type=GROUP_KEY_REQUEST]')).length >= 2
      && (await page.$$('[data-testid=wire] tr[data-type=GROUP_KEY_RESPONSE]')).length >= 2);
    const timeline = await page.textContent('[data-testid=subscriber-Alice] [data-testid=timeline]');
    check('timeline: request sent, response received, key stored with its latency', /key request sent/.test(timeline) && /key response received/.test(timeline) && /key unwrapped and stored.*\d+ ms after the request/.test(timeline), timeline);
    await shot('01-publish-both-decrypt');

    // 2. rotate → both continue without a gap, without a new key exchange.
    s = await state();
    const requestsBefore = { Alice: s.subscribers.Alice.requests, Bob: s.subscribers.Bob.requests };
    await page.click('[data-testid=rotate]');
    await publish('after rotate 1');
    await publish('after rotate 2');
    const a2 = await hasText('Alice', 'after rotate 2');
    const b2 = await hasText('Bob', 'after rotate 2');
    check('rotate: Alice and Bob both decrypt the messages after the rotation', a2 && b2);
    s = await state();
    // Each delivered message names the one before it in the publisher's chain (prevMsgRef).
    const contiguous = (name) => s.subscribers[name].messages.every((m, i, all) => i === 0 || m.prev === all[i - 1].ref);
    check('rotate: no gap (each message links to the previous one, no MESSAGE_GAP)', contiguous('Alice') && contiguous('Bob')
      && !s.subscribers.Alice.errors.includes('MESSAGE_GAP') && !s.subscribers.Bob.errors.includes('MESSAGE_GAP'), JSON.stringify(s.subscribers));
    check('rotate: the new key came in-band (no new key request, a new key stored)',
      s.subscribers.Alice.requests === requestsBefore.Alice && s.subscribers.Bob.requests === requestsBefore.Bob
      && s.subscribers.Alice.keysStored === 2 && s.subscribers.Bob.keysStored === 2, JSON.stringify(s.subscribers));
    const keys = (name) => new Set(s.subscribers[name].messages.map((m) => m.keyId));
    check('rotate: the later messages use a different group key', keys('Alice').size === 2);
    await shot('02-rotate-no-gap');

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

    // 4. rotate again → Alice continues without a gap; Bob still reads nothing new.
    await page.click('[data-testid=rotate]');
    await publish('after second rotate');
    const a4 = await hasText('Alice', 'after second rotate');
    s = await state();
    check('rotate after revoke: Alice continues without a gap', a4 && contiguous('Alice') && !s.subscribers.Alice.errors.includes('MESSAGE_GAP'), JSON.stringify(s.subscribers.Alice));
    check('rotate after revoke: Bob still decrypts nothing new', !(await texts('Bob')).some((t) => t.startsWith('after ') && t !== 'after rotate 1' && t !== 'after rotate 2'));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('03-revoked-bob-rekey');

    check('no uncaught page errors', pageErrors.length === 0, pageErrors.join('\n'));

    // 5. An injected EIP-1193 wallet (window.ethereum) signs as the publisher. The wallet is
    //    ethers holding anvil account 3, reached through the EIP-1193 request() interface the
    //    page uses with MetaMask: eth_requestAccounts, then personal_sign for every signature.
    const walletKey = HDNodeWallet.fromPhrase('test test test test test test test test test test test junk', undefined, "m/44'/60'/0'/0/3");
    const walletAddress = walletKey.address.toLowerCase();
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
    await ctx.exposeFunction('__demoWalletSign', (hex) => walletKey.signMessage(getBytes(hex)));
    await ctx.addInitScript((address) => {
      window.__walletCalls = [];
      window.ethereum = {
        async request({ method, params }) {
          window.__walletCalls.push(method);
          if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address];
          if (method === 'eth_chainId') return '0x1'; // a wallet on another chain: signing does not care
          if (method === 'personal_sign') {
            if (params[1] !== address) throw Object.assign(new Error('unknown account'), { code: 4100 });
            return window.__demoWalletSign(params[0]);
          }
          throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
        },
      };
    }, walletAddress);
    const wpage = await ctx.newPage();
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
    check('wallet as subscriber: granted SUBSCRIBE on chain, its panel appears', youPanel);
    await wpage.fill('#message', 'for the wallet subscriber');
    await wpage.click('[data-testid=publish]');
    const youGot = await wpage.waitForFunction(() => window.demo.subscribers.You?.messages.some((m) => m.text === 'for the wallet subscriber'), null, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
    const signsAfter = (await wpage.evaluate(() => window.__walletCalls)).filter((c) => c === 'personal_sign').length;
    const youTimeline = await wpage.textContent('[data-testid=subscriber-You] [data-testid=timeline]');
    check('wallet as subscriber: it decrypts after a key request the wallet signed',
      youGot && /sign the key request/.test(youTimeline) && /wallet signed/.test(youTimeline) && signsAfter > signsBefore, `personal_sign ${signsBefore} → ${signsAfter}; ${youTimeline}`);
    await wpage.screenshot({ path: `${SHOTS}/04-wallet-publisher-and-subscriber.png`, fullPage: true });
    check('no uncaught page errors in the wallet page', pageErrors.length === 0, pageErrors.join('\n'));

    // 6. Ctrl-C stops everything the start command started.
    await browser.close();
    browser = undefined;
    demo.child.removeAllListeners('exit');
    const exited = new Promise((resolve) => demo.child.once('exit', (code, signal) => resolve(code ?? signal)));
    process.kill(demo.child.pid, 'SIGINT');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    const stillOpen = [];
    for (const u of [url, ...serverUrls]) if (await portOpen(u.replace(/^ws/, 'http'))) stillOpen.push(u);
    check('Ctrl-C: the start command exits and its chain, relay and page servers are gone', code === 130 && stillOpen.length === 0 && serverUrls.length === 2, `exit ${code}; still open: ${stillOpen.join(', ')}; servers ${serverUrls}`);
  } finally {
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
