/**
 * `WebSocketTransport`: the {@link Transport} over the relay protocol (`docs/relay-protocol.md`).
 *
 * At-least-once towards the relay, so a relay restart loses nothing the app handed over:
 * every publish frame is kept until a later `pong` proves the relay has handled it (the relay
 * answers a connection's frames in order), and frames not proven are sent again after a
 * reconnect. Subscribers drop the rare duplicate (the core remembers each chain). Publishes
 * made while disconnected wait in the same bounded buffer; when it is full, `publish` rejects
 * `TRANSPORT_QUEUE_FULL` instead of dropping anything.
 */
import type { StreamPartId, Transport } from '../ports.js';
import { createError } from '../errors.js';

/** The standard WebSocket constructor shape (the browser's, or `ws` in Node 20). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}
/** A constructor of {@link WebSocketLike}s: `globalThis.WebSocket`, or `ws`'s `WebSocket`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** {@link WebSocketTransport} options. */
export interface WebSocketTransportOptions {
  /** The WebSocket class (default `globalThis.WebSocket`; in Node 20 pass `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Publish frames held (unsent or not yet proven received) at most (default 10000). */
  maxQueuedPublishes?: number;
  /** Bytes of publish payload held at most (default 64 MiB). */
  maxQueuedBytes?: number;
  /** First reconnect delay, ms (default 200); doubles per failed attempt. */
  reconnectBaseMs?: number;
  /** Longest reconnect delay, ms (default 2000). Each delay is drawn in [d/2, d] (jitter). */
  reconnectMaxMs?: number;
  /**
   * After a reconnect, wait this long before sending what was published meanwhile (default:
   * `reconnectMaxMs`), so subscribers that lost the same relay have time to resubscribe:
   * the relay keeps no history.
   */
  resumeDelayMs?: number;
  /** Send an application `ping` this often, ms (default 15000), to detect a dead relay. */
  heartbeatIntervalMs?: number;
  /** Reconnect when no `pong` comes back within this, ms (default 10000). */
  heartbeatTimeoutMs?: number;
  /** Called on connection state changes (for UIs and tests). */
  onStateChange?: (state: 'connecting' | 'open' | 'closed', info?: { code?: number; reason?: string }) => void;
}

interface Pending {
  frame: Uint8Array;
  /** The ping sequence that will prove it received, once sent. */
  sentBefore?: number;
}

const OPEN = 1;
const KIND_PUBLISH = 0x01;
const KIND_MESSAGE = 0x02;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Transport over the development relay (or any server speaking `docs/relay-protocol.md` v1). */
export class WebSocketTransport implements Transport {
  private readonly Ws: WebSocketConstructor;
  private readonly opts: Required<Omit<WebSocketTransportOptions, 'WebSocket' | 'onStateChange'>>;
  private ws: WebSocketLike | undefined;
  private open = false;
  /** Resume delay running: publishes wait for it. */
  private resuming = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subs = new Map<StreamPartId, Set<(bytes: Uint8Array) => void>>();
  /** Subscribe requests waiting for their ack, by request id. */
  private readonly acks = new Map<number, { part: StreamPartId; done: () => void }>();
  /** Callers of subscribe() waiting until their stream partition is acked. */
  private readonly waitingAck = new Map<StreamPartId, Array<{ resolve: () => void; reject: (e: Error) => void }>>();
  private readonly pending: Pending[] = [];
  private pendingBytes = 0;
  /** Index in `pending` of the first frame not sent on the current connection. */
  private unsent = 0;
  private nextId = 1;
  private pingSeq = 0;
  private pingScheduled = false;
  /** Statistics (tests, metrics). */
  readonly stats = {
    connects: 0,
    /** Frames sent on a connection that dropped before the relay confirmed them (sent again). */
    resent: 0,
    framesSent: 0,
    framesReceived: 0,
  };

