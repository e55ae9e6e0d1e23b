import { AsymmetricEncryptionType, GroupKey, type RecoveredSigner } from '#wasm';
import { RsaKeyPair } from '../rsa/index.js';
import { createError } from '../errors.js';
import type { WorkerCall, WorkerRequest, WorkerResponse, WorkerSuccess } from './protocol.js';
import { mainThreadSection } from './timing.js';

export interface CryptoWorkerOptions {
  /** Use this worker instead of spawning the package's (a custom build or URL). */
  worker?: Worker;
}

type Pending = { resolve: (r: WorkerSuccess) => void; reject: (e: Error) => void };


/** A plaintext, or why that ciphertext did not decrypt (`code`, e.g. `DECRYPT_ERROR`). */
export type DecryptOutcome = Uint8Array | { code: string; message: string };

/**
 * The main thread's side of the package's Web Worker: each call posts a request and
 * resolves with the answer, so RSA key generation (seconds in wasm) and bulk decryption
 * never block the page. One worker serves calls in order; spawn more for parallelism.
 */
export class CryptoWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed: Error | undefined;
  private markFailed!: (e: Error) => void;
  /**
   * Resolves once the worker has loaded the wasm; rejects if it cannot. Calls wait for it:
   * a module worker still in its top-level await (loading the wasm) drops the messages it
   * receives, so nothing is posted before the worker says it is ready.
   */
  readonly ready: Promise<void>;

  private constructor(worker: Worker) {
    this.worker = worker;
    let markReady!: () => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      this.markFailed = reject;
    });
    this.ready.catch(() => {});
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const msg = event.data;
      if ('ready' in msg) return markReady();
      // id 0 is never a request's: the worker could not load the wasm core.
      if (msg.id === 0 && !msg.ok) return this.fail(createError('WORKER_UNAVAILABLE', `the crypto worker could not load the wasm core: ${msg.error.message}`));
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg);
      else p.reject(Object.assign(new Error(msg.error.message), { name: msg.error.name, code: msg.error.code }));
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault?.();
      this.fail(createError('WORKER_UNAVAILABLE', `the crypto worker failed: ${event.message ?? 'load error'}`));
    };
  }

  /**
   * Starts the package's worker. Written as `new Worker(new URL('./worker.js',
   * import.meta.url), { type: 'module' })` so webpack 5 and Vite emit the worker chunk.
   */
  static spawn(options: CryptoWorkerOptions = {}): CryptoWorker {
    if (options.worker === undefined && typeof Worker === 'undefined') {
      throw createError('WORKER_UNAVAILABLE', 'Web Workers are not available here');
    }
    return new CryptoWorker(options.worker ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'streamr-e2ee-crypto' }));
  }

  /**
   * A fresh RSA key pair of `bits` (default 4096, the SDK's `rsaKeyLength`), generated in
   * the worker (its WebCrypto, or the rsa-wasm module there) and rebuilt here from its PKCS#8
   * PEM. Rejects with `INVALID_KEY` for sizes outside 640..=4096.
   */
  async generateRsaKeyPair(bits = 4096): Promise<RsaKeyPair> {
    const res = await this.call({ op: 'generateRsaKeyPair', bits });
    if (res.result.op !== 'generateRsaKeyPair') throw createError('INVALID_ARGUMENT', 'unexpected worker answer');
    const pem = res.result.pkcs8Pem;
    return RsaKeyPair.fromPkcs8Pem(pem);
  }

  /**
   * An RSA key-exchange key generated in the worker and kept there: the private key never
   * reaches the main thread, and each unwrap (a few hundred ms for RSA-4096 in wasm) runs
   * in the worker. Use where WebCrypto is missing; `WebCryptoRsaKeyExchange` is faster.
   */
  createRsaKeyExchange(bits = 4096): Promise<WorkerRsaKeyExchange> {
    return this.rsaKeyExchange({ op: 'createRsaKeyExchange', bits });
  }

  /** A worker-held key exchange from a stored PKCS#8 PEM (`RsaKeyPair.toPkcs8Pem`). */
  importRsaKeyExchange(pkcs8Pem: string): Promise<WorkerRsaKeyExchange> {
    return this.rsaKeyExchange({ op: 'createRsaKeyExchange', bits: 0, pkcs8Pem });
  }

  private async rsaKeyExchange(call: WorkerCall & { op: 'createRsaKeyExchange' }): Promise<WorkerRsaKeyExchange> {
    const res = await this.call(call);
    if (res.result.op !== 'createRsaKeyExchange') throw createError('INVALID_ARGUMENT', 'unexpected worker answer');
    const { handle, publicKeyPem } = res.result;
    return new WorkerRsaKeyExchange(publicKeyPem, async (data) => {
      const r = await this.call({ op: 'unwrapRsa', handle, data });
      if (r.result.op !== 'unwrapRsa') throw createError('INVALID_ARGUMENT', 'unexpected worker answer');
      return r.result.bytes;
    }, async () => {
      await this.call({ op: 'disposeRsaKeyExchange', handle });
    });
  }

  /**
   * Decrypts many AES-256-CTR payloads (`iv ‖ ct`, the SDK's content encryption) under one
   * group key in the worker. One outcome per input, in order; a failure is reported in place.
   */
  async decryptWithAES(key: GroupKey | Uint8Array, ciphertexts: Uint8Array[]): Promise<DecryptOutcome[]> {
    const keyBytes = key instanceof Uint8Array ? key.slice() : key.data;
    const res = await this.call({ op: 'decryptWithAES', key: keyBytes, ciphertexts }, [keyBytes.buffer]);
    if (res.result.op !== 'decryptWithAES') throw createError('INVALID_ARGUMENT', 'unexpected worker answer');
    return res.result.plaintexts;
  }

  /**
   * Recovers the signer of each message (`recoverSigner`) under a subscriber's `poolKey`,
   * in the worker: one result per message, in order, `null` where the subscriber's core must
   * verify the message itself. Used by the verification pool (docs/verify-pool.md).
   */
  async recoverSigners(poolKey: Uint8Array, messages: Uint8Array[]): Promise<(RecoveredSigner | null)[]> {
    const res = await this.call({ op: 'recoverSigners', poolKey, messages });
    if (res.result.op !== 'recoverSigners' || res.result.results.length !== messages.length) {
      throw createError('INVALID_ARGUMENT', 'unexpected worker answer');
    }
    return res.result.results;
  }

  /** Stops the worker; pending calls reject with `WORKER_UNAVAILABLE`. */
  terminate(): void {
    this.worker.terminate();
    this.fail(createError('WORKER_UNAVAILABLE', 'the crypto worker was terminated'));
  }

  private fail(err: Error): void {
    this.failed ??= err;
    this.markFailed(err); // calls waiting for `ready` fail too
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private async call(req: WorkerCall, transfer: Transferable[] = []): Promise<WorkerSuccess> {
    if (this.failed !== undefined) throw this.failed;
    await this.ready;
    if (this.failed !== undefined) throw this.failed;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      mainThreadSection('post', () => this.worker.postMessage({ ...req, id } as WorkerRequest, transfer));
    });
  }
}

