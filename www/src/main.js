// The demo page: one publisher, two subscribers, a wire view and (on the Streamr Network) a
// stock @streamr/sdk client's panel. Each participant of the page has its own transport, as if
// in separate browsers (www/src/transports.js). Config (transport, entry points or relay,
// chain, registry, stream, dev keys, the stock client's endpoint) comes from config.json,
// written by `npm start`.
import { JsonRpcRegistry, LocalSigner, ready } from 'streamr-e2ee';
import { PermissionType, StreamAdmin } from './chain.js';
import { $, clock, h, nameOf, prepend, setWalletAddress, short, showError, statusChip } from './dom.js';
import { DemoPublisher, DemoSubscriber } from './e2ee.js';
import { stockPanel } from './stock.js';
import { transportFactory, transportWords } from './transports.js';
import { sessionBox } from './session.js';
import { connectWallet, findWallet, silentWallet } from './wallet.js';
import { wirePanel } from './wire.js';

window.addEventListener('error', (e) => showError('page', 'ERROR', e.message));
window.addEventListener('unhandledrejection', (e) => showError('page', e.reason?.code ?? 'ERROR', e.reason?.message ?? String(e.reason)));

// ---------------------------------------------------------------------------------------

/** State the Playwright test (tests/demo/run.mjs) reads besides the DOM (`stock`: www/src/stock.js). */
const demo = { ready: false, publisher: { answered: 0, denied: 0 }, subscribers: {}, wire: 0 };
// What the publisher did per signer (tally): for the wallet panel's prompt meter (www/src/session.js).
demo.publisher.mode = 'dev';
demo.publisher.tally = { wallet: { messages: 0, responses: 0, signatures: 0 }, session: { messages: 0, responses: 0 } };
window.demo = demo;

async function loadConfig() {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw Object.assign(new Error(`config.json: HTTP ${res.status}; start the demo with \`npm start\``), { code: 'CONFIG_ERROR' });
  return res.json();
}

async function main() {
  // Fetch the wasm core and the config side by side; LocalSigner needs the core.
  const [config] = await Promise.all([loadConfig(), ready()]);
  const streamPart = `${config.streamId}#${config.partition}`;
  const registry = new JsonRpcRegistry({ rpcUrl: config.rpcUrl, streamRegistryAddress: config.streamRegistry, chainId: config.chainId });
  const admin = new StreamAdmin(config);
  const dev = config.devAccounts;

  if (config.transport.kind !== 'network') for (const el of document.querySelectorAll('[data-network-only]')) el.hidden = true;
  $('#status').append(h('span', { class: 'chip info', title: `registry ${config.streamRegistry}` }, `stream ${config.streamId}`));
  const chainChip = statusChip(`chain ${new URL(config.rpcUrl).host}`);
  registry.call(config.streamRegistry, new Uint8Array()).then(
    () => chainChip('open', `StreamRegistryV5 at ${config.streamRegistry}`),
    (e) => { chainChip('error', e.message); showError('chain', 'PERMISSION_CHECK_FAILED', e.message); });

  const devBanner = $('#devkeys');
  devBanner.hidden = false;
  devBanner.append(h('span', {}, h('strong', {}, 'Dev accounts held by this page: '),
    'publisher ', h('code', {}, short(dev.publisher.address)),
    dev.subscribers.map((s) => [`, ${s.name} `, h('code', {}, short(s.address))]), '. ', dev.warning));

  const app = $('#app');
  app.replaceChildren();
  const grid = h('div', { class: 'grid' });
  app.append(grid);

  const transportFor = transportFactory(config);
  const subscriberPanels = dev.subscribers.map((acct, i) => subscriberPanel(acct, i, { config, registry, admin, transportFor }));
  const pub = publisherPanel({ config, registry, admin, transportFor, subscriberPanels });
  const stock = stockPanel({ config });
  grid.append(pub.el, ...subscriberPanels.map((s) => s.el));
  if (stock) app.append(stock.el);
  const wire = wirePanel({ config, transport: transportFor('wire view'), streamPart });
  app.append(wire.el);

  await Promise.all([pub.ready, wire.ready, ...subscriberPanels.map((s) => s.ready), stock?.ready]);
  await walletBanner({ config, registry, admin, pub, addSubscriber: (acct) => {
    const panel = subscriberPanel(acct, subscriberPanels.length, { config, registry, admin, transportFor });
    subscriberPanels.push(panel);
    grid.append(panel.el);
    $('#known-addresses').append(h('option', { value: acct.address }, acct.name));
    return panel.ready;
  } });
  demo.ready = true;
  document.body.dataset.ready = 'true';
}

