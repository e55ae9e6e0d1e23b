// The wallet panel's "Sign in once": a SessionSigner (streamr-e2ee; docs/wallet.md). The wallet
// authorises a key made and held in this page with one transaction on StreamRegistryV5
// (setPermissionsForUser: PUBLISH on the demo stream until an expiry); that key then signs every
// message and key response with no prompt. The meter counts the wallet's prompts live, next to
// what the wallet signing each costs (one personal_sign per message and per key response). The
// key stays sealed in IndexedDB: a reload restores it with no prompt (SessionSigner.restore).
// Renew and Sign out (revoke) cost one transaction each. Without GRANT on the stream the wallet
// cannot authorise a session: PERMISSION_DENIED, and the wallet keeps signing each message.
import { SessionSigner } from 'streamr-e2ee';
import { PermissionType } from './chain.js';
import { addSessionAddress, h, prepend, short } from './dom.js';
import { inWords } from './words.js';

const TTLS = [[86400, 'a day'], [3600, 'an hour'], [360, '6 minutes (it signs for 1: watch it expire)']];
const SAFETY_MARGIN_S = 300; // the package's default: signing stops 5 min before the grant ends

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const time = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });
function hms(ms) {
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The box in the wallet panel. `wallet`: `connect()` (eth_requestAccounts), `silent()` (the
 * signer if the site is connected already, no prompt), `signer()`, `becomePublisher()` (the
 * plain path: the wallet signs each message). `onChange(active)`: a session publishes or not.
 */
export function sessionBox({ config, registry, admin, pub, wallet, onChange }) {
  const state = { state: 'none', address: undefined, reused: undefined, expiresAt: undefined, prompts: { transactions: 0, signatures: 0 } };
  window.demo.session = state;
  const sessions = []; // opened on this page load: their transactions are the session path's prompts
  let session; // the one publishing
  let fallback = 'dev'; // who publishes after sign-out
  let busy = false;

  const ttlSelect = h('select', { 'data-testid': 'session-ttl', title: 'How long the grant lasts' },
    TTLS.map(([s, label]) => h('option', { value: s }, label)));
  const signInBtn = h('button', { class: 'primary', 'data-testid': 'sign-in-once' }, 'Sign in once');
  const grantBtn = h('button', { 'data-testid': 'grant-wallet', title: 'A transaction by the stream owner (the page\'s dev key), not by your wallet' }, 'Owner: give my wallet GRANT');
  const renewBtn = h('button', { 'data-testid': 'session-renew', title: 'One transaction: the grant runs again from now' }, 'Renew');
  const signOutBtn = h('button', { class: 'danger', 'data-testid': 'session-signout', title: 'One transaction (revokeAllPermissionsForUser), then the key is wiped' }, 'Sign out');
  const status = h('div', { class: 'session-status', 'data-testid': 'session-status' });
  const meter = h('div', { class: 'meter', 'data-testid': 'prompt-meter' });
  const errors = h('div', { class: 'panel-errors', 'data-testid': 'session-errors' });

  const showErr = (code, text) => prepend(errors, h('div', { class: 'error', 'data-code': code }, h('span', { class: 'code' }, code), h('span', {}, text)), 5);

  function renderStatus() {
    const s = state.state;
    if (session && (s === 'active' || s === 'expired')) {
      status.className = `session-status ${s}`;
      status.replaceChildren(
        h('span', { class: `badge ${s === 'active' ? 'session' : 'revoked'}` }, s === 'active' ? 'signed in' : 'paused: expired'), ' ',
        'Session key ', h('code', { 'data-testid': 'session-address' }, session.address), ` publishes for your wallet `, h('code', {}, short(session.account)),
        `: messages carry this address, not your wallet's. PUBLISH on chain until ${time(session.expiresAt)}; signing stops ${SAFETY_MARGIN_S / 60} min before: `,
        h('b', { 'data-testid': 'session-left' }, hms(session.remainingMs())), ' left. ',
        session.reused ? h('span', { class: 'badge granted', 'data-testid': 'session-reused' }, 'restored from IndexedDB after a reload: no prompt') : '',
        s === 'expired' ? h('span', { class: 'muted' }, ' Publishes and key responses wait, in order, until you renew.') : '',
        ' ', renewBtn, ' ', signOutBtn);
      return;
    }
    status.className = `session-status ${s}`;
    const words = {
      none: 'Not signed in.',
      opening: 'Waiting for your wallet: one transaction (setPermissionsForUser), then its receipt…',
      denied: 'No session: your wallet has no GRANT on the stream, so it signs each message itself (see the error below).',
      revoked: 'Signed out: the session key\'s PUBLISH was revoked on chain and the key wiped (memory and IndexedDB).',
    };
    status.replaceChildren(words[s] ?? s);
  }

  function renderMeter() {
    const t = window.demo.publisher.tally;
    const transactions = sessions.reduce((n, x) => n + x.transactionRequests, 0);
    const signatures = wallet.signer()?.signatureRequests ?? 0;
    state.prompts = { transactions, signatures };
    const row = (testid, title, counts, prompts, ...detail) => h('tr', { 'data-testid': testid, 'data-messages': counts.messages, 'data-responses': counts.responses, 'data-prompts': prompts },
      h('th', {}, title), h('td', {}, plural(counts.messages, 'message')), h('td', {}, plural(counts.responses, 'key response')),
      h('td', {}, h('b', {}, plural(prompts, 'prompt')), ...detail));
    meter.replaceChildren(
      h('div', { class: 'total', 'data-testid': 'prompts-total', 'data-transactions': transactions, 'data-signatures': signatures },
        'Wallet prompts on this page: ', h('b', {}, transactions + signatures), ` (${plural(transactions, 'transaction')} + ${signatures} personal_sign; connecting not counted)`),
      h('table', {},
        row('meter-wallet', 'The wallet signs each', t.wallet, t.wallet.signatures, ' (personal_sign)'),
        row('meter-session', 'Signed in once', t.session, transactions,
          ` (transactions: sign-in, renewals, sign-out); the wallet signing each would have asked `, h('b', { 'data-testid': 'meter-would' }, t.session.messages + t.session.responses), ' times')));
  }

  function refresh() {
    const live = session !== undefined;
    signInBtn.disabled = busy || live || state.state === 'opening';
    renewBtn.disabled = busy || !live;
    signOutBtn.disabled = busy || !live;
    grantBtn.disabled = busy;
    renderStatus();
    renderMeter();
  }

  const run = (btn, fn) => btn.addEventListener('click', async () => {
    busy = true;
    refresh();
    try {
      await fn();
    } catch (e) {
      showErr(typeof e.code === 'string' ? e.code : 'WALLET_ERROR', inWords(e.code, e.shortMessage ?? e.message));
    } finally {
      busy = false;
      refresh();
    }
  });

  async function use(opened) {
    session = opened;
    sessions.push(opened);
    addSessionAddress(opened.address);
    Object.assign(state, { state: 'active', address: opened.address, reused: opened.reused, expiresAt: opened.expiresAt });
    opened.on('expiring', ({ remainingMs }) => pub.entry('warn', `the session key stops signing in ${hms(remainingMs)}: Renew (one prompt) to go on without a pause`));
    opened.on('expired', (e) => {
      state.state = 'expired';
      showErr(e.code, `The session key stopped signing: publishes and key responses wait, in order, until you renew (one prompt). (${e.message})`);
      refresh();
    });
    opened.on('renewed', ({ expiresAt }) => {
      Object.assign(state, { state: 'active', expiresAt });
      errors.replaceChildren();
      pub.entry('ok', `session renewed: PUBLISH until ${time(expiresAt)}; anything waiting goes out now, in order`);
      refresh();
    });
    await pub.setSession(opened);
    onChange(true);
  }

  run(signInBtn, async () => {
    const s = await wallet.connect();
    const ttl = Number(ttlSelect.value);
    state.state = 'opening';
    refresh();
    pub.entry('info', `sign in once: if your wallet holds GRANT, one transaction (setPermissionsForUser) grants a new session key PUBLISH on the stream for ${TTLS.find(([x]) => x === ttl)[1].split(' (')[0]}…`);
    let opened;
    try {
      opened = await SessionSigner.open({
        wallet: s, streamId: config.streamId, registry, chainId: config.chainId, permissions: ['publish'],
        ttlSeconds: ttl, expiringBeforeSeconds: Math.min(600, Math.floor((ttl - SAFETY_MARGIN_S) / 2)),
      });
    } catch (e) {
      state.state = 'none';
      if (e.code !== 'PERMISSION_DENIED') throw e;
      // The fallback the package's error names: the wallet signs each message (Eip1193Signer).
      state.state = 'denied';
      showErr(e.code, `No GRANT: your wallet cannot authorise a session key on this stream, so it keeps signing each message and key response (personal_sign). (${e.message})`);
      if (pub.mode !== 'wallet') await wallet.becomePublisher();
      pub.entry('warn', 'no session key (PERMISSION_DENIED: the wallet lacks GRANT): the wallet signs each message and key response itself');
      return;
    }
    fallback = pub.mode === 'wallet' ? 'wallet' : 'dev';
    errors.replaceChildren(); // a PERMISSION_DENIED of an earlier try is past
    await use(opened);
    pub.entry('ok', `signed in once: session key ${short(opened.address)} holds PUBLISH until ${time(opened.expiresAt)} (${plural(opened.transactionRequests, 'transaction')}); no prompt per message from now on`);
  });

  run(grantBtn, async () => {
    const s = await wallet.connect();
    pub.entry('info', `giving your wallet ${short(s.account)} GRANT on the stream with the dev owner key…`);
    const receipt = await admin.setPermission(true, s.account, PermissionType.Grant);
    pub.entry('ok', `your wallet holds GRANT (block ${receipt.blockNumber}): it can authorise a session key now`);
  });

  run(renewBtn, async () => {
    const before = session.transactionRequests;
    await session.renew({ ttlSeconds: Number(ttlSelect.value) });
    state.expiresAt = session.expiresAt;
    pub.entry('ok', `renewed with ${plural(session.transactionRequests - before, 'transaction')}`);
  });

  run(signOutBtn, async () => {
    pub.entry('info', 'signing out: one transaction (revokeAllPermissionsForUser) removes the session key\'s PUBLISH…');
    const ended = session;
    await ended.revoke();
    session = undefined;
    state.state = 'revoked';
    const signer = wallet.signer();
    if (fallback === 'wallet' && signer) await pub.setWallet(signer);
    else await pub.setDev();
    onChange(false);
    pub.entry('warn', `signed out: ${short(ended.address)} no longer holds PUBLISH and its key is wiped; ${fallback === 'wallet' ? 'the wallet signs each message again' : 'the page\'s dev key publishes again'}`);
  });

  window.addEventListener('demo:tally', renderMeter);
  setInterval(() => { if (session) refresh(); }, 1000);
  refresh();

  const el = h('div', { class: 'session', 'data-testid': 'session' },
    h('h3', {}, 'Sign in once ', h('span', { class: 'muted' }, '(a session key: one wallet prompt per session, not one per message)')),
    h('p', {}, 'Your wallet sends one transaction on StreamRegistryV5 (setPermissionsForUser) that grants a new key, made and held in this page ',
      '(in wasm; sealed in IndexedDB, so a reload keeps it), PUBLISH on this stream until an expiry. That key then signs every message and key response: ',
      'no prompt each. Subscribers, the stock SDK client included, see the session key\'s address as the publisher, not your wallet\'s. ',
      `It needs GRANT on the stream (the owner has it; the page's dev owner key can give it to your wallet) and your wallet on the local chain (chain id ${config.chainId}, RPC ${config.rpcUrl}).`),
    h('div', { class: 'row' }, signInBtn, h('label', {}, 'for ', ttlSelect), grantBtn),
    status, meter, errors);

  return {
    el,
    /** On load, with no prompt: the stored session, if the site is connected and its grant holds. */
    async restore() {
      try {
        const s = await wallet.silent();
        if (s === undefined) return;
        const restored = await SessionSigner.restore({ wallet: s, streamId: config.streamId, registry, chainId: config.chainId, permissions: ['publish'] });
        if (restored === undefined) return;
        fallback = 'dev';
        await use(restored);
        pub.entry('ok', `session restored from IndexedDB: ${short(restored.address)} still holds PUBLISH until ${time(restored.expiresAt)}; no prompt`);
      } catch (e) {
        showErr(e.code ?? 'ERROR', `restoring the session: ${inWords(e.code, e.message)}`);
      } finally {
        refresh();
      }
    },
  };
}
