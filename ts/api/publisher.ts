/**
 * `createPublisher`: publishes on one stream partition. Drives the wasm `Publisher` (which
 * holds every rule: keys, chains, who gets a key) and does its I/O: the transport, the
 * wallet, the registry and the key store.
 */
import {
  Publisher,
  encodeContent,
  type GroupKey,
  type GroupKeyData,
  type Output,
  type PublisherConfig,
} from '#wasm';
import { streamPartId } from '../ports.js';
import { fromHex } from '../wallet/hex.js';
import { asStreamrE2eeError, createError, type StreamrE2eeError } from '../errors.js';
import { ready } from '../ready.js';
import { Driver } from './driver.js';
import { Emitter } from './emitter.js';
import { coreSignerFor, defined, explicitKey } from './host.js';
import type {
  CreatePublisherArgs,
  E2eeError,
  PublishContent,
  PublishResult,
  PublisherEvents,
  PublisherHandle,
} from './types.js';

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
  /** Multi-tab (ts/tabs/): told the signed bytes before the transport gets them. */
  sending?: ((bytes: Uint8Array) => void) | undefined;
}

/**
 * Creates a publisher for `streamId#partition`. It starts at once (see `ready`): learns its
 * id from the signer, carries the core's question whether the stream is public (asked unless
 * encryption is forced; the core decides), restores the stream's latest key from the key store
 * and subscribes to the stream partition to hear key requests. Permission checks use `permissionSource: 'registry'`: the
 * core encodes every StreamRegistry call and decides on the raw results. Network bytes go to
 * the core as they arrive, undecoded; an older key is read from the key store only when the
 * core asks (`loadKey`, after the request's signature and permissions passed), and only if it
 * is bound to this stream.
 */
export function createPublisher(args: CreatePublisherArgs): PublisherHandle {
  return new PublisherImpl(args);
}

class PublisherImpl implements PublisherHandle {
  readonly streamId: string;
  readonly partition: number;
  readonly ready: Promise<void>;
  publisherId = '';
  encrypted = true;
  private readonly emitter = new Emitter<PublisherEvents>();
  private readonly driver: Driver<Publisher>;
  private closed = false;
  private switchedAway = false;
  /**
   * Publishes handed to the core whose content message has not come out yet, by the publish id
   * `Publisher.publish` returned (and the `send` output carries); oldest first.
   */
  private readonly waiting = new Map<number, Waiter>();
  private stopTransport: (() => Promise<void>) | undefined;
  private stopIdentity: (() => void) | undefined;
  /** Resolves `start` once the core has decided whether to encrypt. */
  private decided: (() => void) | undefined;

  constructor(private readonly args: CreatePublisherArgs) {
    this.streamId = args.streamId;
    this.partition = args.partition ?? 0;
    const assertMaySign = (): void => {
      if (this.switchedAway) {
        throw createError('WALLET_ACCOUNT_CHANGED', `the wallet switched away from ${this.publisherId}; this publisher no longer signs`);
      }
    };
    this.driver = new Driver<Publisher>(
      {
        signer: args.signer,
        answerers: { signer: args.signer, registry: args.registry, keyStore: args.keyStore, assertMaySign },
        reportSignFailures: false,
        maxHeld: 10_000,
      },
      {
        output: (out) => this.act(out),
        emitError: (e) => this.emitError(e),
        drained: () => {
          if (this.decided !== undefined && this.driver.core?.encrypted !== undefined) {
            this.decided();
            this.decided = undefined;
          }
        },
      },
    );
    this.ready = this.start();
    // Callers learn of a failed start from publish(); do not leave the promise unhandled.
    this.ready.catch(() => undefined);
  }

