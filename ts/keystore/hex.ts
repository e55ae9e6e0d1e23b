import { bytesToHex, hexToBytes } from '../hex.js';
import { keyStoreError } from './errors.js';

/** Lower-case hex without `0x`, as the SDK's `Buffer.toString('hex')`. */
export const toHex = bytesToHex;

/** Parses what `toHex` (or the SDK) wrote; anything else is a corrupt entry, reported without its value. */
export function fromHex(hex: unknown, what: string): Uint8Array {
  const bytes = typeof hex === 'string' ? hexToBytes(hex) : undefined;
  if (bytes === undefined) throw keyStoreError('INVALID_KEY', `${what} is not a hex string`);
  return bytes;
}
