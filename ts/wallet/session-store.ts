/**
 * Where a `SessionSigner` keeps its key between page loads, one key per slot (chain, registry,
 * wallet account, stream). In browsers: IndexedDB, the key sealed with AES-256-GCM under a
 * non-extractable WebCrypto key kept next to it (docs/wallet.md says why this and not the
 * sealed key store). Elsewhere (Node, tests): in memory, for the life of the process.
 */
import { createError } from '../errors.js';
import { defaultFactory, get, openDatabase, put } from '../keystore/idb.js';

/** Keeps session private keys by slot. Implementations never log a key. */
export interface SessionKeyStore {
  /** A copy of the 32-byte key stored for `slot` (the caller zeroes it), or `undefined`. */
  load(slot: string): Promise<Uint8Array | undefined>;
  /** Stores `privateKey` for `slot`, replacing what was there. The caller zeroes its copy. */
  save(slot: string, privateKey: Uint8Array): Promise<void>;
  /** Forgets (and wipes, where it can) the key of `slot`. */
  remove(slot: string): Promise<void>;
}

/** The slot of a session: the chain, the registry, the wallet account and the stream. */
export function sessionSlot(chainId: bigint, registry: string, account: string, streamId: string): string {
  return `${chainId}/${registry.toLowerCase()}/${account.toLowerCase()}/${streamId}`;
}

/**
 * In memory: the key bytes live in this object (zeroed on `remove`) until the process ends.
 * For Node and tests; a reload of a page loses them.
 */
export class MemorySessionKeyStore implements SessionKeyStore {
  private readonly keys = new Map<string, Uint8Array>();

  async load(slot: string): Promise<Uint8Array | undefined> {
    const k = this.keys.get(slot);
    return k === undefined ? undefined : k.slice();
  }

  async save(slot: string, privateKey: Uint8Array): Promise<void> {
    await this.remove(slot);
    this.keys.set(slot, privateKey.slice());
  }

  async remove(slot: string): Promise<void> {
    this.keys.get(slot)?.fill(0);
    this.keys.delete(slot);
  }
}

/** The database of {@link IndexedDbSessionKeyStore}; not the SDK's nor the key store's. */
export const SESSION_DB_NAME = 'streamr-e2ee-sessions';
export const SESSION_DB_VERSION = 1;
export const SESSION_KEYS = 'SessionKeys';

interface SealedRecord {
  v: 1;
  /** AES-256-GCM, non-extractable: scripts can use it here but never read it out. */
  wrappingKey: CryptoKey;
  iv: Uint8Array;
  sealed: Uint8Array;
}

const aad = (slot: string) => new TextEncoder().encode(`streamr-e2ee session key v1\n${slot}`);

function isRecord(v: unknown): v is SealedRecord {
  const r = v as Partial<SealedRecord> | null;
  return r !== null && typeof r === 'object' && r.v === 1 && r.iv instanceof Uint8Array && r.sealed instanceof Uint8Array &&
    typeof r.wrappingKey === 'object' && r.wrappingKey !== null;
}

/**
 * In IndexedDB (`streamr-e2ee-sessions`): each key sealed with AES-256-GCM under its own
 * non-extractable WebCrypto key, stored in the same record (a `CryptoKey` survives structured
 * cloning without becoming readable), bound to its slot as associated data. No prompt, on
 * creation or after a reload. `remove` deletes the record, wrapping key included. A record
 * that does not open (tampered, or moved to another slot) is discarded: a new session is
 * authorised instead.
 */
export class IndexedDbSessionKeyStore implements SessionKeyStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(private readonly options: { indexedDB?: IDBFactory; databaseName?: string } = {}) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= Promise.resolve().then(() =>
      openDatabase(this.options.indexedDB ?? defaultFactory(), this.options.databaseName ?? SESSION_DB_NAME, SESSION_DB_VERSION, [SESSION_KEYS], { ours: true }),
    );
    this.db.catch(() => (this.db = undefined)); // a failed open may work next time
    return this.db;
  }

  async load(slot: string): Promise<Uint8Array | undefined> {
    const db = await this.open();
    const record = await get(db, SESSION_KEYS, slot);
    if (record === undefined) return undefined;
    try {
      if (!isRecord(record)) throw new Error('not a session key record');
      const plain = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: record.iv as BufferSource, additionalData: aad(slot) }, record.wrappingKey, record.sealed as BufferSource));
      if (plain.length === 32) return plain;
      plain.fill(0);
      throw new Error('not a 32-byte key');
    } catch {
      await this.remove(slot);
      return undefined;
    }
  }

  async save(slot: string, privateKey: Uint8Array): Promise<void> {
    const s = subtle();
    const wrappingKey = await s.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad(slot) }, wrappingKey, privateKey as BufferSource));
    const record: SealedRecord = { v: 1, wrappingKey, iv, sealed };
    await put(await this.open(), SESSION_KEYS, slot, record);
  }

  async remove(slot: string): Promise<void> {
    const db = await this.open();
    try {
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(SESSION_KEYS, 'readwrite');
        tx.objectStore(SESSION_KEYS).delete(slot);
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
      });
    } catch (e) {
      throw createError('KEY_STORE_UNAVAILABLE', `IndexedDB ${SESSION_KEYS}: ${(e as Error)?.name ?? 'error'}`, e);
    }
  }

  /** Closes the database (a later call opens it again). */
  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    (await db?.catch(() => undefined))?.close();
  }
}

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (s === undefined) throw createError('KEY_STORE_UNAVAILABLE', 'WebCrypto is not available (a secure context is needed)');
  return s;
}

let defaultStore: SessionKeyStore | undefined;

/** IndexedDB where there is one (browsers), else in memory (Node); one store per page or process. */
export function defaultSessionKeyStore(): SessionKeyStore {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB !== undefined;
  return (defaultStore ??= idb ? new IndexedDbSessionKeyStore() : new MemorySessionKeyStore());
}
