// The host loop (docs/host-api.md) around the package's sans-IO Publisher and Subscriber for
// the demo: moves bytes through a Transport, answers the core's questions (registry eth_call,
// wallet signatures), keeps time, and reports everything it does as activity for the panels.
// The core decides every protocol question; this file only moves data.
import {
  ContentType, MlKemKeyPair, Publisher, SignatureType, StreamMessage, Subscriber, decodeContent, encodeContent,
} from 'streamr-e2ee';

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const toHex = (b) => `0x${hex(b)}`;

/** Answers a core question, or `{type:'failed'}` with the reason: never throws. */
async function answerQuestion(q, { registry, sign }) {
  try {
    switch (q.type) {
      case 'registryCall': return await registry.call(registry.streamRegistryAddress, q.data);
      case 'contractCall': return await registry.call(q.to, q.data);
      case 'sign': {
        if (!sign) throw new Error('no wallet to sign with');
        return { type: 'signature', signature: await sign(q.payload) };
      }
      default: throw new Error(`the demo cannot answer a '${q.type}' question`);
    }
  } catch (e) {
    return { type: 'failed', reason: e?.message ?? String(e) };
  }
}

class Host {
  /**
   * @param machine   a Publisher or Subscriber
   * @param transport the Transport (relay) it sends through
   * @param opts      { streamPart, registry, sign?, onActivity }
   */
  constructor(machine, transport, opts) {
    this.machine = machine;
    this.transport = transport;
    this.streamPart = opts.streamPart;
    this.registry = opts.registry;
    this.sign = opts.sign;
    this.onActivity = opts.onActivity;
    this.closed = false;
  }

  async start() {
    this.unsubscribe = await this.transport.subscribe(this.streamPart, (bytes) => {
      if (this.closed) return;
      this.inspect(bytes);
      this.input(() => this.machine.handleMessage(bytes, Date.now()));
    });
  }

  /** Runs one input on the machine and drains its outputs; a throw is reported, not lost. */
  input(fn) {
    let result;
    try {
      result = fn();
    } catch (e) {
      this.onActivity({ kind: 'error', code: e.code ?? 'ERROR', message: e.message });
      throw e;
    }
    this.pump();
    return result;
  }

  pump() {
    for (let outs = this.machine.pollOutputs(); outs.length > 0; outs = this.machine.pollOutputs()) {
      for (const out of outs) this.output(out);
    }
    this.schedule();
  }

  output(out) {
    switch (out.type) {
      case 'send':
        this.sent(out.bytes);
        this.transport.publish(this.streamPart, out.bytes).catch((e) => this.onActivity({ kind: 'error', code: e.code ?? 'TRANSPORT_ERROR', message: e.message }));
        break;
      case 'ask': this.ask(out); break;
      default: this.handle(out);
    }
  }

  ask(out) {
    const q = out.question;
    const t0 = performance.now();
    this.asked(q);
    answerQuestion(q, this).then((answer) => {
      if (this.closed) return;
      this.answered(q, answer, Math.round(performance.now() - t0));
      try {
        this.input(() => this.machine.answer(out.id, answer, Date.now()));
      } catch { /* reported by input() */ }
    });
  }

  schedule() {}
  inspect() {}
  sent() {}
  asked() {}
  answered(q, answer, ms) {
    if (answer.type === 'failed') this.onActivity({ kind: 'error', code: 'ANSWER_FAILED', message: `${q.type} failed: ${answer.reason}` });
    else if (q.type === 'registryCall') this.onActivity({ kind: 'chainCheck', ms, reverted: answer.type === 'callReverted' });
    else if (q.type === 'sign') this.onActivity({ kind: 'signed', ms });
  }

  async close() {
    this.closed = true;
    clearTimeout(this.timer);
    await this.unsubscribe?.().catch(() => {});
  }
}

/** Publishes on the stream; answers key requests after the core's on-chain permission checks. */
export class DemoPublisher extends Host {
  /** signer: an EvmSigner (dev key) or `{userId, signatureType}` with `sign(payload)` for a wallet. */
  constructor({ streamId, partition, signer, sign, transport, registry, onActivity }) {
    const machine = new Publisher({ streamId, partition, permissionSource: 'registry' }, signer);
    super(machine, transport, { streamPart: `${streamId}#${partition}`, registry, sign, onActivity });
    this.pendingPlain = [];
  }

  get userId() { return this.machine.userId; }
  get currentKeyId() { return this.machine.currentKeyId; }

  /** Publishes text (as a JSON string, as the SDK publishes strings) or a JSON value. */
  publish(value) {
    const { content, contentType } = encodeContent(value);
    this.pendingPlain.push({ text: new TextDecoder().decode(content), contentType });
    return this.input(() => this.machine.publish(content, contentType, Date.now()));
  }

  rotate() {
    this.input(() => this.machine.rotate());
    this.onActivity({ kind: 'rotated', keyId: this.machine.currentKeyId });
  }

  rekey() {
    this.input(() => this.machine.rekey());
    this.onActivity({ kind: 'rekeyed', keyId: this.machine.currentKeyId });
  }

