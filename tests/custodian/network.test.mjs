// Issue #19 on the local Streamr network (tests/network/localnet.mjs: anvil + StreamRegistryV5,
// an entry point process, stock @streamr/sdk 103.3.2 clients): a key custodian, run as the
// package's command (`streamr-e2ee-custodian`, a separate process stopped by its PID), answers
// for a publisher that left.
//
// Our publisher signs with a SessionSigner; the session key is sealed to the custodian's ML-KEM
// key and handed to the command (`--identity-file`); the publisher names the custodian, so each
// new key reaches it before the message that uses it. The publisher publishes, closes and stops
// its node before any subscriber exists. A recorder node kept the published bytes and sends
// them again later (what a storage node's resend would bring): the subscribers, stock and ours,
// can get the keys only from the custodian. In order, on one stream:
//   1. stock and ours decrypt every message; a stock client without SUBSCRIBE gets nothing;
//   2. the custodian restarts (same store, no identity given) and still answers;
//   3. the publisher comes back, revokes our subscriber on chain and rekeys, leaves again: the
//      new key reaches the custodian, which refuses the revoked subscriber and serves the rest.
import { guard } from '../network/guard.mjs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySessionKeyStore, SessionSigner, createPublisher } from 'streamr-e2ee';
import { AnvilProvider, rpc } from '../js/shim/harness.mjs';
import { PERM, freePort, sleep, startLocalnet, until, waitFor } from '../network/localnet.mjs';
import { custodianHome, identityFile, startCustodianProcess } from './helpers.mjs';

// Generous: the custodian answers after its grace period, on a loaded 2-core machine.
const KEY_REQUEST_TIMEOUT = 30_000;
const GRACE_MS = 1000;
const N = 5;

let net;
const processes = [];
before(async () => {
  net = await startLocalnet({ keyRequestTimeout: KEY_REQUEST_TIMEOUT });
});
after(async () => {
  for (const p of processes) await p.stop();
  await net?.stop();
  assert.deepEqual(guard.blocked, [], 'nothing tried to leave 127.0.0.1');
});

const contents = (got) => got.map((m) => m.content);

