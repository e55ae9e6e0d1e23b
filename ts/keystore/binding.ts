/**
 * The stream binding every store keeps beside the SDK's schema (docs/key-store.md): which
 * streams a key was stored for. A key is released for a stream only if it is bound to it,
 * or (keys the SDK wrote carry no binding) it is that stream's latest key in
 * `LatestEncryptionKeyIds`, which the SDK writes only for its own identity's key of that stream.
 */
import { keyStoreError } from './errors.js';

/** A stored binding: a non-empty array of non-empty stream ids; anything else is corrupt. */
export function readBinding(value: unknown, keyId: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => typeof s === 'string' && s.length > 0)) {
    throw keyStoreError('INVALID_KEY', `the stream binding stored for the key ${keyId} is not a list of stream ids`);
  }
  return value as string[];
}

/** Whether a key with `binding` may be released for `streamId`. */
export function isBound(binding: readonly string[], latestKeyId: string | undefined, keyId: string, streamId: string): boolean {
  return binding.includes(streamId) || latestKeyId === keyId;
}

/** The binding with `streamId` added, or `undefined` if it is there already (nothing to write). */
export function bind(binding: readonly string[], streamId: string): string[] | undefined {
  return binding.includes(streamId) ? undefined : [...binding, streamId];
}
