// Issue #19 on the relay (real relay binary, anvil + StreamRegistryV5): two key custodians for
// one publisher that left. A runs in this process through the API (`createCustodian` with a
// `FileCustodianStore`), B is the command (`streamr-e2ee-custodian --relay`) with a longer grace
// period. The publisher (a LocalSigner; its key sealed to each custodian) names both, publishes,
// closes before anyone asks; a recorder sends the messages again later.
//   - our subscriber decrypts every message through A; B sees A's answer and stays silent
//     (a request is settled once);
//   - a subscriber without SUBSCRIBE gets nothing;
//   - A restarts from its sealed file (a wrong secret does not open it) and still answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import {
  LocalSigner,
  StreamMessage,
  WebSocketTransport,
  createPublisher,
  createSubscriber,
  custodianIdOf,
  sealCustodianIdentity,
} from 'streamr-e2ee';
import { FileCustodianStore, createCustodian } from 'streamr-e2ee/custodian';
import { PERM, relayAndChain, sleep, until } from '../js/shim/harness.mjs';
import { custodianHome, identityFile, startCustodianProcess } from './helpers.mjs';

const N = 5;
const env = relayAndChain();
const { track, transport, registry } = env;

function identity() {
  const privateKey = randomBytes(32);
  const signer = LocalSigner.fromPrivateKey(`0x${privateKey.toString('hex')}`);
  return { privateKey, signer, address: signer.address };
}

async function subscriber(streamId, id) {
  const handle = track(createSubscriber({ signer: id.signer, transport: transport(), registry: registry(), options: { keyRequestTimeout: 30_000 } }));
  const got = [];
  await handle.subscribe(streamId, 0, (m) => got.push(m.content));
  return got;
}

test('two custodians on the relay: one answers, the other sees it settled; no SUBSCRIBE, nothing; a restart from the sealed file', { timeout: 300_000 }, async () => {
  const streamId = await env.chain.createStream(`/custodian-relay-${Date.now()}`);
  const streamPart = `${streamId}#0`;
  const pub = identity();
  await env.chain.grant(streamId, pub.address, PERM.PUBLISH);

  // A: in this process.
  const homeA = custodianHome();
  const secretA = Buffer.from(homeA.secret, 'hex');
  let storeA = await FileCustodianStore.open({ path: homeA.store, secret: secretA });
  const startA = (store) =>
    track(createCustodian({ streamId, transport: transport(), registry: registry(), store, options: { graceMs: 300 } }));
  let a = startA(storeA);
  await a.ready;
  const eventsA = { answered: [], denied: [], received: [] };
  const listen = (c) => {
    c.on('keyRequest', (e) => eventsA.answered.push(e));
    c.on('keyDenied', (e) => eventsA.denied.push(e));
    c.on('keyReceived', (e) => eventsA.received.push(e));
  };
  listen(a);
  assert.equal(a.userId, custodianIdOf(a.publicKey));
  assert.equal(await a.addIdentity(sealCustodianIdentity(pub.privateKey, a.publicKey)), pub.address);

  // B: the command, with a grace period long enough for A to answer first.
  const homeB = custodianHome();
  const args = ['--stream', streamId, '--rpc-url', env.anvil.url, '--registry', env.chain.address, '--relay', env.relay.url, '--grace-ms', '4000'];
  const firstB = await startCustodianProcess(homeB, args);
  await firstB.stop();
  const publicKeyB = Buffer.from(firstB.info.publicKey, 'hex');
  const b = await startCustodianProcess(homeB, [...args, '--identity-file', identityFile(homeB, sealCustodianIdentity(pub.privateKey, publicKeyB))]);
  track({ close: () => b.stop() });
  assert.deepEqual(b.info.identities, [pub.address]);

  const recorded = [];
  await transport().subscribe(streamPart, (bytes) => recorded.push(bytes));
  const recorder = transport();
  await sleep(300); // the subscriptions reach the relay

  // The publisher names both custodians, publishes and leaves.
  const pubTransport = new WebSocketTransport(env.relay.url, { WebSocket });
  const publisher = createPublisher({
    streamId,
    signer: pub.signer,
    transport: pubTransport,
    registry: registry(),
    options: { custodians: [{ publicKey: a.publicKey }, { publicKey: publicKeyB, userId: b.info.userId }] },
  });
  const handedTo = [];
  publisher.on('keyRequest', (e) => handedTo.push(e.requesterId));
  for (let i = 0; i < N; i++) await publisher.publish({ i });
  await publisher.close();
  await pubTransport.close();
  assert.deepEqual(handedTo.sort(), [a.userId, b.info.userId].sort(), 'one hand-off to each, nothing else');
  await until(() => eventsA.received.length >= 1, 30_000, 'the key at A');
  await b.waitFor('keyReceived', 1, 30_000, 'the key at B');
  const content = () => recorded.filter((bytes) => StreamMessage.fromBytes(bytes).messageType === 'MESSAGE');
  await until(() => content().length >= N, 30_000, 'recorded');
  const batch = content();

  const member = identity();
  const outsider = identity();
  await env.chain.grant(streamId, member.address, PERM.SUBSCRIBE);
  const got = await subscriber(streamId, member);
  const strangerGot = await subscriber(streamId, outsider);
  await sleep(300);
  for (const bytes of batch) await recorder.publish(streamPart, bytes);
  await until(() => got.length >= N, 60_000, () => `member: ${got.length} of ${N}`);
  assert.deepEqual(got, [0, 1, 2, 3, 4].map((i) => ({ i })));
  assert.ok(eventsA.answered.some((e) => e.requesterId === member.address), 'A answered');
  await until(() => eventsA.denied.some((e) => e.requesterId === outsider.address && e.code === 'PERMISSION_DENIED'), 30_000, 'the outsider refused');
  await sleep(5000); // past B's grace period
  assert.deepEqual(b.answered(), [], "B saw A's answer: settled once");
  assert.ok(!b.denied().some((e) => e.requesterId === member.address));
  assert.equal(strangerGot.length, 0, 'no SUBSCRIBE, no content');

  // A restarts from its sealed file; the wrong secret does not open it.
  await a.close();
  await storeA.close();
  assert.ok(!readFileSync(homeA.store, 'utf8').includes(pub.privateKey.toString('hex')));
  await assert.rejects(FileCustodianStore.open({ path: homeA.store, secret: randomBytes(32) }), { code: 'KEY_STORE_LOCKED' });
  storeA = await FileCustodianStore.open({ path: homeA.store, secret: secretA });
  track(storeA);
  a = startA(storeA);
  await a.ready;
  eventsA.answered.length = 0;
  listen(a);
  assert.deepEqual(a.identities(), [pub.address]);
  const late = identity();
  await env.chain.grant(streamId, late.address, PERM.SUBSCRIBE);
  const lateGot = await subscriber(streamId, late);
  await sleep(300);
  for (const bytes of batch) await recorder.publish(streamPart, bytes);
  await until(() => lateGot.length >= N, 60_000, () => `late: ${lateGot.length} of ${N}`);
  assert.deepEqual(lateGot, [0, 1, 2, 3, 4].map((i) => ({ i })));
  assert.ok(eventsA.answered.some((e) => e.requesterId === late.address), 'the restarted A answered');
});
