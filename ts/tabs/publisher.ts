/**
 * A publisher shared by the tabs of an origin, per identity and stream partition: the tab
 * holding the Web Lock runs the engines ({@link PublisherEngines}: one core publisher per tab
 * handle's message chain, one of them answering key requests); the other tabs hand it their
 * publishes over a BroadcastChannel and hear its events.
 *
 * Exactly once across a hand-off (docs/multi-tab.md): a handle keeps each request until a
 * leader confirms it, and hands what is unconfirmed to the next leader in order. The leader tells
 * the handle the signed bytes of its publish before the transport gets them; the next leader
 * sends those same bytes when the handle has them (no second signature), else publishes the
 * content again on the handle's chain, with the handle's timestamp: the same message reference.
 * A copy on the wire (the old leader's got out after all) is dropped by every subscriber's core
 * by publisher, chain, timestamp and sequence number.
 */
import type { GroupKey, GroupKeyData } from '#wasm';
import { createError } from '../errors.js';
import { streamPartId } from '../ports.js';
import { Emitter } from '../api/emitter.js';
import type { CreatePublisherArgs, PublishContent, PublishResult, PublisherEvents, PublisherHandle } from '../api/types.js';
import { stand, type Candidacy } from './election.js';
import { chainId, handleId } from './ids.js';
import { PublisherEngines } from './engines.js';
import { fromWire, toWire, type PublisherRequest, type PublisherWire, type WireError } from './wire.js';

interface Pending {
  request: PublisherRequest;
  resolve(value: PublishResult | undefined): void;
  reject(e: Error): void;
}

function keyData(key: GroupKey | GroupKeyData | undefined): GroupKeyData | undefined {
  return key === undefined ? undefined : { id: key.id, data: key.data };
}

/** `createPublisher` coordinated across tabs (see the module comment). */
export class TabPublisher implements PublisherHandle {
  readonly streamId: string;
  readonly partition: number;
  readonly ready: Promise<void>;
  publisherId = '';
  encrypted = true;
  private readonly id = handleId();
  /** This handle's message chain, whichever tab leads. */
  private readonly chain = chainId();
  /** The last timestamp given: each publish gets a greater one (its reference is then fixed). */
  private lastTimestamp = 0;
  private readonly emitter = new Emitter<PublisherEvents>();
  private channel: BroadcastChannel | undefined;
  private candidacy: Candidacy | undefined;
  private engines: PublisherEngines | undefined;
  private userId = '';
  private leadError: WireError | undefined;
  /** The handle id of the tab leading now, once it said so. */
  private leaderId: string | undefined;
  /** Requests not yet confirmed by a leader, in the order they were made. */
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  private closed = false;
  private settleReady: { resolve(): void; reject(e: Error): void } | undefined;

  /** Requests handed to a new leader after a hand-off: as signed bytes, or as content (never sent). */
  readonly handoffs = { resentBytes: 0, republished: 0 };

  /** Whether this tab runs the engine now. */
  get leading(): boolean {
    return this.candidacy?.leading === true;
  }

