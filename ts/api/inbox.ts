/**
 * Where a subscription's messages wait for the app: handed to the `onMessage` callback, or
 * buffered (bounded) for the async iterator. One implementation for a subscription's own
 * engine (subscriber.ts) and for a tab that hears a leader's deliveries (ts/tabs/delivery.ts).
 */
import { createError } from '../errors.js';
import type { E2eeError, ReceivedMessage } from './types.js';

export class Inbox {
  private readonly buffer: ReceivedMessage[] = [];
  private readonly readers: Array<(r: IteratorResult<ReceivedMessage>) => void> = [];
  private ended = false;

  constructor(
    private readonly onMessage: ((m: ReceivedMessage) => void) | undefined,
    private readonly maxBuffered: number,
    private readonly emitError: (e: E2eeError) => void,
  ) {}

  /**
   * Gives `m` to the app. A callback that throws does not stop delivery (its error is rethrown
   * in a microtask, where the app sees it as uncaught); past `maxBuffered` waiting messages,
   * `m` is dropped with a `BUFFER_OVERFLOW` error event that names it.
   */
  give(m: ReceivedMessage): void {
    if (this.ended) return;
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

  /** The async iterator: buffered messages first, then waits; `return()` runs `onReturn`. */
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

  /** No more messages: waiting readers end, buffered ones can still be read. */
  end(): void {
    this.ended = true;
    for (const r of this.readers.splice(0)) r({ done: true, value: undefined });
  }
}
