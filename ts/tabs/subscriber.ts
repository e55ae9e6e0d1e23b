/**
 * A subscriber shared by the tabs of an origin: per identity and stream partition, the tab
 * holding the Web Lock runs the core subscription (one set of key requests, one wallet
 * signature each) and broadcasts its deliveries; every tab, the leader too, gives them to the
 * app through {@link TabDelivery}, once each. Every tab also keeps its own transport
 * subscription and the newest raw messages ({@link ReplayBuffer}), so a tab that takes over
 * starts its core on what arrived before it led (docs/multi-tab.md, "Hand-off").
 */
import type { PoolStats, SubscriberStats } from '#wasm';
import { createError } from '../errors.js';
import { streamPartId } from '../ports.js';
import { Emitter } from '../api/emitter.js';
import { createSubscriber as createCoreSubscriber } from '../api/subscriber.js';
import type {
  CreateSubscriberArgs,
  E2eeError,
  ReceivedMessage,
  SubscriberHandle,
  Subscription,
  SubscriptionEvents,
} from '../api/types.js';
import { TabDelivery } from './delivery.js';
import { stand, type Candidacy } from './election.js';
import { handleId } from './ids.js';
import { lockedKeyStore } from './keystore.js';
import { ReplayBuffer } from './replay.js';
import { fromWire, toWire, type WireError } from './wire.js';

type SubscriberWire =
  | { t: 'deliver'; message: ReceivedMessage }
  | { t: 'event'; name: 'error'; value: WireError }
  | { t: 'event'; name: 'keyRequestSent'; value: SubscriptionEvents['keyRequestSent'] }
  | { t: 'invalidatePermissions'; from: string };

/** `createSubscriber` coordinated across tabs (see the module comment). */
export class TabSubscriber implements SubscriberHandle {
  userId: string | undefined;
  private readonly subscriptions = new Set<TabSubscription>();
  private closed = false;

  constructor(
    readonly args: CreateSubscriberArgs,
    readonly replayBuffer: number,
  ) {}

  async subscribe(streamId: string, partition = 0, onMessage?: (message: ReceivedMessage) => void): Promise<Subscription> {
    if (this.closed) throw createError('CLOSED', 'the subscriber was closed');
    this.userId ??= (await this.args.signer.getUserId()).toLowerCase();
    const sub = new TabSubscription(this, this.userId, streamId, partition, onMessage, () => this.subscriptions.delete(sub));
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

class TabSubscription implements Subscription {
  private readonly id = handleId();
  private readonly emitter = new Emitter<SubscriptionEvents>();
  private readonly delivery: TabDelivery;
  private readonly replay: ReplayBuffer;
  private channel: BroadcastChannel | undefined;
  private candidacy: Candidacy | undefined;
  private inner: { handle: SubscriberHandle; subscription: Subscription | undefined } | undefined;
  private ended = false;

  constructor(
    private readonly owner: TabSubscriber,
    private readonly userId: string,
    readonly streamId: string,
    readonly partition: number,
    onMessage: ((m: ReceivedMessage) => void) | undefined,
    private readonly onEnd: () => void,
  ) {
    const max = owner.args.options?.maxBufferedMessages ?? 10_000;
    this.delivery = new TabDelivery(onMessage, max, (e) => this.emitter.emit('error', e));
    this.replay = new ReplayBuffer(owner.args.transport, streamPartId(streamId, partition), owner.replayBuffer);
  }

  get stats(): SubscriberStats {
    const s = this.inner?.subscription?.stats;
    return s !== undefined ? { ...s, delivered: this.delivery.delivered } : this.delivery.followerStats();
  }

  /** The verification pool's counters while this tab leads (`verifyWorkers` runs in the leader). */
  get poolStats(): PoolStats | undefined {
    return this.inner?.subscription?.poolStats;
  }

  /** Whether this tab runs the core subscription now. */
  get leading(): boolean {
    return this.candidacy?.leading === true;
  }

  invalidatePermissions(): void {
    if (this.inner?.subscription !== undefined) this.inner.subscription.invalidatePermissions();
    else this.post({ t: 'invalidatePermissions', from: this.id });
  }

  on<K extends keyof SubscriptionEvents>(event: K, listener: (value: SubscriptionEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof SubscriptionEvents>(event: K, listener: (value: SubscriptionEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** Subscribes on the tab's transport first (nothing arriving from now on is missed), then stands for leader. */
  async start(): Promise<void> {
    await this.replay.start();
    const name = `streamr-e2ee/subscriber/${this.userId}/${streamPartId(this.streamId, this.partition)}`;
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (e: MessageEvent<SubscriberWire>) => this.onWire(e.data);
    this.candidacy = stand(name, () => this.lead(), (e) => this.fanError(toWire(e)));
  }

  private async lead(): Promise<void> {
    if (this.ended) return;
    const { args } = this.owner;
    const handle = createCoreSubscriber({ ...args, transport: this.replay.transportForLeader(), keyStore: lockedKeyStore(args.keyStore) });
    this.inner = { handle, subscription: undefined };
    // Deliveries start inside `subscribe` (the replayed messages): the callback is in place first.
    const subscription = await handle.subscribe(this.streamId, this.partition, (m) => {
      this.post({ t: 'deliver', message: m });
      this.delivery.accept(m);
    });
    this.inner.subscription = subscription;
    subscription.on('error', (e) => this.fanError(toWire(e)));
    subscription.on('keyRequestSent', (value) => {
      this.emitter.emit('keyRequestSent', value);
      this.post({ t: 'event', name: 'keyRequestSent', value });
    });
  }

  private fanError(w: WireError): void {
    this.emitter.emit('error', fromWire(w));
    this.post({ t: 'event', name: 'error', value: w });
  }

  private onWire(m: SubscriberWire): void {
    if (this.ended) return;
    switch (m.t) {
      case 'deliver':
        this.delivery.accept(m.message);
        break;
      case 'event':
        if (m.name === 'error') this.emitter.emit('error', fromWire(m.value) as E2eeError);
        else this.emitter.emit('keyRequestSent', m.value);
        break;
      case 'invalidatePermissions':
        this.inner?.subscription?.invalidatePermissions();
        break;
    }
  }

  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    // The core stops before the lock goes to the next tab, which replays from its own buffer.
    if (this.inner !== undefined) {
      await this.inner.subscription?.unsubscribe();
      await this.inner.handle.close();
    }
    this.candidacy?.resign();
    this.channel?.close();
    await this.replay.stop();
    this.delivery.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<ReceivedMessage> {
    return this.delivery.iterator(() => this.unsubscribe());
  }

  private post(m: SubscriberWire): void {
    this.channel?.postMessage(m);
  }
}