  on<K extends keyof PublisherEvents>(event: K, listener: (value: PublisherEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof PublisherEvents>(event: K, listener: (value: PublisherEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  private async start(): Promise<void> {
    await ready(); // the wasm core (browsers load it on first use; ready.ts)
    const { signer, keyStore, transport } = this.args;
    const options = this.args.options ?? {};
    const { core: coreSigner, userId } = await coreSignerFor(signer);
    this.publisherId = userId;
    this.stopIdentity = signer.onIdentityChange?.((now) => {
      this.switchedAway = now?.toLowerCase() !== this.publisherId;
    });
    const explicit = options.keys?.[this.streamId];
    const config: PublisherConfig = defined({
      maxKeyRequestsPerRequesterPerSecond: options.maxKeyRequestsPerRequesterPerSecond,
      maxQueuedPublishes: options.maxQueuedPublishes,
      maxPendingKeyRequests: options.maxPendingKeyRequests,
      msgChainId: options.msgChainId,
      registryCacheTtlMs: options.registryCacheTtlMs,
      registryCacheMaxEntries: options.registryCacheMaxEntries,
      strictFormats: options.strictFormats,
      requireQuantumResistantKeyExchange: options.requireQuantumResistantKeyExchange,
      requireEncryption: options.requireQuantumResistantEncryption,
      custodians: options.custodians?.map((c) => ({ ...c, publicKey: typeof c.publicKey === 'string' ? fromHex(c.publicKey, 'custodian publicKey') : c.publicKey })),
      ...options.core,
      streamId: this.streamId,
      partition: this.partition,
      // The core asks whether the stream is public and decides; an app-given key means encrypt.
      encrypt: true,
      encryptUnlessPublic: options.encryption !== 'always' && explicit === undefined,
      permissionSource: 'registry',
    });
    const core = new Publisher(config, coreSigner);
    this.driver.attach(core);
    this.driver.pump(); // the public-stream question, if the core asks one
    if (core.encrypted === undefined) await new Promise<void>((resolve) => (this.decided = resolve));
    if (this.closed) throw createError('CLOSED', 'the publisher was closed');
    const encrypt = core.encrypted !== false;
    this.encrypted = encrypt;
    // After a reload the stream's latest key is current again (read through the binding check,
    // as every read); older ones come back when the core asks for one (`loadKey`).
    let latest: GroupKeyData | undefined = explicit !== undefined ? explicitKey(explicit) : undefined;
    if (latest === undefined && keyStore !== undefined && encrypt) {
      const id = await keyStore.getLatestKeyId(this.publisherId, this.streamId);
      const data = id !== undefined ? await keyStore.getKey(this.publisherId, id, this.streamId) : undefined;
      if (id !== undefined && data !== undefined) latest = { id, data };
    }
    if (latest !== undefined) core.restoreKeys(latest, []);
    this.stopTransport = await transport.subscribe(streamPartId(this.streamId, this.partition), (bytes) => this.driver.input(bytes));
    if (this.closed) {
      await this.stopTransport();
      throw createError('CLOSED', 'the publisher was closed');
    }
  }

  /** `sending` (internal, ts/tabs/): called with the signed content message before it is transmitted. */
  async publish(content: PublishContent, timestamp?: number, sending?: (bytes: Uint8Array) => void): Promise<PublishResult> {
    await this.ready;
    this.assertUsable();
    const encoded = encodeContent(content);
    const ts = timestamp ?? Date.now();
    return new Promise<PublishResult>((resolve, reject) => {
      try {
        // Outputs are acted on after `publish` returns its id: the waiter is in place before
        // its `send` can appear.
        this.driver.run((core) => {
          const id = core.publish(encoded.content, encoded.contentType, ts);
          this.waiting.set(id, { resolve: () => resolve({ timestamp: ts }), reject, sending });
        });
      } catch (e) {
        reject(e);
      }
    });
  }

  async rotate(key?: GroupKey | GroupKeyData): Promise<void> {
    await this.ready;
    this.assertUsable();
    this.driver.run((core) => core.rotate(key ?? null));
  }

  async rekey(options: { key?: GroupKey | GroupKeyData; revoke?: () => Promise<unknown> } = {}): Promise<void> {
    await this.ready;
    this.assertUsable();
    if (options.revoke !== undefined) await options.revoke();
    this.assertUsable();
    this.driver.run((core) => core.rekey(options.key ?? null));
  }

  async invalidatePermissions(): Promise<void> {
    await this.ready;
    this.assertUsable();
    this.driver.core?.invalidatePermissions();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopIdentity?.();
    this.decided?.();
    this.driver.stop();
    const err = createError('CLOSED', 'the publisher was closed');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    await this.ready.catch(() => undefined);
    // Keys not yet handed to the custodians go out before the publisher leaves.
    if (this.driver.core !== undefined && this.args.options?.custodians?.length) {
      try {
        this.driver.run((core) => core.flushHandOff(Date.now()));
      } catch (e) {
        this.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'handing keys to the custodians failed'));
      }
      await this.driver.settled;
    }
    await this.stopTransport?.().catch(() => undefined);
    await this.driver.settled;
    this.driver.free();
    this.emitter.clear();
  }

  private assertUsable(): void {
    if (this.closed || this.driver.core === undefined) throw createError('CLOSED', 'the publisher was closed');
    if (this.switchedAway) {
      throw createError('WALLET_ACCOUNT_CHANGED', `the wallet switched away from ${this.publisherId}; this publisher no longer signs`);
    }
  }

  /** What the driver leaves to the publisher: content and key responses to send, its events. */
  private act(out: Output): void {
    if (out.type === 'send') {
      // A content message names its publish; key responses name none.
      const waiter = out.publishId !== undefined ? this.waiting.get(out.publishId) : undefined;
      if (out.publishId !== undefined) this.waiting.delete(out.publishId);
      waiter?.sending?.(out.bytes);
      this.transmit(out.bytes, waiter);
      return;
    }
    if (out.type !== 'event') return; // publishers deliver nothing
    const ev = out.event;
    const signError = this.driver.signError;
    if (ev.type === 'keyRequestAnswered') this.emitter.emit('keyRequest', { requesterId: ev.requesterId, keyIds: ev.keyIds });
    else if (ev.type === 'keyRequestDenied') {
      const message = ev.code === 'SIGNER_ERROR' && signError !== undefined ? `${ev.message} (${signError.message})` : ev.message;
      this.emitter.emit('keyDenied', { requesterId: ev.requesterId, code: ev.code, message });
    } else if (ev.type === 'publishFailed') {
      // A publish the wallet did not sign: nothing was sent; its promise gets the wallet's error.
      const err = (signError as StreamrE2eeError | undefined) ?? createError(ev.code, ev.message);
      this.waiting.get(ev.publishId)?.reject(err);
      this.waiting.delete(ev.publishId);
      this.emitError(createError(ev.code, ev.message));
    }
  }

  private transmit(bytes: Uint8Array, waiter: Waiter | undefined): void {
    const part = streamPartId(this.streamId, this.partition);
    const { transport } = this.args;
    this.driver.serial(() =>
      transport.publish(part, bytes).then(
        () => waiter?.resolve(),
        (e: unknown) => {
          const err = asStreamrE2eeError(e, 'CLOSED', 'the transport refused a message');
          if (waiter !== undefined) waiter.reject(err);
          else this.emitError(err);
        },
      ),
    );
  }

  private emitError(err: StreamrE2eeError): void {
    this.emitter.emit('error', err as E2eeError);
  }
}
