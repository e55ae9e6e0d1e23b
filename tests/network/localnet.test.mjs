// Our publisher and subscriber (createPublisher / createSubscriber from streamr-e2ee over
// StreamrNetworkTransport, LocalSigner, JsonRpcRegistry) with stock @streamr/sdk 103.3.2 clients
// on one local Streamr network: anvil with the real StreamRegistryV5 and an entry point run by
// our command as a separate process (tests/network/localnet.mjs). Everything on 127.0.0.1 under
// the loopback guard. In order:
//   1-3. ours → stock and stock → ours, with RSA and with ML-KEM key exchange; without
//        SUBSCRIBE no content, on either side;
//   4.   key changes mid-stream: rotation, then a revoke on chain and a rekey;
//   5.   the entry point killed and restarted mid-stream (last: it changes the network).
// A wire tap (our transport + our StreamMessage.fromBytes) shows which key exchange ran and
// which keys went to whom. Each test closes its parties at the end (net.mark()).
import { guard } from './guard.mjs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PERM, sleep, startLocalnet, until } from './localnet.mjs';

// Generous: on a loaded 2-core machine a key exchange can take over a second.
const KEY_REQUEST_TIMEOUT = 5000;
const N = 6;
const OUR_SUB = { keyRequestTimeout: KEY_REQUEST_TIMEOUT, keyRequestRetries: 1, rsaKeyLength: 2048 };
const INTERVAL_MS = 100;

let net;
before(async () => {
  net = await startLocalnet({ keyRequestTimeout: KEY_REQUEST_TIMEOUT });
});
after(async () => {
  await net?.stop();
  assert.deepEqual(guard.blocked, [], 'nothing tried to leave 127.0.0.1');
});

/** Runs `body` and closes the parties it made, pass or fail. */
const scoped = (body) => async () => {
  const release = net.mark();
  try {
    await body();
  } finally {
    await release();
  }
};
const range = (a, b) => Array.from({ length: b - a }, (_, k) => a + k);
const indices = (got) => got.map((m) => m.content.i);
/** The contents `got` received from `publisherId`, in delivery order. */
const from = (got, publisherId) => got.filter((m) => m.publisherId === publisherId).map((m) => m.content);
const expected = (who) => Array.from({ length: N }, (_, i) => ({ from: who, i }));
/** Key ids in delivery order, each once. */
const keyIdsOf = (got, field) => [...new Set(got.map((m) => m[field]))];