/**
 * A subscriber's RSA key-exchange key held by a `CryptoWorker` (see
 * `CryptoWorker.createRsaKeyExchange`). Same shape as `WebCryptoRsaKeyExchange`: give
 * `keyExchange` to the `Subscriber`, answer its `unwrapGroupKey` questions with `answerUnwrap`.
 */
export class WorkerRsaKeyExchange {
  /** The `keyExchange` argument of `Subscriber`: `{ encryptionType: RSA, publicKey: spkiPem }`. */
  readonly keyExchange: { encryptionType: AsymmetricEncryptionType; publicKey: string };

  /** @internal */
  constructor(
    readonly publicKeyPem: string,
    private readonly unwrapInWorker: (data: Uint8Array) => Promise<Uint8Array>,
    private readonly disposeInWorker: () => Promise<void>,
  ) {
    this.keyExchange = { encryptionType: AsymmetricEncryptionType.RSA, publicKey: publicKeyPem };
  }

  /** The 32 key bytes in `data` (RSA-OAEP-SHA-1). Rejects with `DECRYPT_ERROR` on failure. */
  unwrap(data: Uint8Array): Promise<Uint8Array> {
    return this.unwrapInWorker(data.slice());
  }

  /** The answer to a subscriber's `unwrapGroupKey` question (docs/host-api.md). */
  async answerUnwrap(data: Uint8Array): Promise<{ type: 'groupKeyBytes'; bytes: Uint8Array } | { type: 'failed'; reason: string }> {
    try {
      return { type: 'groupKeyBytes', bytes: await this.unwrap(data) };
    } catch {
      return { type: 'failed', reason: 'RSA-OAEP decryption failed' };
    }
  }

  /** Frees the private key in the worker; later unwraps fail. */
  dispose(): Promise<void> {
    return this.disposeInWorker();
  }
}