// ---------------------------------------------------------------------------------------
// Publisher

function publisherPanel({ config, registry, admin, transportFor, subscriberPanels }) {
  const dev = config.devAccounts.publisher;
  const transport = transportFor('publisher');
  const counts = { answered: h('b', { 'data-testid': 'answered' }, '0'), denied: h('b', { 'data-testid': 'denied' }, '0') };
  const log = h('ol', { class: 'log' });
  const errors = h('div', { class: 'panel-errors' });
  const keyId = h('code', { 'data-testid': 'pub-key' }, '(none yet: the first publish makes one)');
  const signerLabel = h('span', { class: 'badge dev' }, 'dev key');
  const userLabel = h('code', {}, short(dev.address));
  const roleLabel = h('span', {}, ' (stream owner: PUBLISH and GRANT)');
  const input = h('textarea', { id: 'message', rows: 2, placeholder: 'Type a message' }, 'Hello, encrypted world!');
  const asJson = h('input', { type: 'checkbox', id: 'as-json' });
  const addr = h('input', { id: 'perm-address', placeholder: '0x… address', value: config.devAccounts.subscribers[1].address, list: 'known-addresses' });
  const known = h('datalist', { id: 'known-addresses' }, config.devAccounts.subscribers.map((s) => h('option', { value: s.address }, s.name)));
  const buttons = [];
  const button = (label, attrs, fn) => {
    const b = h('button', { ...attrs, onclick: async () => {
      b.disabled = true;
      try { await fn(); } catch (e) { showError('publisher', e.code ?? 'ERROR', e.shortMessage ?? e.message, errors); } finally { b.disabled = false; }
    } }, label);
    buttons.push(b);
    return b;
  };
  const entry = (cls, ...text) => prepend(log, h('li', { class: cls }, h('time', {}, clock()), ...text));
  // Counts what each signer signed: one personal_sign per message and key response with the wallet, none with a session.
  const tally = (field) => {
    const t = demo.publisher.tally[demo.publisher.mode];
    if (t === undefined) return;
    t[field] += 1;
    window.dispatchEvent(new CustomEvent('demo:tally'));
  };

  const onActivity = (a) => {
    switch (a.kind) {
      case 'published':
        tally('messages');
        window.dispatchEvent(new CustomEvent('demo:published', { detail: { ref: a.ref, plaintext: a.plaintext } }));
        entry('ok', `published a ${a.bytes}-byte message encrypted with key `, h('code', {}, short(a.groupKeyId, 4)), a.newGroupKey ? [' carrying next key ', h('code', {}, short(a.newGroupKey, 4))] : ''); break;
      case 'keyCreated': keyId.textContent = a.keyId; break;
      case 'rotated': entry('info', 'rotate: the next message carries the new key, encrypted under the current one (no key exchange)'); break;
      case 'rekeyed': entry('warn', 'rekey: new key used at once; every subscriber must come back through the key exchange, permissions re-checked on chain'); break;
      case 'answered':
        tally('responses');
        demo.publisher.answered += 1;
        counts.answered.textContent = demo.publisher.answered;
        entry('ok', `key request from ${nameOf(config, a.requesterId)} answered (SUBSCRIBE checked on chain)`);
        break;
      case 'denied':
        demo.publisher.denied += 1;
        counts.denied.textContent = demo.publisher.denied;
        entry('bad', `key request from ${nameOf(config, a.requesterId)} denied: ${a.code}`);
        showError(`key request from ${nameOf(config, a.requesterId)}`, a.code, a.message, errors);
        break;
      case 'signing': tally('signatures'); entry('info', 'waiting for the wallet signature (personal_sign)…'); break;
      case 'signed': entry('ok', `wallet signed (${a.ms} ms)`); break;
      case 'error': showError('publisher', a.code, a.message, errors); break;
      default: break;
    }
  };

  let host;
  const makeHost = async (signer, wallet = false) => {
    await host?.close();
    demo.publisher.mode = signer instanceof LocalSigner ? 'dev' : wallet ? 'wallet' : 'session';
    host = new DemoPublisher({ streamId: config.streamId, partition: config.partition, signer, wallet, transport: await transport, registry, onActivity });
    keyId.textContent = '(none yet: the first publish makes one)';
    await host.start();
    return host;
  };
  const devSigner = () => LocalSigner.fromPrivateKey(dev.privateKey);
  const ready = makeHost(devSigner()).catch((e) => { showError('publisher', e.code ?? 'ERROR', e.message, errors); throw e; });

  const permission = async (grant) => {
    const user = addr.value.trim().toLowerCase();
    if (!/^0x[0-9a-f]{40}$/.test(user)) throw Object.assign(new Error(`"${addr.value}" is not an address (0x + 40 hex digits)`), { code: 'INVALID_ARGUMENT' });
    entry('info', `${grant ? 'granting' : 'revoking'} SUBSCRIBE for ${nameOf(config, user)}: sending the transaction…`);
    let receipt;
    try {
      receipt = await admin.setPermission(grant, user, PermissionType.Subscribe);
    } catch (e) {
      throw Object.assign(new Error(e.shortMessage ?? e.message), { code: 'TX_FAILED' });
    }
    entry(grant ? 'ok' : 'warn', `${grant ? 'granted' : 'revoked'} SUBSCRIBE for ${nameOf(config, user)} in block ${receipt.blockNumber} (tx `, h('code', {}, short(receipt.hash, 4)), ')',
      grant ? '' : '. Rekey so that it cannot read what comes next.');
    for (const s of subscriberPanels) if (s.address === user) s.refreshPermission();
  };

  const publishBtn = button('Publish', { class: 'primary', 'data-testid': 'publish' }, async () => {
    const raw = input.value;
    let value = raw;
    if (asJson.checked) {
      try { value = JSON.parse(raw); } catch (e) { throw Object.assign(new Error(`not valid JSON: ${e.message}`), { code: 'INVALID_ARGUMENT' }); }
    }
    await host.publish(value);
  });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) publishBtn.click(); });

  const el = h('section', { class: 'panel publisher', 'data-testid': 'publisher' },
    h('h2', {}, 'Publisher ', signerLabel),
    h('p', { class: 'who' }, 'signs as ', userLabel, roleLabel),
    h('div', { class: 'compose' }, input,
      h('div', { class: 'row' }, h('label', {}, asJson, ' send as JSON'), publishBtn)),
    h('div', { class: 'row keys' },
      button('Rotate key', { 'data-testid': 'rotate', title: 'New key for the next messages, sent along inside the stream under the current key. No key exchange.' }, () => host.rotate()),
      button('Rekey', { 'data-testid': 'rekey', title: 'New key at once, never sent under an old key: every subscriber asks again and is checked again.' }, () => host.rekey()),
      h('span', { class: 'muted' }, 'current key ', keyId)),
    h('div', { class: 'perm' }, h('label', { for: 'perm-address' }, 'SUBSCRIBE permission on chain for'), addr, known,
      h('div', { class: 'row' },
        button('Grant', { 'data-testid': 'grant' }, () => permission(true)),
        button('Revoke', { class: 'danger', 'data-testid': 'revoke' }, () => permission(false)))),
    h('div', { class: 'counters' }, h('span', { class: 'ok' }, 'key requests answered ', counts.answered), h('span', { class: 'bad' }, 'denied ', counts.denied)),
    errors,
    h('h3', {}, 'Activity ', h('span', { class: 'muted' }, '(newest first)')), log);

  return {
    el,
    ready,
    get host() { return host; },
    get mode() { return demo.publisher.mode; },
    setWallet(signer) {
      signerLabel.className = 'badge wallet';
      signerLabel.textContent = 'wallet';
      userLabel.textContent = short(signer.account);
      roleLabel.textContent = ' (your wallet, granted PUBLISH; grants and revocations still sent by the dev owner key)';
      return makeHost(signer, true);
    },
    /** A SessionSigner: its wasm key signs, with no prompt (not observed: it asks nothing). */
    setSession(session) {
      signerLabel.className = 'badge session';
      signerLabel.textContent = 'session key';
      userLabel.textContent = short(session.address);
      roleLabel.textContent = ` (a session key your wallet ${short(session.account)} authorised with one transaction: PUBLISH on this stream until its expiry; messages carry this address, not your wallet's)`;
      return makeHost(session);
    },
    setDev() {
      signerLabel.className = 'badge dev';
      signerLabel.textContent = 'dev key';
      userLabel.textContent = short(dev.address);
      roleLabel.textContent = ' (stream owner: PUBLISH and GRANT)';
      return makeHost(devSigner());
    },
    entry,
  };
}

