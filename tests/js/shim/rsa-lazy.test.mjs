// Issue #16 (RSA part), Node: the main wasm module has no RSA, and nothing RSA is loaded until
// an RSA exchange happens. Real parts: the package as built (pkg/), the WebSocket relay, anvil
// with StreamRegistryV5. Its own file, so the process starts with nothing RSA loaded.
//
//   1. ML-KEM publisher + subscriber: a message arrives; neither the platform RSA module
//      (node:crypto wrapper) nor the rsa-wasm module was imported.
//   2. An RSA subscriber (keyExchange: 'RSA'): the platform RSA (node:crypto) generates, wraps
//      (the publisher's wrapGroupKeys question) and unwraps; rsa-wasm still not loaded.
//   3. configureRsa({ prefer: 'wasm' }): the same through the rsa-wasm module, now loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as e2ee from 'streamr-e2ee';
import { PERM, relayAndChain, until } from './harness.mjs';

const { createPublisher, createSubscriber, LocalSigner, rsaStats, configureRsa } = e2ee;
const require = createRequire(import.meta.url);
const rsaWasmInCache = () => Object.keys(require.cache).some((k) => k.includes('/rsa-wasm/'));

const env = relayAndChain();
const { track, transport, registry } = env;
let streams = 0;

/** A publisher and a subscriber (with `options`) on a fresh stream; resolves the first message. */
async function exchange(subscriberOptions, content) {
  const streamId = await env.chain.createStream(`/rsa-lazy-${++streams}-${Date.now()}`);
  const pubSigner = LocalSigner.generate();
  const subSigner = LocalSigner.generate();
  await env.chain.grant(streamId, pubSigner.address, PERM.PUBLISH);
  await env.chain.grant(streamId, subSigner.address, PERM.SUBSCRIBE);
  const publisher = track(createPublisher({ streamId, signer: pubSigner, transport: transport(), registry: registry() }));
  await publisher.ready;
  const denied = [];
  publisher.on('keyDenied', (e) => denied.push(e));
  const subscriber = track(createSubscriber({ signer: subSigner, transport: transport(), registry: registry(), options: { keyRequestTimeout: 8000, ...subscriberOptions } }));
  const got = [];
  await subscriber.subscribe(streamId, 0, (m) => got.push(m));
  await publisher.publish(content);
  await until(() => got.length === 1, 30_000, `the message (${JSON.stringify(subscriberOptions)}; denied: ${JSON.stringify(denied)})`);
  assert.deepEqual(got[0].content, content);
}

test('ML-KEM only: nothing RSA is imported', async () => {
  await exchange({}, { kex: 'ML-KEM' });
  const stats = rsaStats();
  assert.equal(stats.platformLoaded, false, 'the platform RSA module was not imported');
  assert.equal(stats.wasmLoaded, false, 'the rsa-wasm module was not imported');
  assert.deepEqual(stats.operations, { webcrypto: 0, node: 0, wasm: 0 });
  assert.equal(rsaWasmInCache(), false, 'no rsa-wasm file in the module cache');
});

test("keyExchange 'RSA': node:crypto generates, wraps (wrapGroupKeys) and unwraps; rsa-wasm stays unloaded", async () => {
  await exchange({ keyExchange: 'RSA', rsaKeyLength: 2048 }, { kex: 'RSA', path: 'node' });
  const stats = rsaStats();
  assert.equal(stats.platformLoaded, true);
  // generate (subscriber), encrypt (publisher's wrapGroupKeys answer), decrypt (subscriber).
  assert.deepEqual(stats.operations, { webcrypto: 0, node: 3, wasm: 0 });
  assert.equal(stats.wasmLoaded, false);
  assert.equal(rsaWasmInCache(), false);
});

test("configureRsa({ prefer: 'wasm' }): the same exchange through the rsa-wasm module, loaded now", async () => {
  configureRsa({ prefer: 'wasm' });
  try {
    await exchange({ keyExchange: 'RSA', rsaKeyLength: 2048 }, { kex: 'RSA', path: 'wasm' });
  } finally {
    configureRsa({ prefer: 'platform' });
  }
  const stats = rsaStats();
  assert.deepEqual(stats.operations, { webcrypto: 0, node: 3, wasm: 3 });
  assert.equal(stats.wasmLoaded, true);
  assert.equal(rsaWasmInCache(), true, 'the rsa-wasm module was required');
  assert.throws(() => configureRsa({ prefer: 'fast' }), TypeError);
});

test('the main module has no RSA: its own exports are gone, the shim stands in', async () => {
  const raw = require('../../../pkg/node/streamr_e2ee.js');
  assert.equal(raw.RsaKeyPair, undefined);
  assert.equal(raw.rsaOaepEncrypt, undefined);
  assert.equal(typeof e2ee.RsaKeyPair.generate, 'function');
  // The core still checks keys without RSA arithmetic.
  const pair = await e2ee.RsaKeyPair.generate(640);
  const info = raw.rsaPublicKeyInfo(pair.publicKeyPem);
  assert.equal(info.bits, 640);
  assert.throws(() => raw.rsaPublicKeyInfo(pair.publicKeyPem.replace('\n', '\r\n')), (e) => e.code === 'INVALID_KEY');
  // 640-bit keys: node:crypto (OpenSSL) takes them, so no fallback was needed.
  assert.equal(pair.path, 'node');
  const ct = await e2ee.rsaOaepEncrypt(pair.publicKeyPem, new Uint8Array(32).fill(7));
  assert.deepEqual(await e2ee.rsaOaepDecrypt(await pair.toPkcs8Pem(), ct), new Uint8Array(32).fill(7));
});
