// The demo's participants on the package's high-level API (createPublisher / createSubscriber
// over the page's transport, StreamrNetworkTransport or WebSocketTransport; JsonRpcRegistry,
// LocalSigner / Eip1193Signer, MemoryKeyStore). The ports are wrapped in thin observers so
// the panels can show what happens inside: bytes in and out, eth_calls, wallet signatures and
// key-store writes. The observers only watch; every
// decision stays in the package.
import { MemoryKeyStore, StreamMessage, createPublisher, createSubscriber } from 'streamr-e2ee';

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const toHex = (b) => `0x${hex(b)}`;
const refOf = (m) => `${m.timestamp}/${m.sequenceNumber}`;

/** Parses StreamMessage bytes for a look (never throws; undecodable bytes give undefined). */
function peek(bytes, fn) {
  let msg;
  try { msg = StreamMessage.fromBytes(bytes); } catch { return undefined; }
  try { return fn(msg); } finally { msg.free(); }
}

/** A Transport that reports the bytes it carries, each way. */
function observeTransport(inner, { incoming = () => {}, outgoing = () => {} }) {
  return {
    subscribe: (streamPart, onMessage) => inner.subscribe(streamPart, (bytes) => { incoming(bytes); onMessage(bytes); }),
    publish: (streamPart, bytes) => { outgoing(bytes); return inner.publish(streamPart, bytes); },
    close: () => inner.close(),
  };
}

/** A RegistryPort that reports each eth_call and how long it took. */
function observeRegistry(inner, report) {
  return {
    streamRegistryAddress: inner.streamRegistryAddress,
    async call(to, data) {
      const t0 = performance.now();
      try {
        const out = await inner.call(to, data);
        report({ kind: 'chainCheck', ms: Math.round(performance.now() - t0), reverted: out.type === 'callReverted' });
        return out;
      } catch (e) {
        report({ kind: 'error', code: e.code ?? 'RPC_ERROR', message: e.message });
        throw e;
      }
    },
  };
}

/** A SignerPort (a wallet) that reports each signature prompt. */
function observeSigner(inner, report) {
  return {
    signatureType: inner.signatureType,
    getUserId: () => inner.getUserId(),
    onIdentityChange: inner.onIdentityChange ? (l) => inner.onIdentityChange(l) : undefined,
    async sign(payload) {
      report({ kind: 'signing' });
      const t0 = performance.now();
      const sig = await inner.sign(payload);
      report({ kind: 'signed', ms: Math.round(performance.now() - t0) });
      return sig;
    },
  };
}

/**
 * The package's MemoryKeyStore, reporting writes. The demo forgets keys on reload; an app
 * would pass IndexedDbKeyStore so that a reloaded subscriber need not ask again.
 */
function observeKeyStore(inner, report) {
  return {
    getKey: (publisherId, keyId, streamId) => inner.getKey(publisherId, keyId, streamId),
    async putKey(publisherId, keyId, key, streamId, options) {
      await inner.putKey(publisherId, keyId, key, streamId, options);
      report({ kind: 'keyStored', publisherId, keyId });
    },
    getLatestKeyId: (publisherId, streamId) => inner.getLatestKeyId(publisherId, streamId),
    async setLatestKeyId(publisherId, streamId, keyId) {
      await inner.setLatestKeyId(publisherId, streamId, keyId);
      report({ kind: 'keyCreated', keyId });
    },
    close: () => inner.close(),
  };
}

/** The publisher: `createPublisher` plus the observers; reports activity to `onActivity`. */
export class DemoPublisher {
  /** signer: a LocalSigner (dev key) or an Eip1193Signer (wallet, observed for its prompts). */
  constructor({ streamId, partition, signer, wallet = false, transport, registry, onActivity }) {
    this.onActivity = onActivity;
    this.pendingPlain = [];
    this.currentKeyId = undefined;
    const store = observeKeyStore(new MemoryKeyStore(), (a) => {
      if (a.kind === 'keyCreated') { this.currentKeyId = a.keyId; onActivity(a); }
    });
    this.handle = createPublisher({
      streamId,
      partition,
      signer: wallet ? observeSigner(signer, onActivity) : signer,
      transport: observeTransport(transport, { outgoing: (bytes) => this.sent(bytes) }),
      registry: observeRegistry(registry, (a) => { if (a.kind === 'error') onActivity(a); }),
      keyStore: store,
      options: { encryption: 'always' },
    });
    this.handle.on('keyRequest', (e) => onActivity({ kind: 'answered', requesterId: e.requesterId, keyIds: e.keyIds }));
    this.handle.on('keyDenied', (e) => onActivity({ kind: 'denied', requesterId: e.requesterId, code: e.code, message: e.message }));
    this.handle.on('error', (e) => onActivity({ kind: 'error', code: e.code, message: e.message }));
  }

  start() { return this.handle.ready; }
  get userId() { return this.handle.publisherId; }

  /** Publishes text (as a JSON string, as the SDK publishes strings) or a JSON value. */
  async publish(value) {
    const entry = { text: JSON.stringify(value) };
    this.pendingPlain.push(entry);
    try {
      await this.handle.publish(value);
    } catch (e) {
      const i = this.pendingPlain.indexOf(entry);
      if (i >= 0) this.pendingPlain.splice(i, 1);
      throw e;
    }
  }

