import type { KeyStore } from '../ports.js';
import { checkId, checkKey } from './args.js';
import { keyStoreError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { defaultFactory, get, openDatabase, put } from './idb.js';
import { normalizeUserId } from './ids.js';
import {
  ENCRYPTION_KEYS,
  LATEST_ENCRYPTION_KEY_IDS,
  SDK_DB_VERSION,
  keyLookup,
  latestLookup,
  sdkDatabaseName,
} from './schema.js';

export interface IndexedDbKeyStoreOptions {
  /** The identity whose keys these are: the user id of the signer (`0x` + hex; lower-cased). */
  ownerId: string;
  /** Another IndexedDB implementation (tests, fake-indexeddb in Node). Default: `globalThis.indexedDB`. */
  indexedDB?: IDBFactory;
}

/**
 * Group keys in IndexedDB, in the database `@streamr/sdk` uses in the browser
 * (`streamr-sdk::<ownerId>`, version 1; docs/key-store.md): keys written by the SDK in the
 * same origin are found here, and keys stored here are found by the SDK. Values are stored
 * as the SDK stores them, in the clear; see `SealedKeyStore` for encryption at rest.
 *
 * The database opens on first use; `IndexedDbKeyStore.open` opens it at once, so a failure
 * shows at start-up. Failures throw `StreamrE2eeError` with code `KEY_STORE_UNAVAILABLE`;
 * a stored value that is not a 32-byte hex key throws `INVALID_KEY`.
 */
export class IndexedDbKeyStore implements KeyStore {
  /** The database name, `streamr-sdk::<ownerId>`. */
  readonly databaseName: string;
  private readonly factory: IDBFactory | undefined;
  private db: Promise<IDBDatabase> | undefined;
  private closed = false;

  constructor(options: IndexedDbKeyStoreOptions) {
    this.databaseName = sdkDatabaseName(normalizeUserId(options?.ownerId, 'ownerId'));
    this.factory = options.indexedDB;
  }

  /** A store with its database open (or the error why it cannot be). */
  static async open(options: IndexedDbKeyStoreOptions): Promise<IndexedDbKeyStore> {
    const store = new IndexedDbKeyStore(options);
    await store.database();
    return store;
  }

  async getKey(publisherId: string, keyId: string): Promise<Uint8Array | undefined> {
    checkId(keyId, 'keyId');
    const lookup = keyLookup(normalizeUserId(publisherId, 'publisherId'), keyId);
    const value = await get(await this.database(), ENCRYPTION_KEYS, lookup);
    if (value === undefined) return undefined;
    const key = fromHex(value, `the stored key ${keyId}`);
    if (key.length !== 32) throw keyStoreError('INVALID_KEY', `the stored key ${keyId} is not 32 bytes`);
    return key;
  }

  async putKey(publisherId: string, keyId: string, key: Uint8Array): Promise<void> {
    checkId(keyId, 'keyId');
    checkKey(key);
    const lookup = keyLookup(normalizeUserId(publisherId, 'publisherId'), keyId);
    await put(await this.database(), ENCRYPTION_KEYS, lookup, toHex(key));
  }

  async getLatestKeyId(publisherId: string, streamId: string): Promise<string | undefined> {
    checkId(streamId, 'streamId');
    const lookup = latestLookup(normalizeUserId(publisherId, 'publisherId'), streamId);
    const value = await get(await this.database(), LATEST_ENCRYPTION_KEY_IDS, lookup);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0) {
      throw keyStoreError('INVALID_KEY', `the latest key id stored for ${streamId} is not a string`);
    }
    return value;
  }

  async setLatestKeyId(publisherId: string, streamId: string, keyId: string): Promise<void> {
    checkId(streamId, 'streamId');
    checkId(keyId, 'keyId');
    const lookup = latestLookup(normalizeUserId(publisherId, 'publisherId'), streamId);
    await put(await this.database(), LATEST_ENCRYPTION_KEY_IDS, lookup, keyId);
  }

  /** Closes the connection; the data stays. Later calls throw `KEY_STORE_UNAVAILABLE`. */
  async close(): Promise<void> {
    this.closed = true;
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) (await db.catch(() => undefined))?.close();
  }

  private database(): Promise<IDBDatabase> {
    if (this.closed) return Promise.reject(keyStoreError('KEY_STORE_UNAVAILABLE', 'the key store is closed'));
    if (this.db === undefined) {
      const opening = (async () =>
        openDatabase(this.factory ?? defaultFactory(), this.databaseName, SDK_DB_VERSION, [ENCRYPTION_KEYS, LATEST_ENCRYPTION_KEY_IDS]))();
      // A failed open is retried on the next call (the user may free quota, close a tab).
      opening.catch(() => {
        if (this.db === opening) this.db = undefined;
      });
      this.db = opening;
    }
    return this.db;
  }
}