// ---------------------------------------------------------------------------------------
// Subscribers

function subscriberPanel(acct, index, { config, registry, admin, transportFor }) {
  const transport = transportFor(acct.name);
  const messages = h('ol', { class: 'messages', 'data-testid': 'messages' });
  const timeline = h('ol', { class: 'log timeline', 'data-testid': 'timeline' });
  const errors = h('div', { class: 'panel-errors', 'data-testid': 'sub-errors' });
  const held = h('p', { class: 'held', hidden: true });
  const perm = h('span', { class: 'badge' }, 'SUBSCRIBE: …');
  // keysBy and the gap marks are per publisher: the page's publisher and the stock SDK client each have their own chain.
  const state = { messages: [], keysStored: 0, keysBy: {}, requests: 0, errors: [] };
  demo.subscribers[acct.name] = state;
  const entry = (cls, ...text) => prepend(timeline, h('li', { class: cls }, h('time', {}, clock()), ...text));

  const refreshHeld = () => {
    const n = host?.heldMessages ?? 0;
    held.hidden = n === 0;
    held.textContent = `${n} message${n === 1 ? '' : 's'} received but not readable yet: waiting for the key`;
  };

  const onActivity = (a) => {
    switch (a.kind) {
      case 'requestSent':
        state.requests += 1;
        entry('info', `key request sent${a.attempt > 1 ? ` (retry ${a.attempt - 1})` : ''} for key `, h('code', {}, short(a.keyId, 4)), ` to ${nameOf(config, a.publisherId)}, signed, with an ML-KEM-1024 public key`);
        break;
      case 'responseReceived': entry('info', `key response received from ${nameOf(config, a.from)} (${a.bytes} bytes)`); break;
      case 'chainCheck': entry('muted', `publisher's PUBLISH permission checked on chain (eth_call, ${a.ms} ms)`); break;
      case 'keyStored':
        state.keysStored += 1;
        state.keysBy[a.publisherId.toLowerCase()] = (state.keysBy[a.publisherId.toLowerCase()] ?? 0) + 1;
        entry('ok', 'response verified, key unwrapped and stored: ', h('code', {}, short(a.keyId, 4)), a.latencyMs !== undefined ? h('span', { class: 'latency' }, ` ${a.latencyMs} ms after the request`) : ' (from a rotation, no request needed)');
        break;
      case 'delivered': {
        const text = typeof a.value === 'string' ? a.value : JSON.stringify(a.value);
        const publisherId = a.publisherId.toLowerCase();
        const before = state.messages.filter((m) => m.publisherId === publisherId).pop();
        state.messages.push({ text, publisherId, seq: a.sequenceNumber, keyId: a.groupKeyId, ref: a.ref, prev: a.prev });
        const linked = before === undefined || a.prev === before.ref;
        const stockSdk = publisherId === config.transport.stockSdk?.address;
        prepend(messages, h('li', { 'data-text': text, 'data-publisher': publisherId, title: `from ${nameOf(config, publisherId)}: message ${a.ref} (timestamp/sequence number); previous ${a.prev ?? 'none'}` },
          h('span', { class: 'seq' }, `${state.messages.length}.`), h('span', { class: 'text' }, text),
          stockSdk ? h('span', { class: 'badge stock', title: `published by the stock @streamr/sdk client ${publisherId}` }, 'stock SDK') : null,
          linked ? null : h('span', { class: 'gapmark', title: 'the previous message of the chain was not delivered' }, 'gap'),
          h('code', { class: 'kid', title: `decrypted with group key ${a.groupKeyId}` }, `key ${short(a.groupKeyId, 3)}`)), 100);
        break;
      }
      case 'error':
        state.errors.push(a.code);
        entry('bad', `${a.code}`);
        showError(acct.name, a.code, a.message, errors);
        break;
      case 'signing': entry('info', 'waiting for the wallet to sign the key request (personal_sign)…'); break;
      case 'signed': entry('ok', `wallet signed (${a.ms} ms)`); break;
      default: break;
    }
    refreshHeld();
  };

  let host;
  const signer = acct.signer ?? LocalSigner.fromPrivateKey(acct.privateKey);
  const ready = (async () => {
    host = new DemoSubscriber({ streamId: config.streamId, partition: config.partition, signer, wallet: acct.signer !== undefined, transport: await transport, registry, onActivity });
    await host.start();
    entry('muted', `subscribed to ${config.streamId}#${config.partition} via ${transportWords(config).via}`);
  })().catch((e) => { showError(acct.name, e.code ?? 'ERROR', e.message, errors); throw e; });

  const refreshPermission = () => admin.hasPermission(acct.address, PermissionType.Subscribe).then((ok) => {
    perm.className = `badge ${ok ? 'granted' : 'revoked'}`;
    perm.textContent = ok ? 'SUBSCRIBE granted' : 'SUBSCRIBE revoked';
    state.permitted = ok;
  }, (e) => showError(acct.name, 'PERMISSION_CHECK_FAILED', e.shortMessage ?? e.message, errors));
  refreshPermission();

  const el = h('section', { class: 'panel subscriber', 'data-testid': `subscriber-${acct.name}` },
    h('h2', {}, `Subscriber ${acct.name} `, perm),
    h('p', { class: 'who' }, 'signs as ', h('code', {}, short(acct.address)), ' ',
      acct.signer ? h('span', { class: 'badge wallet' }, 'wallet') : h('span', { class: 'badge dev' }, 'dev key')),
    h('h3', {}, 'Decrypted messages'), held, messages,
    errors,
    h('h3', {}, 'Key exchange ', h('span', { class: 'muted' }, '(newest first)')), timeline);
  return { el, ready, address: acct.address, refreshPermission };
}

