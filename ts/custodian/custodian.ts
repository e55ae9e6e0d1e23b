/**
 * `createCustodian`: a key custodian on one stream partition (docs/custodian.md). Drives the
 * wasm `Custodian` (which decides who is answered, when the grace period is over, and what is
 * stored) and carries its I/O: the transport, the registry's `eth_call`s, the sealed file, and
 * the one timer the core asks for (`nextDeadline`).
 */
import { MlKemKeyPair, type Output } from '#wasm';
// The Custodian class is in the Node module only (feature `custodian`, issue #16): '#wasm-node'
// is the same Node build as '#wasm' is under Node (one instance), and resolves nowhere else.
import { Custodian, type CustodianConfig } from '#wasm-node';
import { streamPartId, type RegistryPort, type Transport } from '../ports.js';
import { asStreamrE2eeError, createError, type StreamrE2eeError } from '../errors.js';
import { Emitter } from '../api/emitter.js';
import { answerQuestion, defined } from '../api/host.js';
import type { FileCustodianStore } from './file-store.js';

/** {@link createCustodian} options. */
export interface CustodianOptions {
  /** How long a request waits for the publisher to answer first, ms (default 2000). */
  graceMs?: number;
  /** Key requests one requester may send per second, burst twice this (default 5, as a publisher). */
  maxKeyRequestsPerRequesterPerSecond?: number;
  /** How long a registry answer is believed, ms (default 300000, as a publisher); every hand-off forgets them all. */
  registryCacheTtlMs?: number;
  /** Requests in their grace period at once (default 1000). */
  maxWaitingRequests?: number;
  /** Accept key requests in any id form (default: the SDK's only). */
  strictFormats?: boolean;
  /** Refuse RSA key requests (default false). */
  requireQuantumResistantKeyExchange?: boolean;
  /** Advanced: raw wasm `CustodianConfig` fields, applied last. */
  core?: Partial<Omit<CustodianConfig, 'streamId' | 'partition' | 'permissionSource'>>;
}

/** {@link createCustodian} arguments. */
export interface CreateCustodianArgs {
  streamId: string;
  /** Default 0. */
  partition?: number;
  transport: Transport;
  /** Reads SUBSCRIBE and PUBLISH on chain for every request (cached as a publisher caches). */
  registry: RegistryPort;
  /** Where the key pair, identities and keys survive restarts. */
  store: FileCustodianStore;
  /** Identities to serve (from `sealCustodianIdentity` / `SessionSigner.sealForCustodian`), kept in the store. */
  identities?: Uint8Array[];
  options?: CustodianOptions;
}

/** Custodian events. */
export interface CustodianEvents {
  /** A key request was answered for a publisher (or a key hand-off was confirmed). */
  keyRequest: { requesterId: string; keyIds: string[] };
  /** A key request was refused: `PERMISSION_DENIED`, `RATE_LIMITED`, …. */
  keyDenied: { requesterId: string; code: string; message: string };
  /** A served publisher handed over a key. */
  keyReceived: { publisherId: string; keyId: string };
  error: StreamrE2eeError;
}

/** A running custodian. */
export interface CustodianHandle {
  /** Resolves once it listens on the stream partition. */
  readonly ready: Promise<void>;
  /** Its user id (publishers address hand-offs to it); known once `ready`. */
  readonly userId: string;
  /** Its ML-KEM-1024 public key (publishers name it with this); known once `ready`. */
  readonly publicKey: Uint8Array;
  /** The identities served. */
  identities(): string[];
  /** Serves one more identity (kept in the store); resolves its user id. */
  addIdentity(sealed: Uint8Array): Promise<string>;
  on<K extends keyof CustodianEvents>(event: K, listener: (value: CustodianEvents[K]) => void): () => void;
  /** Stops listening and the timer, waits for store writes. The store stays open (the caller's). */
  close(): Promise<void>;
}

/** Starts a custodian: opens (or makes and saves) its key pair, serves the stored and given identities, listens. */
export function createCustodian(args: CreateCustodianArgs): CustodianHandle {
  return new CustodianImpl(args);
}

class CustodianImpl implements CustodianHandle {
  readonly ready: Promise<void>;
  userId = '';
  publicKey: Uint8Array = new Uint8Array();
  private core: Custodian | undefined;
  private readonly emitter = new Emitter<CustodianEvents>();
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopTransport: (() => Promise<void>) | undefined;

  constructor(private readonly args: CreateCustodianArgs) {
    this.ready = this.start();
    this.ready.catch(() => undefined);
  }

