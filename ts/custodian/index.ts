/**
 * `streamr-e2ee/custodian`: the key custodian (docs/custodian.md). Node only (its store is a
 * file), hence its own entry. The wasm parts (`Custodian`, `sealCustodianIdentity`,
 * `custodianIdOf`) are in the main entry.
 */
export { createCustodian } from './custodian.js';
export type { CreateCustodianArgs, CustodianEvents, CustodianHandle, CustodianOptions } from './custodian.js';
export { FileCustodianStore, custodianSecretFromHex } from './file-store.js';
export type { FileCustodianStoreOptions } from './file-store.js';
