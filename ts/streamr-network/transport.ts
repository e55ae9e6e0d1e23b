/**
 * `StreamrNetworkTransport`: the {@link Transport} port over the real Streamr Network, through
 * a `@streamr/trackerless-network` node (docs/streamr-network.md).
 *
 * The network layer validates nothing: it carries StreamMessage bytes (protobuf-ts
 * `StreamMessage` at the seam) and the core does every check, as with the relay.
 *
 * Delivery contract, the same as `WebSocketTransport`'s:
 * - **Ready means joined.** `subscribe` resolves once the node has joined the stream part:
 *   it has a neighbour there, or it is the stream part's first node and has stored itself in
 *   the DHT, where the next node to join looks for it. (Listed there with others but without
 *   a neighbour, it waits for one up to `joinTimeoutMs`, then goes on alone.)
 * - **Publishes are held, never dropped.** A publish waits (bounded) until its stream part is
 *   joined, in order. If the stream part loses every neighbour (an entry point or neighbour
 *   restarting), publishes wait up to `neighborLossHoldMs` for one to come back. Past the
 *   bound they are refused with `TRANSPORT_QUEUE_FULL`.
 * - **Own messages are not delivered back**, as the relay does not send a connection its own
 *   publishes (the network layer's listeners see them).
 */
import { StreamMessage, createNetworkNode, streamPartIdToDataKey } from '@streamr/trackerless-network';
import type { NetworkNode, PeerDescriptor } from '@streamr/trackerless-network';
import type { StreamPartId, Transport } from '../ports.js';
import { asStreamrE2eeError, createError } from '../errors.js';
import { withLoopbackListen } from './bind.js';
import { bytesToHex, resolveOptions, toEntryPoint } from './options.js';
import type { EntryPoint, NetworkTransportState, ResolvedOptions, StreamrNetworkTransportOptions } from './options.js';

/** How often a stream part's neighbours are looked at, ms. */
const WATCH_MS = 250;
/** Connectivity lost this long (no connection at all) makes the node join the DHT again, ms. */
const REJOIN_AFTER_MS = 2000;
/**
 * Connected to peers but no longer to any entry point: join through the entry points again
 * after this long, doubling up to {@link EP_REJOIN_MAX_MS} while they stay away, ms.
 */
const EP_REJOIN_MIN_MS = 1000;
const EP_REJOIN_MAX_MS = 30_000;

interface Held {
  msg: StreamMessage;
  size: number;
}

interface Part {
  readonly id: StreamPartId;
  readonly listeners: Set<(bytes: Uint8Array) => void>;
  /** Settles once joined; undefined until a subscribe or publish needs the stream part. */
  joined: Promise<void> | undefined;
  ready: boolean;
  /** The stream part had a neighbour since it was joined. */
  hadNeighbors: boolean;
  /** When the last neighbour went (while `hadNeighbors`); undefined while it has some. */
  lostAt: number | undefined;
  readonly queue: Held[];
  pumping: boolean;
  /** This transport published here: stay joined after the last unsubscribe. */
  published: boolean;
}

