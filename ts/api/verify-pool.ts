/**
 * The subscriber's verification pool (`verifyWorkers`, docs/verify-pool.md): Web Workers that
 * recover message signers (`recoverSigner`) while the cores on this thread do everything else.
 * The pool only computes: it hands each message's result back to whoever asked, and the
 * driver feeds the core in arrival order. A worker that fails or does not answer in time is
 * given up and its messages get `null`, which the core answers by verifying them itself: a
 * broken pool costs speed, never a message.
 */
import type { RecoveredSigner } from '#wasm';
import { createError, type StreamrE2eeError } from '../errors.js';

/**
 * What the pool needs of a worker: the package's `CryptoWorker` (ts/worker/client.ts), or any
 * object whose `recoverSigners` runs `recoverSigner` on each message elsewhere.
 */
export interface RecoveryWorker {
  recoverSigners(poolKey: Uint8Array, messages: Uint8Array[]): Promise<(RecoveredSigner | null)[]>;
  terminate(): void;
}

export interface VerifyPoolOptions {
  /** Messages sent to one worker in one call, at most. Default 32. */
  maxChunk?: number;
  /** A call not answered within this many ms gives its worker up. Default 10,000. */
  chunkTimeoutMs?: number;
  /** Told once per worker given up (`WORKER_UNAVAILABLE`). */
  onWorkerLost?(err: StreamrE2eeError): void;
}

interface Job {
  poolKey: Uint8Array;
  bytes: Uint8Array;
  resolve(result: RecoveredSigner | null): void;
}

interface Slot {
  worker: RecoveryWorker;
  inFlight: number;
  alive: boolean;
}

/** Calls in flight per worker: the next chunk is there while a result travels back. */
const MAX_IN_FLIGHT = 2;

export class VerifyPool {
  private readonly slots: Slot[];
  /** Workers still in service (checked for every message: kept, not counted). */
  private alive: number;
  private readonly queue: Job[] = [];
  private flushing = false;
  private readonly maxChunk: number;
  private readonly timeoutMs: number;

  constructor(
    workers: RecoveryWorker[],
    private readonly options: VerifyPoolOptions = {},
  ) {
    this.slots = workers.map((worker) => ({ worker, inFlight: 0, alive: true }));
    this.alive = this.slots.length;
    this.maxChunk = options.maxChunk ?? 32;
    this.timeoutMs = options.chunkTimeoutMs ?? 10_000;
  }

  /** Workers still in service. */
  get size(): number {
    return this.alive;
  }

  /**
   * The signer of `bytes` recovered in a worker and tagged under `poolKey`, or `null` (no
   * worker left, or that message cannot be recovered there). Requests made in one turn of the
   * event loop are sent together, split over the workers.
   */
  recover(poolKey: Uint8Array, bytes: Uint8Array): Promise<RecoveredSigner | null> {
    if (this.size === 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.queue.push({ poolKey, bytes, resolve });
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => {
          this.flushing = false;
          this.dispatch();
        });
      }
    });
  }

  /** Gives every worker up without reporting it; what waits gets `null`. */
  terminate(): void {
    for (const slot of this.slots) this.retire(slot);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const free = this.slots.filter((s) => s.alive && s.inFlight < MAX_IN_FLIGHT);
      if (free.length === 0) {
        if (this.size === 0) for (const job of this.queue.splice(0)) job.resolve(null);
        return; // the next answer dispatches again
      }
      const slot = free.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      // A burst is shared among the free workers; one call carries one subscriber's messages.
      const want = Math.min(this.maxChunk, Math.ceil(this.queue.length / free.length));
      const key = (this.queue[0] as Job).poolKey;
      let n = 1;
      while (n < want && this.queue[n]?.poolKey === key) n++;
      this.send(slot, this.queue.splice(0, n));
    }
  }

  private send(slot: Slot, jobs: Job[]): void {
    slot.inFlight++;
    let settled = false;
    const finish = (results: (RecoveredSigner | null)[] | undefined, lost?: StreamrE2eeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      slot.inFlight--;
      jobs.forEach((job, k) => job.resolve(results?.[k] ?? null));
      if (lost !== undefined && slot.alive) {
        this.retire(slot);
        this.options.onWorkerLost?.(lost);
      }
      this.dispatch();
    };
    const timer = setTimeout(
      () => finish(undefined, createError('WORKER_UNAVAILABLE', `a verification worker did not answer within ${this.timeoutMs} ms; it was stopped`)),
      this.timeoutMs,
    );
    // A worker of the app's `spawn` may throw instead of rejecting: the same to us.
    const poolKey = (jobs[0] as Job).poolKey;
    new Promise<(RecoveredSigner | null)[]>((resolve) => resolve(slot.worker.recoverSigners(poolKey, jobs.map((j) => j.bytes)))).then(
      (results) => finish(results),
      (e: unknown) => finish(undefined, createError('WORKER_UNAVAILABLE', `a verification worker failed: ${(e as Error)?.message ?? String(e)}`)),
    );
  }

  private retire(slot: Slot): void {
    if (!slot.alive) return;
    slot.alive = false;
    this.alive -= 1;
    try {
      slot.worker.terminate();
    } catch {
      // already gone
    }
  }
}