// ------------------------------------------------------------ 1-3: both directions, both exchanges
for (const exchange of ['RSA', 'ML_KEM']) {
  const qr = exchange === 'ML_KEM';
  test(`${exchange} key exchange: ours → stock and stock → ours decrypt in order; no SUBSCRIBE, no content`, { timeout: 120_000 }, scoped(async () => {
    const streamId = await net.chain.createStream(`/exchange-${exchange}`);
    const streamPart = `${streamId}#0`;
    const [ourPubId, stockPubId, stockSubId, ourSubId] = [0, 1, 2, 3].map(() => net.identity());
    for (const id of [ourPubId, stockPubId]) await net.chain.grant(streamId, id.address, PERM.PUBLISH);
    for (const id of [stockSubId, ourSubId]) await net.chain.grant(streamId, id.address, PERM.SUBSCRIBE);

    // Stock clients ask for ML-KEM only with requireQuantumResistantKeyExchange; as
    // publishers it also makes them refuse RSA requests. Ours: keyExchange picks it.
    const encryption = { requireQuantumResistantKeyExchange: qr };
    const tap = await net.tap(streamPart);
    const ourPub = await net.publisher(streamId, { id: ourPubId, options: { requireQuantumResistantKeyExchange: qr } });
    const stockPub = await net.sdkClient(stockPubId.privateKey, { encryption });
    const stockSub = await net.stockSubscriber(streamId, { id: stockSubId, encryption });
    const stockOut = await net.stockSubscriber(streamId, { encryption });
    const ourSub = await net.subscriber(streamId, { id: ourSubId, options: { ...OUR_SUB, keyExchange: exchange } });
    const ourOut = await net.subscriber(streamId, { options: { ...OUR_SUB, keyExchange: exchange } });
    // The stock publisher joins with its first publish (its messages wait for neighbours).
    await net.joined(streamPart, [tap.transport, ourPub.transport, stockSub.client, stockOut.client, ourSub.transport, ourOut.transport]);

    const published = [];
    for (let i = 0; i < N; i++) {
      await ourPub.handle.publish({ from: 'ours', i });
      published.push(await stockPub.publish(streamId, { from: 'stock', i }));
    }
    const ours = ourPubId.address;
    const stock = stockPubId.address;
    await until(
      () => from(stockSub.got, ours).length >= N && from(ourSub.got, stock).length >= N,
      60_000,
      () => `stock subscriber ${from(stockSub.got, ours).length}, ours ${from(ourSub.got, stock).length} of ${N}; ` +
        `errors ${JSON.stringify({ stock: stockSub.errors, ours: ourSub.errors.map((e) => e.code) })}; ` +
        net.describe(streamPart, { pub: ourPub.transport, sub: ourSub.transport, out: ourOut.transport, tap: tap.transport }),
    );
    await until(() => stockOut.errors.length > 0, KEY_REQUEST_TIMEOUT + 30_000, () => 'no DECRYPT_ERROR at the stock client without SUBSCRIBE');
    await until(() => ourOut.errors.some((e) => e.code === 'KEY_REQUEST_TIMEOUT'), KEY_REQUEST_TIMEOUT + 30_000,
      () => `no KEY_REQUEST_TIMEOUT at our subscriber without SUBSCRIBE: ${ourOut.errors.map((e) => e.code)}`);
    await sleep(1000); // anything late (a duplicate, a stray key response) would land by now

    // Ours → stock, and both sides agree on what the stock publisher sent.
    assert.deepEqual(from(stockSub.got, ours), expected('ours'), 'the stock subscriber decrypted ours, in order, once');
    assert.ok(stockSub.got.every((m) => typeof m.keyId === 'string'), 'encrypted');
    assert.deepEqual(stockSub.errors, []);
    assert.deepEqual(stockOut.got, [], 'the stock client without SUBSCRIBE got no content');
    assert.ok(stockOut.errors.every((c) => c === 'DECRYPT_ERROR'), JSON.stringify(stockOut.errors));
    assert.ok(ourPub.keyRequests.some((k) => k.requesterId === stockSubId.address), 'our publisher answered the stock subscriber');
    const denial = ourPub.denied.find((d) => d.requesterId === stockOut.id.address);
    assert.equal(denial?.code, 'PERMISSION_DENIED', 'our publisher refused the stock client without SUBSCRIBE');

    // Stock → ours.
    assert.deepEqual(from(ourSub.got, stock), expected('stock'), 'our subscriber decrypted the stock publisher, in order, once');
    const fromStock = ourSub.got.filter((m) => m.publisherId === stock);
    assert.ok(fromStock.every((m) => m.encrypted && m.groupKeyId === published[0].encryptionKeyId), 'under the stock publisher\'s key');
    // Each subscriber also had the other publisher's messages: ours ↔ ours, stock ↔ stock.
    assert.deepEqual(from(ourSub.got, ours), expected('ours'));
    assert.deepEqual(from(stockSub.got, stock), expected('stock'));
    assert.deepEqual(ourSub.errors.map((e) => e.code), []);
    assert.deepEqual(ourOut.got, [], 'our subscriber without SUBSCRIBE got nothing');

    // On the wire: which exchange ran, and nobody without SUBSCRIBE was sent a key.
    const requests = tap.requests();
    const responses = tap.responses();
    const req = (by, to) => requests.filter((m) => m.publisherId === by && m.recipientId === to);
    const res = (by, to) => responses.filter((m) => m.publisherId === by && m.recipientId === to);
    for (const [sub, pub] of [[stockSubId.address, ours], [ourSubId.address, stock]]) {
      assert.ok(req(sub, pub).length >= 1 && res(pub, sub).length >= 1, `a key exchange ${sub} ↔ ${pub}`);
      assert.deepEqual([...new Set([...req(sub, pub), ...res(pub, sub)].map((m) => m.algorithm))], [exchange], `${sub} ↔ ${pub} used ${exchange}`);
    }
    assert.ok(req(stockOut.id.address, ours).length >= 1, 'the stock client without SUBSCRIBE asked ours');
    assert.ok(req(ourOut.id.address, stock).length >= 1, 'our subscriber without SUBSCRIBE asked the stock publisher');
    assert.deepEqual(responses.filter((m) => [stockOut.id.address, ourOut.id.address].includes(m.recipientId)), [], 'no key went to anyone without SUBSCRIBE');
    assert.equal(tap.contents().filter((m) => !m.encrypted).length, 0, 'no content in clear on the wire');
    assert.deepEqual(tap.undecodable, []);
  }));
}

