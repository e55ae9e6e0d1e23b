/**
 * Key stores for group keys (the `KeyStore` port): in memory, and in IndexedDB with the
 * schema of `@streamr/sdk` (docs/key-store.md).
 */
export { MemoryKeyStore } from './memory.js';
export { IndexedDbKeyStore, type IndexedDbKeyStoreOptions } from './indexeddb.js';
export { isKeyStoreError, type KeyStoreError, type KeyStoreErrorCode } from './errors.js';
export {
  sdkDatabaseName,
  SDK_DB_VERSION,
  ENCRYPTION_KEYS,
  LATEST_ENCRYPTION_KEY_IDS,
  bindingsDatabaseName,
  BINDINGS_DB_VERSION,
  KEY_BINDINGS,
} from './schema.js';
export {
  SealedKeyStore,
  type SealedKeyStoreOptions,
  type SealingSecret,
  MIN_PBKDF2_ITERATIONS,
  unlockMessage,
  sealedDatabaseName,
} from './sealed.js';
