// The demo page: one publisher, two subscribers and a wire view, each participant with its
// own relay connection, as if in separate browsers. Config (chain, registry, relay, stream,
// dev keys) comes from config.json, written by `npm start`.
import { JsonRpcRegistry, LocalSigner, WebSocketTransport } from 'streamr-e2ee';
import { PermissionType, StreamAdmin } from './chain.js';
import { DemoPublisher, DemoSubscriber, describeWire } from './e2ee.js';
import { inWords } from './words.js';
import { connectWallet, findWallet } from './wallet.js';

// ---------------------------------------------------------------------------------------
// DOM helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const $ = (sel) => document.querySelector(sel);
const short = (s, n = 6) => (s && s.length > 2 * n + 3 ? `${s.slice(0, n + 2)}…${s.slice(-n)}` : s ?? '');
const clock = () => new Date().toLocaleTimeString([], { hour12: false });

/** Appends to a list, newest first, keeping at most `max` entries. */
function prepend(list, item, max = 60) {
  list.prepend(item);
  while (list.children.length > max) list.lastElementChild.remove();
}

/** Shows an error in plain words with its code; nothing fails silently. */
function showError(where, code, message, list = $('#errors')) {
  const top = list.firstElementChild;
  if (top && top.dataset.key === `${where}|${code}|${message}`) {
    const n = Number(top.dataset.count) + 1;
    top.dataset.count = n;
    top.querySelector('.count').textContent = `×${n}`;
    return;
  }
  const item = h('div', { class: 'error', 'data-code': code },
    h('span', { class: 'code' }, code), h('span', { class: 'where' }, where), h('span', {}, inWords(code, message)), h('span', { class: 'count' }),
    list.id === 'errors' ? h('button', { class: 'close', title: 'dismiss', onclick: () => item.remove() }, '×') : null);
  item.dataset.key = `${where}|${code}|${message}`;
  item.dataset.count = 1;
  prepend(list, item, 20);
  console.warn(`[${where}] ${code}: ${message}`);
}

window.addEventListener('error', (e) => showError('page', 'ERROR', e.message));
window.addEventListener('unhandledrejection', (e) => showError('page', e.reason?.code ?? 'ERROR', e.reason?.message ?? String(e.reason)));

// ---------------------------------------------------------------------------------------

/** State the Playwright test (tests/demo/run.mjs) reads besides the DOM. */
const demo = { ready: false, publisher: { answered: 0, denied: 0 }, subscribers: {}, wire: 0 };
window.demo = demo;

async function loadConfig() {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw Object.assign(new Error(`config.json: HTTP ${res.status}; start the demo with \`npm start\``), { code: 'CONFIG_ERROR' });
  return res.json();
}

function statusChip(label, state = 'connecting', detail = '') {
  const chip = h('span', { class: `chip ${state}`, title: detail }, label);
  $('#status').append(chip);
  return (s, d = '') => { chip.className = `chip ${s}`; chip.title = d; };
}