// ---------------------------------------------------------------------------------------
// Wallet (EIP-1193): optional; the page works with its dev keys alone.

async function walletBanner({ config, registry, admin, pub, addSubscriber }) {
  const banner = $('#wallet');
  const provider = findWallet();
  if (!provider) {
    banner.replaceChildren(h('span', {}, 'No browser wallet found: the page uses its dev accounts. With MetaMask (or any EIP-1193 wallet) the wallet can sign as the publisher, sign in once for a session key, or subscribe as a third subscriber.'));
    return;
  }
  const asPublisher = h('button', { class: 'primary', 'data-testid': 'connect-wallet' }, 'Wallet as publisher');
  const asSubscriber = h('button', { 'data-testid': 'connect-wallet-subscriber' }, 'Wallet as subscriber');
  const status = h('span', { class: 'wallet-status' });

  let signer;
  const connect = async () => {
    if (!signer) {
      signer = await connectWallet(provider);
      setWalletAddress(signer.account);
    }
    return signer;
  };
  const run = (btn, fn) => btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await fn();
    } catch (e) {
      showError('wallet', typeof e.code === 'string' ? e.code : 'WALLET_ERROR', e.message);
      btn.disabled = false;
    }
  });
  const connected = (role) => {
    status.replaceChildren(h('strong', {}, ' Wallet connected: '), h('code', {}, signer.account), ` ${status.dataset.roles ? `${status.dataset.roles} and ` : ''}${role}.`);
    status.dataset.roles = `${status.dataset.roles ? `${status.dataset.roles} and ` : ''}${role}`;
  };
  const becomePublisher = async () => {
    const s = await connect();
    pub.entry('info', `wallet ${short(s.account)} connected; granting it PUBLISH with the dev owner key…`);
    await admin.setPermission(true, s.account, PermissionType.Publish);
    await pub.setWallet(s);
    pub.entry('ok', 'the wallet now signs as the publisher: expect a personal_sign prompt for each publish and each key response');
    connected('signs as the publisher');
    asPublisher.disabled = true;
  };
  run(asPublisher, becomePublisher);
  run(asSubscriber, async () => {
    const s = await connect();
    await admin.setPermission(true, s.account, PermissionType.Subscribe);
    await addSubscriber({ name: 'You', address: s.account, signer: s });
    connected('subscribes as "You" (granted SUBSCRIBE)');
  });

  const session = sessionBox({
    config, registry, admin, pub,
    wallet: {
      connect,
      signer: () => signer,
      // A page load asks nothing: an account is found only if this site is connected already.
      async silent() {
        signer ??= await silentWallet(provider);
        if (signer) setWalletAddress(signer.account);
        return signer;
      },
      becomePublisher,
    },
    // While a session key publishes, "Wallet as publisher" would take its place: off until sign-out.
    onChange: (active) => { asPublisher.disabled = active || pub.mode === 'wallet'; },
  });
  banner.replaceChildren(
    h('strong', {}, 'Wallet found. '),
    h('span', {}, 'Your wallet will first ask to connect this site (eth_requestAccounts). '
      + 'As the publisher it then asks to sign each message you publish and each key response to a subscriber; '
      + 'as a subscriber, each key request it sends. These are personal_sign prompts over the message\'s signature payload: no transaction, no gas, any chain. '
      + 'The dev owner key grants your address the permission on the local chain first, so no transaction prompt appears. '
      + 'Or sign in once (below): one transaction, then no prompt per message.'),
    asPublisher, asSubscriber, status, session.el);
  await session.restore();
}

main().catch((e) => {
  $('#app').replaceChildren(h('p', { class: 'fatal' }, 'The demo could not start. '));
  showError('start', e.code ?? 'ERROR', e.message);
});
