/**
 * `createPublisher`: publishes on one stream partition. Drives the wasm `Publisher` (which
 * holds every rule: keys, chains, who gets a key) and does its I/O: the transport, the
 * wallet, the registry and the key store.
 */
import {
  Publisher,
  decodeHasPublicPermission,
  encodeContent,
  hasPublicPermissionCall,
  type GroupKey,
  type GroupKeyData,
  type Output,
  type PublisherConfig,
  type StreamrE2eeError,
} from '#wasm';
import { streamPartId } from '../ports.js';
import { fromHex } from '../wallet/hex.js';
import { asStreamrE2eeError, createError } from '../errors.js';
import { ready } from '../ready.js';
import { Emitter } from './emitter.js';
import { answerQuestion, beforeCoreInput, coreSignerFor, defined, explicitKey } from './host.js';
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
 * id from the signer, asks the registry whether the stream is public (unless encryption is
 * forced), restores the stream's latest key from the key store and subscribes to the stream
 * partition to hear key requests. Permission checks use `permissionSource: 'registry'`: the
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
  private core: Publisher | undefined;
  private readonly emitter = new Emitter<PublisherEvents>();
  private closed = false;
  private switchedAway = false;
  /**
   * Publishes handed to the core whose content message has not come out yet, by the publish id
   * `Publisher.publish` returned (and the `send` output carries); oldest first.
   */
  private readonly waiting = new Map<number, Waiter>();
  /** Transport publishes and key-store writes, in output order (a key is stored before use). */
  private chain: Promise<void> = Promise.resolve();
  private signError: Error | undefined;
  private stopTransport: (() => Promise<void>) | undefined;
  private stopIdentity: (() => void) | undefined;

  constructor(private readonly args: CreatePublisherArgs) {
    this.streamId = args.streamId;
    this.partition = args.partition ?? 0;
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
    const forced = options.requireQuantumResistantEncryption === true || options.encryption === 'always' || explicit !== undefined;
    let encrypt = true;
    if (!forced) encrypt = !(await this.isPublic());
    if (this.closed) throw createError('CLOSED', 'the publisher was closed');
    this.encrypted = encrypt;
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
      encrypt,
      permissionSource: 'registry',
    });
    const core = new Publisher(config, coreSigner);
    this.core = core;
    // After a reload the stream's latest key is current again (read through the binding check,
    // as every read); older ones come back when the core asks for one (`loadKey`).
    let latest: GroupKeyData | undefined = explicit !== undefined ? explicitKey(explicit) : undefined;
    if (latest === undefined && keyStore !== undefined && encrypt) {
      const id = await keyStore.getLatestKeyId(this.publisherId, this.streamId);
      const data = id !== undefined ? await keyStore.getKey(this.publisherId, id, this.streamId) : undefined;
      if (id !== undefined && data !== undefined) latest = { id, data };
    }
    if (latest !== undefined) core.restoreKeys(latest, []);
    this.stopTransport = await transport.subscribe(streamPartId(this.streamId, this.partition), (bytes) => this.onInput(bytes));
    if (this.closed) {
      await this.stopTransport();
      throw createError('CLOSED', 'the publisher was closed');
    }
  }

  /** `hasPublicPermission(streamId, SUBSCRIBE)`; when the registry cannot say, "not public" (encrypt). */
  private async isPublic(): Promise<boolean> {
    const { registry } = this.args;
    try {
      const out = await registry.call(registry.streamRegistryAddress, hasPublicPermissionCall(this.streamId, 'SUBSCRIBE'));
      if (out.type === 'callResult') {
        try {
          return decodeHasPublicPermission(out.data);
        } catch (e) {
          this.emitError(createError('PERMISSION_CHECK_FAILED', 'hasPublicPermission returned undecodable data; publishing encrypted', e));
          return false;
        }
      }
      this.emitError(createError('PERMISSION_CHECK_FAILED', 'hasPublicPermission reverted; publishing encrypted'));
    } catch (e) {
      this.emitError(asStreamrE2eeError(e, 'RPC_ERROR', 'hasPublicPermission failed; publishing encrypted'));
    }
    return false;
  }

  /** `sending` (internal, ts/tabs/): called with the signed content message before it is transmitted. */
  async publish(content: PublishContent, timestamp?: number, sending?: (bytes: Uint8Array) => void): Promise<PublishResult> {
    await this.ready;
    this.assertUsable();
    const encoded = encodeContent(content);
    const ts = timestamp ?? Date.now();
    const core = this.core!;
    return new Promise<PublishResult>((resolve, reject) => {
      let id: number;
      try {
        beforeCoreInput(this.args.signer);
        id = core.publish(encoded.content, encoded.contentType, ts);
      } catch (e) {
        reject(e);
        return;
      }
      // Outputs come out of pump() only: the waiter is in place before its `send` can appear.
      this.waiting.set(id, { resolve: () => resolve({ timestamp: ts }), reject, sending });
      this.pump();
    });
  }

  async rotate(key?: GroupKey | GroupKeyData): Promise<void> {
    await this.ready;
    this.assertUsable();
    beforeCoreInput(this.args.signer);
    this.core!.rotate(key ?? null);
    this.pump();
  }

  async rekey(options: { key?: GroupKey | GroupKeyData; revoke?: () => Promise<unknown> } = {}): Promise<void> {
    await this.ready;
    this.assertUsable();
    if (options.revoke !== undefined) await options.revoke();
    this.assertUsable();
    beforeCoreInput(this.args.signer);
    this.core!.rekey(options.key ?? null);
    this.pump();
  }

  async invalidatePermissions(): Promise<void> {
    await this.ready;
    this.assertUsable();
    this.core!.invalidatePermissions();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopIdentity?.();
    const err = createError('CLOSED', 'the publisher was closed');
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    await this.ready.catch(() => undefined);
    // Keys not yet handed to the custodians go out before the publisher leaves.
    if (this.core !== undefined && this.args.options?.custodians?.length) {
      try {
        this.core.flushHandOff(Date.now());
        this.pump();
      } catch (e) {
        this.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'handing keys to the custodians failed'));
      }
      await this.chain;
    }
    await this.stopTransport?.().catch(() => undefined);
    await this.chain;
    this.core?.free();
    this.core = undefined;
    this.emitter.clear();
  }

  private assertUsable(): void {
    if (this.closed || this.core === undefined) throw createError('CLOSED', 'the publisher was closed');
    if (this.switchedAway) {
      throw createError('WALLET_ACCOUNT_CHANGED', `the wallet switched away from ${this.publisherId}; this publisher no longer signs`);
    }
  }

  /** Network bytes, straight to the core, synchronously and in arrival order: nothing here decodes or waits. */
  private onInput(bytes: Uint8Array): void {
    const core = this.core;
    if (this.closed || core === undefined) return;
    try {
      beforeCoreInput(this.args.signer);
      core.handleMessage(bytes, Date.now());
      this.pump();
    } catch (e) {
      this.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'handling a message failed'));
    }
  }

  /** Drains the core after every input and acts on each output in order. */
  private pump(): void {
    const core = this.core;
    if (core === undefined) return;
    for (let outs = core.pollOutputs(); outs.length > 0; outs = core.pollOutputs()) {
      for (const out of outs) this.act(out);
    }
  }

  private act(out: Output): void {
    switch (out.type) {
      case 'send': {
        // A content message names its publish; key responses name none.
        const waiter = out.publishId !== undefined ? this.waiting.get(out.publishId) : undefined;
        if (out.publishId !== undefined) this.waiting.delete(out.publishId);
        waiter?.sending?.(out.bytes);
        this.transmit(out.bytes, waiter);
        break;
      }
      case 'ask':
        void this.answer(out.id, out.question);
        break;
      case 'storeKey': {
        const id = out.key.id;
        const data = out.key.data;
        out.key.free();
        const store = this.args.keyStore;
        if (store === undefined) break;
        const { publisherId, streamId, latest, replace } = out;
        this.chain = this.chain.then(async () => {
          try {
            await store.putKey(publisherId, id, data, streamId, { replace });
            if (latest) await store.setLatestKeyId(publisherId, streamId, id);
          } catch (e) {
            this.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'storing a group key failed'));
          }
        });
        break;
      }
      case 'deliver':
        break; // publishers deliver nothing
      case 'event': {
        const ev = out.event;
        if (ev.type === 'keyRequestAnswered') this.emitter.emit('keyRequest', { requesterId: ev.requesterId, keyIds: ev.keyIds });
        else if (ev.type === 'keyRequestDenied') {
          const message = ev.code === 'SIGNER_ERROR' && this.signError !== undefined ? `${ev.message} (${this.signError.message})` : ev.message;
          this.emitter.emit('keyDenied', { requesterId: ev.requesterId, code: ev.code, message });
        } else if (ev.type === 'publishFailed') {
          // A publish the wallet did not sign: nothing was sent; its promise gets the wallet's error.
          const err = (this.signError as StreamrE2eeError | undefined) ?? createError(ev.code, ev.message);
          this.waiting.get(ev.publishId)?.reject(err);
          this.waiting.delete(ev.publishId);
          this.emitError(createError(ev.code, ev.message));
        } else if (ev.type === 'error') {
          const err = createError(ev.code, ev.message) as E2eeError;
          if (ev.messageRef !== undefined) err.messageRef = ev.messageRef;
          this.emitError(err);
        }
        break;
      }
    }
  }

  private transmit(bytes: Uint8Array, waiter: Waiter | undefined): void {
    const part = streamPartId(this.streamId, this.partition);
    const { transport } = this.args;
    this.chain = this.chain.then(() =>
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

  private async answer(id: number, question: Parameters<typeof answerQuestion>[0]): Promise<void> {
    const { answer, error } = await answerQuestion(question, {
      signer: this.args.signer,
      registry: this.args.registry,
      keyStore: this.args.keyStore,
      assertMaySign: () => {
        if (this.switchedAway) {
          throw createError('WALLET_ACCOUNT_CHANGED', `the wallet switched away from ${this.publisherId}; this publisher no longer signs`);
        }
      },
    });
    if (this.closed || this.core === undefined) return;
    if (error !== undefined && question.type !== 'sign') {
      this.emitError(asStreamrE2eeError(error, 'RPC_ERROR', `answering ${question.type} failed`));
    }
    this.signError = question.type === 'sign' ? error : undefined;
    try {
      beforeCoreInput(this.args.signer);
      this.core.answer(id, answer, Date.now());
      this.pump();
    } finally {
      this.signError = undefined;
    }
  }

  private emitError(err: StreamrE2eeError): void {
    this.emitter.emit('error', err as E2eeError);
  }
}
