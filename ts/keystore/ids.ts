import { checkId } from './args.js';

/**
 * The SDK's `toUserId` for strings: a `0x` hex id is lower-cased, so a checksummed address
 * opens the same database and finds the same entries as the SDK. Other ids pass unchanged.
 */
export function normalizeUserId(value: unknown, name: string): string {
  checkId(value, name);
  return /^0x[0-9a-fA-F]+$/.test(value) ? value.toLowerCase() : value;
}
