/**
 * What a follower subscription keeps so that it can take over without a gap: its own
 * transport subscription, and the newest raw messages it heard (bounded). When it becomes
 * leader, its new core gets the kept messages first, then the live ones, through a transport
 * that looks to the core like any other. The bytes are not decoded here: the core orders them,
 * drops duplicates, and the tabs skip what they were given already by the message references
 * the core delivers (docs/multi-tab.md).
 */
import type { StreamPartId, Transport } from '../ports.js';

export class ReplayBuffer {
  private readonly kept: Uint8Array[] = [];
  private live: ((bytes: Uint8Array) => void) | undefined;
  private stopRaw: (() => Promise<void>) | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly part: StreamPartId,
    private readonly capacity: number,
  ) {}

  /** Subscribes on the tab's transport; from now on every message is kept or passed on. */
  async start(): Promise<void> {
    this.stopRaw = await this.transport.subscribe(this.part, (bytes) => this.onRaw(bytes));
  }

  private onRaw(bytes: Uint8Array): void {
    if (this.live !== undefined) return this.live(bytes);
    if (this.capacity === 0) return;
    if (this.kept.length >= this.capacity) this.kept.shift();
    this.kept.push(bytes);
  }

  /**
   * The transport a leader's core subscribes through: its `subscribe` hands over the kept
   * messages, oldest first, then every live one; its `publish` is the tab's transport's.
   */
  transportForLeader(): Transport {
    const inner = this.transport;
    return {
      subscribe: async (part, onMessage) => {
        if (part !== this.part) return inner.subscribe(part, onMessage);
        for (const bytes of this.kept.splice(0)) onMessage(bytes);
        this.live = onMessage;
        return async () => {
          if (this.live === onMessage) this.live = undefined;
        };
      },
      publish: (part, bytes) => inner.publish(part, bytes),
      close: async () => undefined, // the app owns the transport
    };
  }

  async stop(): Promise<void> {
    this.live = undefined;
    this.kept.length = 0;
    await this.stopRaw?.().catch(() => undefined);
  }
}
