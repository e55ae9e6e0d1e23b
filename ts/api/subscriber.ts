/**
 * `createSubscriber`: subscribes to stream partitions as one identity. Each subscription
 * drives a wasm `Subscriber` (ordering, duplicates, key requests, verification and
 * decryption are all there) and does its I/O. Network bytes go to the core as they arrive,
 * undecoded; a key is loaded (from `options.keys`, then the key store) only when the core asks
 * (`loadKey`, before it would send a key request).
 */
import {
  MlKemKeyPair,
  Subscriber,
  decodeContent,
  type KeyExchange,
  type Output,
  type Signer,
  type StreamrE2eeError,
  type SubscriberConfig,
  type SubscriberStats,
} from '#wasm';
import { RsaKeyPair } from '../rsa/index.js';
import { streamPartId } from '../ports.js';
import { asStreamrE2eeError, createError } from '../errors.js';
import { ready } from '../ready.js';
import { Emitter } from './emitter.js';
import { Inbox } from './inbox.js';
import { answerQuestion, beforeCoreInput, coreSignerFor, defined } from './host.js';
import type {
  CreateSubscriberArgs,
  E2eeError,
  KeyExchangeAlgorithm,
  ReceivedMessage,
  RemoteKeyPair,
  SubscriberHandle,
  SubscriberKeyPair,
  Subscription,
  SubscriptionEvents,
} from './types.js';

/**
 * Creates a subscriber. Nothing happens until `subscribe`: the first one learns the user id
 * from the signer and makes the key-exchange key pair (ML-KEM-1024 by default; RSA with
 * `keyExchange: 'RSA'`, `rsaKeyLength` bits; or whatever `keyPairFactory` returns).
 */
export function createSubscriber(args: CreateSubscriberArgs): SubscriberHandle {
  return new SubscriberImpl(args);
}

interface Identity {
  core: Signer;
  userId: string;
  keyExchange: KeyExchange;
  remote: RemoteKeyPair | undefined;
}

function isRemote(kp: SubscriberKeyPair): kp is RemoteKeyPair {
  const r = kp as { keyExchange?: unknown; unwrapGroupKey?: unknown; unwrap?: unknown };
  return r.keyExchange !== undefined && (typeof r.unwrapGroupKey === 'function' || typeof r.unwrap === 'function');
}

class SubscriberImpl implements SubscriberHandle {
  userId: string | undefined;
  private identity: Promise<Identity> | undefined;
  private readonly subscriptions = new Set<SubscriptionImpl>();
  private closed = false;
  switchedAway = false;

  constructor(readonly args: CreateSubscriberArgs) {}

  private algorithm(): KeyExchangeAlgorithm {
    const o = this.args.options ?? {};
    if (o.requireQuantumResistantKeyExchange === true) {
      if (o.keyExchange === 'RSA') {
        throw createError('ENCRYPTION_POLICY_VIOLATION', "keyExchange 'RSA' contradicts requireQuantumResistantKeyExchange");
      }
      return 'ML_KEM';
    }
    return o.keyExchange ?? 'ML_KEM';
  }

  private async makeIdentity(): Promise<Identity> {
    await ready(); // the wasm core (browsers load it on first use; ready.ts)
    const o = this.args.options ?? {};
    const algorithm = this.algorithm();
    const rsaKeyLength = o.rsaKeyLength ?? 4096;
    const { core, userId } = await coreSignerFor(this.args.signer);
    this.userId = userId;
    this.args.signer.onIdentityChange?.((now) => {
      this.switchedAway = now?.toLowerCase() !== userId;
    });
    const kp: SubscriberKeyPair = o.keyPairFactory
      ? await o.keyPairFactory({ algorithm, rsaKeyLength })
      : algorithm === 'RSA'
        ? await RsaKeyPair.generate(rsaKeyLength, { extractable: false })
        : MlKemKeyPair.generate();
    // The private operation of an RsaKeyPair is the host's: its unwraps are questions.
    if (kp instanceof RsaKeyPair) {
      const remote = { keyExchange: kp.keyExchange, unwrap: (d: Uint8Array) => kp.unwrap(d) };
      return { core, userId, keyExchange: kp.keyExchange, remote };
    }
    if (isRemote(kp)) return { core, userId, keyExchange: kp.keyExchange, remote: kp };
    return { core, userId, keyExchange: kp, remote: undefined };
  }

