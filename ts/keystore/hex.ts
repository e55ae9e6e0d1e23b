import { keyStoreError } from './errors.js';

const HEX = '0123456789abcdef';

/** Lower-case hex without `0x`, as the SDK's `Buffer.toString('hex')`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/** Parses what `toHex` (or the SDK) wrote; anything else is a corrupt entry, reported without its value. */
export function fromHex(hex: unknown, what: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw keyStoreError('INVALID_KEY', `${what} is not a hex string`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
