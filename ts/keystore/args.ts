import { keyStoreError } from './errors.js';

/** Ids are non-empty strings; the key is the 32 bytes of a group key. */
export function checkId(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw keyStoreError('INVALID_ARGUMENT', `${name} must be a non-empty string`);
}

export function checkKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw keyStoreError('INVALID_KEY', 'a group key must be 32 bytes');
}
