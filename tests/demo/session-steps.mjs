// Step 6 of the demo test (tests/demo/run.mjs): "Sign in once" in the wallet panel, a
// SessionSigner, in a page of the injected wallet's browser context (tests/demo/wallet.mjs):
//   the wallet signs a message itself (1 + one per key response: N + M prompts), is refused a
//   session without GRANT (PERMISSION_DENIED, no prompt; it keeps signing), gets GRANT from the
//   dev owner, signs in once (1 transaction), and the session key publishes 3 messages with no
//   prompt, which Alice, Bob and the stock SDK client decrypt from the session address;
//   a reload (relay: page.reload(); network: the page reopened in the same profile, see below)
//   restores the session from IndexedDB with 0 prompts and it publishes again;
//   Renew (for an hour) costs 1 transaction; Sign out revokes it on chain (1 transaction) and
//   wipes the stored key.
// Every prompt count is checked twice: the page's meter, and the wallet's own record of the
// methods it was asked (window.__walletCalls); the grants are read on chain by the test.
import { promptsIn } from './wallet.mjs';

const SESSION_DB = 'streamr-e2ee-sessions'; // the package's IndexedDbSessionKeyStore

export async function signInOnceSteps({ ctx, url, config, wallet, network, check, watchRequests, pageErrors, stepTimeoutMs, shotPath }) {
  let page;
  const open = async (reload = false) => {
    if (reload) {
      await page.reload();
    } else {
      page = await ctx.newPage();
      watchRequests(page, 'session page');
      page.on('pageerror', (e) => pageErrors.push(`session page: ${e}`));
      await page.goto(url);
    }
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 }).catch(async (e) => {
      // Which participant did not get ready: the status chips, errors and the publisher's log.
      const chips = await page.$$eval('#status .chip', (c) => c.map((x) => `${x.textContent}: ${x.className} ${x.title}`).join(' | '));
      const text = await page.evaluate(() => ['#errors', '#wallet', '[data-testid=publisher] .log'].map((sel) => `${sel}: ${document.querySelector(sel)?.innerText.replace(/\s+/g, ' ').slice(0, 1500)}`).join('\n     '));
      throw new Error(`${e.message}\n     chips: ${chips}\n     ${text}`);
    });
  };
  await open();

  const waitFor = (fn, arg) => page.waitForFunction(fn, arg, { timeout: stepTimeoutMs }).then(() => true, () => false);
  const prompts = async () => promptsIn(await page.evaluate(() => window.__walletCalls));
  const session = () => page.evaluate(() => ({ ...window.demo.session }));
  const badge = () => page.textContent('[data-testid=publisher] h2 .badge');
  const meter = (row) => page.$eval(`[data-testid=${row}]`, (r) => ({ messages: Number(r.dataset.messages), responses: Number(r.dataset.responses), prompts: Number(r.dataset.prompts) }));
  const meterTotal = () => page.$eval('[data-testid=prompts-total]', (r) => ({ transactions: Number(r.dataset.transactions), signatures: Number(r.dataset.signatures) }));
  const publish = async (text) => {
    await page.fill('#message', text);
    await page.click('[data-testid=publish]');
  };
  // Alice and Bob decrypt `text` from `from`, and (network) so does the stock SDK client, shown in its panel.
  const everyoneHas = async (text, from) => {
    const subs = await waitFor(([t, f]) => ['Alice', 'Bob'].every((n) => window.demo.subscribers[n].messages.some((m) => m.text === t && m.publisherId === f)), [text, from]);
    if (!network) return subs;
    const stock = await waitFor(([t, f]) => document.querySelector(`[data-testid=stock-received] li[data-text="${t}"][data-publisher="${f}"]`) !== null, [text, from]);
    return subs && stock;
  };
  const storedSessions = () => page.evaluate((name) => new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('SessionKeys')) { db.close(); resolve(0); return; }
      const count = db.transaction('SessionKeys', 'readonly').objectStore('SessionKeys').count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
      count.onerror = () => reject(count.error);
    };
  }), SESSION_DB);
  // For a failed check: the page's errors and the publisher's log.
  const diag = () => page.evaluate(() => ['#errors', '[data-testid=session-errors]', '[data-testid=publisher] .panel-errors', '[data-testid=publisher] .log']
    .map((sel) => `${sel}: ${document.querySelector(sel)?.innerText.replace(/\s+/g, ' ').slice(0, 1500)}`).join('\n     '));
  const subscribers = network ? 3 : 2; // Alice, Bob (and the stock SDK client) ask for each new key

  check('sign in once: the wallet panel offers it; nothing stored, so no session and no prompt on load',
    (await page.$('[data-testid=sign-in-once]')) !== null && (await session()).state === 'none' && (await prompts()).signatures + (await prompts()).transactions === 0,
    JSON.stringify([await session(), await prompts()]));

  // Bob was revoked in step 3: grant him SUBSCRIBE again (the address field holds his address).
  await page.click('[data-testid=grant]');
  check('sign in once: Bob is granted SUBSCRIBE again', await waitFor(() => document.querySelector('[data-testid=subscriber-Bob] .badge.granted') !== null));

  // The plain path first: the wallet signs the message and every key response.
  await page.click('[data-testid=connect-wallet]');
  await waitFor(() => /Wallet connected.*signs as the publisher/.test(document.querySelector('#wallet').textContent));
  await publish('the wallet signs this one');
  const plainDelivered = await everyoneHas('the wallet signs this one', wallet.address);
  await waitFor((n) => window.demo.publisher.tally.wallet.responses >= n, subscribers);
  const plain = await meter('meter-wallet');
  let p = await prompts();
  check(`plain wallet path: 1 message and ${subscribers} key responses cost ${1 + subscribers} personal_sign prompts (N + M), as the meter shows`,
    plainDelivered && plain.messages === 1 && plain.responses >= subscribers && plain.prompts === plain.messages + plain.responses && p.signatures === plain.prompts && p.transactions === 0,
    `${JSON.stringify({ plainDelivered, plain, p })}\n     ${await diag()}`);
  const signaturesBefore = p.signatures;

  // Sign in once without GRANT: refused before any prompt; the wallet keeps signing.
  await page.click('[data-testid=sign-in-once]');
  const denied = await waitFor(() => document.querySelector('[data-testid=session-errors] .error[data-code=PERMISSION_DENIED]') !== null);
  p = await prompts();
  check('sign in once without GRANT: PERMISSION_DENIED shown, no transaction, the wallet still publishes',
    denied && (await session()).state === 'denied' && p.transactions === 0 && (await badge()) === 'wallet'
    && /no GRANT/.test(await page.textContent('[data-testid=session-errors]')), `${JSON.stringify([await session(), p, await badge()])}\n     ${await diag()}`);

  // The dev owner gives the wallet GRANT; then one transaction authorises a session key.
  await page.click('[data-testid=grant-wallet]');
  const granted = await waitFor(() => /your wallet holds GRANT \(block \d+\)/.test(document.querySelector('[data-testid=publisher] .log').textContent));
  const walletPerms = await wallet.permissions(config.streamId, wallet.address);
  check('sign in once: the dev owner key gives the wallet GRANT (not a wallet prompt)', granted && walletPerms.canGrant && (await prompts()).transactions === 0,
    `${JSON.stringify([granted, walletPerms, await prompts()])}\n     ${await diag()}`);
  await page.click('[data-testid=sign-in-once]');
  const active = await waitFor(() => window.demo.session.state === 'active');
  const s = await session();
  p = await prompts();
  const signedIn = check('sign in once: 1 transaction (setPermissionsForUser), no personal_sign; the session key publishes',
    active && !s.reused && p.transactions === 1 && p.signatures === signaturesBefore && (await badge()) === 'session key'
    && (await page.textContent('[data-testid=session-address]')) === s.address, `${JSON.stringify([s, p, await badge()])}\n     ${await diag()}`);
  if (!signedIn) throw new Error('no session: the later session steps cannot run');
  const onChain = await wallet.permissions(config.streamId, s.address);
  const left = await page.textContent('[data-testid=session-left]');
  check('sign in once: on chain the session address holds PUBLISH for a day, nothing else; the panel shows the time left (a day less the 5-min margin)',
    onChain.publishExpiration * 1000 === s.expiresAt && Math.abs(s.expiresAt - Date.now() - 86_400_000) < 300_000
    && !onChain.canGrant && !onChain.canEdit && !onChain.canDelete && onChain.subscribeExpiration === 0 && /^23:5[0-5]:\d\d$/.test(left),
    JSON.stringify([onChain, s.expiresAt, left]));

  const texts = ['session message 1', 'session message 2', 'session message 3'];
  for (const t of texts) await publish(t);
  let delivered = true;
  for (const t of texts) delivered = (await everyoneHas(t, s.address)) && delivered;
  const readers = network ? 'Alice, Bob and the stock SDK client (its panel)' : 'Alice and Bob';
  check(`session: ${readers} decrypt the 3 messages, from the session address`, delivered,
    JSON.stringify((await page.evaluate(() => window.demo.subscribers.Alice.messages)).slice(-3)));
  await waitFor((n) => window.demo.publisher.tally.session.responses >= n, subscribers);
  const used = await meter('meter-session');
  const would = Number(await page.textContent('[data-testid=meter-would]'));
  p = await prompts();
  const total = await meterTotal();
  check(`session: 3 messages and ${subscribers} key responses, still 1 prompt (the wallet signing each: ${3 + subscribers})`,
    used.messages === 3 && used.responses >= subscribers && used.prompts === 1 && would === used.messages + used.responses
    && p.transactions === 1 && p.signatures === signaturesBefore && total.transactions === 1 && total.signatures === signaturesBefore,
    JSON.stringify({ used, would, p, total }));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shotPath, fullPage: true });

  // Reload: the key comes back from IndexedDB, still granted: no prompt at all. On the relay,
  // page.reload(). On the network the page is closed and loaded again in the same browser
  // profile (same IndexedDB), as the earlier steps change pages: after page.reload() the new
  // document's browser nodes sometimes could not join the stream part within 30 s on this
  // shared machine (NETWORK_UNAVAILABLE; 2 of 5 runs, also with no wallet on the page: a
  // network-layer matter, not the session's).
  check('session: its key is kept in IndexedDB (one sealed record)', (await storedSessions()) === 1);
  if (network) await page.close();
  await open(!network);
  const back = await waitFor(() => window.demo.session.state === 'active');
  const r = await session();
  p = await prompts();
  check('reload: the session is restored with 0 prompts (no transaction, no personal_sign, no connect request)',
    back && r.reused && r.address === s.address && p.transactions === 0 && p.signatures === 0 && p.connects === 0
    && (await badge()) === 'session key' && (await page.$('[data-testid=session-reused]')) !== null, JSON.stringify([r, p]));
  await publish('after the reload');
  const afterReload = await everyoneHas('after the reload', s.address);
  p = await prompts();
  const reloadedMeter = await meter('meter-session');
  check(`reload: the restored key publishes; ${readers} decrypt it; still 0 prompts`,
    afterReload && p.transactions === 0 && p.signatures === 0 && reloadedMeter.messages === 1 && reloadedMeter.prompts === 0, JSON.stringify([p, reloadedMeter]));

  // Renew for an hour: one transaction; the grant on chain now ends in an hour (it was a day).
  await page.selectOption('[data-testid=session-ttl]', '3600');
  await page.click('[data-testid=session-renew]');
  const renewed = await waitFor((before) => window.demo.session.expiresAt !== before, r.expiresAt);
  const rn = await session();
  const renewedOnChain = await wallet.permissions(config.streamId, s.address);
  p = await prompts();
  check('renew: 1 transaction; on chain PUBLISH now ends in an hour, as the panel shows',
    renewed && p.transactions === 1 && p.signatures === 0 && renewedOnChain.publishExpiration * 1000 === rn.expiresAt
    && Math.abs(rn.expiresAt - Date.now() - 3_600_000) < 300_000, JSON.stringify([rn, renewedOnChain, p]));

  // Sign out: one transaction revokes the grant; the key is wiped, the stored record too.
  await page.click('[data-testid=session-signout]');
  const out = await waitFor(() => window.demo.session.state === 'revoked');
  p = await prompts();
  const after = await wallet.permissions(config.streamId, s.address);
  check('sign out: 1 transaction; on chain the session address holds nothing; the stored key is gone; the dev key publishes again',
    out && p.transactions === 2 && p.signatures === 0 && after.publishExpiration === 0 && !after.canGrant
    && (await storedSessions()) === 0 && (await badge()) === 'dev key' && (await meterTotal()).transactions === 2,
    JSON.stringify([p, after, await badge()]));
  await page.close();
}
