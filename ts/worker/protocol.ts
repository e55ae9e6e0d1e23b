/** Messages between `CryptoWorker` (main thread) and `worker.ts`. Internal to the package. */
import type { RecoveredSigner } from '#wasm';

export type WorkerCall =
  | { op: 'generateRsaKeyPair'; bits: number }
  | { op: 'createRsaKeyExchange'; bits: number; pkcs8Pem?: string }
  | { op: 'unwrapRsa'; handle: number; data: Uint8Array }
  | { op: 'disposeRsaKeyExchange'; handle: number }
  | { op: 'decryptWithAES'; key: Uint8Array; ciphertexts: Uint8Array[] }
  | { op: 'recoverSigners'; poolKey: Uint8Array; messages: Uint8Array[] };

export type WorkerRequest = WorkerCall & { id: number };

export type WorkerResult =
  | { op: 'generateRsaKeyPair'; pkcs8Pem: string }
  | { op: 'createRsaKeyExchange'; handle: number; publicKeyPem: string }
  | { op: 'unwrapRsa'; bytes: Uint8Array }
  | { op: 'disposeRsaKeyExchange' }
  | { op: 'decryptWithAES'; plaintexts: (Uint8Array | { code: string; message: string })[] }
  /** `null` where the core must verify that message itself (not EVM-signed, undecodable). */
  | { op: 'recoverSigners'; results: (RecoveredSigner | null)[] };

export type WorkerSuccess = { id: number; ok: true; result: WorkerResult };
export type WorkerFailure = { id: number; ok: false; error: { name: string; code?: string; message: string } };
export type WorkerResponse = WorkerSuccess | WorkerFailure | { id: 0; ready: true };
