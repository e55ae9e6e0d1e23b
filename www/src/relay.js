// A small client of the development relay (docs/relay-protocol.md) with the shape of the
// package's `Transport` port: subscribe(streamPart, onMessage) → unsubscribe, publish, close.
// One connection per demo participant: the relay never echoes a publish to its sender, so
// the publisher and each subscriber need their own connection, as separate browsers would.

const SUBPROTOCOL = 'streamr-e2ee-relay.v1';
const utf8 = new TextEncoder();
const text = new TextDecoder();

export class RelayTransport {
  /**
   * @param {string} url  ws://127.0.0.1:8788
   * @param {(status: {state: 'connecting'|'open'|'closed'|'error', detail?: string}) => void} [onStatus]
   */
  constructor(url, onStatus = () => {}) {
    this.url = url;
    this.onStatus = onStatus;
    this.handlers = new Map(); // streamPart → Set<onMessage>
    this.pending = new Map(); // request id → {resolve, reject}
    this.nextId = 1;
    this.closed = false;
    this.ready = this.connect();
  }

  connect() {
    this.onStatus({ state: 'connecting' });
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, SUBPROTOCOL);
      ws.binaryType = 'arraybuffer';
      this.ws = ws;
      let opened = false;
      ws.onmessage = ({ data }) => {
        if (typeof data === 'string') {
          const msg = JSON.parse(data);
          if (msg.type === 'hello') {
            opened = true;
            this.onStatus({ state: 'open', detail: `relay protocol v${msg.version}` });
            // Resubscribe after a reconnect.
            Promise.all([...this.handlers.keys()].map((sp) => this.control({ type: 'subscribe', streamPartition: sp }))).then(() => resolve(), reject);
          } else if (msg.type === 'ack' || msg.type === 'pong') {
            this.pending.get(msg.id)?.resolve(msg);
            this.pending.delete(msg.id);
          } else if (msg.type === 'error') {
            const err = Object.assign(new Error(`relay refused a request: ${msg.message}`), { code: msg.code });
            if (this.pending.has(msg.id)) { this.pending.get(msg.id).reject(err); this.pending.delete(msg.id); } else this.onStatus({ state: 'error', detail: `${msg.code}: ${msg.message}` });
          }
          return;
        }
        const bytes = new Uint8Array(data);
        if (bytes[0] !== 0x02) return;
        const len = new DataView(data).getUint16(1);
        const streamPart = text.decode(bytes.subarray(3, 3 + len));
        const payload = bytes.slice(3 + len);
        for (const h of this.handlers.get(streamPart) ?? []) h(payload);
      };
      ws.onerror = () => { if (!opened) reject(new Error(`cannot reach the relay at ${this.url}`)); };
      ws.onclose = (ev) => {
        for (const p of this.pending.values()) p.reject(new Error('relay connection closed'));
        this.pending.clear();
        if (this.closed) { this.onStatus({ state: 'closed' }); return; }
        this.onStatus({ state: 'error', detail: `relay connection lost (close code ${ev.code}); reconnecting in 2 s` });
        if (!opened) return;
        setTimeout(() => { if (!this.closed) this.ready = this.connect().catch(() => {}); }, 2000);
      };
    });
  }

  control(request) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ ...request, id }));
    });
  }

  /** Calls `onMessage(bytes)` for every StreamMessage published on `streamPart` by others. */
  async subscribe(streamPart, onMessage) {
    await this.ready;
    let set = this.handlers.get(streamPart);
    if (!set) {
      set = new Set();
      this.handlers.set(streamPart, set);
      await this.control({ type: 'subscribe', streamPartition: streamPart });
    }
    set.add(onMessage);
    return async () => {
      set.delete(onMessage);
      if (set.size === 0 && this.handlers.get(streamPart) === set) {
        this.handlers.delete(streamPart);
        if (this.ws.readyState === WebSocket.OPEN) await this.control({ type: 'unsubscribe', streamPartition: streamPart });
      }
    };
  }

  async publish(streamPart, payload) {
    await this.ready;
    if (this.ws.readyState !== WebSocket.OPEN) throw Object.assign(new Error('not connected to the relay'), { code: 'TRANSPORT_CLOSED' });
    const name = utf8.encode(streamPart);
    const frame = new Uint8Array(3 + name.length + payload.length);
    frame[0] = 0x01;
    new DataView(frame.buffer).setUint16(1, name.length);
    frame.set(name, 3);
    frame.set(payload, 3 + name.length);
    this.ws.send(frame);
  }

  async close() {
    this.closed = true;
    this.ws?.close(1000);
  }
}