// ------------------------------------------------------------ 4: key changes mid-stream
test('rotate mid-stream, then revoke on chain + rekey: the revoked stock subscriber gets nothing after it, the others everything in order', { timeout: 120_000 }, scoped(async () => {
  const streamId = await net.chain.createStream('/changes');
  const streamPart = `${streamId}#0`;
  const pubId = net.identity();
  const [stays, revoked, oursId] = [0, 1, 2].map(() => net.identity());
  await net.chain.grant(streamId, pubId.address, PERM.PUBLISH);
  for (const id of [stays, revoked, oursId]) await net.chain.grant(streamId, id.address, PERM.SUBSCRIBE);

  const tap = await net.tap(streamPart);
  const pub = await net.publisher(streamId, { id: pubId });
  const A = await net.stockSubscriber(streamId, { id: stays });
  const B = await net.stockSubscriber(streamId, { id: revoked });
  const O = await net.subscriber(streamId, { id: oursId, options: { keyRequestTimeout: KEY_REQUEST_TIMEOUT, keyRequestRetries: 1 } });
  await net.joined(streamPart, [tap.transport, pub.transport, A.client, B.client, O.transport]);
  const publish = async (a, b) => {
    for (const i of range(a, b)) await pub.handle.publish({ i });
  };

  // Rotation: twice, mid-stream. Everyone keeps decrypting; the new keys travel in the stream.
  await publish(0, 3);
  await pub.handle.rotate();
  await publish(3, 6);
  await pub.handle.rotate();
  await publish(6, 9);
  await until(() => A.got.length >= 9 && B.got.length >= 9 && O.got.length >= 9, 60_000,
    () => `after rotation: A ${A.got.length}, B ${B.got.length}, ours ${O.got.length} of 9; errors ${JSON.stringify([A.errors, B.errors, O.errors.map((e) => e.code)])}; ${net.describe(streamPart, { pub: pub.transport, ours: O.transport, tap: tap.transport })}`);
  for (const [name, s] of [['A', A], ['B', B], ['ours', O]]) assert.deepEqual(indices(s.got), range(0, 9), `${name}: 0..8 in order, once`);
  const rotatedKeys = keyIdsOf(A.got, 'keyId');
  assert.equal(rotatedKeys.length, 3, `three keys in turn: ${rotatedKeys}`);
  assert.deepEqual(keyIdsOf(O.got, 'groupKeyId'), rotatedKeys, 'ours saw the same keys');
  assert.deepEqual(tap.contents().filter((m) => m.newKeyId !== undefined).map((m) => m.newKeyId), rotatedKeys.slice(1),
    'each next key was announced in the stream');
  const asked = (by) => tap.requests().filter((m) => m.publisherId === by).flatMap((m) => m.keyIds);
  for (const id of [stays, revoked, oursId]) {
    assert.deepEqual([...new Set(asked(id.address))], [rotatedKeys[0]], 'only the first key went through key exchange');
  }

  // Revoke B on chain, then re-key: A and ours must come back through key exchange.
  await pub.handle.rekey({ revoke: () => net.chain.revoke(streamId, revoked.address, PERM.SUBSCRIBE) });
  await publish(9, 12);
  await until(() => A.got.length >= 12 && O.got.length >= 12, 60_000,
    () => `after rekey: A ${A.got.length}, ours ${O.got.length} of 12; errors ${JSON.stringify([A.errors, O.errors.map((e) => e.code)])}; ${net.describe(streamPart, { pub: pub.transport, ours: O.transport })}`);
  await until(() => pub.denied.some((d) => d.requesterId === revoked.address), 30_000, 'keyDenied for the revoked subscriber');
  await until(() => B.errors.length > 0, KEY_REQUEST_TIMEOUT + 30_000, 'a DECRYPT_ERROR at the revoked subscriber');
  await sleep(1000); // anything late would land by now

  assert.deepEqual(indices(A.got), range(0, 12), 'A: everything, in order, once');
  assert.deepEqual(indices(O.got), range(0, 12), 'ours: everything, in order, once');
  const rekeyed = A.got[9].keyId;
  assert.ok(!rotatedKeys.includes(rekeyed), 'a new key after the rekey');
  assert.ok(A.got.slice(9).every((m) => m.keyId === rekeyed));
  assert.deepEqual(A.errors, []);
  assert.deepEqual(O.errors.map((e) => e.code), []);

  assert.deepEqual(indices(B.got), range(0, 9), 'the revoked subscriber got nothing published after the rekey');
  assert.ok(B.errors.every((c) => c === 'DECRYPT_ERROR'), JSON.stringify(B.errors));
  assert.equal(pub.denied.find((d) => d.requesterId === revoked.address).code, 'PERMISSION_DENIED');
  const sent = (to) => tap.responses().filter((m) => m.recipientId === to).flatMap((m) => m.keyIds);
  assert.ok(asked(revoked.address).includes(rekeyed), 'the revoked subscriber asked for the new key');
  assert.ok(!sent(revoked.address).includes(rekeyed), 'and was never sent it');
  assert.ok(sent(stays.address).includes(rekeyed) && sent(oursId.address).includes(rekeyed), 'the others were');
  assert.deepEqual(tap.undecodable, []);
}));