  /** Connects to `url` (e.g. `ws://127.0.0.1:8788`) at once, and again whenever the connection drops. */
  constructor(
    private readonly url: string,
    private readonly options: WebSocketTransportOptions = {},
  ) {
    const Ws = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Ws === undefined) throw createError('INVALID_ARGUMENT', 'no WebSocket: pass options.WebSocket (e.g. the ws package in Node 20)');
    this.Ws = Ws;
    const reconnectMaxMs = options.reconnectMaxMs ?? 2000;
    this.opts = {
      maxQueuedPublishes: options.maxQueuedPublishes ?? 10_000,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      reconnectBaseMs: options.reconnectBaseMs ?? 200,
      reconnectMaxMs,
      resumeDelayMs: options.resumeDelayMs ?? reconnectMaxMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
    };
    this.connect();
  }

  /** True while connected to the relay. */
  get connected(): boolean {
    return this.open;
  }

  /** Publish frames held: not yet sent, or not yet proven received by the relay. */
  get queued(): number {
    return this.pending.length;
  }

  /** Delivers `streamPart`'s messages to `onMessage`; resolves once the relay acked the subscription (resubscribed after every reconnect). */
  async subscribe(streamPart: StreamPartId, onMessage: (bytes: Uint8Array) => void): Promise<() => Promise<void>> {
    if (this.closed) throw createError('CLOSED', 'the transport is closed');
    let set = this.subs.get(streamPart);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.subs.set(streamPart, set);
    }
    const listener = (bytes: Uint8Array) => onMessage(bytes);
    set.add(listener);
    if (first) {
      await new Promise<void>((resolve, reject) => {
        const list = this.waitingAck.get(streamPart) ?? [];
        list.push({ resolve, reject });
        this.waitingAck.set(streamPart, list);
        if (this.open) this.sendSubscribe(streamPart);
      });
    }
    return async () => {
      const s = this.subs.get(streamPart);
      if (s === undefined) return;
      s.delete(listener);
      if (s.size === 0) {
        this.subs.delete(streamPart);
        if (this.open) this.control({ type: 'unsubscribe', id: this.nextId++, streamPartition: streamPart });
      }
    };
  }

  /** Queues `bytes` for `streamPart` and sends them when connected; rejects `TRANSPORT_QUEUE_FULL` past the bound, `CLOSED` after `close()`. */
  async publish(streamPart: StreamPartId, bytes: Uint8Array): Promise<void> {
    if (this.closed) throw createError('CLOSED', 'the transport is closed');
    if (this.pending.length >= this.opts.maxQueuedPublishes || this.pendingBytes + bytes.length > this.opts.maxQueuedBytes) {
      throw createError(
        'TRANSPORT_QUEUE_FULL',
        `${this.pending.length} publishes (${this.pendingBytes} bytes) wait for the relay; this one was refused`,
      );
    }
    const name = encoder.encode(streamPart);
    const frame = new Uint8Array(3 + name.length + bytes.length);
    frame[0] = KIND_PUBLISH;
    new DataView(frame.buffer).setUint16(1, name.length);
    frame.set(name, 3);
    frame.set(bytes, 3 + name.length);
    this.pending.push({ frame });
    this.pendingBytes += bytes.length;
    this.flush();
  }

  /** Closes the connection (1000) and stops reconnecting; held publishes are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    clearTimeout(this.reconnectTimer);
    for (const list of this.waitingAck.values()) for (const w of list) w.reject(createError('CLOSED', 'the transport is closed'));
    this.waitingAck.clear();
    this.subs.clear();
    const ws = this.ws;
    this.ws = undefined;
    this.open = false;
    if (ws !== undefined) {
      ws.onopen = ws.onmessage = null;
      // Closing a socket still connecting reports an error (ws throws without a listener).
      ws.onerror = () => undefined;
      await new Promise<void>((resolve) => {
        if (ws.readyState >= 2) return resolve();
        ws.onclose = () => resolve();
        ws.close(1000, 'client closed');
        setTimeout(resolve, 1000);
      });
    }
    this.options.onStateChange?.('closed', { code: 1000, reason: 'client closed' });
  }

  private connect(): void {
    if (this.closed) return;
    this.options.onStateChange?.('connecting');
    let ws: WebSocketLike;
    try {
      ws = new this.Ws(this.url, 'streamr-e2ee-relay.v1');
    } catch {
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.open = true;
      this.attempt = 0;
      this.stats.connects++;
      this.options.onStateChange?.('open');
      for (const part of this.subs.keys()) this.sendSubscribe(part);
      // Everything held is sent again on the new connection; frames the relay handled before
      // the drop reach subscribers twice, and their core drops the duplicates.
      this.unsent = 0;
      for (const p of this.pending) p.sentBefore = undefined;
      this.startHeartbeat();
      if (this.pending.length > 0 && this.stats.connects > 1) {
        this.resuming = true;
        this.resumeTimer = setTimeout(() => {
          this.resuming = false;
          this.flush();
        }, this.opts.resumeDelayMs);
      } else {
        this.flush();
      }
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onerror = () => {
      // onclose follows and does the reconnecting.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.open = false;
      this.resuming = false;
      this.stopTimers();
      // Sent but not proven received: they go again after the reconnect.
      this.stats.resent += this.unsent;
      this.unsent = 0;
      this.options.onStateChange?.('closed', { code: ev?.code, reason: ev?.reason });
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const d = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectBaseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const delay = d / 2 + Math.random() * (d / 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private stopTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.resumeTimer);
    this.heartbeatTimer = this.pongTimer = this.resumeTimer = undefined;
    this.pingScheduled = false;
  }

  private startHeartbeat(): void {
    this.heartbeatTimer = setInterval(() => this.ping(), this.opts.heartbeatIntervalMs);
  }

  /** A ping whose pong proves every frame sent before it was handled by the relay. */
  private ping(): void {
    if (!this.open) return;
    this.pingScheduled = false;
    const seq = ++this.pingSeq;
    for (let i = 0; i < this.unsent; i++) this.pending[i]!.sentBefore ??= seq;
    this.control({ type: 'ping', id: `p${seq}` });
    if (this.pongTimer === undefined) {
      this.pongTimer = setTimeout(() => {
        // No pong: the relay (or the path to it) is dead. Reconnect.
        this.ws?.close(4001, 'heartbeat timeout');
        const ws = this.ws;
        if (ws !== undefined) ws.onclose?.({ code: 4001, reason: 'heartbeat timeout' });
      }, this.opts.heartbeatTimeoutMs);
    }
  }

  private flush(): void {
    if (!this.open || this.resuming || this.ws === undefined) return;
    const ws = this.ws;
    while (this.unsent < this.pending.length && ws.readyState === OPEN) {
      ws.send(this.pending[this.unsent]!.frame);
      this.unsent++;
      this.stats.framesSent++;
    }
    // One ping per burst of sends, on the next task, proves them received.
    if (this.unsent > 0 && !this.pingScheduled && this.pending[this.unsent - 1]!.sentBefore === undefined) {
      this.pingScheduled = true;
      setTimeout(() => this.ping(), 0);
    }
  }

  private sendSubscribe(part: StreamPartId): void {
    const id = this.nextId++;
    this.acks.set(id, {
      part,
      done: () => {
        const list = this.waitingAck.get(part);
        this.waitingAck.delete(part);
        for (const w of list ?? []) w.resolve();
      },
    });
    this.control({ type: 'subscribe', id, streamPartition: part });
  }

  private control(msg: Record<string, unknown>): void {
    if (this.ws !== undefined && this.ws.readyState === OPEN) this.ws.send(JSON.stringify(msg));
  }

  private onMessage(data: unknown): void {
    if (typeof data === 'string') return this.onControl(data);
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else return;
    if (bytes.length < 3 || bytes[0] !== KIND_MESSAGE) return;
    const len = (bytes[1]! << 8) | bytes[2]!;
    if (3 + len > bytes.length) return;
    let part: string;
    try {
      part = decoder.decode(bytes.subarray(3, 3 + len));
    } catch {
      return;
    }
    const listeners = this.subs.get(part);
    if (listeners === undefined) return;
    this.stats.framesReceived++;
    const payload = bytes.slice(3 + len);
    for (const l of [...listeners]) l(payload);
  }

  private onControl(text: string): void {
    let msg: { type?: unknown; id?: unknown; code?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'ack' && typeof msg.id === 'number') {
      const a = this.acks.get(msg.id);
      this.acks.delete(msg.id);
      a?.done();
    } else if (msg.type === 'pong' && typeof msg.id === 'string' && msg.id.startsWith('p')) {
      const seq = Number(msg.id.slice(1));
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
      let n = 0;
      while (n < this.unsent && this.pending[n]!.sentBefore !== undefined && this.pending[n]!.sentBefore! <= seq) n++;
      if (n > 0) {
        for (const p of this.pending.splice(0, n)) this.pendingBytes -= p.frame.length - 3 - ((p.frame[1]! << 8) | p.frame[2]!);
        this.unsent -= n;
      }
      if (this.unsent > 0 && this.pending[this.unsent - 1]!.sentBefore === undefined && !this.pingScheduled) {
        this.pingScheduled = true;
        setTimeout(() => this.ping(), 0);
      }
    } else if (msg.type === 'error' && typeof msg.id === 'number') {
      // A refused subscribe (bad stream partition, too many subscriptions): its callers fail.
      const a = this.acks.get(msg.id);
      if (a === undefined) return;
      this.acks.delete(msg.id);
      this.subs.delete(a.part);
      const list = this.waitingAck.get(a.part);
      this.waitingAck.delete(a.part);
      const err = createError('INVALID_ARGUMENT', `the relay refused to subscribe to ${a.part}: ${String(msg.code)}`);
      for (const w of list ?? []) w.reject(err);
    }
  }
}