  constructor(private readonly args: CreatePublisherArgs) {
    this.streamId = args.streamId;
    this.partition = args.partition ?? 0;
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined);
    void this.start();
  }

  on<K extends keyof PublisherEvents>(event: K, listener: (value: PublisherEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof PublisherEvents>(event: K, listener: (value: PublisherEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  private async start(): Promise<void> {
    let userId: string;
    try {
      userId = (await this.args.signer.getUserId()).toLowerCase();
      this.userId = userId;
    } catch (e) {
      this.settleReady?.reject(e as Error);
      return;
    }
    if (this.closed) return;
    const name = `streamr-e2ee/publisher/${userId}/${streamPartId(this.streamId, this.partition)}`;
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (e: MessageEvent<PublisherWire>) => this.onWire(e.data);
    this.candidacy = stand(name, () => this.lead(), (e) => this.leadFailed(e));
    this.post({ t: 'hello', from: this.id });
  }

  /** This tab got the lock: start the engines, then serve, its own unconfirmed requests first. */
  private async lead(): Promise<void> {
    if (this.closed) return;
    const engines = new PublisherEngines(this.args, this.userId, (name, value) => {
      this.emitter.emit(name, value);
      this.post({ t: 'event', name, value: name === 'error' ? toWire(value) : value });
    });
    this.engines = engines;
    const server = await engines.start(this.chain);
    const handoff = this.leaderId !== undefined;
    this.publisherId = server.publisherId;
    this.encrypted = server.encrypted;
    this.leaderId = this.id;
    this.announce();
    this.settleReady?.resolve();
    for (const [req, p] of this.pending) {
      if (handoff) this.countHandoff(p.request);
      this.serve(this.chain, p.request, req, (m) => this.onReply(m));
    }
  }

  private countHandoff(r: PublisherRequest): void {
    if (r.op === 'resend') this.handoffs.resentBytes++;
    else if (r.op === 'publish') this.handoffs.republished++;
  }

  private leadFailed(e: unknown): void {
    this.leadError = toWire(e);
    this.leaderId = this.id;
    this.announce();
    this.settleReady?.reject(fromWire(this.leadError));
    this.rejectPending(fromWire(this.leadError));
  }

  private announce(): void {
    const error = this.leadError;
    this.post({ t: 'leader', from: this.id, publisherId: this.publisherId, encrypted: this.encrypted, ...(error ? { error } : {}) });
  }

  private onWire(m: PublisherWire): void {
    if (this.closed) return;
    switch (m.t) {
      case 'hello':
        if (this.leaderId === this.id) this.announce();
        break;
      case 'leader':
        if (m.from !== this.leaderId) this.follow(m);
        break;
      case 'request':
        if (m.to === this.id && this.leaderId === this.id) this.serve(m.chain, m.request, m.req, (r) => this.post({ ...r, to: m.from } as PublisherWire));
        break;
      case 'sending':
      case 'done':
      case 'fail':
        if (m.to === this.id) this.onReply(m);
        break;
      case 'event':
        if (this.leaderId !== this.id) {
          this.emitter.emit(m.name, (m.name === 'error' ? fromWire(m.value as WireError) : m.value) as never);
        }
        break;
    }
  }

  /** Another tab leads now: whatever the last leader did not confirm goes to it, in order. */
  private follow(m: Extract<PublisherWire, { t: 'leader' }>): void {
    const handoff = this.leaderId !== undefined;
    this.leaderId = m.from;
    if (m.error !== undefined) {
      this.settleReady?.reject(fromWire(m.error));
      this.rejectPending(fromWire(m.error));
      return;
    }
    this.publisherId = m.publisherId;
    this.encrypted = m.encrypted;
    this.settleReady?.resolve();
    for (const [req, p] of this.pending) {
      if (handoff) this.countHandoff(p.request);
      this.post({ t: 'request', to: m.from, from: this.id, chain: this.chain, req, request: p.request });
    }
  }

  /** The leader runs a request of the handle publishing on `chain`; `reply` reaches that handle. */
  private serve(chain: string, request: PublisherRequest, req: number, reply: (m: Extract<PublisherWire, { t: 'sending' | 'done' | 'fail' }>) => void): void {
    const engines = this.engines;
    const to = ''; // filled in by `reply` for other tabs
    const fail = (e: unknown) => {
      // A leader that is closing stays silent: the request goes to the next leader.
      if (!this.closed) reply({ t: 'fail', to, req, error: this.leadError ?? toWire(e) });
    };
    if (engines === undefined || this.leadError !== undefined) return fail(createError('CLOSED', 'the leading tab has no publisher'));
    const done = (timestamp?: number) => {
      if (!this.closed) reply({ t: 'done', to, req, ...(timestamp !== undefined ? { timestamp } : {}) });
    };
    switch (request.op) {
      case 'publish':
        engines
          .core(chain)
          .then((core) => core.publish(request.content as PublishContent, request.timestamp, (bytes) => reply({ t: 'sending', to, req, bytes })))
          .then((r) => done(r.timestamp), fail);
        break;
      case 'resend':
        // Called now, not after a promise: ahead of the chain's next publish, which waits for its core.
        this.args.transport.publish(streamPartId(this.streamId, this.partition), request.bytes).then(() => done(request.timestamp), fail);
        break;
      case 'rotate':
      case 'rekey':
        engines.changeKey(request.op, request.key).then(() => done(), fail);
        break;
      case 'invalidatePermissions':
        engines.invalidatePermissions().then(() => done(), fail);
        break;
    }
  }

  private onReply(m: Extract<PublisherWire, { t: 'sending' | 'done' | 'fail' }>): void {
    const p = this.pending.get(m.req);
    if (p === undefined) return;
    if (m.t === 'sending') {
      // From now on a hand-off re-sends these bytes, never the content: it may be on the wire.
      if (p.request.op === 'publish') p.request = { op: 'resend', bytes: m.bytes, timestamp: p.request.timestamp };
      return;
    }
    this.pending.delete(m.req);
    if (m.t === 'done') p.resolve(m.timestamp !== undefined ? { timestamp: m.timestamp } : undefined);
    else p.reject(fromWire(m.error));
  }

  /** Hands `request` to the leader (this tab, another, or the next one to lead). */
  private request(request: PublisherRequest): Promise<PublishResult | undefined> {
    return new Promise((resolve, reject) => {
      const req = this.nextReq++;
      this.pending.set(req, { request, resolve, reject });
      if (this.leaderId === this.id) this.serve(this.chain, request, req, (m) => this.onReply(m));
      else if (this.leaderId !== undefined) this.post({ t: 'request', to: this.leaderId, from: this.id, chain: this.chain, req, request });
    });
  }

  async publish(content: PublishContent, timestamp?: number): Promise<PublishResult> {
    await this.ready;
    this.assertOpen();
    const ts = Math.max(timestamp ?? Date.now(), this.lastTimestamp + 1);
    this.lastTimestamp = ts;
    const r = await this.request({ op: 'publish', content, timestamp: ts });
    return r ?? { timestamp: ts };
  }

  async rotate(key?: GroupKey | GroupKeyData): Promise<void> {
    await this.ready;
    this.assertOpen();
    const k = keyData(key);
    await this.request(k !== undefined ? { op: 'rotate', key: k } : { op: 'rotate' });
  }

  async rekey(options: { key?: GroupKey | GroupKeyData; revoke?: () => Promise<unknown> } = {}): Promise<void> {
    await this.ready;
    this.assertOpen();
    // The revocation runs here, in the tab that asked; the leader re-keys after it.
    if (options.revoke !== undefined) await options.revoke();
    this.assertOpen();
    const k = keyData(options.key);
    await this.request(k !== undefined ? { op: 'rekey', key: k } : { op: 'rekey' });
  }

  async invalidatePermissions(): Promise<void> {
    await this.ready;
    this.assertOpen();
    await this.request({ op: 'invalidatePermissions' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rejectPending(createError('CLOSED', 'the publisher was closed'));
    this.settleReady?.reject(createError('CLOSED', 'the publisher was closed'));
    // The engines' last transmits finish before the lock goes to the next tab.
    await this.engines?.close();
    this.candidacy?.resign();
    this.channel?.close();
    this.emitter.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw createError('CLOSED', 'the publisher was closed');
  }

  private rejectPending(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private post(m: PublisherWire): void {
    try {
      this.channel?.postMessage(m);
    } catch (e) {
      // Content that cannot be cloned: only a request carries app data.
      if (m.t === 'request') this.onReply({ t: 'fail', to: this.id, req: m.req, error: toWire(createError('INVALID_ARGUMENT', `content cannot cross tabs: ${String(e)}`)) });
    }
  }
}