// ------------------------------------------------------------ 5: entry point restart (last)
/** Publishes { i } every INTERVAL_MS until stopped; `count` is how many were accepted. */
function keepPublishing(handle) {
  const state = { count: 0, stopped: false, failures: [] };
  state.done = (async () => {
    while (!state.stopped) {
      try {
        await handle.publish({ i: state.count });
        state.count++;
      } catch (e) {
        state.failures.push(e); // a refused publish would be a failure of the transport's hold
        state.stopped = true;
      }
      await sleep(INTERVAL_MS);
    }
  })();
  state.until = (n, what) => until(() => state.count >= n || state.stopped, 60_000, what).then(() => assert.deepEqual(state.failures, []));
  return state;
}

test('entry point killed and restarted mid-stream: nothing lost, nothing twice; late joiners still join', { timeout: 150_000 }, scoped(async () => {
  const streamId = await net.chain.createStream('/restart');
  const streamPart = `${streamId}#0`;
  const [pubId, stockId, oursId, lateStockId, lateOursId] = [0, 1, 2, 3, 4].map(() => net.identity());
  await net.chain.grant(streamId, pubId.address, PERM.PUBLISH);
  for (const id of [stockId, oursId, lateStockId, lateOursId]) await net.chain.grant(streamId, id.address, PERM.SUBSCRIBE);
  const subOptions = { keyRequestTimeout: KEY_REQUEST_TIMEOUT, keyRequestRetries: 1 };

  const pub = await net.publisher(streamId, { id: pubId });
  const S = await net.stockSubscriber(streamId, { id: stockId });
  const O = await net.subscriber(streamId, { id: oursId, options: subOptions });
  const transports = [pub.transport, O.transport];
  await net.joined(streamPart, [pub.transport, S.client, O.transport]);

  const publishing = keepPublishing(pub.handle);
  await until(() => S.got.length >= 5 && O.got.length >= 5, 60_000, () => `first messages: stock ${S.got.length}, ours ${O.got.length}`);

  // Kill it mid-stream; the publisher goes on.
  const beforeKill = publishing.count;
  const oldPid = net.ep.pid;
  await net.restartEntryPoint({ signal: 'SIGKILL', downMs: 2000 });
  assert.notEqual(net.ep.pid, oldPid, 'a new entry point process');
  assert.ok(publishing.count > beforeKill, 'published while the entry point was down');
  await publishing.until(publishing.count + 10, 'publishes after the restart');

  // Nodes that join after the restart, through the restarted entry point: a stock subscriber
  // and ours. Once they receive anything they must receive everything after it.
  const L = await net.stockSubscriber(streamId, { id: lateStockId });
  const LO = await net.subscriber(streamId, { id: lateOursId, options: subOptions });
  await until(() => L.got.length > 0 && LO.got.length > 0, 90_000,
    () => `late joiners got nothing: stock ${JSON.stringify(L.errors)}, ours ${LO.errors.map((e) => e.code)}; ${net.describe(streamPart, { pub: pub.transport, ours: O.transport, late: LO.transport })}`);
  const receivingAt = publishing.count;
  await publishing.until(receivingAt + 15, 'publishes after the late joiners receive');
  publishing.stopped = true;
  await publishing.done;
  assert.deepEqual(publishing.failures, [], 'every publish was accepted');
  const total = publishing.count;

  await until(() => S.got.length >= total && O.got.length >= total, 60_000,
    () => `stock ${S.got.length}, ours ${O.got.length} of ${total}; errors ${JSON.stringify([S.errors, O.errors.map((e) => e.code)])}; ${net.describe(streamPart, { pub: pub.transport, ours: O.transport })}`);
  await until(() => indices(L.got).includes(total - 1) && indices(LO.got).includes(total - 1), 60_000,
    () => `late joiners: stock ${indices(L.got)}, ours ${indices(LO.got)}; last ${total - 1}`);
  await sleep(1500); // a duplicate would land by now

  assert.deepEqual(indices(S.got), range(0, total), 'the stock subscriber: every message, once, in order');
  assert.deepEqual(indices(O.got), range(0, total), 'ours: every message, once, in order');
  assert.deepEqual(S.errors, []);
  assert.deepEqual(O.errors.map((e) => e.code), []);
  for (const [name, late] of [['stock', L], ['ours', LO]]) {
    const got = indices(late.got);
    const first = got[0];
    assert.ok(first < receivingAt, `${name} late joiner: everything since it first received (from ${first}, at ${receivingAt})`);
    assert.deepEqual(got, range(first, total), `${name} late joiner: in order, once, up to the last`);
  }
  // Our transports stayed connected to each other and to S, so only the entry point watch
  // brought them back to the restarted entry point (where the late joiners came in).
  for (const t of transports) assert.ok(t.stats.rejoins >= 1, `rejoined through the restarted entry point: ${JSON.stringify(t.stats)}`);
}));
