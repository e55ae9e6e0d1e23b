/**
 * The host loop around one wasm machine (`Publisher` or `Subscriber`), shared by both handles:
 * feeds network bytes in arrival order (held while the core is backlogged), drains outputs,
 * answers questions through the ports, serializes writes, arms the core's timer and reports
 * errors. The handles keep what differs: publish waiters, deliveries, their own events.
 */
import type { Answer, Output, Question, RecoveredSigner } from '#wasm';
import { asStreamrE2eeError, createError, type StreamrE2eeError } from '../errors.js';
import type { SignerPort } from '../ports.js';
import { answerQuestion, beforeCoreInput, type Answerers } from './host.js';
import type { E2eeError } from './types.js';

/** What the driver needs of a wasm machine. */
export interface Machine {
  handleMessage(bytes: Uint8Array, nowMs: number): void;
  answer(id: number, answer: Answer, nowMs: number): void;
  pollOutputs(): Output[];
  free(): void;
  /** Subscribers: when to call `handleTimeout` next. */
  pollTimeout?(): number | undefined;
  handleTimeout?(nowMs: number): void;
  /** Subscribers: input should wait (signature verdicts outstanding). */
  readonly inputBacklogged?: boolean;
  /** Subscribers: `handleMessage` with a pool worker's recovery (docs/verify-pool.md). */
  handleMessageRecovered?(bytes: Uint8Array, recovered: RecoveredSigner, nowMs: number): void;
}

/** Recovers message signers off this thread: the subscriber's verification pool. */
export interface Verifier {
  /** The signer of `bytes`, or `null`: the core then verifies that message itself. */
  recover(bytes: Uint8Array): Promise<RecoveredSigner | null>;
}

/** Network input waiting for the core: for a pool's recovery, or while the core is backlogged. */
interface Held {
  bytes: Uint8Array;
  /** The pool's answer; `undefined` while it is out. */
  recovered?: RecoveredSigner | null;
}

/** What the handle does with what the driver does not handle itself. */
export interface DriverHooks {
  /** `send` and `deliver` outputs, and events other than `error`. */
  output(out: Output): void;
  /** Reports an error event. */
  emitError(err: StreamrE2eeError): void;
  /** After every drain of the outputs. */
  drained?(): void;
}

export interface DriverOptions {
  signer: SignerPort;
  /** The ports questions are answered through. */
  answerers: Answerers;
  /** Report failed `sign` answers as `error` events (the publisher names them in its own events). */
  reportSignFailures: boolean;
  /** Network input held while the core is backlogged, at most (then dropped with `OVERLOADED`). */
  maxHeld: number;
}

export class Driver<M extends Machine> {
  private machine: M | undefined;
  private stopped = false;
  /** Transport publishes and key-store writes, in output order (a key is stored before use). */
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Input held for the pool or while the core is backlogged ({@link input}), in arrival order. */
  private readonly held: Held[] = [];
  private verifier: Verifier | undefined;
  /** The wallet's error while a failed `sign` answer is handed to the core, for the events it causes. */
  signError: Error | undefined;

  constructor(
    private readonly options: DriverOptions,
    private readonly hooks: DriverHooks,
  ) {}

  /** The machine, once attached and until freed. */
  get core(): M | undefined {
    return this.machine;
  }

  attach(core: M): void {
    this.machine = core;
  }

  /** From now on, signers are recovered by `verifier` (the core still takes input in order). */
  verifyWith(verifier: Verifier): void {
    this.verifier = verifier;
  }

  /** Runs an input on the core (publish, rotate, …) and acts on what it put out. */
  run<T>(input: (core: M) => T): T {
    const core = this.machine;
    if (core === undefined) throw createError('CLOSED', 'closed');
    beforeCoreInput(this.options.signer);
    const result = input(core);
    this.pump();
    return result;
  }

  /** Queues `task` after every earlier write and publish; a failure is the task's to report. */
  serial(task: () => Promise<void>): void {
    this.chain = this.chain.then(task);
  }

  /** Resolves once every queued write and publish has finished. */
  get settled(): Promise<void> {
    return this.chain;
  }