  sent(bytes) {
    let msg;
    try { msg = StreamMessage.fromBytes(bytes); } catch { return; }
    try {
      if (msg.messageType === 'MESSAGE') {
        const plain = this.pendingPlain.shift();
        this.onActivity({ kind: 'published', ref: `${msg.timestamp}/${msg.sequenceNumber}`, sequenceNumber: msg.sequenceNumber, groupKeyId: msg.groupKeyId, plaintext: plain?.text, bytes: bytes.length, newGroupKey: msg.newGroupKey?.id });
      }
    } finally { msg.free(); }
  }

  handle(out) {
    if (out.type === 'event') {
      const ev = out.event;
      if (ev.type === 'keyRequestAnswered') this.onActivity({ kind: 'answered', requesterId: ev.requesterId, keyIds: ev.keyIds });
      else if (ev.type === 'keyRequestDenied') this.onActivity({ kind: 'denied', requesterId: ev.requesterId, code: ev.code, message: ev.message });
      else if (ev.type === 'error') {
        if (ev.code === 'SIGNER_ERROR') this.pendingPlain.shift(); // that publish was rolled back
        this.onActivity({ kind: 'error', code: ev.code, message: ev.message });
      }
    } else if (out.type === 'storeKey') {
      // A real app persists out.key.data (KeyStore); the demo keeps keys in memory only.
      this.onActivity({ kind: 'keyCreated', keyId: out.key.id });
      out.key.free();
    }
  }

  asked(q) {
    if (q.type === 'registryCall') this.onActivity({ kind: 'checking' });
    if (q.type === 'sign') this.onActivity({ kind: 'signing' });
  }
}

/** Receives, asks for keys, verifies and decrypts; reports the key exchange step by step. */
export class DemoSubscriber extends Host {
  constructor({ streamId, partition, signer, sign, transport, registry, onActivity, keyRequestTimeout = 15000 }) {
    const machine = new Subscriber({ streamId, partition, permissionSource: 'registry', keyRequestTimeout, keyRequestRetries: 2 }, signer, MlKemKeyPair.generate(), Date.now());
    super(machine, transport, { streamPart: `${streamId}#${partition}`, registry, sign, onActivity });
    this.requested = new Map(); // keyId → performance.now() of the first request
    this.prevRefs = new Map(); // "timestamp/seq" → the previous message's ref (prevMsgRef), for the gap check
  }

  get userId() { return this.machine.userId; }
  get stats() { return this.machine.stats; }
  get heldMessages() { return this.machine.heldMessages; }

  inspect(bytes) {
    let msg;
    try { msg = StreamMessage.fromBytes(bytes); } catch { return; }
    try {
      if (msg.messageType === 'MESSAGE') {
        const prev = msg.prevMsgRef;
        this.prevRefs.set(`${msg.timestamp}/${msg.sequenceNumber}`, prev ? `${prev.timestamp}/${prev.sequenceNumber}` : null);
        if (this.prevRefs.size > 10000) this.prevRefs.delete(this.prevRefs.keys().next().value);
      } else if (msg.messageType === 'GROUP_KEY_RESPONSE') {
        const r = msg.groupKeyResponse;
        if (r.recipientId === this.userId.toLowerCase()) {
          this.onActivity({ kind: 'responseReceived', from: msg.publisherId, keyIds: r.groupKeys.map((k) => k.id), bytes: bytes.length });
        }
      }
    } finally { msg.free(); }
  }

  handle(out) {
    if (out.type === 'deliver') {
      let value;
      let code;
      try {
        value = decodeContent(out.content, out.contentType);
      } catch (e) {
        code = e.code;
        value = `(undecodable content: ${e.message})`;
      }
      const ref = `${out.timestamp}/${out.sequenceNumber}`;
      const prev = this.prevRefs.get(ref);
      this.prevRefs.delete(ref);
      this.onActivity({ kind: 'delivered', value, code, publisherId: out.publisherId, sequenceNumber: out.sequenceNumber, timestamp: out.timestamp, groupKeyId: out.groupKeyId, ref, prev });
    } else if (out.type === 'storeKey') {
      const keyId = out.key.id;
      out.key.free();
      const t0 = this.requested.get(keyId);
      this.requested.delete(keyId);
      this.onActivity({ kind: 'keyStored', keyId, publisherId: out.publisherId, latencyMs: t0 === undefined ? undefined : Math.round(performance.now() - t0) });
    } else if (out.type === 'event') {
      const ev = out.event;
      if (ev.type === 'keyRequestSent') {
        if (!this.requested.has(ev.keyId)) this.requested.set(ev.keyId, performance.now());
        this.onActivity({ kind: 'requestSent', keyId: ev.keyId, publisherId: ev.publisherId, attempt: ev.attempt });
      } else if (ev.type === 'error') {
        this.onActivity({ kind: 'error', code: ev.code, message: ev.message, messageRef: ev.messageRef });
      }
    }
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.closed) return;
    const at = this.machine.pollTimeout();
    if (at !== undefined) {
      this.timer = setTimeout(() => {
        if (this.closed) return;
        try { this.input(() => this.machine.handleTimeout(Date.now())); } catch { /* reported */ }
      }, Math.max(0, at - Date.now()));
    }
  }
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
      ref: `${msg.timestamp}/${msg.sequenceNumber}`,
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

export { ContentType, SignatureType };
