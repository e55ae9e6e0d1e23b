/**
 * The few IndexedDB calls the stores need, as promises. Written out rather than taking the
 * `idb` package (the SDK's wrapper): four calls do not justify a runtime dependency, and
 * mirroring idb's behaviour here keeps what hits the database visible (writes resolve when
 * the transaction commits, as idb's `db.put` awaits `tx.done`).
 */
import { isKeyStoreError, keyStoreError } from './errors.js';

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * Settles when `tx` commits or aborts. Request errors are not failures by themselves (one
 * handled with preventDefault lets the transaction commit); an unhandled one aborts it.
 */
function done(tx: IDBTransaction): Promise<void> {
  const p = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
  p.catch(() => {}); // also reported through the request that failed; never unhandled
  return p;
}

export function defaultFactory(): IDBFactory {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) throw keyStoreError('KEY_STORE_UNAVAILABLE', 'IndexedDB is not available here');
  return factory;
}

/**
 * Opens `name` at `version`; a new database gets `stores` (out-of-line keys, as the SDK's
 * `db.createObjectStore(namespace)`). An existing one must already have them: upgrading a
 * database the SDK owns would lock the SDK out, so a missing store is an error. Only for a
 * database of this package (`ours`) does an upgrade from an older version add the stores it
 * lacks.
 */
export async function openDatabase(
  factory: IDBFactory,
  name: string,
  version: number,
  stores: readonly string[],
  { ours = false }: { ours?: boolean } = {},
): Promise<IDBDatabase> {
  let db: IDBDatabase;
  try {
    db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(name, version);
      req.onupgradeneeded = (event) => {
        if (event.oldVersion !== 0 && !ours) return; // never reshape a database someone else made
        for (const store of stores) {
          if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new DOMException('another tab holds an older version open', 'BlockedError'));
    });
  } catch (err) {
    throw keyStoreError('KEY_STORE_UNAVAILABLE', `cannot open IndexedDB database ${name}: ${(err as Error)?.name ?? 'error'}`, err);
  }
  const missing = stores.filter((s) => !db.objectStoreNames.contains(s));
  if (missing.length > 0) {
    db.close();
    throw keyStoreError('KEY_STORE_UNAVAILABLE', `IndexedDB database ${name} lacks the object store(s) ${missing.join(', ')}`);
  }
  // Someone upgrading the database (a newer SDK) must not wait on us: let go.
  db.onversionchange = () => db.close();
  return db;
}

export async function get(db: IDBDatabase, store: string, key: IDBValidKey): Promise<unknown> {
  return wrap(store, () => request(db.transaction(store, 'readonly').objectStore(store).get(key)));
}

export async function put(db: IDBDatabase, store: string, key: IDBValidKey, value: unknown): Promise<void> {
  await wrap(store, async () => {
    const tx = db.transaction(store, 'readwrite');
    const committed = done(tx);
    tx.objectStore(store).put(value, key);
    await committed;
  });
}

/** Adds `value` under `key` unless the key exists; true if it was added. */
export async function add(db: IDBDatabase, store: string, key: IDBValidKey, value: unknown): Promise<boolean> {
  return wrap(store, async () => {
    const tx = db.transaction(store, 'readwrite');
    const committed = done(tx);
    const req = tx.objectStore(store).add(value, key);
    const added = new Promise<boolean>((resolve, reject) => {
      req.onsuccess = () => resolve(true);
      req.onerror = (event) => {
        if (req.error?.name !== 'ConstraintError') return reject(req.error);
        event.preventDefault(); // the key exists: an answer, not a failure; the transaction commits
        resolve(false);
      };
    });
    const result = await added;
    await committed;
    return result;
  });
}

/**
 * Reads the value under `key` and writes `change(value)` in one readwrite transaction, so two
 * tabs updating the same record do not lose each other's change; `undefined` writes nothing.
 * `change` runs inside the transaction: it must be synchronous.
 */
export async function update(db: IDBDatabase, store: string, key: IDBValidKey, change: (value: unknown) => unknown): Promise<void> {
  await wrap(store, async () => {
    const tx = db.transaction(store, 'readwrite');
    const committed = done(tx);
    const os = tx.objectStore(store);
    const read = os.get(key);
    const changed = new Promise<void>((resolve, reject) => {
      read.onsuccess = () => {
        try {
          const next = change(read.result);
          if (next !== undefined) os.put(next, key);
          resolve();
        } catch (err) {
          tx.abort();
          reject(err);
        }
      };
      read.onerror = () => reject(read.error);
    });
    await changed;
    await committed;
  });
}

async function wrap<T>(store: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isKeyStoreError(err)) throw err; // already typed (a corrupt or unauthentic value)
    // Names the failure (QuotaExceededError, InvalidStateError after close, …), never the value.
    throw keyStoreError('KEY_STORE_UNAVAILABLE', `IndexedDB ${store}: ${(err as Error)?.name ?? 'error'}`, err);
  }
}
