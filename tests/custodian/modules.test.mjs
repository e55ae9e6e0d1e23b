// Issue #16: the Custodian class is in the Node wasm module only (the core's feature
// `custodian`), so browsers do not download it; what a publisher needs of custodians
// (custodianIdOf, sealCustodianIdentity, the `custodians` option) is in both modules.
// Reads the built package (scripts/build-pkg.sh): the .wasm exports, the .d.ts, package.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MlKemKeyPair, createPublisher, custodianIdOf, sealCustodianIdentity } from 'streamr-e2ee';
import * as custodianEntry from 'streamr-e2ee/custodian';
import { repo } from '../js/shim/harness.mjs';

const pkg = `${repo}pkg/`;
const wasmExports = (dir) =>
  new Set(WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(`${pkg}${dir}/streamr_e2ee_bg.wasm`))).map((e) => e.name));
const dts = (dir) => readFileSync(`${pkg}${dir}/streamr_e2ee.d.ts`, 'utf8');

test('the browser module has no Custodian class; the Node module has it', () => {
  const web = wasmExports('web');
  const node = wasmExports('node');
  // wasm-bindgen exports a class's constructor and destructor under these names.
  for (const name of ['custodian_new', '__wbg_custodian_free', 'custodian_addIdentity', 'custodian_tick', 'custodian_pollOutputs']) {
    assert.ok(node.has(name), `node module exports ${name}`);
    assert.ok(!web.has(name), `web module does not export ${name}`);
  }
  assert.doesNotMatch(dts('web'), /export class Custodian\b/);
  assert.doesNotMatch(dts('web'), /interface CustodianConfig\b/);
  assert.match(dts('node'), /export class Custodian\b/);
});

test('both modules name custodians and seal identities for them (the publisher side)', () => {
  for (const dir of ['web', 'node']) {
    const exports = wasmExports(dir);
    for (const name of ['custodianIdOf', 'sealCustodianIdentity', 'publisher_flushHandOff']) {
      assert.ok(exports.has(name), `${dir} module exports ${name}`);
    }
    assert.match(dts(dir), /custodians\?: CustodianKey\[\]/);
  }
});

test('#wasm-node resolves under Node only (elsewhere to types, for tsc)', () => {
  const { imports } = JSON.parse(readFileSync(`${pkg}package.json`, 'utf8'));
  assert.deepEqual(Object.keys(imports['#wasm-node']), ['node', 'types']);
  assert.equal(imports['#wasm-node'].node.default, imports['#wasm'].node.default);
  assert.equal(typeof imports['#wasm-node'].types, 'string');
});

test('streamr-e2ee/custodian exports a working Custodian over the same module instance', () => {
  const { Custodian } = custodianEntry;
  assert.equal(typeof Custodian, 'function');
  const pair = MlKemKeyPair.generate();
  // A key pair from the main entry opens in the custodian entry's class: one wasm instance.
  const custodian = new Custodian({ streamId: '0x0000000000000000000000000000000000000001/s' }, pair.expandedSecretKey());
  try {
    assert.equal(custodian.userId, custodianIdOf(pair.publicKey));
    const session = new Uint8Array(32).fill(7);
    assert.match(custodian.addIdentity(sealCustodianIdentity(session, pair.publicKey)), /^0x[0-9a-f]{40}$/);
    assert.equal(custodian.identities.length, 1);
  } finally {
    custodian.free();
    pair.free();
  }
  assert.equal(typeof createPublisher, 'function');
});
