/**
 * The package's Web Worker: loads the wasm core in the worker and runs slow work there
 * (RSA key generation and unwrapping with a key kept here, by the worker's WebCrypto or the
 * rsa-wasm module loaded in the worker on first use; bulk AES decryption; a subscriber's
 * signature recoveries, docs/verify-pool.md) so the page's main thread never blocks on it.
 * Spawned by `CryptoWorker.spawn()`; bundlers follow the `new Worker(new URL('./worker.js',
 * import.meta.url), { type: 'module' })` in client.ts to emit it as its own chunk.
 */
import { decryptWithAES, recoverSigner, type RecoveredSigner } from '#wasm';
import { RsaKeyPair } from '../rsa/index.js';
import { createError } from '../errors.js';
import { ready } from '../ready.js';
import type { WorkerRequest, WorkerResponse, WorkerResult } from './protocol.js';

/** The part of DedicatedWorkerGlobalScope used here (the package compiles with the DOM lib). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;

function describe(err: unknown): { name: string; code?: string; message: string } {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: typeof e?.message === 'string' ? e.message : 'worker error',
  };
}

/** Key pairs that live only in this worker (`CryptoWorker.createRsaKeyExchange`). */
const keyExchanges = new Map<number, RsaKeyPair>();
let nextHandle = 1;

async function handle(req: WorkerRequest): Promise<{ result: WorkerResult; transfer: Transferable[] }> {
  switch (req.op) {
    case 'generateRsaKeyPair': {
      const pair = await RsaKeyPair.generate(req.bits);
      try {
        // PKCS#8 PEM crosses to the main thread, which rebuilds the pair with fromPkcs8Pem
        // (milliseconds); the string cannot be wiped, the key here is freed.
        return { result: { op: 'generateRsaKeyPair', pkcs8Pem: await pair.toPkcs8Pem() }, transfer: [] };
      } finally {
        pair.free();
      }
    }
    case 'createRsaKeyExchange': {
      const pair =
        req.pkcs8Pem === undefined
          ? await RsaKeyPair.generate(req.bits, { extractable: false })
          : await RsaKeyPair.fromPkcs8Pem(req.pkcs8Pem, { extractable: false });
      const handle = nextHandle++;
      keyExchanges.set(handle, pair);
      return { result: { op: 'createRsaKeyExchange', handle, publicKeyPem: pair.publicKeyPem }, transfer: [] };
    }
    case 'unwrapRsa': {
      const pair = keyExchanges.get(req.handle);
      if (pair === undefined) {
        throw createError('INVALID_ARGUMENT', 'this key exchange was disposed');
      }
      const bytes = await pair.unwrap(req.data);
      if (bytes.length !== 32) {
        bytes.fill(0);
        throw createError('DECRYPT_ERROR', 'RSA-OAEP decryption failed');
      }
      return { result: { op: 'unwrapRsa', bytes }, transfer: [bytes.buffer] };
    }
    case 'disposeRsaKeyExchange': {
      keyExchanges.get(req.handle)?.free();
      keyExchanges.delete(req.handle);
      return { result: { op: 'disposeRsaKeyExchange' }, transfer: [] };
    }
    case 'decryptWithAES': {
      const plaintexts: (Uint8Array | { code: string; message: string })[] = [];
      const transfer: Transferable[] = [];
      for (const ct of req.ciphertexts) {
        try {
          const pt = decryptWithAES(ct, req.key);
          plaintexts.push(pt);
          transfer.push(pt.buffer);
        } catch (err) {
          const d = describe(err);
          plaintexts.push({ code: d.code ?? 'DECRYPT_ERROR', message: d.message });
        }
      }
      req.key.fill(0);
      return { result: { op: 'decryptWithAES', plaintexts }, transfer };
    }
    case 'recoverSigners': {
      // A message this cannot recover (another signature type, bad bytes) gets null: the
      // subscriber's core verifies it itself and reports what is wrong with it.
      const results: (RecoveredSigner | null)[] = req.messages.map((bytes) => {
        try {
          return recoverSigner(bytes, req.poolKey);
        } catch {
          return null;
        }
      });
      req.poolKey.fill(0);
      return { result: { op: 'recoverSigners', results }, transfer: [] };
    }
    default:
      throw createError('INVALID_ARGUMENT', 'unknown worker request');
  }
}

// The core loads when the worker starts (below); a request that comes first waits for it, and
// requests still run in the order they came.
scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  void ready().then(
    () => respond(event.data),
    (err: unknown) => scope.postMessage({ id: event.data?.id ?? -1, ok: false, error: describe(err) }),
  );
};

async function respond(req: WorkerRequest): Promise<void> {
  let response: WorkerResponse;
  let transfer: Transferable[] = [];
  try {
    const out = await handle(req);
    response = { id: req.id, ok: true, result: out.result };
    transfer = out.transfer;
  } catch (err) {
    response = { id: req?.id ?? -1, ok: false, error: describe(err) };
  }
  scope.postMessage(response, transfer);
}

// Announce the worker once its core is loaded (CryptoWorker.spawn waits for this).
void ready().then(
  () => scope.postMessage({ id: 0, ready: true } satisfies WorkerResponse),
  // CryptoWorker fails with WORKER_UNAVAILABLE on a refusal with id 0.
  (err: unknown) => scope.postMessage({ id: 0, ok: false, error: describe(err) } satisfies WorkerResponse),
);