  async rotate() {
    await this.handle.rotate();
    this.onActivity({ kind: 'rotated' });
  }

  async rekey() {
    await this.handle.rekey();
    this.onActivity({ kind: 'rekeyed' });
  }

  sent(bytes) {
    const info = peek(bytes, (m) => (m.messageType === 'MESSAGE'
      ? { ref: refOf(m), groupKeyId: m.groupKeyId, newGroupKey: m.newGroupKey?.id }
      : undefined));
    if (info) this.onActivity({ kind: 'published', ...info, plaintext: this.pendingPlain.shift()?.text, bytes: bytes.length });
  }

  close() { return this.handle.close(); }
}

/** A subscriber: `createSubscriber` + `subscribe`, with the key exchange reported step by step. */
export class DemoSubscriber {
  constructor({ streamId, partition, signer, wallet = false, transport, registry, onActivity, keyRequestTimeout = 15000 }) {
    this.streamId = streamId;
    this.partition = partition;
    this.onActivity = onActivity;
    this.requested = new Map(); // keyId → performance.now() of the first request
    this.prevRefs = new Map(); // message ref → its prevMsgRef, for the gap check
    this.waiting = new Set(); // content refs received but not delivered (nor dropped) yet
    this.userId = undefined;
    this.handle = createSubscriber({
      signer: wallet ? observeSigner(signer, onActivity) : signer,
      transport: observeTransport(transport, { incoming: (bytes) => this.received(bytes) }),
      registry: observeRegistry(registry, onActivity),
      keyStore: observeKeyStore(new MemoryKeyStore(), (a) => { if (a.kind === 'keyStored') this.stored(a); }),
      options: { keyRequestTimeout, keyRequestRetries: 2 },
    });
    this.signer = signer;
  }

  async start() {
    this.userId = (await this.signer.getUserId()).toLowerCase();
    this.sub = await this.handle.subscribe(this.streamId, this.partition, (m) => this.delivered(m));
    this.sub.on('keyRequestSent', (e) => {
      if (!this.requested.has(e.keyId)) this.requested.set(e.keyId, performance.now());
      this.onActivity({ kind: 'requestSent', keyId: e.keyId, publisherId: e.publisherId, attempt: e.attempt });
    });
    this.sub.on('error', (e) => {
      if (e.messageRef) this.waiting.delete(refOf(e.messageRef));
      this.onActivity({ kind: 'error', code: e.code, message: e.message, messageRef: e.messageRef });
    });
  }

  get stats() { return this.sub?.stats; }
  get heldMessages() { return this.waiting.size; }

  received(bytes) {
    peek(bytes, (m) => {
      if (m.messageType === 'MESSAGE') {
        const prev = m.prevMsgRef;
        const ref = refOf(m);
        this.prevRefs.set(ref, prev ? refOf(prev) : null);
        if (this.prevRefs.size > 10000) this.prevRefs.delete(this.prevRefs.keys().next().value);
        this.waiting.add(ref);
      } else if (m.messageType === 'GROUP_KEY_RESPONSE') {
        const r = m.groupKeyResponse;
        if (r.recipientId === this.userId) {
          this.onActivity({ kind: 'responseReceived', from: m.publisherId, keyIds: r.groupKeys.map((k) => k.id), bytes: bytes.length });
        }
      }
    });
  }

  stored({ keyId, publisherId }) {
    const t0 = this.requested.get(keyId);
    this.requested.delete(keyId);
    this.onActivity({ kind: 'keyStored', keyId, publisherId, latencyMs: t0 === undefined ? undefined : Math.round(performance.now() - t0) });
  }

  delivered(m) {
    const ref = refOf(m);
    const prev = this.prevRefs.get(ref);
    this.prevRefs.delete(ref);
    this.waiting.delete(ref);
    this.onActivity({ kind: 'delivered', value: m.content, publisherId: m.publisherId, sequenceNumber: m.sequenceNumber, timestamp: m.timestamp, groupKeyId: m.groupKeyId, ref, prev });
  }

  close() { return this.handle.close(); }
}

/** Decodes one StreamMessage for the wire view: only what any relay or eavesdropper sees. */
export function describeWire(bytes) {
  const msg = StreamMessage.fromBytes(bytes);
  try {
    const base = {
      type: msg.messageType,
      publisherId: msg.publisherId,
      timestamp: msg.timestamp,
      sequenceNumber: msg.sequenceNumber,
      ref: refOf(msg),
      signatureType: msg.signatureTypeName,
      signature: toHex(msg.signature),
      bytes: bytes.length,
    };
    if (base.type === 'MESSAGE') {
      const nk = msg.newGroupKey;
      return { ...base, encrypted: msg.encryptionType !== 0, groupKeyId: msg.groupKeyId, content: toHex(msg.content), newGroupKey: nk ? nk.id : undefined };
    }
    if (base.type === 'GROUP_KEY_REQUEST') {
      const r = msg.groupKeyRequest;
      return { ...base, recipientId: r.recipientId, groupKeyIds: r.groupKeyIds, publicKeyBytes: r.publicKey.length, encryptionType: r.encryptionType };
    }
    const r = msg.groupKeyResponse;
    return { ...base, recipientId: r.recipientId, groupKeyIds: r.groupKeys.map((k) => k.id), wrappedKey: toHex(r.groupKeys[0]?.data ?? new Uint8Array()) };
  } finally {
    msg.free();
  }
}
