import type { KeyStore } from '../ports.js';
import { checkId, checkKey } from './args.js';
import { keyStoreError } from './errors.js';
import { normalizeUserId } from './ids.js';
import { keyLookup, latestLookup } from './schema.js';

/**
 * Keys in memory only: for Node, tests, and apps that must not persist keys. Same lookup keys
 * as the SDK's store; `getKey` returns a copy, so a caller cannot change what is stored.
 */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly latest = new Map<string, string>();
  private closed = false;

  async getKey(publisherId: string, keyId: string): Promise<Uint8Array | undefined> {
    this.checkOpen();
    checkId(keyId, 'keyId');
    return this.keys.get(keyLookup(normalizeUserId(publisherId, 'publisherId'), keyId))?.slice();
  }

  async putKey(publisherId: string, keyId: string, key: Uint8Array): Promise<void> {
    this.checkOpen();
    checkId(keyId, 'keyId');
    checkKey(key);
    this.keys.set(keyLookup(normalizeUserId(publisherId, 'publisherId'), keyId), key.slice());
  }

  async getLatestKeyId(publisherId: string, streamId: string): Promise<string | undefined> {
    this.checkOpen();
    checkId(streamId, 'streamId');
    return this.latest.get(latestLookup(normalizeUserId(publisherId, 'publisherId'), streamId));
  }

  async setLatestKeyId(publisherId: string, streamId: string, keyId: string): Promise<void> {
    this.checkOpen();
    checkId(streamId, 'streamId');
    checkId(keyId, 'keyId');
    this.latest.set(latestLookup(normalizeUserId(publisherId, 'publisherId'), streamId), keyId);
  }

  /** Wipes the keys (best effort: JS cannot guarantee no copy remains) and refuses further use. */
  async close(): Promise<void> {
    for (const key of this.keys.values()) key.fill(0);
    this.keys.clear();
    this.latest.clear();
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw keyStoreError('KEY_STORE_UNAVAILABLE', 'the key store is closed');
  }
}
