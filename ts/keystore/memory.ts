import type { KeyStore, PutKeyOptions } from '../ports.js';
import { checkId, checkKey } from './args.js';
import { bind, isBound } from './binding.js';
import { sameBytes } from '../bytes.js';
import { keyStoreError } from './errors.js';
import { normalizeUserId } from './ids.js';
import { keyLookup, latestLookup } from './schema.js';

/**
 * Keys in memory only: for Node, tests, and apps that must not persist keys. Same lookup keys
 * as the SDK's store, the same stream binding and add-only rule as the IndexedDB stores;
 * `getKey` returns a copy, so a caller cannot change what is stored.
 */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly latest = new Map<string, string>();
  /** `<publisherId>::<keyId>` → the streams the key is bound to. */
  private readonly bindings = new Map<string, string[]>();
  private closed = false;

  async getKey(publisherId: string, keyId: string, streamId: string): Promise<Uint8Array | undefined> {
    this.checkOpen();
    checkId(keyId, 'keyId');
    checkId(streamId, 'streamId');
    const publisher = normalizeUserId(publisherId, 'publisherId');
    const lookup = keyLookup(publisher, keyId);
    const latest = this.latest.get(latestLookup(publisher, streamId));
    if (!isBound(this.bindings.get(lookup) ?? [], latest, keyId, streamId)) return undefined;
    return this.keys.get(lookup)?.slice();
  }

  async putKey(publisherId: string, keyId: string, key: Uint8Array, streamId: string, options: PutKeyOptions = {}): Promise<void> {
    this.checkOpen();
    checkId(keyId, 'keyId');
    checkKey(key);
    checkId(streamId, 'streamId');
    const lookup = keyLookup(normalizeUserId(publisherId, 'publisherId'), keyId);
    const replace = options.replace === true;
    const stored = this.keys.get(lookup);
    if (stored === undefined || replace) {
      stored?.fill(0);
      this.keys.set(lookup, key.slice());
      this.bindings.set(lookup, [streamId]); // a replaced key's old bindings named other bytes
      return;
    }
    if (!sameBytes(stored, key)) return; // add-only: keep the stored key, bind nothing
    const next = bind(this.bindings.get(lookup) ?? [], streamId);
    if (next !== undefined) this.bindings.set(lookup, next);
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
    this.bindings.clear();
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw keyStoreError('KEY_STORE_UNAVAILABLE', 'the key store is closed');
  }
}