  on<K extends keyof CustodianEvents>(event: K, listener: (value: CustodianEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  identities(): string[] {
    return this.core?.identities ?? [];
  }

  async addIdentity(sealed: Uint8Array): Promise<string> {
    await this.ready;
    if (this.closed || this.core === undefined) throw createError('CLOSED', 'the custodian was closed');
    const id = this.core.addIdentity(sealed);
    await this.args.store.addIdentity(sealed);
    return id;
  }

  private async start(): Promise<void> {
    const { store, transport, streamId } = this.args;
    const partition = this.args.partition ?? 0;
    const o = this.args.options ?? {};
    let secret = store.loadKemSecret();
    if (secret === undefined) {
      const pair = MlKemKeyPair.generate();
      secret = pair.expandedSecretKey();
      pair.free();
      await store.saveKemSecret(secret);
    }
    const config: CustodianConfig = defined({
      graceMs: o.graceMs,
      maxKeyRequestsPerRequesterPerSecond: o.maxKeyRequestsPerRequesterPerSecond,
      registryCacheTtlMs: o.registryCacheTtlMs,
      maxWaitingRequests: o.maxWaitingRequests,
      strictFormats: o.strictFormats,
      requireQuantumResistantKeyExchange: o.requireQuantumResistantKeyExchange,
      ...o.core,
      streamId,
      partition,
      permissionSource: 'registry',
    });
    let core: Custodian;
    try {
      core = new Custodian(config, secret);
    } finally {
      secret.fill(0);
    }
    this.core = core;
    this.userId = core.userId;
    this.publicKey = core.publicKey;
    for (const blob of store.identities()) core.addIdentity(blob);
    for (const blob of this.args.identities ?? []) {
      core.addIdentity(blob);
      await store.addIdentity(blob);
    }
    this.stopTransport = await transport.subscribe(streamPartId(streamId, partition), (bytes) => this.onInput(bytes));
    if (this.closed) await this.stopTransport();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.ready.catch(() => undefined);
    await this.stopTransport?.().catch(() => undefined);
    await this.chain;
    this.core?.free();
    this.core = undefined;
    this.emitter.clear();
  }

  private onInput(bytes: Uint8Array): void {
    const core = this.core;
    if (this.closed || core === undefined) return;
    try {
      core.handleMessage(bytes, Date.now());
      this.pump();
    } catch (e) {
      this.emitter.emit('error', asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'handling a message failed'));
    }
  }

  /** Acts on every output, then arms the timer for the core's next deadline. */
  private pump(): void {
    const core = this.core;
    if (core === undefined) return;
    for (let outs = core.pollOutputs(); outs.length > 0; outs = core.pollOutputs()) {
      for (const out of outs) this.act(out);
    }
    this.arm(core.nextDeadline);
  }

  private arm(at: number | undefined): void {
    if (at === undefined || this.closed || (this.timerAt !== undefined && this.timerAt <= at)) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timerAt = undefined;
      if (this.closed || this.core === undefined) return;
      this.core.tick(Date.now());
      this.pump();
    }, Math.max(0, at - Date.now()));
  }

  private act(out: Output): void {
    switch (out.type) {
      case 'send': {
        const part = streamPartId(this.args.streamId, this.args.partition ?? 0);
        this.chain = this.chain.then(() =>
          this.args.transport.publish(part, out.bytes).catch((e: unknown) => {
            this.emitter.emit('error', asStreamrE2eeError(e, 'CLOSED', 'the transport refused a key response'));
          }),
        );
        break;
      }
      case 'ask':
        void this.answer(out.id, out.question);
        break;
      case 'storeKey': {
        const { publisherId, streamId, replace } = out;
        const keyId = out.key.id;
        const data = out.key.data;
        out.key.free();
        this.chain = this.chain.then(async () => {
          try {
            await this.args.store.putKey(publisherId, keyId, data, streamId, { replace });
            this.emitter.emit('keyReceived', { publisherId, keyId });
          } catch (e) {
            this.emitter.emit('error', asStreamrE2eeError(e, 'KEY_STORE_UNAVAILABLE', 'storing a handed-over key failed'));
          } finally {
            data.fill(0);
          }
        });
        break;
      }
      case 'deliver':
        break;
      case 'event': {
        const ev = out.event;
        if (ev.type === 'keyRequestAnswered') this.emitter.emit('keyRequest', { requesterId: ev.requesterId, keyIds: ev.keyIds });
        else if (ev.type === 'keyRequestDenied') this.emitter.emit('keyDenied', { requesterId: ev.requesterId, code: ev.code, message: ev.message });
        else if (ev.type === 'error') this.emitter.emit('error', createError(ev.code, ev.message));
        break;
      }
    }
  }

  private async answer(id: number, question: Parameters<typeof answerQuestion>[0]): Promise<void> {
    const { answer, error } = await answerQuestion(question, {
      // Served identities sign in wasm; a `sign` question would mean a paused key: refuse it.
      signer: {
        getUserId: async () => this.userId,
        signatureType: 'ECDSA_SECP256K1_EVM',
        sign: async () => {
          throw createError('SIGNER_ERROR', 'a custodian signs only with the identities handed to it');
        },
      },
      registry: this.args.registry,
      keyStore: this.args.store,
      assertMaySign: () => undefined,
    });
    if (this.closed || this.core === undefined) return;
    if (error !== undefined) this.emitter.emit('error', asStreamrE2eeError(error, 'RPC_ERROR', `answering ${question.type} failed`));
    try {
      this.core.answer(id, answer, Date.now());
      this.pump();
    } catch (e) {
      this.emitter.emit('error', asStreamrE2eeError(e, 'INVALID_ARGUMENT', 'answering the core failed'));
    }
  }
}
