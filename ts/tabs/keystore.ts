/**
 * Key-store writes serialized across tabs: a leader hands over to another tab, and the next
 * leader must read what the last one wrote (the publisher's latest key, keys subscribers
 * learned). Each write runs under one origin-wide Web Lock, so two tabs never interleave the
 * read-check-write a `putKey` does, nor race on `LatestEncryptionKeyIds`.
 */
import type { KeyStore, PutKeyOptions } from '../ports.js';
import { withLock } from './election.js';

/** The Web Lock every key-store write of this origin takes. */
export const KEY_STORE_LOCK = 'streamr-e2ee/key-store';

/** `store` with its writes under {@link KEY_STORE_LOCK}; reads go straight through. */
export function lockedKeyStore(store: KeyStore | undefined): KeyStore | undefined {
  if (store === undefined) return undefined;
  return {
    getKey: (publisherId, keyId, streamId) => store.getKey(publisherId, keyId, streamId),
    getLatestKeyId: (publisherId, streamId) => store.getLatestKeyId(publisherId, streamId),
    putKey: (publisherId: string, keyId: string, key: Uint8Array, streamId: string, options?: PutKeyOptions) =>
      withLock(KEY_STORE_LOCK, () => store.putKey(publisherId, keyId, key, streamId, options)),
    setLatestKeyId: (publisherId, streamId, keyId) => withLock(KEY_STORE_LOCK, () => store.setLatestKeyId(publisherId, streamId, keyId)),
    close: () => store.close(),
  };
}
