// The config objects (src/wasm/config.rs): unknown fields throw, and every error is
// INVALID_ARGUMENT naming the field at fault; omitted and null fields take the defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EvmSigner, MlKemKeyPair, Publisher, Subscriber } from 'streamr-e2ee';

const STREAM = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/config';
const throwsWith = (fn, pattern) => assert.throws(fn, (e) => {
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.match(e.message, pattern);
  return true;
});

test('publisher config: unknown fields, wrong types and ranges name the field', () => {
  const signer = EvmSigner.generate();
  const pub = (config) => new Publisher(config, signer);
  throwsWith(() => pub({ streamId: STREAM, bogus: 1 }), /publisher config has an unknown field "bogus"; known: streamId, /);
  throwsWith(() => pub([]), /publisher config must be an object/);
  throwsWith(() => pub({}), /streamId is missing/);
  throwsWith(() => pub({ streamId: STREAM, partition: 1.5 }), /partition must be an integer from 0 to 4294967295, got 1\.5/);
  throwsWith(() => pub({ streamId: STREAM, maxKeyRequestAgeMs: -1 }), /maxKeyRequestAgeMs must be an integer from 0 to 9007199254740991, got -1/);
  throwsWith(() => pub({ streamId: STREAM, encrypt: 1 }), /encrypt must be a boolean/);
  throwsWith(() => pub({ streamId: STREAM, msgChainId: 7 }), /msgChainId must be a string/);
  throwsWith(() => pub({ streamId: STREAM, permissionSource: 'x' }), /permissionSource must be 'host' or 'registry', got "x"/);
  throwsWith(() => pub({ streamId: STREAM, custodians: 5 }), /custodians must be an array/);
  throwsWith(() => pub({ streamId: STREAM, custodians: [{ publicKey: [1, 2] }] }), /publicKey must be a Uint8Array/);
  const ok = pub({ streamId: STREAM, partition: 2, msgChainId: 'abcdefghij0123456789', permissionSource: 'registry', registryCacheTtlMs: 5, strictFormats: null });
  assert.equal(ok.msgChainId, 'abcdefghij0123456789');
  assert.match(pub({ streamId: STREAM, msgChainId: null }).msgChainId, /^[A-Za-z0-9]{20}$/);
});

test('subscriber config: the same rules', () => {
  const signer = EvmSigner.generate();
  const kx = MlKemKeyPair.generate();
  const sub = (config) => new Subscriber(config, signer, kx, 0);
  throwsWith(() => sub({ streamId: STREAM, keyRequestTimeoutMs: 1 }), /subscriber config has an unknown field "keyRequestTimeoutMs"/);
  throwsWith(() => sub({ streamId: STREAM, maxChains: 2 ** 32 }), /maxChains must be an integer from 0 to 4294967295, got 4294967296/);
  throwsWith(() => sub({ streamId: STREAM, gapTimeoutMs: 2 ** 53 }), /gapTimeoutMs must be an integer from 0 to 9007199254740991, got 9007199254740992/);
  throwsWith(() => sub({ streamId: STREAM, requireEncryption: 'yes' }), /requireEncryption must be a boolean/);
  assert.equal(sub({ streamId: STREAM, keyRequestTimeout: 1000, acceptCustodianResponses: true }).heldMessages, 0);
});
