// The publisher page: streamr-e2ee's createPublisher (LocalSigner, JsonRpcRegistry over anvil's
// HTTP RPC) on StreamrNetworkTransport, a browser node that joins the local Streamr Network
// through the entry point's WebSocket. The runner drives it through window.app and reads what
// it did; the page also lists what it published (for the screenshot).
import { JsonRpcRegistry, LocalSigner, createPublisher, ready } from 'streamr-e2ee';
import { StreamrNetworkTransport } from 'streamr-e2ee/streamr-network';

const state = { transport: [], errors: [], keyRequests: [], keyDenied: [], published: [], publishErrors: [] };
let transport;
let publisher;

function show(text, cls = '') {
  const li = document.createElement('li');
  li.textContent = text;
  li.className = cls;
  document.getElementById('log').append(li);
}

function render(title) {
  document.body.innerHTML = `<h3></h3><ul id="log" style="font:13px monospace"></ul>`;
  document.querySelector('h3').textContent = title;
}

window.app = {
  /**
   * Starts the transport and the publisher, and publishes message 0 at once (before anything
   * is joined: the transport has joined no stream part yet, and the publisher is not ready).
   */
  async start(cfg) {
    render(`${cfg.bundler}: publisher on the local Streamr Network`);
    transport = await StreamrNetworkTransport.start({
      entryPoints: cfg.entryPoints,
      onStateChange: (s, info) => state.transport.push({ s, ...info }),
    });
    show(`transport started, node ${transport.nodeId}`);
    const signer = LocalSigner.fromPrivateKey(cfg.privateKey);
    const registry = new JsonRpcRegistry({ streamRegistryAddress: cfg.registryAddress, rpcUrl: cfg.rpcUrl });
    publisher = createPublisher({ streamId: cfg.streamId, signer, transport, registry, options: cfg.options }); // options: tests/custodian/browser.test.mjs
    publisher.on('error', (e) => state.errors.push(`${e.code}: ${e.message}`));
    publisher.on('keyRequest', (e) => state.keyRequests.push(e.requesterId));
    publisher.on('keyDenied', (e) => state.keyDenied.push(`${e.requesterId} ${e.code}`));
    const early = {
      joinedBefore: state.transport.filter((t) => t.s === 'joined').length,
      transportQueued: transport.queued,
    };
    const first = this.publish(0, cfg.tag);
    show(`#0 handed to publish() with ${early.joinedBefore} stream parts joined`);
    await publisher.ready;
    show(`publisher ${publisher.publisherId} ready (encrypted: ${publisher.encrypted})`);
    await first;
    return { ...early, publisherId: publisher.publisherId, signer: signer.address, encrypted: publisher.encrypted };
  },
  async publish(i, tag) {
    try {
      const { timestamp } = await publisher.publish({ i, tag });
      state.published.push(i);
      show(`published #${i} at ${new Date(timestamp).toISOString()}`);
    } catch (e) {
      state.publishErrors.push(`${i} ${e.code}: ${e.message}`);
      show(`#${i} refused: ${e.code}`, 'error');
    }
  },
  async publishRange(from, to, tag) {
    for (let i = from; i < to; i++) await this.publish(i, tag);
  },
  /** A line from the runner (what the stock subscriber in Node got), for the screenshot. */
  note(text) {
    show(text, 'note');
  },
  status() {
    return { ...state, queued: transport?.queued ?? 0, stats: transport ? { ...transport.stats } : undefined };
  },
  async close() {
    await publisher?.close();
    await transport?.close();
    show('closed');
  },
};
// LocalSigner is a wasm object: the runner starts once the core is loaded.
await ready();
window.__ready = true;
