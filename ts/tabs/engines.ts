/**
 * What a leading tab runs for a shared publisher: one core publisher per message chain, one
 * chain per tab handle (its id chosen by the handle and kept across hand-offs). Only the
 * leading tab's own core listens to the stream and answers key requests; the others publish
 * only. They all use the same group key: the leader makes or restores it before any core
 * starts, hands it to each core it starts, and rotates or re-keys every core with one key.
 *
 * Why a chain per tab (docs/multi-tab.md, "Hand-off"): a handle gives each publish a timestamp
 * greater than its last, so each message of its chain is `(timestamp, 0)`, fixed before any core
 * sees it. Whichever leader publishes it, and however often, it has the same reference, so
 * subscribers' cores keep a tab's messages in order across a hand-off and drop a copy by
 * reference, whether or not a dying leader got it out.
 */
import { GroupKey, type GroupKeyData } from '#wasm';
import { ready } from '../ready.js';
import { createError } from '../errors.js';
import type { KeyStore, Transport } from '../ports.js';
import { explicitKey } from '../api/host.js';
import { createPublisher as createCorePublisher } from '../api/publisher.js';
import type { CreatePublisherArgs, PublishContent, PublishResult, PublisherEvents, PublisherHandle } from '../api/types.js';
import { MemoryKeyStore } from '../keystore/memory.js';
import { KEY_STORE_LOCK, lockedKeyStore } from './keystore.js';
import { withLock } from './election.js';

/** The core publisher's `publish` with its internal `sending` hook (ts/api/publisher.ts). */
export type CorePublisher = PublisherHandle & {
  publish(content: PublishContent, timestamp?: number, sending?: (bytes: Uint8Array) => void): Promise<PublishResult>;
};

/** The tab's transport for a core that only publishes: key requests reach the serving core alone. */
function publishOnly(transport: Transport): Transport {
  return {
    subscribe: async () => async () => undefined,
    publish: (part, bytes) => transport.publish(part, bytes),
    close: async () => undefined,
  };
}

export class PublisherEngines {
  private readonly cores = new Map<string, Promise<CorePublisher>>();
  private readonly store: KeyStore;
  private readonly rawStore: KeyStore;
  private currentKey: GroupKeyData | undefined;
  private server: CorePublisher | undefined;

  constructor(
    private readonly args: CreatePublisherArgs,
    private readonly userId: string,
    private readonly emit: <K extends keyof PublisherEvents>(name: K, value: PublisherEvents[K]) => void,
  ) {
    // Without a store the cores still need one place to share keys: memory, for this leadership.
    this.rawStore = args.keyStore ?? new MemoryKeyStore();
    this.store = lockedKeyStore(this.rawStore)!;
  }

  /** Starts the serving core on `chain` (the leading tab's own); resolves once it is ready. */
  async start(chain: string): Promise<CorePublisher> {
    // GroupKey below is a raw binding: in a browser the core must be loaded first (ts/ready.ts).
    await ready();
    await this.ensureKey();
    const p = this.makeCore(chain, true);
    this.cores.set(chain, p);
    this.server = await p;
    return this.server;
  }

  /** The stream's current key, restored from the store, or made and stored (under the key-store lock). */
  private async ensureKey(): Promise<void> {
    const { streamId } = this.args;
    const given = this.args.options?.keys?.[streamId];
    if (given !== undefined) {
      this.currentKey = explicitKey(given);
      return;
    }
    const store = this.rawStore;
    this.currentKey = await withLock(KEY_STORE_LOCK, async () => {
      const id = await store.getLatestKeyId(this.userId, streamId);
      const data = id !== undefined ? await store.getKey(this.userId, id, streamId) : undefined;
      if (id !== undefined && data !== undefined) return { id, data };
      const key = GroupKey.generate();
      const made = { id: key.id, data: key.data };
      key.free();
      await store.putKey(this.userId, made.id, made.data, streamId);
      await store.setLatestKeyId(this.userId, streamId, made.id);
      return made;
    });
  }

  private async makeCore(chain: string, serves: boolean): Promise<CorePublisher> {
    const { args } = this;
    const options = { ...args.options, msgChainId: chain };
    // The serving core restores the key from the store; the others get it given, so that one
    // started after a rotation does not read the store before the rotation's write lands.
    if (!serves && this.server?.encrypted === true && this.currentKey !== undefined) {
      options.keys = { ...options.keys, [args.streamId]: this.currentKey };
    }
    const core = createCorePublisher({ ...args, transport: serves ? args.transport : publishOnly(args.transport), keyStore: this.store, options }) as CorePublisher;
    core.on('error', (e) => this.emit('error', e));
    if (serves) {
      core.on('keyRequest', (e) => this.emit('keyRequest', e));
      core.on('keyDenied', (e) => this.emit('keyDenied', e));
    }
    await core.ready;
    return core;
  }

  /** The core publishing chain `chain`, started on first use. */
  core(chain: string): Promise<CorePublisher> {
    let p = this.cores.get(chain);
    if (p === undefined) {
      p = this.makeCore(chain, false);
      p.catch(() => this.cores.delete(chain));
      this.cores.set(chain, p);
    }
    return p;
  }

  /** Rotates (or re-keys) every core with one key: `key`, or a new one. */
  async changeKey(kind: 'rotate' | 'rekey', key: GroupKeyData | undefined): Promise<void> {
    let next = key;
    if (next === undefined) {
      const k = GroupKey.generate();
      next = { id: k.id, data: k.data };
      k.free();
    }
    const started = [...this.cores.values()];
    this.currentKey = next;
    const k = next;
    await Promise.all(started.map(async (p) => {
      const core = await p;
      await (kind === 'rotate' ? core.rotate(k) : core.rekey({ key: k }));
    }));
  }

  async invalidatePermissions(): Promise<void> {
    if (this.server === undefined) throw createError('CLOSED', 'the leading tab has no publisher');
    await this.server.invalidatePermissions();
  }

  async close(): Promise<void> {
    const all = [...this.cores.values()];
    this.cores.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close(), () => undefined)));
  }
}
