// The stock @streamr/sdk client's panel. The client runs in Node on the demo's side
// (scripts/demo-sdk-client.mjs): an unmodified StreamrClient on the same local Streamr
// Network. The page listens to what it decrypts and publishes (server-sent events from its
// 127.0.0.1 endpoint) and asks it to publish. Nothing here decrypts: the panel shows what
// the SDK itself delivered.
import { clock, h, nameOf, prepend, short, showError, statusChip } from './dom.js';

const show = (content) => (typeof content === 'string' ? content : JSON.stringify(content));

/** The panel, or (relay transport) a note that the stock client needs the network. */
export function stockPanel({ config }) {
  const sdk = config.transport.stockSdk;
  if (sdk === undefined) {
    return {
      el: h('section', { class: 'panel stock muted-panel', 'data-testid': 'stock-sdk' },
        h('h2', {}, 'Stock @streamr/sdk client'),
        h('p', { class: 'who' }, 'The stock SDK speaks only the Streamr Network, not the development relay: run ',
          h('code', {}, 'npm start'), ' without ', h('code', {}, '--transport relay'), ' to see a stock client decrypt what this page publishes.')),
      ready: undefined,
    };
  }
  const state = { connected: false, address: sdk.address, sdkVersion: undefined, received: [], published: [], errors: [] };
  window.demo.stock = state;
  const chip = statusChip('stock SDK client');
  const title = h('span', {}, 'Stock @streamr/sdk client');
  const received = h('ol', { class: 'messages', 'data-testid': 'stock-received' });
  const published = h('ol', { class: 'messages', 'data-testid': 'stock-published' });
  const errors = h('div', { class: 'panel-errors' });
  const input = h('input', { id: 'stock-message', type: 'text', value: 'Hello from the stock SDK' });
  const button = h('button', { class: 'primary', 'data-testid': 'stock-publish' }, 'Publish from the stock SDK');

  const render = (e) => {
    if (e.kind === 'received') {
      state.received.push({ content: e.content, text: show(e.content), publisherId: e.publisherId, self: e.self, timestamp: e.timestamp, sequenceNumber: e.sequenceNumber });
      prepend(received, h('li', { 'data-text': show(e.content), 'data-publisher': e.publisherId },
        h('span', { class: 'seq' }, `${state.received.length}.`), h('span', { class: 'text' }, show(e.content)),
        h('span', { class: 'muted' }, e.self ? 'its own' : `from ${nameOf(config, e.publisherId)}`)), 100);
    } else if (e.kind === 'published') {
      state.published.push({ content: e.content, text: show(e.content), timestamp: e.timestamp, sequenceNumber: e.sequenceNumber, groupKeyId: e.groupKeyId });
      window.dispatchEvent(new CustomEvent('demo:published', { detail: { ref: `${e.timestamp}/${e.sequenceNumber}`, plaintext: JSON.stringify(e.content) } }));
      prepend(published, h('li', { 'data-text': show(e.content) },
        h('span', { class: 'seq' }, `${state.published.length}.`), h('span', { class: 'text' }, show(e.content)),
        h('span', { class: 'muted' }, clock()),
        e.groupKeyId ? h('code', { class: 'kid', title: `encrypted with group key ${e.groupKeyId}` }, `key ${short(e.groupKeyId, 3)}`) : null), 100);
    } else if (e.kind === 'error') {
      state.errors.push(e.message);
      showError('stock SDK client', 'SDK_ERROR', e.message, errors);
    }
  };

  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  const events = new EventSource(`${sdk.url}/events`);
  events.addEventListener('hello', (m) => {
    const hello = JSON.parse(m.data);
    state.connected = true;
    state.sdkVersion = hello.sdkVersion;
    title.textContent = `Stock @streamr/sdk ${hello.sdkVersion} client`;
    chip('open', `@streamr/sdk ${hello.sdkVersion}, ${hello.address}, node ${hello.nodeId}`);
    // A reconnect replays the history: start from it.
    state.received.length = 0;
    state.published.length = 0;
    received.replaceChildren();
    published.replaceChildren();
    for (const e of hello.history) render(e);
    resolveReady();
  });
  for (const kind of ['received', 'published', 'error']) events.addEventListener(kind, (m) => render(JSON.parse(m.data)));
  events.onerror = () => {
    if (!state.connected && events.readyState !== EventSource.CLOSED) {
      chip('connecting', `cannot reach ${sdk.url} yet; retrying`);
      return;
    }
    state.connected = false;
    chip('closed', `lost ${sdk.url}; retrying`);
    showError('stock SDK client', 'TRANSPORT_ERROR', `lost the stock client's endpoint ${sdk.url} (is npm start still running?); retrying`, errors);
  };

  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const res = await fetch(`${sdk.url}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: input.value }) });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
    } catch (e) {
      showError('stock SDK client', 'SDK_ERROR', `publish: ${e.message}`, errors);
    } finally {
      button.disabled = false;
    }
  });

  const el = h('section', { class: 'panel stock', 'data-testid': 'stock-sdk' },
    h('h2', {}, title, h('span', { class: 'badge stock' }, 'unmodified SDK, in Node'), h('span', { class: 'badge dev' }, 'dev key')),
    h('p', { class: 'who' }, 'signs as ', h('code', {}, short(sdk.address)),
      ' (PUBLISH and SUBSCRIBE on chain). A plain ', h('code', {}, 'StreamrClient'), ' on the same local network, run by ',
      h('code', {}, 'scripts/demo-sdk-client.mjs'), ': it fetches keys with the SDK\'s own key exchange (RSA, its default) and decrypts what this page publishes; ',
      'the page\'s subscribers fetch its keys over ML-KEM and decrypt what it publishes. It is also the Node node serving WebSocket through which the page\'s browser nodes reach each other.'),
    h('div', { class: 'columns' },
      h('div', {}, h('h3', {}, 'Decrypted by the stock SDK ', h('span', { class: 'muted' }, '(newest first)')), received),
      h('div', {}, h('h3', {}, 'Published by the stock SDK'), published,
        h('div', { class: 'row' }, input, button))),
    errors);
  return { el, ready };
}
