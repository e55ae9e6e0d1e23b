/**
 * One tab's side of a subscription's deliveries: what it was given already, by chain, in front
 * of the app's callback or async-iterator buffer ({@link Inbox}). Every tab, the leader
 * included, takes the leader's deliveries through here, so a delivery repeated after a hand-off (the new leader's core
 * replays what the old one may have delivered already) reaches the app once: the core
 * delivers each chain in order, so a message at or before the last one given on its chain was
 * given already. References are the core's `deliver` outputs; nothing is decoded here.
 */
import type { SubscriberStats } from '#wasm';
import { Inbox } from '../api/inbox.js';
import type { E2eeError, ReceivedMessage } from '../api/types.js';

/** Chains remembered per tab; the oldest is forgotten past this. */
const MAX_CHAINS = 10_000;

export class TabDelivery {
  private readonly last = new Map<string, { timestamp: number; sequenceNumber: number }>();
  private readonly inbox: Inbox;
  private ended = false;
  /** Messages given to the app by this tab. */
  delivered = 0;
  /** Deliveries skipped as given already (repeated after a hand-off). */
  repeats = 0;

  constructor(onMessage: ((m: ReceivedMessage) => void) | undefined, maxBuffered: number, emitError: (e: E2eeError) => void) {
    this.inbox = new Inbox(onMessage, maxBuffered, emitError);
  }

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
    this.inbox.give(m);
  }

  iterator(onReturn: () => Promise<void>): AsyncIterator<ReceivedMessage> {
    return this.inbox.iterator(onReturn);
  }

  end(): void {
    this.ended = true;
    this.inbox.end();
  }

  /** Stats for a tab that does not lead: what it delivered; the core's counters live with the leader. */
  followerStats(): SubscriberStats {
    return { delivered: this.delivered, duplicates: this.repeats, dropped: 0, keyRequestsSent: 0, keysLearned: 0 };
  }
}
