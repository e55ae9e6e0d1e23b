import type { SealingKey } from '#wasm';
import type { KeyStore, PutKeyOptions } from '../ports.js';
import { checkId, checkKey } from './args.js';
import { bind, isBound, readBinding } from './binding.js';
import { sameBytes } from '../bytes.js';
import { keyStoreError } from './errors.js';
import { add, defaultFactory, get, openDatabase, put, update } from './idb.js';
import { normalizeUserId } from './ids.js';
import { ENCRYPTION_KEYS, KEY_BINDINGS, LATEST_ENCRYPTION_KEY_IDS, keyLookup, latestLookup } from './schema.js';
import { type KdfRecord, type SealingSecret, SALT_LEN, deriveSealingKey, kdfFor, randomSalt } from './sealing.js';
import { ready } from '../ready.js';

export type { SealingSecret } from './sealing.js';
export { MIN_PBKDF2_ITERATIONS, unlockMessage } from './sealing.js';

/** `streamr-e2ee-sealed::<ownerId>`: not the SDK's database, on purpose (docs/key-store.md). */
export function sealedDatabaseName(ownerId: string): string {
  return `streamr-e2ee-sealed::${ownerId}`;
}

/**
 * Version 2 added the {@link KEY_BINDINGS} store (the stream binding of each key); opening a
 * version 1 store upgrades it in place. Keys stored under version 1 have no binding: only
 * each stream's latest key is released for that stream (docs/key-store.md).
 */
export const SEALED_DB_VERSION = 2;
/** Holds the salt, the KDF and a check value; nothing secret. */
export const META = 'Meta';
const META_KEY = 'sealing';
const CHECK_PLAINTEXT = new TextEncoder().encode('streamr-e2ee sealed key store v1');

interface MetaRecord {
  version: 1;
  kdf: KdfRecord;
  salt: Uint8Array;
  /** CHECK_PLAINTEXT sealed under the store's key: opens only with the right secret. */
  check: Uint8Array;
}

export interface SealedKeyStoreOptions {
  /** The identity whose keys these are (`0x` + hex; lower-cased). */
  ownerId: string;
  /** The passphrase or the wallet that unlocks the store. */
  secret: SealingSecret;
  /** Another IndexedDB implementation. Default: `globalThis.indexedDB`. */
  indexedDB?: IDBFactory;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * Group keys in IndexedDB, encrypted at rest with AES-256-GCM (RustCrypto `aes-gcm` in wasm)
 * under a key derived from a passphrase (PBKDF2-SHA-256, >= 600,000 iterations) or a wallet
 * signature (HKDF-SHA-256), with a random salt kept in the database. Same record layout as
 * the SDK's store, in its own database `streamr-e2ee-sealed::<ownerId>`: the SDK cannot read
 * these keys (by design), and never trips over them. Each key's stream binding is sealed
 * there too (`KeyBindings`), so someone who can write the database but not open it cannot
 * bind a key to another stream; `getKey` and `putKey` follow the `KeyStore` rules (bound to
 * the stream, add-only unless `replace`).
 *
 * `open` with a wrong passphrase or another wallet throws `KEY_STORE_LOCKED` and writes
 * nothing. A stored value that does not authenticate (tampered, moved to another entry)
 * throws `DECRYPT_ERROR`.
 */
export class SealedKeyStore implements KeyStore {
  readonly databaseName: string;
  private sealingKey: SealingKey | undefined;

  private constructor(databaseName: string, private db: IDBDatabase | undefined, sealingKey: SealingKey) {
    this.databaseName = databaseName;
    this.sealingKey = sealingKey;
  }

