/** Hex helpers for JSON-RPC (`0x` + lower-case hex). */
import { createError } from '../errors.js';
import { bytesToHex, hexToBytes } from '../hex.js';

/** `0x` + lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return `0x${bytesToHex(bytes)}`;
}

/** Bytes of a hex string (with or without `0x`); throws `INVALID_ARGUMENT` for anything else. */
export function fromHex(hex: string, what = 'hex'): Uint8Array {
  const bytes = hexToBytes(hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex);
  if (bytes === undefined) throw createError('INVALID_ARGUMENT', `${what} is not hex`);
  return bytes;
}
