// The page side of the multi-tab test: every tab of one origin runs this page; the runner
// drives it through window.tabs. Each tab publishes and/or subscribes as one identity (a key
// in wasm, or the injected test wallet) through the package's high-level API, with
// IndexedDbKeyStore; publisher and subscriber get a transport each (the relay does not send a
// message back to the connection it came from).
import {
  Eip1193Signer,
  IndexedDbKeyStore,
  JsonRpcRegistry,
  LocalSigner,
  WebSocketTransport,
  createPublisher,
  createSubscriber,
  multiTabStatus,
  onMultiTabWarning,
  ready,
} from 'streamr-e2ee';

const state = { errors: [], received: [], published: 0, publishErrors: [], keyRequestsSent: 0, warnings: [] };
let publisher;
let subscription;

onMultiTabWarning((w) => state.warnings.push(w));

/**
 * The tab's transport, its publishes acknowledged `ms` later than the relay connection took
 * them (the bytes go out at once): widens the window in which a leader has transmitted a
 * message but not yet confirmed it, the case a hand-off must re-send as the same bytes.
 */
function lateAcks(transport, ms) {
  if (!ms) return transport;
  return {
    subscribe: (part, on) => transport.subscribe(part, on),
    publish: async (part, bytes) => {
      await transport.publish(part, bytes);
      await new Promise((r) => setTimeout(r, ms));
    },
    close: () => transport.close(),
  };
}

async function identity(cfg) {
  if (cfg.wallet) return Eip1193Signer.connect(window.ethereum, { requestAccounts: false });
  return LocalSigner.fromPrivateKey(cfg.privateKey);
}

window.tabs = {
  async start(cfg) {
    await ready(); // LocalSigner's factories are raw bindings (docs/shim-api.md, "Loading the wasm")
    const signer = await identity(cfg);
    const userId = await signer.getUserId();
    const registry = new JsonRpcRegistry({ streamRegistryAddress: cfg.registryAddress, rpcUrl: cfg.rpcUrl });
    const keyStore = cfg.noKeyStore ? undefined : await IndexedDbKeyStore.open({ ownerId: userId });
    const multiTab = cfg.multiTab ?? undefined;
    if (cfg.publish) {
      const transport = lateAcks(new WebSocketTransport(cfg.relayUrl), cfg.ackDelayMs);
      publisher = createPublisher({ streamId: cfg.streamId, signer, transport, registry, keyStore, options: { encryption: 'always', multiTab } });
      publisher.on('error', (e) => state.errors.push(`publisher ${e.code}: ${e.message}`));
    }
    if (cfg.subscribe) {
      const transport = new WebSocketTransport(cfg.relayUrl);
      const subscriber = createSubscriber({ signer, transport, registry, keyStore, options: { keyRequestTimeout: 20000, multiTab } });
      subscription = await subscriber.subscribe(cfg.streamId, 0, (m) =>
        state.received.push({ tab: m.content.tab, i: m.content.i, chain: m.msgChainId, seq: m.sequenceNumber, keyId: m.groupKeyId }),
      );
      subscription.on('error', (e) => state.errors.push(`subscription ${e.code}: ${e.message}`));
      subscription.on('keyRequestSent', () => state.keyRequestsSent++);
    }
    if (publisher !== undefined) await publisher.ready;
    return { userId };
  },
  /** Publishes { tab, i } for i in [from, to), pausing `pauseMs` every `pauseEvery` messages. */
  async publishRange(tab, from, to, pauseEvery = 10, pauseMs = 20) {
    const all = [];
    for (let i = from; i < to; i++) {
      // Not awaited one by one: a tab's publishes are in flight together, as an app's may be.
      all.push(publisher.publish({ tab, i }).then(() => state.published++, (e) => state.publishErrors.push(`${i} ${e.code}: ${e.message}`)));
      if (i % pauseEvery === pauseEvery - 1) await new Promise((r) => setTimeout(r, pauseMs));
    }
    await Promise.all(all);
  },
  status() {
    return {
      received: state.received.length,
      published: state.published,
      publishErrors: state.publishErrors.slice(0, 20),
      errors: state.errors.slice(0, 20),
      keyRequestsSent: state.keyRequestsSent,
      publisherLeads: publisher?.leading,
      subscriberLeads: subscription?.leading,
      handoffs: publisher?.handoffs,
      stats: subscription?.stats,
      warnings: state.warnings,
      multiTab: multiTabStatus(),
      walletCalls: window.__walletCalls ?? [],
    };
  },
  received: () => state.received,
};
window.__ready = true;
