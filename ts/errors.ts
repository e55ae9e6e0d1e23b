/**
 * Errors the shim raises. They have the shape of every error this package throws: an `Error`
 * whose `name` is `'StreamrE2eeError'` and whose `code` is a stable {@link ErrorCode}
 * (`docs/errors.md`), so apps match on `code` whether the core or the shim raised it.
 */
import type { CoreErrorCode } from '#wasm';

/**
 * The codes only the shim raises (docs/errors.md, "shim" in the raised-by column): wallets,
 * transports, JSON-RPC, key stores, the worker, session keys. The core's enum does not have
 * them (src/error.rs); a test there keeps this union and the docs in sync.
 */
export type ShimErrorCode =
  | 'WALLET_REJECTED' | 'WALLET_ERROR' | 'WALLET_ACCOUNT_CHANGED' | 'TRANSPORT_QUEUE_FULL'
  | 'RPC_ERROR' | 'CLOSED' | 'KEY_STORE_LOCKED' | 'WORKER_UNAVAILABLE'
  | 'NETWORK_UNAVAILABLE' | 'SESSION_EXPIRED' | 'TRANSACTION_FAILED';

/** Stable error codes: `error.code` of every error this package throws, core or shim. */
export type ErrorCode = CoreErrorCode | ShimErrorCode;

/** What every export throws: `name` is `'StreamrE2eeError'`, `code` a stable {@link ErrorCode}. */
export interface StreamrE2eeError extends Error {
  name: 'StreamrE2eeError';
  code: ErrorCode;
}

/** Makes a `StreamrE2eeError` with `code`; `cause` keeps the underlying error (wallet, fetch). */
export function createError(code: ErrorCode, message: string, cause?: unknown): StreamrE2eeError {
  const err = new Error(message, cause === undefined ? undefined : { cause }) as StreamrE2eeError;
  err.name = 'StreamrE2eeError';
  err.code = code;
  return err;
}

/** True when `value` is a `StreamrE2eeError` (with `code`, if given). */
export function isStreamrE2eeError(value: unknown, code?: ErrorCode): value is StreamrE2eeError {
  return (
    value instanceof Error &&
    value.name === 'StreamrE2eeError' &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (code === undefined || (value as StreamrE2eeError).code === code)
  );
}

/** `value` as a `StreamrE2eeError`: itself if it is one, else wrapped with `code`. */
export function asStreamrE2eeError(value: unknown, code: ErrorCode, context: string): StreamrE2eeError {
  if (isStreamrE2eeError(value)) return value;
  const detail = value instanceof Error ? value.message : String(value);
  return createError(code, `${context}: ${detail}`, value);
}
