// Issue #16 (P-256 part), Node: the main wasm module has no P-256 arithmetic. A P-256 signer is
// the platform's (node:crypto KeyObject) and answers the core's `sign` questions; the core
// verifies ECDSA_SECP256R1 messages by asking `verifyP256`, answered by node:crypto. Nothing
// P-256 is loaded until a P-256 message or signer appears. Real parts: the package as built
// (pkg/), the WebSocket relay, anvil with StreamRegistryV5 (P-256 user ids granted with
// grantPermissionForUserId). Its own file, so the process starts with nothing P-256 loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as e2ee from 'streamr-e2ee';
import { PERM, relayAndChain, until } from './harness.mjs';

const { createPublisher, createSubscriber, LocalSigner, P256Signer, p256Stats } = e2ee;

const env = relayAndChain();
const { track, transport, registry } = env;
let streams = 0;

/** Grants `perm` to a signer's user id (an address, or a 33-byte P-256 key). */
async function grant(streamId, userId, perm) {
  const tx = await env.chain.registry.grantPermissionForUserId(streamId, userId, perm);
  await tx.wait();
}

/** Publisher and subscriber on a fresh stream; resolves what the subscriber got and the events. */
async function exchange(pubSigner, subSigner, content) {
  const streamId = await env.chain.createStream(`/p256-${++streams}-${Date.now()}`);
  await grant(streamId, await pubSigner.getUserId(), PERM.PUBLISH);
  await grant(streamId, await subSigner.getUserId(), PERM.SUBSCRIBE);
  const publisher = track(createPublisher({ streamId, signer: pubSigner, transport: transport(), registry: registry() }));
  await publisher.ready;
  const denied = [];
  publisher.on('keyDenied', (e) => denied.push(e));
  const subscriber = track(createSubscriber({ signer: subSigner, transport: transport(), registry: registry(), options: { keyRequestTimeout: 8000 } }));
  const errors = [];
  const got = [];
  const subscription = await subscriber.subscribe(streamId, 0, (m) => got.push(m));
  subscription.on('error', (e) => errors.push(e));
  await publisher.publish(content);
  await until(() => got.length === 1, 30_000, `the message (denied: ${JSON.stringify(denied)}; errors: ${errors.map(String)})`);
  assert.deepEqual(errors, [], 'no errors on the subscription');
  assert.deepEqual(denied, [], 'no key request denied');
  return got[0];
}

test('secp256k1 only: nothing P-256 is imported', async () => {
  const m = await exchange(LocalSigner.generate(), LocalSigner.generate(), { kind: 'evm' });
  assert.deepEqual(m.content, { kind: 'evm' });
  assert.deepEqual(p256Stats(), { platformLoaded: false, verifications: 0, signatures: 0 });
});

test('P-256 publisher → P-256 subscriber: node:crypto signs and verifies, the core decides', async () => {
  const pub = await P256Signer.generate();
  const sub = await P256Signer.fromPrivateKey(new Uint8Array(32).fill(9));
  assert.equal(pub.path, 'node');
  assert.match(pub.userId, /^0x0[23][0-9a-f]{64}$/);
  const m = await exchange(pub, sub, { kind: 'p256' });
  assert.deepEqual(m.content, { kind: 'p256' });
  assert.equal(m.publisherId, pub.userId, 'published as the P-256 key');
  const stats = p256Stats();
  assert.equal(stats.platformLoaded, true);
  // Signed: the content message (publisher), the key request (subscriber), the key response
  // (publisher). Verified: the key request (publisher), the response and the content (subscriber).
  assert.ok(stats.signatures >= 3, JSON.stringify(stats));
  assert.ok(stats.verifications >= 3, JSON.stringify(stats));
});

test('P256Signer signatures are WebCrypto-format (r ‖ s, SHA-256) and the user id is the SEC1 compressed key', async () => {
  const s = await P256Signer.generate();
  const payload = new TextEncoder().encode('payload');
  const sig = await s.sign(payload);
  assert.equal(sig.length, 64);
  // Checked with node:crypto directly, not through the package: the compressed SPKI import.
  const spki = Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), s.publicKey]);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  assert.equal(nodeVerify('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }, sig), true);
  assert.equal(await e2ee.verifyP256Signature(s.publicKey, payload, sig), true);
  const bad = sig.slice();
  bad[5] ^= 1;
  assert.equal(await e2ee.verifyP256Signature(s.publicKey, payload, bad), false);
  // A key whose x is not on the curve: invalid, not an exception.
  const offCurve = Uint8Array.from([2, ...new Uint8Array(32).fill(0xff).map((_, i) => (i === 0 ? 0 : 5))]);
  assert.equal(await e2ee.verifyP256Signature(offCurve, payload, sig), false);
});

test('a burst of P-256 messages is held, not dropped: every one arrives, in order, with no OVERLOADED', async () => {
  // Each P-256 message waits in the core for a `verifyP256` answer, in a queue bounded per
  // publisher (64). A burst read from the socket at once is more than that; the subscription
  // holds the rest of its input while the core says it is backlogged.
  const pub = await P256Signer.generate();
  const sub = await P256Signer.generate();
  const streamId = await env.chain.createStream(`/p256-burst-${Date.now()}`);
  await grant(streamId, await pub.getUserId(), PERM.PUBLISH);
  await grant(streamId, await sub.getUserId(), PERM.SUBSCRIBE);
  const publisher = track(createPublisher({ streamId, signer: pub, transport: transport(), registry: registry() }));
  await publisher.ready;
  const subscriber = track(createSubscriber({ signer: sub, transport: transport(), registry: registry(), options: { keyRequestTimeout: 8000 } }));
  const errors = [];
  const got = [];
  const subscription = await subscriber.subscribe(streamId, 0, (m) => got.push(m.content.n));
  subscription.on('error', (e) => errors.push(e));
  await publisher.publish({ n: 0 });
  await until(() => got.length === 1, 30_000, 'the first message');
  const burst = 300;
  await Promise.all(Array.from({ length: burst }, (_, i) => publisher.publish({ n: i + 1 })));
  await until(() => got.length === burst + 1 || errors.length > 0, 60_000, `the burst (got ${got.length})`);
  assert.deepEqual(errors.map((e) => e.code), [], 'no errors');
  assert.deepEqual(got, Array.from({ length: burst + 1 }, (_, i) => i), 'every message once, in order');
});