  /**
   * Network bytes, to the core synchronously and in arrival order: nothing here decodes. While
   * the core says it is backlogged (messages waiting for signature verdicts fill half their
   * bound: a burst of ERC-1271 or P-256 messages), input waits here, in order, bounded, and is
   * fed as answers come in. With a verifier every message waits here for its recovery, and
   * messages go to the core in arrival order however the pool's answers come back.
   */
  input(bytes: Uint8Array): void {
    const core = this.machine;
    if (this.stopped || core === undefined) return;
    const verifier = this.verifier;
    if (verifier === undefined && this.held.length === 0 && core.inputBacklogged !== true) {
      this.feed(core, { bytes, recovered: null });
      return;
    }
    if (this.held.length >= this.options.maxHeld) {
      this.hooks.emitError(createError('OVERLOADED', `${this.options.maxHeld} messages wait for signature checks; a message was dropped`));
      return;
    }
    const entry: Held = verifier === undefined ? { bytes, recovered: null } : { bytes };
    this.held.push(entry);
    if (verifier !== undefined) {
      void verifier.recover(bytes).then(
        (recovered) => this.recovered(entry, recovered),
        () => this.recovered(entry, null),
      );
    }
  }

  /** Drains the core and acts on each output in order, then arms its timer. */
  pump(): void {
    const core = this.machine;
    if (core === undefined) return;
    for (let outs = core.pollOutputs(); outs.length > 0; outs = core.pollOutputs()) {
      for (const out of outs) this.act(out);
    }
    this.schedule();
    this.hooks.drained?.();
  }

  /** No more input, answers or timeouts (the core stays until {@link free}). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held.length = 0;
  }

  /** Stops and frees the core. */
  free(): void {
    this.stop();
    this.machine?.free();
    this.machine = undefined;
  }

  private recovered(entry: Held, recovered: RecoveredSigner | null): void {
    entry.recovered = recovered;
    if (!this.stopped && this.held[0] === entry) this.feedHeld();
  }

  private feed(core: M, { bytes, recovered }: Held): void {
    try {
      beforeCoreInput(this.options.signer);
      if (recovered != null && core.handleMessageRecovered !== undefined) core.handleMessageRecovered(bytes, recovered, Date.now());
      else core.handleMessage(bytes, Date.now());
      this.pump();
    } catch (e) {
      this.hooks.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'handling a message failed'));
    }
  }

  /** Held input to the core, in order, while it takes more and the next one's recovery is back. */
  private feedHeld(): void {
    for (let core = this.machine; core !== undefined && !this.stopped; core = this.machine) {
      const next = this.held[0];
      if (next === undefined || next.recovered === undefined || core.inputBacklogged === true) return;
      this.held.shift();
      this.feed(core, next);
    }
  }

  private schedule(): void {
    const core = this.machine;
    if (core?.pollTimeout === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const at = this.stopped ? undefined : core.pollTimeout();
    if (at === undefined) return;
    this.timer = setTimeout(() => {
      const c = this.machine;
      if (this.stopped || c === undefined) return;
      beforeCoreInput(this.options.signer);
      c.handleTimeout?.(Date.now());
      this.pump();
      this.feedHeld();
    }, Math.max(0, at - Date.now()));
  }

  private act(out: Output): void {
    switch (out.type) {
      case 'ask':
        void this.answer(out.id, out.question);
        break;
      case 'storeKey': {
        const id = out.key.id;
        const data = out.key.data;
        out.key.free();
        const store = this.options.answerers.keyStore;
        if (store === undefined) break;
        const { publisherId, streamId, latest, replace } = out;
        this.serial(async () => {
          try {
            await store.putKey(publisherId, id, data, streamId, { replace });
            if (latest) await store.setLatestKeyId(publisherId, streamId, id);
          } catch (e) {
            this.hooks.emitError(asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'storing a group key failed'));
          }
        });
        break;
      }
      case 'event':
        if (out.event.type === 'error') {
          const ev = out.event;
          const err = createError(ev.code, ev.message) as E2eeError;
          if (ev.messageRef !== undefined) err.messageRef = ev.messageRef;
          this.hooks.emitError(err);
        } else {
          this.hooks.output(out);
        }
        break;
      default:
        this.hooks.output(out);
    }
  }

  private async answer(id: number, question: Question): Promise<void> {
    const { answer, error } = await answerQuestion(question, this.options.answerers);
    const core = this.machine;
    if (this.stopped || core === undefined) return;
    if (error !== undefined && (question.type !== 'sign' || this.options.reportSignFailures)) {
      this.hooks.emitError(asStreamrE2eeError(error, 'RPC_ERROR', `answering ${question.type} failed`));
    }
    this.signError = question.type === 'sign' ? error : undefined;
    try {
      beforeCoreInput(this.options.signer);
      core.answer(id, answer, Date.now());
      this.pump();
      this.feedHeld();
    } finally {
      this.signError = undefined;
    }
  }
}