  /** Opens (or creates) the sealed store of `ownerId` and unlocks it with `secret`. */
  static async open(options: SealedKeyStoreOptions): Promise<SealedKeyStore> {
    await ready(); // sealing is the wasm core's (SealingKey)
    const ownerId = normalizeUserId(options?.ownerId, 'ownerId');
    const secret = options.secret;
    if (secret === null || typeof secret !== 'object' || (!('passphrase' in secret) && !('signer' in secret))) {
      throw keyStoreError('INVALID_ARGUMENT', 'secret must be { passphrase } or { signer }');
    }
    const name = sealedDatabaseName(ownerId);
    const db = await openDatabase(options.indexedDB ?? defaultFactory(), name, SEALED_DB_VERSION, [ENCRYPTION_KEYS, LATEST_ENCRYPTION_KEY_IDS, META, KEY_BINDINGS], { ours: true });
    try {
      return new SealedKeyStore(name, db, await unlock(db, ownerId, secret));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async getKey(publisherId: string, keyId: string, streamId: string): Promise<Uint8Array | undefined> {
    checkId(keyId, 'keyId');
    checkId(streamId, 'streamId');
    const publisher = normalizeUserId(publisherId, 'publisherId');
    const lookup = keyLookup(publisher, keyId);
    // The binding first (sealed too: a value moved from another entry does not open), so no
    // key is decrypted for a stream it is not bound to.
    const binding = this.openBinding(lookup, keyId, await get(this.open().db, KEY_BINDINGS, lookup));
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
    const { db, key: sealingKey } = this.open();
    const sealed = sealingKey.seal(key, utf8(`${ENCRYPTION_KEYS}::${lookup}`));
    let added = false;
    if (replace) await put(db, ENCRYPTION_KEYS, lookup, sealed);
    else {
      added = await add(db, ENCRYPTION_KEYS, lookup, sealed);
      if (!added) {
        const stored = await this.readKey(lookup, keyId);
        if (stored === undefined || !sameBytes(stored, key)) return; // another key under this id: keep it, bind nothing
      }
    }
    // As IndexedDbKeyStore: the key first, then its binding (to this stream alone if written now).
    const written = replace || added;
    await update(this.open().db, KEY_BINDINGS, lookup, (value) => {
      const next = written ? [streamId] : bind(this.openBinding(lookup, keyId, value), streamId);
      return next === undefined ? undefined : this.open().key.seal(utf8(JSON.stringify(next)), utf8(`${KEY_BINDINGS}::${lookup}`));
    });
  }

  async getLatestKeyId(publisherId: string, streamId: string): Promise<string | undefined> {
    checkId(streamId, 'streamId');
    const lookup = latestLookup(normalizeUserId(publisherId, 'publisherId'), streamId);
    const bytes = await this.read(LATEST_ENCRYPTION_KEY_IDS, lookup, `the latest key id for ${streamId}`);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  async setLatestKeyId(publisherId: string, streamId: string, keyId: string): Promise<void> {
    checkId(streamId, 'streamId');
    checkId(keyId, 'keyId');
    await this.write(LATEST_ENCRYPTION_KEY_IDS, latestLookup(normalizeUserId(publisherId, 'publisherId'), streamId), utf8(keyId));
  }

  /** Closes the database and wipes the sealing key; the store must be opened again to use. */
  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.sealingKey?.free();
    this.sealingKey = undefined;
  }

  private async readKey(lookup: string, keyId: string): Promise<Uint8Array | undefined> {
    const key = await this.read(ENCRYPTION_KEYS, lookup, `the stored key ${keyId}`);
    if (key !== undefined && key.length !== 32) throw keyStoreError('INVALID_KEY', `the stored key ${keyId} is not 32 bytes`);
    return key;
  }

  /** A sealed binding record (JSON array of stream ids) opened and checked; none is `[]`. */
  private openBinding(lookup: string, keyId: string, value: unknown): readonly string[] {
    if (value === undefined) return [];
    const bytes = this.unseal(KEY_BINDINGS, lookup, value, `the stream binding of ${keyId}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      parsed = null;
    }
    return readBinding(parsed, keyId);
  }

  private open(): { db: IDBDatabase; key: SealingKey } {
    if (this.db === undefined || this.sealingKey === undefined) throw keyStoreError('KEY_STORE_UNAVAILABLE', 'the key store is closed');
    return { db: this.db, key: this.sealingKey };
  }

  /** The AAD binds a value to its store and lookup key: swapping entries does not authenticate. */
  private async read(store: string, lookup: string, what: string): Promise<Uint8Array | undefined> {
    const value = await get(this.open().db, store, lookup);
    if (value === undefined) return undefined;
    return this.unseal(store, lookup, value, what);
  }

  private unseal(store: string, lookup: string, value: unknown, what: string): Uint8Array {
    if (!(value instanceof Uint8Array)) throw keyStoreError('DECRYPT_ERROR', `${what} is not a sealed value`);
    const { key } = this.open(); // closed meanwhile: KEY_STORE_UNAVAILABLE, not a decryption error
    try {
      return key.open(value, utf8(`${store}::${lookup}`));
    } catch (err) {
      throw keyStoreError('DECRYPT_ERROR', `${what} does not authenticate`, err);
    }
  }

  private async write(store: string, lookup: string, plaintext: Uint8Array): Promise<void> {
    const { db, key } = this.open();
    await put(db, store, lookup, key.seal(plaintext, utf8(`${store}::${lookup}`)));
  }
}

function isMeta(v: unknown): v is MetaRecord {
  const m = v as MetaRecord;
  return typeof m === 'object' && m !== null && m.version === 1 && typeof m.kdf?.kdf === 'string'
    && m.salt instanceof Uint8Array && m.salt.length >= SALT_LEN && m.check instanceof Uint8Array;
}

/**
 * Derives the key. A new store gets a random salt and a check value (added only if no other
 * tab got there first); an existing one must open its check value, else KEY_STORE_LOCKED
 * and nothing is written.
 */
async function unlock(db: IDBDatabase, ownerId: string, secret: SealingSecret): Promise<SealingKey> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const meta = await get(db, META, META_KEY);
    if (meta !== undefined) {
      if (!isMeta(meta)) throw keyStoreError('KEY_STORE_LOCKED', 'the sealed store\'s metadata is not readable');
      const key = await deriveSealingKey(ownerId, secret, meta.kdf, meta.salt);
      try {
        key.open(meta.check, utf8(`${META}::${META_KEY}`)).fill(0);
      } catch {
        key.free();
        throw keyStoreError('KEY_STORE_LOCKED', 'wrong passphrase or wallet for this key store');
      }
      return key;
    }
    const kdf = kdfFor(secret);
    const salt = randomSalt();
    const key = await deriveSealingKey(ownerId, secret, kdf, salt);
    const record: MetaRecord = { version: 1, kdf, salt, check: key.seal(CHECK_PLAINTEXT, utf8(`${META}::${META_KEY}`)) };
    if (await add(db, META, META_KEY, record)) return key;
    key.free(); // another tab created the store meanwhile: unlock against its record
  }
  throw keyStoreError('KEY_STORE_UNAVAILABLE', 'the sealed store\'s metadata keeps changing');
}