  async subscribe(streamId: string, partition = 0, onMessage?: (message: ReceivedMessage) => void): Promise<Subscription> {
    if (this.closed) throw createError('CLOSED', 'the subscriber was closed');
    this.identity ??= this.makeIdentity();
    let identity: Identity;
    try {
      identity = await this.identity;
    } catch (e) {
      this.identity = undefined; // a refused wallet may say yes next time
      throw e;
    }
    const sub = new SubscriptionImpl(this, identity, streamId, partition, onMessage, () => this.subscriptions.delete(sub));
    this.subscriptions.add(sub);
    try {
      await sub.start();
    } catch (e) {
      await sub.unsubscribe();
      throw e;
    }
    return sub;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
  }
}

class SubscriptionImpl implements Subscription {
  private core: Subscriber | undefined;
  private readonly emitter = new Emitter<SubscriptionEvents>();
  private ended = false;
  private stopTransport: (() => Promise<void>) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly inbox: Inbox;
  /** Input held while the core is backlogged ({@link onInput}), and its bound. */
  private readonly held: Uint8Array[] = [];
  private readonly maxHeld: number;
  private lastStats: SubscriberStats = { delivered: 0, duplicates: 0, dropped: 0, keyRequestsSent: 0, keysLearned: 0 };

  constructor(
    private readonly owner: SubscriberImpl,
    private readonly identity: Identity,
    readonly streamId: string,
    readonly partition: number,
    onMessage: ((m: ReceivedMessage) => void) | undefined,
    private readonly onEnd: () => void,
  ) {
    const max = owner.args.options?.maxBufferedMessages ?? 10_000;
    this.inbox = new Inbox(onMessage, max, (e) => this.emitError(e));
    this.maxHeld = max;
  }

  get stats(): SubscriberStats {
    if (this.core !== undefined) this.lastStats = this.core.stats;
    return this.lastStats;
  }

  invalidatePermissions(): void {
    this.core?.invalidatePermissions();
  }

  on<K extends keyof SubscriptionEvents>(event: K, listener: (value: SubscriptionEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof SubscriptionEvents>(event: K, listener: (value: SubscriptionEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  async start(): Promise<void> {
    await ready();
    const o = this.owner.args.options ?? {};
    const config: SubscriberConfig = defined({
      keyRequestTimeout: o.keyRequestTimeout,
      maxKeyRequestsPerSecond: o.maxKeyRequestsPerSecond,
      requireQuantumResistantSignatures: o.requireQuantumResistantSignatures,
      keyRequestRetries: o.keyRequestRetries,
      maxHeldMessages: o.maxHeldMessages,
      maxHeldPerChain: o.maxHeldPerChain,
      gapTimeoutMs: o.gapTimeoutMs,
      registryCacheTtlMs: o.registryCacheTtlMs,
      registryCacheMaxEntries: o.registryCacheMaxEntries,
      strictFormats: o.strictFormats,
      acceptCustodianResponses: o.acceptCustodianResponses,
      ...o.core,
      streamId: this.streamId,
      partition: this.partition,
      permissionSource: 'registry',
    });
    this.core = new Subscriber(config, this.identity.core, this.identity.keyExchange, Date.now());
    this.stopTransport = await this.owner.args.transport.subscribe(streamPartId(this.streamId, this.partition), (bytes) =>
      this.onInput(bytes),
    );
  }

  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.held.length = 0;
    this.onEnd();
    await this.stopTransport?.().catch(() => undefined);
    if (this.core !== undefined) {
      this.lastStats = this.core.stats;
      this.core.free();
      this.core = undefined;
    }
    this.inbox.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<ReceivedMessage> {
    return this.inbox.iterator(() => this.unsubscribe());
  }

  /**
   * Network bytes, to the core synchronously and in arrival order: nothing here decodes. While
   * the core says it is backlogged (messages waiting for signature verdicts fill half their
   * bound: a burst of ERC-1271 or P-256 messages), input waits here, in order, bounded, and is
   * fed as answers come in.
   */
  private onInput(bytes: Uint8Array): void {
    const core = this.core;
    if (this.ended || core === undefined) return;
    if (this.held.length > 0 || core.inputBacklogged) {
      if (this.held.length >= this.maxHeld) {
        this.emitError(createError('OVERLOADED', `${this.maxHeld} messages wait for signature checks; a message was dropped`));
        return;
      }
      this.held.push(bytes);
      return;
    }
    this.feed(core, bytes);
  }

  /** Held input to the core while it takes more. */
  private feedHeld(): void {
    for (let core = this.core; core !== undefined && this.held.length > 0 && !core.inputBacklogged; core = this.core) {
      this.feed(core, this.held.shift() as Uint8Array);
    }
  }

  private feed(core: Subscriber, bytes: Uint8Array): void {
    try {
      beforeCoreInput(this.owner.args.signer);
      core.handleMessage(bytes, Date.now());
      this.pump();
    } catch (e) {
      this.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'handling a message failed'));
    }
  }

  private pump(): void {
    const core = this.core;
    if (core === undefined) return;
    for (let outs = core.pollOutputs(); outs.length > 0; outs = core.pollOutputs()) {
      for (const out of outs) this.act(out);
    }
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const at = this.core?.pollTimeout();
    if (at === undefined) return;
    this.timer = setTimeout(() => {
      if (this.core === undefined) return;
      beforeCoreInput(this.owner.args.signer);
      this.core.handleTimeout(Date.now());
      this.pump();
      this.feedHeld();
    }, Math.max(0, at - Date.now()));
  }

  private act(out: Output): void {
    switch (out.type) {
      case 'send': {
        const part = streamPartId(this.streamId, this.partition);
        this.owner.args.transport.publish(part, out.bytes).catch((e: unknown) => {
          this.emitError(asStreamrE2eeError(e, 'CLOSED', 'sending a key request failed'));
        });
        break;
      }
      case 'ask':
        void this.answer(out.id, out.question);
        break;
      case 'deliver':
        this.deliver(out);
        break;
      case 'storeKey': {
        const id = out.key.id;
        const data = out.key.data;
        out.key.free();
        const store = this.owner.args.keyStore;
        if (store === undefined) break;
        (async () => {
          await store.putKey(out.publisherId, id, data, out.streamId, { replace: out.replace });
          if (out.latest) await store.setLatestKeyId(out.publisherId, out.streamId, id);
        })().catch((e: unknown) => {
          this.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'storing a group key failed'));
        });
        break;
      }
      case 'event': {
        const ev = out.event;
        if (ev.type === 'keyRequestSent') {
          this.emitter.emit('keyRequestSent', { publisherId: ev.publisherId, keyId: ev.keyId, attempt: ev.attempt });
        } else if (ev.type === 'error') {
          const err = createError(ev.code, ev.message) as E2eeError;
          if (ev.messageRef !== undefined) err.messageRef = ev.messageRef;
          this.emitError(err);
        }
        break;
      }
    }
  }

