/**
 * One tab's side of a subscription's deliveries: what it was given already, by chain, and the
 * app's callback or async-iterator buffer. Every tab, the leader included, takes the leader's
 * deliveries through here, so a delivery repeated after a hand-off (the new leader's core
 * replays what the old one may have delivered already) reaches the app once: the core
 * delivers each chain in order, so a message at or before the last one given on its chain was
 * given already. References are the core's `deliver` outputs; nothing is decoded here.
 */
import type { SubscriberStats } from '#wasm';
import { createError } from '../errors.js';
import type { E2eeError, ReceivedMessage } from '../api/types.js';

/** Chains remembered per tab; the oldest is forgotten past this. */
const MAX_CHAINS = 10_000;

export class TabDelivery {
  private readonly last = new Map<string, { timestamp: number; sequenceNumber: number }>();
  private readonly buffer: ReceivedMessage[] = [];
  private readonly readers: Array<(r: IteratorResult<ReceivedMessage>) => void> = [];
  private ended = false;
  /** Messages given to the app by this tab. */
  delivered = 0;
  /** Deliveries skipped as given already (repeated after a hand-off). */
  repeats = 0;

  constructor(
    private readonly onMessage: ((m: ReceivedMessage) => void) | undefined,
    private readonly maxBuffered: number,
    private readonly emitError: (e: E2eeError) => void,
  ) {}

  /** A delivery from the leader: to the app, unless this tab had it already. */
  accept(m: ReceivedMessage): void {
    if (this.ended) return;
    const chain = `${m.publisherId}|${m.msgChainId}`;
    const last = this.last.get(chain);
    if (last !== undefined && (m.timestamp < last.timestamp || (m.timestamp === last.timestamp && m.sequenceNumber <= last.sequenceNumber))) {
      this.repeats++;
      return;
    }
    this.last.delete(chain); // re-inserted last: the map's order is least recently used first
    this.last.set(chain, { timestamp: m.timestamp, sequenceNumber: m.sequenceNumber });
    if (this.last.size > MAX_CHAINS) this.last.delete(this.last.keys().next().value as string);
    this.delivered++;
    this.give(m);
  }

  private give(m: ReceivedMessage): void {
    if (this.onMessage !== undefined) {
      try {
        this.onMessage(m);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
      return;
    }
    const reader = this.readers.shift();
    if (reader !== undefined) return reader({ done: false, value: m });
    if (this.buffer.length >= this.maxBuffered) {
      const err = createError('BUFFER_OVERFLOW', `the subscription buffers ${this.maxBuffered} messages; the consumer is too slow, a message was dropped`) as E2eeError;
      err.messageRef = { publisherId: m.publisherId, msgChainId: m.msgChainId, timestamp: m.timestamp, sequenceNumber: m.sequenceNumber };
      this.emitError(err);
      return;
    }
    this.buffer.push(m);
  }

  iterator(onReturn: () => Promise<void>): AsyncIterator<ReceivedMessage> {
    return {
      next: () => {
        const m = this.buffer.shift();
        if (m !== undefined) return Promise.resolve({ done: false, value: m });
        if (this.ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => this.readers.push(resolve));
      },
      return: async () => {
        await onReturn();
        return { done: true, value: undefined };
      },
    };
  }

  end(): void {
    this.ended = true;
    for (const r of this.readers.splice(0)) r({ done: true, value: undefined });
  }

  /** Stats for a tab that does not lead: what it delivered; the core's counters live with the leader. */
  followerStats(): SubscriberStats {
    return { delivered: this.delivered, duplicates: this.repeats, dropped: 0, keyRequestsSent: 0, keysLearned: 0 };
  }
}
