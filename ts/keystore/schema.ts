/**
 * The SDK's key-store schema (`@streamr/sdk` 103.3.2, browser build; see docs/key-store.md):
 * one IndexedDB database per identity, version 1, two object stores with out-of-line keys.
 * Values are strings: the key as lower-case hex without `0x`, and the latest key id.
 */

/** `streamr-sdk::<ownerId>`; ownerId is the identity's user id (`0x` + lower-case hex). */
export function sdkDatabaseName(ownerId: string): string {
  return `streamr-sdk::${ownerId}`;
}

/** The SDK opens its database at version 1 and never upgrades it; a higher version locks it out. */
export const SDK_DB_VERSION = 1;

/** The SDK's `NAMESPACES`, in the order its `upgrade` creates them. */
export const ENCRYPTION_KEYS = 'EncryptionKeys';
export const LATEST_ENCRYPTION_KEY_IDS = 'LatestEncryptionKeyIds';

/** The SDK's `formLookupKey1`. */
export function keyLookup(publisherId: string, keyId: string): string {
  return `${publisherId}::${keyId}`;
}

/** The SDK's `formLookupKey2`. */
export function latestLookup(publisherId: string, streamId: string): string {
  return `${publisherId}::${streamId}`;
}

/**
 * Ours, beside the SDK's database (never in it: a new object store there needs version 2, and
 * the SDK's `openDB(name, 1)` would then fail): `streamr-e2ee-bindings::<ownerId>`, version 1,
 * one object store {@link KEY_BINDINGS}.
 */
export function bindingsDatabaseName(ownerId: string): string {
  return `streamr-e2ee-bindings::${ownerId}`;
}

export const BINDINGS_DB_VERSION = 1;

/**
 * The streams each key is bound to: under the key's own lookup key (`<publisherId>::<keyId>`,
 * {@link keyLookup}), the array of stream ids it was stored for (usually one).
 */
export const KEY_BINDINGS = 'KeyBindings';