async function main() {
  const config = await loadConfig();
  const streamPart = `${config.streamId}#${config.partition}`;
  const registry = new JsonRpcRegistry({ rpcUrl: config.rpcUrl, streamRegistryAddress: config.streamRegistry, chainId: config.chainId });
  const admin = new StreamAdmin(config);
  const dev = config.devAccounts;

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

  // One relay connection (the package's WebSocketTransport) per participant, as if each
  // were in its own browser: the relay does not echo a publish to its sender.
  const relayFor = (name) => {
    const chip = statusChip(`relay: ${name}`);
    let wasOpen = false;
    return new WebSocketTransport(config.relayUrl, {
      onStateChange: (state, info) => {
        chip(state, info?.reason ?? '');
        if (state === 'open') wasOpen = true;
        if (state === 'closed') {
          showError(`relay (${name})`, 'TRANSPORT_ERROR', wasOpen
            ? `connection to ${config.relayUrl} lost (close code ${info?.code ?? '?'}); reconnecting`
            : `cannot reach the relay at ${config.relayUrl} (is npm start still running?); retrying`);
        }
      },
    });
  };

  const subscriberPanels = dev.subscribers.map((acct, i) => subscriberPanel(acct, i, { config, registry, admin, relayFor }));
  const pub = publisherPanel({ config, registry, admin, relayFor, subscriberPanels });
  grid.append(pub.el, ...subscriberPanels.map((s) => s.el));
  app.append(wirePanel({ config, relay: relayFor('wire view'), streamPart }).el);

  await Promise.all([pub.ready, ...subscriberPanels.map((s) => s.ready)]);
  walletBanner({ config, admin, pub, addSubscriber: (acct) => {
    const panel = subscriberPanel(acct, subscriberPanels.length, { config, registry, admin, relayFor });
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

function publisherPanel({ config, registry, admin, relayFor, subscriberPanels }) {
  const dev = config.devAccounts.publisher;
  const transport = relayFor('publisher');
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

  const onActivity = (a) => {
    switch (a.kind) {
      case 'published':
        window.dispatchEvent(new CustomEvent('demo:published', { detail: { ref: a.ref, plaintext: a.plaintext } }));
        entry('ok', `published a ${a.bytes}-byte message encrypted with key `, h('code', {}, short(a.groupKeyId, 4)), a.newGroupKey ? [' carrying next key ', h('code', {}, short(a.newGroupKey, 4))] : ''); break;
      case 'keyCreated': keyId.textContent = a.keyId; break;
      case 'rotated': entry('info', 'rotate: the next message carries the new key, encrypted under the current one (no key exchange)'); break;
      case 'rekeyed': entry('warn', 'rekey: new key used at once; every subscriber must come back through the key exchange, permissions re-checked on chain'); break;
      case 'answered':
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
      case 'signing': entry('info', 'waiting for the wallet signature (personal_sign)…'); break;
      case 'signed': entry('ok', `wallet signed (${a.ms} ms)`); break;
      case 'error': showError('publisher', a.code, a.message, errors); break;
      default: break;
    }
  };

  let host;
  const makeHost = async (signer, wallet = false) => {
    await host?.close();
    host = new DemoPublisher({ streamId: config.streamId, partition: config.partition, signer, wallet, transport, registry, onActivity });
    keyId.textContent = '(none yet: the first publish makes one)';
    await host.start();
    return host;
  };
  const ready = makeHost(LocalSigner.fromPrivateKey(dev.privateKey)).catch((e) => { showError('publisher', e.code ?? 'ERROR', e.message, errors); throw e; });

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
    setWallet(signer) {
      signerLabel.className = 'badge wallet';
      signerLabel.textContent = 'wallet';
      userLabel.textContent = short(signer.account);
      roleLabel.textContent = ' (your wallet, granted PUBLISH; grants and revocations still sent by the dev owner key)';
      return makeHost(signer, true);
    },
    entry,
  };
}

/** The connected wallet's address, once connected (named "your wallet" in the panels). */
let walletAddress;

function nameOf(config, address) {
  const a = address?.toLowerCase();
  if (a !== undefined && a === walletAddress) return 'your wallet';
  if (a === config.devAccounts.publisher.address) return 'the publisher';
  const s = config.devAccounts.subscribers.find((x) => x.address === a);
  return s ? s.name : short(a);
}

// ---------------------------------------------------------------------------------------
// Subscribers

function subscriberPanel(acct, index, { config, registry, admin, relayFor }) {
  const transport = relayFor(acct.name);
  const messages = h('ol', { class: 'messages', 'data-testid': 'messages' });
  const timeline = h('ol', { class: 'log timeline', 'data-testid': 'timeline' });
  const errors = h('div', { class: 'panel-errors', 'data-testid': 'sub-errors' });
  const held = h('p', { class: 'held', hidden: true });
  const perm = h('span', { class: 'badge' }, 'SUBSCRIBE: …');
  const state = { messages: [], keysStored: 0, requests: 0, errors: [] };
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
        entry('ok', 'response verified, key unwrapped and stored: ', h('code', {}, short(a.keyId, 4)), a.latencyMs !== undefined ? h('span', { class: 'latency' }, ` ${a.latencyMs} ms after the request`) : ' (from a rotation, no request needed)');
        break;
      case 'delivered': {
        const text = typeof a.value === 'string' ? a.value : JSON.stringify(a.value);
        state.messages.push({ text, seq: a.sequenceNumber, keyId: a.groupKeyId, ref: a.ref, prev: a.prev });
        const linked = state.messages.length === 1 || a.prev === state.messages[state.messages.length - 2].ref;
        prepend(messages, h('li', { 'data-text': text, title: `message ${a.ref} (timestamp/sequence number); previous ${a.prev ?? 'none'}` },
          h('span', { class: 'seq' }, `${state.messages.length}.`), h('span', { class: 'text' }, text),
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
    host = new DemoSubscriber({ streamId: config.streamId, partition: config.partition, signer, wallet: acct.signer !== undefined, transport, registry, onActivity });
    await host.start();
    entry('muted', `subscribed to ${config.streamId}#${config.partition} via the relay`);
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
// Wire view: a plain relay listener, as any eavesdropper on the relay would be.

function wirePanel({ config, relay, streamPart }) {
  const rows = h('tbody', { 'data-testid': 'wire' });
  const plain = new Map(); // "timestamp/seq" → plaintext, from the publisher's own side
  const el = h('section', { class: 'panel wire' },
    h('h2', {}, 'On the wire ', h('span', { class: 'muted' }, `what the relay carries on ${streamPart}: every frame, decoded with StreamMessage.fromBytes`)),
    h('div', { class: 'tablewrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['time', 'type', 'from', 'seq', 'group key', 'ciphertext / body (hex)', 'signature', 'plaintext (publisher side, never on the wire)'].map((t) => h('th', {}, t)))),
      rows)));

  // The publisher tells us what it encrypted, keyed by message ref, for the last column.
  window.addEventListener('demo:published', (e) => {
    plain.set(e.detail.ref, e.detail.plaintext);
    const cell = rows.querySelector(`[data-ref="${e.detail.ref}"] .plain`);
    if (cell) cell.textContent = e.detail.plaintext;
  });

  relay.subscribe(streamPart, (bytes) => {
    let w;
    try { w = describeWire(bytes); } catch (e) { showError('wire view', e.code ?? 'MALFORMED_MESSAGE', e.message); return; }
    demo.wire += 1;
    let body;
    let type;
    if (w.type === 'MESSAGE') {
      type = w.encrypted ? 'content (AES-256-CTR)' : 'content (NOT encrypted)';
      body = h('code', { class: 'cipher' }, w.content.slice(0, 66) + (w.content.length > 66 ? '…' : ''), h('small', {}, ` ${(w.content.length - 2) / 2} bytes`), w.newGroupKey ? h('small', { class: 'next' }, ` + next key ${short(w.newGroupKey, 3)} (encrypted)`) : '');
    } else if (w.type === 'GROUP_KEY_REQUEST') {
      type = 'key request';
      body = h('span', {}, `wants key ${w.groupKeyIds.map((k) => short(k, 3)).join(', ')} from ${nameOf(config, w.recipientId)}; ML-KEM public key ${w.publicKeyBytes} bytes`);
    } else {
      type = 'key response';
      body = h('span', {}, `for ${nameOf(config, w.recipientId)}: key ${w.groupKeyIds.map((k) => short(k, 3)).join(', ')} wrapped `, h('code', { class: 'cipher' }, `${w.wrappedKey.slice(0, 34)}…`));
    }
    prepend(rows, h('tr', { 'data-ref': w.ref, 'data-type': w.type, 'data-publisher': w.publisherId, class: w.type === 'MESSAGE' ? 'content' : 'exchange' },
      h('td', {}, clock()), h('td', {}, type), h('td', {}, nameOf(config, w.publisherId)), h('td', {}, w.sequenceNumber),
      h('td', {}, w.groupKeyId ? h('code', {}, short(w.groupKeyId, 3)) : '–'), h('td', {}, body),
      h('td', {}, h('code', { title: w.signature }, short(w.signature, 5)), h('small', {}, ` ${w.signatureType}`)),
      h('td', { class: 'plain' }, plain.get(w.ref) ?? '')), 40);
  }).catch((e) => showError('wire view', e.code ?? 'TRANSPORT_ERROR', e.message));
  return { el };
}

// ---------------------------------------------------------------------------------------
// Wallet (EIP-1193): optional; the page works with its dev keys alone.

function walletBanner({ config, admin, pub, addSubscriber }) {
  const banner = $('#wallet');
  const provider = findWallet();
  if (!provider) {
    banner.replaceChildren(h('span', {}, 'No browser wallet found: the page uses its dev accounts. With MetaMask (or any EIP-1193 wallet) the wallet can sign as the publisher or as a third subscriber.'));
    return;
  }
  const asPublisher = h('button', { class: 'primary', 'data-testid': 'connect-wallet' }, 'Wallet as publisher');
  const asSubscriber = h('button', { 'data-testid': 'connect-wallet-subscriber' }, 'Wallet as subscriber');
  const status = h('span', { class: 'wallet-status' });
  banner.replaceChildren(
    h('strong', {}, 'Wallet found. '),
    h('span', {}, 'Your wallet will first ask to connect this site (eth_requestAccounts). '
      + 'As the publisher it then asks to sign each message you publish and each key response to a subscriber; '
      + 'as a subscriber, each key request it sends. These are personal_sign prompts over the message\'s signature payload: no transaction, no gas, any chain. '
      + 'The dev owner key grants your address the permission on the local chain first, so no transaction prompt appears.'),
    asPublisher, asSubscriber, status);

  let signer;
  const connect = async () => {
    if (!signer) {
      signer = await connectWallet(provider);
      walletAddress = signer.account;
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
    status.replaceChildren(h('strong', {}, ' Wallet connected: '), h('code', {}, walletAddress), ` ${status.dataset.roles ? `${status.dataset.roles} and ` : ''}${role}.`);
    status.dataset.roles = `${status.dataset.roles ? `${status.dataset.roles} and ` : ''}${role}`;
  };
  run(asPublisher, async () => {
    const s = await connect();
    pub.entry('info', `wallet ${short(s.account)} connected; granting it PUBLISH with the dev owner key…`);
    await admin.setPermission(true, s.account, PermissionType.Publish);
    await pub.setWallet(s);
    pub.entry('ok', 'the wallet now signs as the publisher: expect a personal_sign prompt for each publish and each key response');
    connected('signs as the publisher');
  });
  run(asSubscriber, async () => {
    const s = await connect();
    await admin.setPermission(true, s.account, PermissionType.Subscribe);
    await addSubscriber({ name: 'You', address: s.account, signer: s });
    connected('subscribes as "You" (granted SUBSCRIBE)');
  });
}

main().catch((e) => {
  $('#app').replaceChildren(h('p', { class: 'fatal' }, 'The demo could not start. '));
  showError('start', e.code ?? 'ERROR', e.message);
});
