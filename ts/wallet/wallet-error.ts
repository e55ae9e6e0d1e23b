/** Wallet (EIP-1193) failures as typed errors; internal to the signers. */
import { createError } from '../errors.js';

/** The EIP-1193 "user rejected the request" code. */
const USER_REJECTED = 4001;

/** `WALLET_REJECTED` for a refusal (4001), else `WALLET_ERROR`, naming `what` was asked. */
export function walletError(e: unknown, what: string): Error {
  const code = (e as { code?: unknown } | null)?.code;
  const message = (e as { message?: unknown } | null)?.message;
  const detail = typeof message === 'string' ? message : String(e);
  if (code === USER_REJECTED) return createError('WALLET_REJECTED', `${what}: the user rejected the request`, e);
  return createError('WALLET_ERROR', `${what}: ${detail}`, e);
}