const STREAM_PART = /^.+#(0|[1-9]\d{0,1})$/;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class StreamrNetworkTransport implements Transport {
  private readonly parts = new Map<StreamPartId, Part>();
  /** Messages this node broadcast: the network layer's listeners see them too. */
  private readonly own = new WeakSet<StreamMessage>();
  private held = 0;
  private heldBytes = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly watch: ReturnType<typeof setInterval>;
  private offlineSince: number | undefined;
  private rejoining = false;
  /** The entry points' node ids (hex), this node's own excluded. */
  private readonly entryPointIds: string[];
  /** This node was connected to an entry point since it last joined through them. */
  private hadEntryPoint = false;
  /** When to join through the entry points again while connected to none of them. */
  private epRejoinAt: number | undefined;
  private epRejoinDelay = EP_REJOIN_MIN_MS;
  /** Statistics (tests, metrics). */
  readonly stats = { broadcast: 0, received: 0, ownSkipped: 0, rejoins: 0, neighborLosses: 0 };

  /**
   * Starts a network node and connects it to the entry points (at least one must answer
   * within `joinTimeoutMs`, else `NETWORK_UNAVAILABLE`).
   */
  static async start(options: StreamrNetworkTransportOptions = {}): Promise<StreamrNetworkTransport> {
    const resolved = await resolveOptions(options);
    let node: NetworkNode;
    try {
      node = createNetworkNode(resolved.network);
    } catch (e) {
      throw asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'createNetworkNode');
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = withLoopbackListen(resolved.bindHost, () => node.start());
    try {
      await Promise.race([
        started,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(createError('NETWORK_UNAVAILABLE', `no entry point answered within ${resolved.joinTimeoutMs} ms`)),
            resolved.joinTimeoutMs,
          );
        }),
      ]);
    } catch (e) {
      // A start that gives up late still stops its node.
      started.then(() => stopQuietly(node), () => undefined);
      await stopQuietly(node);
      throw asStreamrE2eeError(e, 'NETWORK_UNAVAILABLE', 'starting the Streamr Network node');
    } finally {
      clearTimeout(timer);
    }
    const transport = new StreamrNetworkTransport(node, resolved, options.onStateChange);
    options.onStateChange?.('started', {});
    return transport;
  }

  private constructor(
    private readonly node: NetworkNode,
    private readonly opts: ResolvedOptions,
    private readonly onStateChange: StreamrNetworkTransportOptions['onStateChange'],
  ) {
    const self = node.getNodeId();
    this.entryPointIds = opts.entryPoints.map((ep) => bytesToHex(ep.nodeId)).filter((id) => id !== self);
    node.addMessageListener(this.onNetworkMessage);
    this.watch = setInterval(() => this.watchParts(), WATCH_MS);
    (this.watch as { unref?: () => void }).unref?.();
  }

  /** This node's id (40 hex digits). */
  get nodeId(): string {
    return this.node.getNodeId();
  }

  /** This node as an entry point for others (useful when it runs a WebSocket server). */
  get entryPoint(): EntryPoint {
    return toEntryPoint(this.node.getPeerDescriptor() as PeerDescriptor);
  }

  /** Publishes held (not yet handed to the network). */
  get queued(): number {
    return this.held;
  }

  /** How many neighbours the node has on `streamPart` (0 when not joined). */
  neighbors(streamPart: StreamPartId): number {
    return this.parts.get(streamPart)?.joined === undefined ? 0 : this.node.getNeighbors(streamPart).length;
  }

  /** Joins `streamPart` and delivers the bytes of every message others publish there (key requests and responses too). */
  async subscribe(streamPart: StreamPartId, onMessage: (bytes: Uint8Array) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const part = this.part(streamPart);
    const listener = (bytes: Uint8Array) => onMessage(bytes);
    part.listeners.add(listener);
    try {
      await this.join(part);
    } catch (e) {
      part.listeners.delete(listener);
      throw e;
    }
    return async () => {
      if (!part.listeners.delete(listener) || part.listeners.size > 0 || part.published || this.closed) return;
      // Nobody listens and nothing of ours goes here: leave, as the SDK does on unsubscribe.
      this.parts.delete(streamPart);
      await this.node.leave(streamPart).catch(() => undefined);
    };
  }

  /**
   * Hands `bytes` (a StreamMessage of `streamPart`) to the network: broadcast once the stream
   * part is joined, held until then. Rejects `INVALID_ARGUMENT` for bytes that are not a
   * StreamMessage of that stream part, `TRANSPORT_QUEUE_FULL` past the bound, `CLOSED` after `close()`.
   */
  async publish(streamPart: StreamPartId, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    checkStreamPart(streamPart);
    let msg: StreamMessage;
    try {
      msg = StreamMessage.fromBinary(bytes);
    } catch (e) {
      throw createError('INVALID_ARGUMENT', `publish: not StreamMessage bytes (${e instanceof Error ? e.message : String(e)})`, e);
    }
    // The network routes by the message's own id: a mismatch would land elsewhere.
    const target = `${msg.messageId?.streamId}#${msg.messageId?.streamPartition}`;
    if (target !== streamPart) throw createError('INVALID_ARGUMENT', `publish: the message is for ${target}, not ${streamPart}`);
    if (this.held >= this.opts.maxQueuedPublishes || this.heldBytes + bytes.length > this.opts.maxQueuedBytes) {
      throw createError(
        'TRANSPORT_QUEUE_FULL',
        `${this.held} publishes (${this.heldBytes} bytes) wait for the network; this one was refused`,
      );
    }
    const part = this.part(streamPart);
    part.published = true;
    part.queue.push({ msg, size: bytes.length });
    this.held++;
    this.heldBytes += bytes.length;
    void this.pump(part);
  }

  /**
   * Stops the node. Publishes still held get up to `flushTimeoutMs` (default 2000) to go out
   * first; what is left then is dropped, and `queued` said how much.
   */
  async close(flushTimeoutMs = 2000): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = (async () => {
      const end = Date.now() + flushTimeoutMs;
      while (this.held > 0 && Date.now() < end) await sleep(20);
      this.closed = true;
      clearInterval(this.watch);
      this.node.removeMessageListener(this.onNetworkMessage);
      this.parts.clear();
      await this.node.stop().catch(() => undefined);
      this.onStateChange?.('closed', {});
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed || this.closing !== undefined) throw createError('CLOSED', 'the transport is closed');
  }

  private part(id: StreamPartId): Part {
    checkStreamPart(id);
    let part = this.parts.get(id);
    if (part === undefined) {
      part = { id, listeners: new Set(), joined: undefined, ready: false, hadNeighbors: false, lostAt: undefined, queue: [], pumping: false, published: false };
      this.parts.set(id, part);
    }
    return part;
  }

  /** Joins once per stream part; a failed join is retried by the next caller. */
  private join(part: Part): Promise<void> {
    part.joined ??= this.waitJoined(part).then(
      () => {
        part.ready = true;
        this.onStateChange?.('joined', { streamPart: part.id, neighbors: this.node.getNeighbors(part.id).length });
      },
      (e: unknown) => {
        part.joined = undefined;
        throw e;
      },
    );
    return part.joined;
  }

  private async waitJoined(part: Part): Promise<void> {
    const deadline = Date.now() + this.opts.joinTimeoutMs;
    await this.node.join(part.id);
    const key = streamPartIdToDataKey(part.id);
    const self = this.node.getNodeId();
    let delay = 50;
    for (;;) {
      if (this.closed) throw createError('CLOSED', 'the transport is closed');
      if (this.node.getNeighbors(part.id).length > 0) return;
      // Alone: joined once the node has stored itself as the stream part's entry point, so
      // that the next node to join (a publisher, a subscriber) finds it. Every node of a small
      // stream part stores itself, so that alone is no proof: with others listed, wait for one
      // of them as a neighbour, and only at the deadline go on alone (a crashed node stays
      // listed for up to a minute).
      let stored = false;
      let alone = false;
      try {
        const live = (await this.node.stack.getControlLayerNode().fetchDataFromDht(key)).filter((e) => e.deleted !== true);
        stored = live.some((e) => bytesToHex(e.creator) === self);
        alone = live.every((e) => bytesToHex(e.creator) === self);
      } catch {
        // Not reachable yet: try again.
      }
      const late = Date.now() >= deadline;
      if (stored && (alone || late)) return;
      if (late) throw createError('NETWORK_UNAVAILABLE', `could not join ${part.id} within ${this.opts.joinTimeoutMs} ms`);
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }

  /** Broadcasts a stream part's held publishes in order, once joined and not cut off. */
  private async pump(part: Part): Promise<void> {
    if (part.pumping) return;
    part.pumping = true;
    try {
      while (part.queue.length > 0 && !this.closed) {
        if (!part.ready) {
          try {
            await this.join(part);
          } catch {
            // Keep holding (bounded); the next round tries again.
            await sleep(500);
            continue;
          }
        }
        if (this.cutOff(part)) {
          await sleep(WATCH_MS);
          continue;
        }
        const head = part.queue[0]!;
        this.own.add(head.msg);
        await this.node.broadcast(head.msg);
        part.queue.shift();
        this.held--;
        this.heldBytes -= head.size;
        this.stats.broadcast++;
      }
    } catch (e) {
      // broadcast() rejects only once the node is stopping; what is held stays counted.
      if (!this.closed) setTimeout(() => void this.pump(part), 500);
      void e;
    } finally {
      part.pumping = false;
    }
  }

  /** The stream part lost every neighbour recently, or the node lost the network: hold. */
  private cutOff(part: Part): boolean {
    if (this.offlineSince !== undefined) return true;
    return part.lostAt !== undefined && Date.now() - part.lostAt < this.opts.neighborLossHoldMs;
  }

  private watchParts(): void {
    if (this.closed) return;
    const now = Date.now();
    const view = this.node.stack.getControlLayerNode().getConnectionsView();
    if (view.getConnectionCount() === 0) {
      this.offlineSince ??= now;
      if (now - this.offlineSince >= REJOIN_AFTER_MS) this.rejoin();
    } else {
      this.offlineSince = undefined;
      this.watchEntryPoints(view, now);
    }
    for (const part of this.parts.values()) {
      if (!part.ready) continue;
      const n = this.node.getNeighbors(part.id).length;
      if (n > 0) {
        if (part.lostAt !== undefined) this.onStateChange?.('neighborsRegained', { streamPart: part.id, neighbors: n });
        part.hadNeighbors = true;
        part.lostAt = undefined;
      } else if (part.hadNeighbors && part.lostAt === undefined) {
        part.lostAt = now;
        this.stats.neighborLosses++;
        this.onStateChange?.('neighborsLost', { streamPart: part.id, neighbors: 0 });
      }
    }
  }

  /**
   * An entry point that restarted knows nobody, and nodes that join through it afterwards
   * would form a network of their own, never meeting the nodes that stayed connected to each
   * other. So when this node loses its last entry point connection while it still has peers,
   * it joins through them again (backing off while they stay away), which makes a restarted
   * one know it. Only on losing one: a node the entry points never kept a connection to (a
   * busy public entry point prunes) does not knock again and again.
   */
  private watchEntryPoints(view: { hasConnection(nodeId: string): boolean }, now: number): void {
    if (this.entryPointIds.length === 0) return;
    if (this.entryPointIds.some((id) => view.hasConnection(id))) {
      this.hadEntryPoint = true;
      this.epRejoinAt = undefined;
      this.epRejoinDelay = EP_REJOIN_MIN_MS;
      return;
    }
    if (!this.hadEntryPoint) return;
    this.epRejoinAt ??= now + this.epRejoinDelay;
    if (now < this.epRejoinAt) return;
    this.rejoin();
    this.epRejoinDelay = Math.min(this.epRejoinDelay * 2, EP_REJOIN_MAX_MS);
    this.epRejoinAt = now + this.epRejoinDelay;
  }

  /** Join the DHT through the entry points again (one attempt at a time). */
  private rejoin(): void {
    if (this.rejoining) return;
    this.rejoining = true;
    this.stats.rejoins++;
    this.onStateChange?.('rejoining', {});
    this.node.stack
      .getControlLayerNode()
      .joinDht(this.opts.entryPoints)
      .catch(() => undefined)
      .finally(() => {
        this.rejoining = false;
        this.offlineSince = undefined;
      });
  }

  private readonly onNetworkMessage = (msg: StreamMessage): void => {
    if (this.own.has(msg)) {
      this.stats.ownSkipped++;
      return;
    }
    const id = msg.messageId;
    const part = id === undefined ? undefined : this.parts.get(`${id.streamId}#${id.streamPartition}`);
    if (part === undefined || part.listeners.size === 0) return;
    let bytes: Uint8Array;
    try {
      bytes = StreamMessage.toBinary(msg);
    } catch {
      return;
    }
    this.stats.received++;
    for (const l of [...part.listeners]) {
      try {
        l(bytes);
      } catch {
        // A listener's failure is its own; the others still get the message.
      }
    }
  };
}

/**
 * Stops a node whose start failed. `NetworkNode.stop` throws before it stops anything on such
 * a node (its RPC is made by a successful start), and the network package's exit handler
 * would then stop the half-started stack again and exit the process with code 1; the stack's
 * own stop takes it off that handler's list first.
 */
async function stopQuietly(node: NetworkNode): Promise<void> {
  await node.stack.stop().catch(() => undefined);
}

function checkStreamPart(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !STREAM_PART.test(id)) {
    throw createError('INVALID_ARGUMENT', `not a stream part id (<streamId>#<partition 0..99>): ${JSON.stringify(id)}`);
  }
}
