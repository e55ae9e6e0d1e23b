/**
 * `streamr-e2ee/custodian`: the key custodian (docs/custodian.md). Node only (its store is a
 * file), hence its own entry, with the raw wasm `Custodian` class (only the Node wasm module has
 * it; issue #16). What a publisher needs (`sealCustodianIdentity`, `custodianIdOf`, the
 * `custodians` option) is in the main entry.
 */
export { Custodian } from '#wasm-node';
export type { CustodianConfig } from '#wasm-node';
export { createCustodian } from './custodian.js';
export type { CreateCustodianArgs, CustodianEvents, CustodianHandle, CustodianOptions } from './custodian.js';
export { FileCustodianStore, custodianSecretFromHex } from './file-store.js';
export type { FileCustodianStoreOptions } from './file-store.js';
