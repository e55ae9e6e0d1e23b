// The page side of the two-page test: one page runs a publisher, the other a subscriber, both
// through the package's high-level API (WebSocketTransport to the relay, JsonRpcRegistry to
// anvil, IndexedDbKeyStore). The runner drives them through window.shim.
import {
  CryptoWorker,
  IndexedDbKeyStore,
  JsonRpcRegistry,
  LocalSigner,
  P256Signer,
  WebSocketTransport,
  createPublisher,
  createSubscriber,
  p256Stats,
  ready,
} from 'streamr-e2ee';

const state = {
  role: undefined,
  transport: [],
  errors: [],
  keyRequests: [],
  keyDenied: [],
  keyRequestsSent: [],
  received: [],
  published: 0,
  publishErrors: [],
};
let publisher;
let subscription;
/** The verification pool's workers, where the test spawns them itself (`cfg.pool: 'tracked'`). */
const workers = [];

/** `options.verifyWorkers` for `cfg.pool` (issue #20, docs/verify-pool.md). */
function verifyWorkers(pool) {
  if (pool === 'default') return 2; // the package's own worker script, as webpack emitted it
  if (pool === 'tracked') return { count: 2, spawn: () => workers[workers.push(CryptoWorker.spawn()) - 1] };
  if (pool === 'silent') {
    const spawn = () => CryptoWorker.spawn({ worker: new Worker(new URL('./silent-worker.mjs', import.meta.url)) });
    return { count: 1, timeoutMs: 1000, spawn };
  }
  return undefined;
}
let transport;

/** `cfg.p256`: an ECDSA_SECP256R1 identity whose key WebCrypto holds (issue #16, docs/p256.md). */
async function common(cfg) {
  const signer = cfg.p256 ? await P256Signer.fromPrivateKey(cfg.privateKey) : LocalSigner.fromPrivateKey(cfg.privateKey);
  transport = new WebSocketTransport(cfg.relayUrl, { onStateChange: (s) => state.transport.push(s) });
  const registry = new JsonRpcRegistry({ streamRegistryAddress: cfg.registryAddress, rpcUrl: cfg.rpcUrl });
  return { signer, transport, registry };
}

window.shim = {
  async startPublisher(cfg) {
    state.role = 'publisher';
    await ready(); // LocalSigner is a wasm object: the core must be loaded first
    const { signer, transport, registry } = await common(cfg);
    const keyStore = await IndexedDbKeyStore.open({ ownerId: await signer.getUserId() });
    publisher = createPublisher({ streamId: cfg.streamId, signer, transport, registry, keyStore, options: { encryption: 'always' } });
    publisher.on('keyRequest', (e) => state.keyRequests.push(e));
    publisher.on('keyDenied', (e) => state.keyDenied.push(e));
    publisher.on('error', (e) => state.errors.push(`${e.code}: ${e.message}`));
    await publisher.ready;
    return { publisherId: publisher.publisherId, encrypted: publisher.encrypted };
  },
  /** Publishes { i } for i in [from, to), pausing now and then so the stream spans time. */
  async publishRange(from, to, pauseEvery = 20, pauseMs = 10) {
    for (let i = from; i < to; i++) {
      try {
        await publisher.publish({ i });
        state.published++;
      } catch (e) {
        state.publishErrors.push(`${i} ${e.code}: ${e.message}`);
      }
      if (i % pauseEvery === 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  },
  async startSubscriber(cfg) {
    state.role = 'subscriber';
    await ready();
    const { signer, transport, registry } = await common(cfg);
    const keyStore = await IndexedDbKeyStore.open({ ownerId: await signer.getUserId() });
    const options = { keyRequestTimeout: 15000, verifyWorkers: verifyWorkers(cfg.pool) };
    const subscriber = createSubscriber({ signer, transport, registry, keyStore, options });
    subscription = await subscriber.subscribe(cfg.streamId, 0, (m) =>
      state.received.push({ i: m.content.i, encrypted: m.encrypted, keyId: m.groupKeyId, publisherId: m.publisherId }),
    );
    subscription.on('error', (e) => state.errors.push(`${e.code}: ${e.message}`));
    subscription.on('keyRequestSent', (e) => state.keyRequestsSent.push(e));
    return { userId: subscriber.userId };
  },
  status() {
    return {
      role: state.role,
      received: state.received.length,
      published: state.published,
      connected: transport?.connected ?? false,
      queued: transport?.queued ?? 0,
      connects: transport?.stats.connects ?? 0,
      resent: transport?.stats.resent ?? 0,
      keyRequests: state.keyRequests.length,
      keyRequestsSent: state.keyRequestsSent.length,
      keyDenied: state.keyDenied.length,
      errors: state.errors.slice(0, 20),
      publishErrors: state.publishErrors.slice(0, 20),
      stats: subscription?.stats,
      poolStats: subscription?.poolStats,
      workers: workers.length,
      p256: p256Stats(),
    };
  },
  received() {
    return state.received;
  },
  /** The code `createSubscriber` throws for a bad `verifyWorkers` in this page (multi-tab on). */
  badVerifyWorkers(cfg) {
    try {
      createSubscriber({ signer: LocalSigner.generate(), transport, registry: new JsonRpcRegistry({ streamRegistryAddress: cfg.registryAddress, rpcUrl: cfg.rpcUrl }), options: { verifyWorkers: 65 } });
      return 'no error';
    } catch (e) {
      return e.code;
    }
  },
  /** Stops one of the pool's workers as a crash would (the pool learns it on its next call). */
  killWorker(k) {
    workers[k].terminate();
  },
};
window.__ready = true;
