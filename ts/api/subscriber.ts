/**
 * `createSubscriber`: subscribes to stream partitions as one identity. Each subscription
 * drives a wasm `Subscriber` (ordering, duplicates, key requests, verification and
 * decryption are all there) and does its I/O. Network bytes go to the core as they arrive,
 * undecoded; a key is loaded (from `options.keys`, then the key store) only when the core asks
 * (`loadKey`, before it would send a key request).
 */
import {
  AsymmetricEncryptionType,
  ContentType,
  MlKemKeyPair,
  Subscriber,
  decodeContent,
  keyExchangeAlgorithm,
  type KeyExchange,
  type Output,
  type PoolStats,
  type Signer,
  type SubscriberConfig,
  type SubscriberStats,
} from '#wasm';
import { RsaKeyPair } from '../rsa/index.js';
import { streamPartId } from '../ports.js';
import { asStreamrE2eeError, createError, type StreamrE2eeError } from '../errors.js';
import { ready } from '../ready.js';
import { CryptoWorker } from '../worker/client.js';
import { Driver } from './driver.js';
import { VerifyPool, type RecoveryWorker } from './verify-pool.js';
import { Emitter } from './emitter.js';
import { Inbox } from './inbox.js';
import { coreSignerFor, defined } from './host.js';
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
  VerifyWorkersSetting,
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

/**
 * `verifyWorkers` in full form, checked (`INVALID_ARGUMENT` naming the field): by every
 * `createSubscriber`, coordinated tabs too, so a bad setting throws there and not in a leader.
 */
export function verifyWorkersSetting(value: number | VerifyWorkersSetting | undefined): VerifyWorkersSetting | undefined {
  if (value === undefined || value === 0) return undefined;
  const s = typeof value === 'number' ? { count: value } : value;
  if (typeof s !== 'object' || s === null || !Number.isInteger(s.count) || s.count < 0 || s.count > 64) {
    throw createError('INVALID_ARGUMENT', 'options.verifyWorkers: expected an integer 0..=64 or { count: 0..=64, spawn?, timeoutMs? }');
  }
  if (s.timeoutMs !== undefined && !(Number.isFinite(s.timeoutMs) && s.timeoutMs > 0)) {
    throw createError('INVALID_ARGUMENT', 'options.verifyWorkers.timeoutMs: expected a positive number of milliseconds');
  }
  if (s.spawn !== undefined && typeof s.spawn !== 'function') {
    throw createError('INVALID_ARGUMENT', 'options.verifyWorkers.spawn: expected a function');
  }
  if (s.count === 0) return undefined;
  if (s.spawn === undefined && typeof Worker === 'undefined') {
    throw createError('WORKER_UNAVAILABLE', 'options.verifyWorkers: Web Workers are not available here; pass verifyWorkers.spawn (e.g. worker_threads running recoverSigner) or leave it 0');
  }
  return s;
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
  private readonly poolSetting: VerifyWorkersSetting | undefined;
  /** The verification pool, shared by this handle's subscriptions; started by the first. */
  private pool: VerifyPool | undefined;
  private readonly poolListeners = new Set<(err: StreamrE2eeError) => void>();

  constructor(readonly args: CreateSubscriberArgs) {
    this.poolSetting = verifyWorkersSetting(args.options?.verifyWorkers);
  }

  /**
   * The pool, started by the first subscription; undefined without `verifyWorkers`. A worker
   * that fails later is reported to every subscription ({@link onWorkerLost}).
   */
  verifyPool(): VerifyPool | undefined {
    const setting = this.poolSetting;
    if (setting === undefined) return undefined;
    if (this.pool === undefined) {
      const spawn = setting.spawn ?? (() => CryptoWorker.spawn());
      const workers: RecoveryWorker[] = [];
      try {
        for (let k = 0; k < setting.count; k++) workers.push(spawn());
      } catch (e) {
        for (const w of workers) w.terminate();
        throw asStreamrE2eeError(e, 'WORKER_UNAVAILABLE', 'options.verifyWorkers: a worker could not start');
      }
      this.pool = new VerifyPool(workers, {
        chunkTimeoutMs: setting.timeoutMs,
        onWorkerLost: (err) => this.poolListeners.forEach((l) => l(err)),
      });
    }
    return this.pool;
  }

  /** Listens for workers the pool gives up; returns the function that stops listening. */
  onWorkerLost(listener: (err: StreamrE2eeError) => void): () => void {
    this.poolListeners.add(listener);
    return () => this.poolListeners.delete(listener);
  }

  private async makeIdentity(): Promise<Identity> {
    await ready(); // the wasm core (browsers load it on first use; ready.ts)
    const o = this.args.options ?? {};
    // The core's policy: ML-KEM unless RSA is asked for and allowed.
    const requested = o.keyExchange === undefined ? undefined : AsymmetricEncryptionType[o.keyExchange];
    const rsa = keyExchangeAlgorithm(requested, o.requireQuantumResistantKeyExchange === true) === AsymmetricEncryptionType.RSA;
    const algorithm: KeyExchangeAlgorithm = rsa ? 'RSA' : 'ML_KEM';
    const rsaKeyLength = o.rsaKeyLength ?? 4096;
    const { core, userId } = await coreSignerFor(this.args.signer);
    this.userId = userId;
    this.args.signer.onIdentityChange?.((now) => {
      this.switchedAway = now?.toLowerCase() !== userId;
    });
    const kp: SubscriberKeyPair = o.keyPairFactory
      ? await o.keyPairFactory({ algorithm, rsaKeyLength })
      : rsa
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
    this.pool?.terminate();
    this.pool = undefined;
  }
}