test('a custodian answers for a publisher that left: stock and ours decrypt, no SUBSCRIBE gets nothing, restart, revoke + rekey', { timeout: 600_000 }, async () => {
  const streamId = await net.chain.createStream(`/custodian-${Date.now()}`);
  const streamPart = `${streamId}#0`;
  const account = (await rpc(net.anvil.url, 'eth_accounts', []))[1].toLowerCase();
  await net.chain.grant(streamId, account, PERM.GRANT);
  const provider = new AnvilProvider(net.anvil.url, [account]);
  const sessions = new MemorySessionKeyStore();
  const openSession = () =>
    SessionSigner.open({ wallet: provider, streamId, registry: net.registry(), chainId: 31337, store: sessions, ttlSeconds: 3600, receiptPollMs: 50 });

  // The custodian's first run makes its key pair (sealed in its store) and prints the public key.
  const home = custodianHome();
  const wsPort = await freePort();
  const args = ['--stream', streamId, '--rpc-url', net.anvil.url, '--registry', net.chain.address, '--entry-point', JSON.stringify(net.ep.entryPoint), '--ws-port', String(wsPort), '--grace-ms', String(GRACE_MS)];
  const first = await startCustodianProcess(home, args);
  processes.push(first);
  await first.stop();
  const publicKey = Buffer.from(first.info.publicKey, 'hex');
  assert.equal(publicKey.length, 1568);

  const session = await openSession();
  net.track({ close: async () => session.close() });
  const sealed = await session.sealForCustodian(publicKey);
  let custodian = await startCustodianProcess(home, [...args, '--identity-file', identityFile(home, sealed)]);
  processes.push(custodian);
  assert.equal(custodian.info.userId, first.info.userId, 'the same key pair after a restart');
  assert.deepEqual(custodian.info.identities, [session.address]);

  // A recorder: keeps every message of the stream part, to send it again later.
  const recorder = await net.transport();
  const recorded = [];
  await recorder.subscribe(streamPart, (bytes) => recorded.push(bytes));
  const contentOf = (from) => recorded.slice(from).filter((b) => net.e2ee.StreamMessage.fromBytes(b).messageType === 'MESSAGE');

  /** Our publisher on its own node: publishes `items`, then closes and stops its node. */
  const publishAndLeave = async (items, { before: prepare } = {}) => {
    const transport = await net.transport();
    const publisher = createPublisher({ streamId, signer: session, transport, registry: net.registry(), options: { custodians: [{ publicKey, userId: custodian.info.userId }] } });
    const answered = [];
    const errors = [];
    publisher.on('keyRequest', (e) => answered.push(e));
    publisher.on('error', (e) => errors.push(e));
    await publisher.ready;
    // The custodian and the recorder are its neighbours: the hand-off and the content reach both.
    await until(() => transport.neighbors(streamPart) >= 2, 60_000, () => `publisher neighbours: ${transport.neighbors(streamPart)}`);
    await prepare?.(publisher);
    for (const i of items) await publisher.publish({ i });
    await publisher.close();
    await transport.close();
    assert.deepEqual(errors, []);
    return answered;
  };

  // ---- 1. The publisher leaves before anyone asks for a key.
  const handedOff = await publishAndLeave([0, 1, 2, 3, 4]);
  assert.ok(handedOff.length >= 1 && handedOff.every((e) => e.requesterId === custodian.info.userId), 'it answered only the hand-off to the custodian');
  await custodian.waitFor('keyReceived', 1, 60_000, 'the key at the custodian');
  await until(() => contentOf(0).length >= N, 60_000, () => `recorded ${contentOf(0).length} of ${N}`);
  const firstBatch = contentOf(0);

  const member = net.identity();
  const stockMember = net.identity();
  const outsider = net.identity();
  for (const id of [member, stockMember]) await net.chain.grant(streamId, id.address, PERM.SUBSCRIBE);
  const ours = await net.subscriber(streamId, { id: member, options: { keyRequestTimeout: KEY_REQUEST_TIMEOUT, keyRequestRetries: 2 } });
  const stock = await net.stockSubscriber(streamId, { id: stockMember });
  const stranger = await net.stockSubscriber(streamId, { id: outsider });
  await net.joined(streamPart, [recorder, ours.transport, stock.client, stranger.client], 60_000);
  await sleep(1000); // the custodian's node joins the same overlay
  for (const b of firstBatch) await recorder.publish(streamPart, b);
  await waitFor(ours.got, N, 120_000, 'ours, through the custodian');
  await waitFor(stock.got, N, 120_000, 'stock, through the custodian');
  assert.deepEqual(contents(ours.got), [0, 1, 2, 3, 4].map((i) => ({ i })));
  assert.deepEqual(stock.got.map((m) => m.content), [0, 1, 2, 3, 4].map((i) => ({ i })));
  assert.ok(stock.got.every((m) => m.publisherId.toLowerCase() === session.address), 'the session address published');
  const requesters = new Set(custodian.answered().map((e) => e.requesterId));
  assert.ok(requesters.has(member.address) && requesters.has(stockMember.address.toLowerCase()), `custodian answered ${[...requesters]}`);
  await custodian.waitFor('keyDenied', 1, 60_000, 'the outsider refused');
  assert.ok(custodian.denied().some((e) => e.requesterId === outsider.address.toLowerCase() && e.code === 'PERMISSION_DENIED'));
  assert.ok(!requesters.has(outsider.address.toLowerCase()));
  assert.equal(stranger.got.length, 0, 'no SUBSCRIBE, no content');

  // ---- 2. The custodian restarts: its key pair, the identity and the key come from its store.
  await custodian.stop();
  custodian = await startCustodianProcess(home, args);
  processes.push(custodian);
  assert.deepEqual(custodian.info.identities, [session.address]);
  const lateId = net.identity();
  await net.chain.grant(streamId, lateId.address, PERM.SUBSCRIBE);
  const late = await net.stockSubscriber(streamId, { id: lateId });
  await net.joined(streamPart, [recorder, late.client], 60_000);
  await sleep(1000);
  for (const b of firstBatch) await recorder.publish(streamPart, b);
  await waitFor(late.got, N, 120_000, 'a new stock subscriber after the restart');
  assert.deepEqual(late.got.map((m) => m.content), [0, 1, 2, 3, 4].map((i) => ({ i })));
  assert.ok(custodian.answered().some((e) => e.requesterId === late.id.address.toLowerCase()), 'the restarted custodian answered');

  // ---- 3. Revoke our subscriber on chain, rekey, leave again.
  const mark = recorded.length;
  const before3 = ours.got.length;
  const rekeyed = await publishAndLeave([5, 6, 7], {
    before: (publisher) => publisher.rekey({ revoke: () => net.chain.revoke(streamId, member.address, PERM.SUBSCRIBE) }),
  });
  assert.ok(rekeyed.every((e) => e.requesterId === custodian.info.userId));
  await custodian.waitFor('keyReceived', 1, 60_000, 'the rekey at the custodian');
  await until(() => contentOf(mark).length >= 3, 60_000, 'the new messages recorded');
  const denialsBefore = custodian.denied().filter((e) => e.requesterId === member.address).length;
  for (const b of contentOf(mark)) await recorder.publish(streamPart, b);
  await waitFor(stock.got, N + 3, 120_000, 'stock, the rekeyed messages');
  assert.deepEqual(stock.got.slice(N).map((m) => m.content), [5, 6, 7].map((i) => ({ i })));
  await until(() => custodian.denied().filter((e) => e.requesterId === member.address).length > denialsBefore, 60_000, 'the revoked subscriber refused');
  assert.equal(ours.got.length, before3, 'the revoked subscriber got nothing after the rekey');
  const newKeys = new Set(stock.got.slice(N).map((m) => m.keyId));
  assert.equal(newKeys.size, 1);
  assert.ok(!stock.got.slice(0, N).some((m) => newKeys.has(m.keyId)), 'a new key after the rekey');
});
