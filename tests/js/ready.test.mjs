// ready() under Node (docs/shim-api.md, "Loading the wasm"): the nodejs build is instantiated at
// import, so raw bindings work before ready(); ready() resolves, and every call shares one promise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupKey, ready } from 'streamr-e2ee';

test('Node: raw bindings work at import; ready() resolves to undefined, one shared promise', async () => {
  const key = GroupKey.generate();
  assert.equal(key.data.length, 32);
  key.free();
  const a = ready();
  assert.equal(ready(), a);
  assert.equal(await a, undefined);
});

test('Node: the SDK backend loads through require() (no top-level await on this path)', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const utils = require('streamr-e2ee/sdk-backend/ml-kem');
  const { publicKey, secretKey } = utils.ml_kem1024.keygen();
  assert.equal(publicKey.length, 1568);
  assert.equal(secretKey.length, 3168);
  await utils.ready?.();
});