class SubscriptionImpl implements Subscription {
  private readonly emitter = new Emitter<SubscriptionEvents>();
  private readonly driver: Driver<Subscriber>;
  private ended = false;
  private stopTransport: (() => Promise<void>) | undefined;
  private stopPoolReports: (() => void) | undefined;
  private poolKey: Uint8Array | undefined;
  private lastPoolStats: PoolStats | undefined;
  private readonly inbox: Inbox;
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
    const { signer, registry, keyStore, options } = owner.args;
    const assertMaySign = (): void => {
      if (owner.switchedAway) {
        throw createError('WALLET_ACCOUNT_CHANGED', `the wallet switched away from ${identity.userId}; this subscriber no longer signs`);
      }
    };
    this.driver = new Driver<Subscriber>(
      {
        signer,
        answerers: { signer, registry, remoteKeyPair: identity.remote, keyStore, explicitKeys: options?.keys, assertMaySign },
        reportSignFailures: true,
        maxHeld: max,
      },
      { output: (out) => this.act(out), emitError: (e) => this.emitError(e) },
    );
  }

  get stats(): SubscriberStats {
    const core = this.driver.core;
    if (core !== undefined) this.lastStats = core.stats;
    return this.lastStats;
  }

  get poolStats(): PoolStats | undefined {
    const core = this.driver.core;
    if (core !== undefined && this.poolKey !== undefined) this.lastPoolStats = core.poolStats;
    return this.lastPoolStats;
  }

  invalidatePermissions(): void {
    this.driver.core?.invalidatePermissions();
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
      requireQuantumResistantKeyExchange: o.requireQuantumResistantKeyExchange,
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
    const core = new Subscriber(config, this.identity.core, this.identity.keyExchange, Date.now());
    this.driver.attach(core);
    const pool = this.owner.verifyPool();
    if (pool !== undefined) {
      // The subscription's own secret: only its tag makes a worker's recovery count (docs/verify-pool.md).
      const poolKey = core.poolKey;
      this.poolKey = poolKey;
      this.stopPoolReports = this.owner.onWorkerLost((e) => this.emitError(e));
      this.driver.verifyWith({ recover: (bytes) => pool.recover(poolKey, bytes) });
    }
    this.stopTransport = await this.owner.args.transport.subscribe(streamPartId(this.streamId, this.partition), (bytes) =>
      this.driver.input(bytes),
    );
  }

  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.driver.stop();
    this.onEnd();
    await this.stopTransport?.().catch(() => undefined);
    const core = this.driver.core;
    if (core !== undefined) this.lastStats = core.stats;
    if (core !== undefined && this.poolKey !== undefined) this.lastPoolStats = core.poolStats;
    this.stopPoolReports?.();
    this.poolKey?.fill(0);
    this.driver.free();
    this.inbox.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<ReceivedMessage> {
    return this.inbox.iterator(() => this.unsubscribe());
  }

  /** What the driver leaves to the subscription: key requests to send, deliveries, its events. */
  private act(out: Output): void {
    if (out.type === 'send') {
      const part = streamPartId(this.streamId, this.partition);
      this.owner.args.transport.publish(part, out.bytes).catch((e: unknown) => {
        this.emitError(asStreamrE2eeError(e, 'CLOSED', 'sending a key request failed'));
      });
    } else if (out.type === 'deliver') {
      this.deliver(out);
    } else if (out.type === 'event' && out.event.type === 'keyRequestSent') {
      const ev = out.event;
      this.emitter.emit('keyRequestSent', { publisherId: ev.publisherId, keyId: ev.keyId, attempt: ev.attempt });
    }
  }

  private deliver(out: Extract<Output, { type: 'deliver' }>): void {
    let content: unknown;
    try {
      // BINARY content is already a fresh Uint8Array of its own: decodeContent would copy it
      // into wasm and out again (issue #20: content crosses the boundary once).
      content = out.contentType === ContentType.BINARY ? out.content : decodeContent(out.content, out.contentType);
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

  private emitError(err: StreamrE2eeError): void {
    this.emitter.emit('error', err as E2eeError);
  }
}
