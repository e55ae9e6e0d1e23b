import { createError, isStreamrE2eeError } from '../errors.js';

/** The codes the key stores throw (a subset of the package's `ErrorCode`, docs/errors.md). */
export type KeyStoreErrorCode = 'INVALID_ARGUMENT' | 'INVALID_KEY' | 'DECRYPT_ERROR' | 'KEY_STORE_UNAVAILABLE' | 'KEY_STORE_LOCKED';

/** An `Error` named `StreamrE2eeError` with a stable `code`, like everything the package throws. */
export interface KeyStoreError extends Error {
  name: 'StreamrE2eeError';
  code: KeyStoreErrorCode;
}

/** Messages name what failed, never a key, a passphrase or a stored value. */
export function keyStoreError(code: KeyStoreErrorCode, message: string, cause?: unknown): KeyStoreError {
  return createError(code, message, cause) as KeyStoreError;
}

/** True for an error thrown by a key store with `code` (or any code when omitted). */
export function isKeyStoreError(err: unknown, code?: KeyStoreErrorCode): err is KeyStoreError {
  return isStreamrE2eeError(err, code);
}
