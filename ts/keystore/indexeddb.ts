import type { KeyStore, PutKeyOptions } from '../ports.js';
import { checkId, checkKey } from './args.js';
import { bind, isBound, readBinding } from './binding.js';
import { sameBytes } from '../bytes.js';
import { keyStoreError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { add, defaultFactory, get, openDatabase, put, update } from './idb.js';
import { normalizeUserId } from './ids.js';
import {
  BINDINGS_DB_VERSION,
  ENCRYPTION_KEYS,
  KEY_BINDINGS,
  LATEST_ENCRYPTION_KEY_IDS,
  SDK_DB_VERSION,
  bindingsDatabaseName,
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
 * Each key's stream binding lives beside the SDK's database, in our own
 * `streamr-e2ee-bindings::<ownerId>` (the SDK's schema and version stay untouched). `getKey`
 * releases a key only for a stream it is bound to, or for the stream whose latest key it is
 * (keys the SDK wrote have no binding). `putKey` never overwrites a stored key unless asked to.
 *
 * The databases open on first use; `IndexedDbKeyStore.open` opens them at once, so a failure
 * shows at start-up. Failures throw `StreamrE2eeError` with code `KEY_STORE_UNAVAILABLE`;
 * a stored value that is not a 32-byte hex key (or a binding that is not a list of stream
 * ids) throws `INVALID_KEY`.
 */
export class IndexedDbKeyStore implements KeyStore {
  /** The SDK's database name, `streamr-sdk::<ownerId>`. */
  readonly databaseName: string;
  /** Ours, beside it: `streamr-e2ee-bindings::<ownerId>`. */
  readonly bindingsDatabaseName: string;
  private readonly factory: IDBFactory | undefined;
  private db: Promise<IDBDatabase> | undefined;
  private bindingsDb: Promise<IDBDatabase> | undefined;
  private closed = false;

  constructor(options: IndexedDbKeyStoreOptions) {
    const ownerId = normalizeUserId(options?.ownerId, 'ownerId');
    this.databaseName = sdkDatabaseName(ownerId);
    this.bindingsDatabaseName = bindingsDatabaseName(ownerId);
    this.factory = options.indexedDB;
  }

  /** A store with its databases open (or the error why they cannot be). */
  static async open(options: IndexedDbKeyStoreOptions): Promise<IndexedDbKeyStore> {
    const store = new IndexedDbKeyStore(options);
    await Promise.all([store.database(), store.bindings()]);
    return store;
  }

  async getKey(publisherId: string, keyId: string, streamId: string): Promise<Uint8Array | undefined> {
    checkId(keyId, 'keyId');
    checkId(streamId, 'streamId');
    const publisher = normalizeUserId(publisherId, 'publisherId');
    const lookup = keyLookup(publisher, keyId);
    // The binding first: no key bytes are read for a stream the key is not bound to.
    const binding = readBinding(await get(await this.bindings(), KEY_BINDINGS, lookup), keyId);
    const latest = binding.includes(streamId) ? undefined : await this.getLatestKeyId(publisher, streamId);
    if (!isBound(binding, latest, keyId, streamId)) return undefined;
    return this.readKey(lookup, keyId);
  }

  async putKey(publisherId: string, keyId: string, key: Uint8Array, streamId: string, options: PutKeyOptions = {}): Promise<void> {
    checkId(keyId, 'keyId');
    checkKey(key);
    checkId(streamId, 'streamId');
    const lookup = keyLookup(normalizeUserId(publisherId, 'publisherId'), keyId);
    const replace = options.replace === true;
    const db = await this.database();
    const bindings = await this.bindings();
    let added = false;
    if (replace) await put(db, ENCRYPTION_KEYS, lookup, toHex(key));
    else {
      // Add-only (IndexedDB `add`): a key stored meanwhile, by another tab or the SDK, is kept.
      added = await add(db, ENCRYPTION_KEYS, lookup, toHex(key));
      if (!added) {
        const stored = await this.readKey(lookup, keyId);
        if (stored === undefined || !sameBytes(stored, key)) return; // another key under this id: keep it, bind nothing
      }
    }
    // The key is written before its binding: a failure in between leaves it unbound (never
    // released), not bound to bytes that were not stored. A key written now is bound to this
    // stream alone (a replaced key's old bindings, or one left from a key since deleted, named
    // other bytes); the same key stored again for another stream is bound to that one too.
    const written = replace || added;
    await update(bindings, KEY_BINDINGS, lookup, (value) => (written ? [streamId] : bind(readBinding(value, keyId), streamId)));
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

  /** Closes the connections; the data stays. Later calls throw `KEY_STORE_UNAVAILABLE`. */
  async close(): Promise<void> {
    this.closed = true;
    const dbs = [this.db, this.bindingsDb];
    this.db = undefined;
    this.bindingsDb = undefined;
    for (const db of dbs) if (db !== undefined) (await db.catch(() => undefined))?.close();
  }

  private async readKey(lookup: string, keyId: string): Promise<Uint8Array | undefined> {
    const value = await get(await this.database(), ENCRYPTION_KEYS, lookup);
    if (value === undefined) return undefined;
    const key = fromHex(value, `the stored key ${keyId}`);
    if (key.length !== 32) throw keyStoreError('INVALID_KEY', `the stored key ${keyId} is not 32 bytes`);
    return key;
  }

  /** The SDK's database: opened at its version 1 and never reshaped. */
  private database(): Promise<IDBDatabase> {
    if (this.closed) return closedError();
    if (this.db === undefined) {
      const factory = this.factory;
      const opening = (async () => openDatabase(factory ?? defaultFactory(), this.databaseName, SDK_DB_VERSION, [ENCRYPTION_KEYS, LATEST_ENCRYPTION_KEY_IDS]))();
      // A failed open is retried on the next call (the user may free quota, close a tab).
      opening.catch(() => {
        if (this.db === opening) this.db = undefined;
      });
      this.db = opening;
    }
    return this.db;
  }

  /** Ours, beside it: created (or upgraded) freely, as no one else opens it. */
  private bindings(): Promise<IDBDatabase> {
    if (this.closed) return closedError();
    if (this.bindingsDb === undefined) {
      const factory = this.factory;
      const opening = (async () =>
        openDatabase(factory ?? defaultFactory(), this.bindingsDatabaseName, BINDINGS_DB_VERSION, [KEY_BINDINGS], { ours: true }))();
      opening.catch(() => {
        if (this.bindingsDb === opening) this.bindingsDb = undefined;
      });
      this.bindingsDb = opening;
    }
    return this.bindingsDb;
  }
}

function closedError(): Promise<never> {
  return Promise.reject(keyStoreError('KEY_STORE_UNAVAILABLE', 'the key store is closed'));
}