  private deliver(out: Extract<Output, { type: 'deliver' }>): void {
    let content: unknown;
    try {
      content = decodeContent(out.content, out.contentType);
    } catch (e) {
      const err = asStreamrE2eeError(e, 'INVALID_MESSAGE_CONTENT', 'undecodable content') as E2eeError;
      err.messageRef = { publisherId: out.publisherId, msgChainId: out.msgChainId, timestamp: out.timestamp, sequenceNumber: out.sequenceNumber };
      this.emitError(err);
      return;
    }
    const message: ReceivedMessage = {
      content,
      contentType: out.contentType,
      streamId: this.streamId,
      partition: this.partition,
      publisherId: out.publisherId,
      timestamp: out.timestamp,
      sequenceNumber: out.sequenceNumber,
      msgChainId: out.msgChainId,
      encrypted: out.groupKeyId !== undefined,
      ...(out.groupKeyId !== undefined ? { groupKeyId: out.groupKeyId } : {}),
    };
    this.inbox.give(message);
  }

  private async answer(id: number, question: Parameters<typeof answerQuestion>[0]): Promise<void> {
    const { answer, error } = await answerQuestion(question, {
      signer: this.owner.args.signer,
      registry: this.owner.args.registry,
      remoteKeyPair: this.identity.remote,
      keyStore: this.owner.args.keyStore,
      explicitKeys: this.owner.args.options?.keys,
      assertMaySign: () => {
        if (this.owner.switchedAway) {
          throw createError('WALLET_ACCOUNT_CHANGED', `the wallet switched away from ${this.identity.userId}; this subscriber no longer signs`);
        }
      },
    });
    if (this.core === undefined) return;
    if (error !== undefined) this.emitError(asStreamrE2eeError(error, 'RPC_ERROR', `answering ${question.type} failed`));
    beforeCoreInput(this.owner.args.signer);
    this.core.answer(id, answer, Date.now());
    this.pump();
    this.feedHeld();
  }

  private emitError(err: StreamrE2eeError): void {
    this.emitter.emit('error', err as E2eeError);
  }
}
