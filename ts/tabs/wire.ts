/**
 * What tabs say to each other on a BroadcastChannel. Everything is structured-cloneable:
 * errors travel as `{ code, message }` (a cloned Error would lose its `code`).
 */
import type { GroupKeyData, MessageRefWithChain } from '#wasm';
import type { ErrorCode } from '../errors.js';
import { createError } from '../errors.js';
import type { E2eeError } from '../api/types.js';

/** An error as it crosses a channel. */
export interface WireError {
  code: ErrorCode;
  message: string;
  messageRef?: MessageRefWithChain;
}

export function toWire(e: unknown): WireError {
  const err = e as { code?: unknown; message?: unknown; messageRef?: MessageRefWithChain };
  const code = (typeof err?.code === 'string' ? err.code : 'INVALID_ARGUMENT') as ErrorCode;
  const out: WireError = { code, message: typeof err?.message === 'string' ? err.message : String(e) };
  if (err?.messageRef !== undefined) out.messageRef = err.messageRef;
  return out;
}

export function fromWire(w: WireError): E2eeError {
  const err = createError(w.code, w.message) as E2eeError;
  if (w.messageRef !== undefined) err.messageRef = w.messageRef;
  return err;
}

/** A request a follower publisher hands its leader. */
export type PublisherRequest =
  | { op: 'publish'; content: unknown; timestamp: number }
  /** A content message the last leader signed and announced but never confirmed: sent as is. */
  | { op: 'resend'; bytes: Uint8Array; timestamp: number }
  | { op: 'rotate'; key?: GroupKeyData }
  | { op: 'rekey'; key?: GroupKeyData }
  | { op: 'invalidatePermissions' };

/** Publisher channel messages. `to` addresses one handle; `from` names the sender. */
export type PublisherWire =
  | { t: 'hello'; from: string }
  | { t: 'leader'; from: string; publisherId: string; encrypted: boolean; error?: WireError }
  /** `chain`: the requesting handle's message chain id. */
  | { t: 'request'; to: string; from: string; chain: string; req: number; request: PublisherRequest }
  /** The signed bytes of a publish, told to its tab before the transport gets them. */
  | { t: 'sending'; to: string; req: number; bytes: Uint8Array }
  | { t: 'done'; to: string; req: number; timestamp?: number }
  | { t: 'fail'; to: string; req: number; error: WireError }
  | { t: 'event'; name: 'keyRequest' | 'keyDenied' | 'error'; value: unknown };
