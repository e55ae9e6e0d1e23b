/** Hex helpers for JSON-RPC (`0x` + lower-case hex). */
import { createError } from '../errors.js';

/** `0x` + lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '0x';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes of a hex string (with or without `0x`); throws `INVALID_ARGUMENT` for anything else. */
export function fromHex(hex: string, what = 'hex'): Uint8Array {
  const h = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) {
    throw createError('INVALID_ARGUMENT', `${what} is not hex`);
  }
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}
