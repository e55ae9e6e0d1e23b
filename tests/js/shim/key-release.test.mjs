// Issue #13, HIGH: a key of another stream must never be released. One identity publishes on
// streams S and T with one LocalSigner and one MemoryKeyStore (as an app with one key store
// per identity does, and as the SDK's own database is shared). A subscriber of S only asks,
// with a valid signed key request on S, for the key id it saw on T. Real relay, real anvil with
// StreamRegistryV5 (the registry answers every permission question).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContentType,
  EncryptionType,
  EvmSigner,
  LocalSigner,
  MemoryKeyStore,
  StreamMessage,
  createPublisher,
  createSubscriber,
  encryptWithAES,
} from 'streamr-e2ee';
import { PERM, relayAndChain, sleep, until } from './harness.mjs';

const env = relayAndChain();
const { track, transport, registry } = env;

/** Every StreamMessage seen on `streamId#0`, decoded (the test may decode; the shim may not). */
async function tap(streamId) {
  const seen = [];
  await transport().subscribe(`${streamId}#0`, (bytes) => {
    const m = StreamMessage.fromBytes(bytes);
    try {
      seen.push({
        type: m.messageType,
        publisherId: m.publisherId,
        groupKeyId: m.messageType === 'MESSAGE' ? m.groupKeyId : undefined,
        request: m.groupKeyRequest,
        response: m.groupKeyResponse,
      });
    } finally {
      m.free();
    }
  });
  return seen;
}

test('a subscriber of S asking on S for the key of T gets nothing; S\'s own key is still served', async () => {
  const S = await env.chain.createStream(`/key-release-S-${Date.now()}`);
  const T = await env.chain.createStream(`/key-release-T-${Date.now()}`);
  const privateKey = crypto.getRandomValues(new Uint8Array(32));
  const evm = EvmSigner.fromPrivateKey(privateKey); // to build the bait message below
  const signer = LocalSigner.fromPrivateKey(privateKey);
  const P = await signer.getUserId();
  await env.chain.grant(S, P, PERM.PUBLISH);
  await env.chain.grant(T, P, PERM.PUBLISH);
  const requester = LocalSigner.generate();
  await env.chain.grant(S, requester.address, PERM.SUBSCRIBE); // S only, never T

  // One identity, one key store, two streams.
  const keyStore = new MemoryKeyStore();
  const pubS = track(createPublisher({ streamId: S, signer, transport: transport(), registry: registry(), keyStore }));
  const pubT = track(createPublisher({ streamId: T, signer, transport: transport(), registry: registry(), keyStore }));
  const answeredS = [];
  const deniedS = [];
  pubS.on('keyRequest', (e) => answeredS.push(e));
  pubS.on('keyDenied', (e) => deniedS.push(e));
  await Promise.all([pubS.ready, pubT.ready]);
  const wire = await tap(S);
  const wireT = await tap(T);
  await pubT.publish({ secret: 'of T' });
  await pubS.publish({ hello: 'S' });
  // The key ids travel in clear: anyone on T sees T's.
  const keyIdT = (await until(() => wireT.find((m) => m.type === 'MESSAGE'), 10_000, 'T\'s message')).groupKeyId;
  const keyIdS = (await until(() => wire.find((m) => m.type === 'MESSAGE'), 10_000, 'S\'s message')).groupKeyId;
  assert.equal(typeof keyIdT, 'string');
  assert.notEqual(keyIdT, keyIdS);
  const keyT = await until(() => keyStore.getKey(P, keyIdT, T), 10_000, 'T\'s key in the shared store');
  assert.equal(keyT.length, 32);

  // The requester's subscription on S is shown a content message on S that names T's key id
  // (here built with the publisher's key; on the wire, `groupKeyId` is not signed, so a relabelled
  // genuine message of S does the same). Its core then sends a valid key request, signed by the
  // requester, on S, to P, for T's key id: the request an attacker who copied the id from T sends.
  const attacker = track(createSubscriber({
    signer: requester,
    transport: transport(),
    registry: registry(),
    options: { keyRequestTimeout: 6000, keyRequestRetries: 1 },
  }));
  const got = [];
  const errors = [];
  const sub = await attacker.subscribe(S, 0, (m) => got.push(m));
  sub.on('error', (e) => errors.push(e));
  const bait = StreamMessage.createContentMessage({
    streamId: S,
    timestamp: Date.now(),
    msgChainId: 'baitChain0123456789a',
    content: encryptWithAES(new TextEncoder().encode(JSON.stringify({ secret: 'decrypted with T\'s key' })), keyT),
    contentType: ContentType.JSON,
    encryptionType: EncryptionType.AES,
    groupKeyId: keyIdT,
  }, evm);
  await transport().publish(`${S}#0`, bait.toBytes());
  bait.free();

  const isAttack = (m) => m.type === 'GROUP_KEY_REQUEST' && m.publisherId === requester.address && m.request?.groupKeyIds.includes(keyIdT);
  await until(() => wire.some(isAttack), 15_000, 'the requester\'s signed key request on S naming T\'s key id');
  const request = wire.find(isAttack).request;
  assert.equal(request.recipientId, P, 'the request is addressed to the publisher of S and T');

  // The publisher has checked the request once it answered or refused it; a release shows as a
  // delivery at the requester. Give it time either way.
  await until(
    () => got.length > 0 || answeredS.some((a) => a.requesterId === requester.address) || deniedS.some((d) => d.requesterId === requester.address),
    10_000,
    'the publisher to handle the request',
  ).catch(() => undefined);
  await sleep(500);

  const responses = wire.filter((m) => m.type === 'GROUP_KEY_RESPONSE' && m.response?.recipientId === requester.address);
  const leak = {
    // key responses on S to the requester that carry T's key
    responsesWithKeyOfT: responses.flatMap((m) => m.response.groupKeys.map((k) => k.id)).filter((id) => id === keyIdT),
    // the publisher of S reporting that it answered with T's key
    keyRequestEventsWithKeyOfT: answeredS.filter((a) => a.keyIds.includes(keyIdT)),
    // content encrypted under T's key, decrypted by the subscriber of S
    decryptedByRequester: got.map((m) => m.content),
  };
  assert.deepEqual(leak, { responsesWithKeyOfT: [], keyRequestEventsWithKeyOfT: [], decryptedByRequester: [] }, `T's key ${keyIdT} must not reach a subscriber of S only`);

  // Control: the requester holds SUBSCRIBE on S, so S's own key is served (the publisher works).
  await pubS.publish({ hello: 'S again' });
  await until(() => got.some((m) => m.content.hello === 'S again'), 20_000, () => `S's next message at its subscriber (errors: ${errors.map((e) => e.code)})`);
  assert.ok(answeredS.some((a) => a.requesterId === requester.address && a.keyIds.includes(keyIdS)), 'S\'s key was served');
  assert.ok(!answeredS.some((a) => a.keyIds.includes(keyIdT)), 'still never T\'s key');
});

test('a subscriber loads a key only for the stream it is bound to: from its key store or options.keys, never another stream\'s', async () => {
  // Needs the core's `loadKey` question on the subscriber side (asked before a key request).
  const S = await env.chain.createStream(`/key-load-S-${Date.now()}`);
  const T = await env.chain.createStream(`/key-load-T-${Date.now()}`);
  const privateKey = crypto.getRandomValues(new Uint8Array(32));
  const evm = EvmSigner.fromPrivateKey(privateKey);
  const signer = LocalSigner.fromPrivateKey(privateKey);
  const P = await signer.getUserId();
  await env.chain.grant(S, P, PERM.PUBLISH);
  await env.chain.grant(T, P, PERM.PUBLISH);
  const pubStore = new MemoryKeyStore();
  const pubS = track(createPublisher({ streamId: S, signer, transport: transport(), registry: registry(), keyStore: pubStore }));
  const pubT = track(createPublisher({ streamId: T, signer, transport: transport(), registry: registry(), keyStore: pubStore }));
  const answered = [];
  pubS.on('keyRequest', (e) => answered.push(e));
  await Promise.all([pubS.ready, pubT.ready]);
  const wireS = await tap(S);
  const wireT = await tap(T);
  await pubS.publish({ n: 0 });
  await pubT.publish({ t: 0 });
  const keyIdS = (await until(() => wireS.find((m) => m.type === 'MESSAGE'), 10_000, 'S\'s message')).groupKeyId;
  const keyIdT = (await until(() => wireT.find((m) => m.type === 'MESSAGE'), 10_000, 'T\'s message')).groupKeyId;
  const keyS = await until(() => pubStore.getKey(P, keyIdS, S), 10_000, 'S\'s key');
  const keyT = await until(() => pubStore.getKey(P, keyIdT, T), 10_000, 'T\'s key');

  // The subscriber's own store holds S's key bound to S (a reload) and T's key bound to T.
  const subSigner = LocalSigner.generate();
  await env.chain.grant(S, subSigner.address, PERM.SUBSCRIBE);
  const subStore = new MemoryKeyStore();
  await subStore.putKey(P, keyIdS, keyS, S);
  await subStore.putKey(P, keyIdT, keyT, T);
  const subscriber = track(createSubscriber({ signer: subSigner, transport: transport(), registry: registry(), keyStore: subStore, options: { keyRequestTimeout: 6000, keyRequestRetries: 1 } }));
  const got = [];
  const sent = [];
  const sub = await subscriber.subscribe(S, 0, (m) => got.push(m));
  sub.on('keyRequestSent', (e) => sent.push(e.keyId));
  await pubS.publish({ n: 1 });
  await until(() => got.length === 1, 15_000, 'S\'s message decrypted with the stored key');
  assert.deepEqual(sent, [], 'no key request: the key came from the store');

  // A message on S naming T's key id: T's key is in the store, but not bound to S, so it is
  // not loaded; the subscriber asks the publisher instead (who refuses, as above).
  const bait = StreamMessage.createContentMessage({
    streamId: S, timestamp: Date.now(), msgChainId: 'baitChain0123456789b',
    content: encryptWithAES(new TextEncoder().encode('{"bait":true}'), keyT),
    contentType: ContentType.JSON, encryptionType: EncryptionType.AES, groupKeyId: keyIdT,
  }, evm);
  await transport().publish(`${S}#0`, bait.toBytes());
  bait.free();
  await until(() => sent.includes(keyIdT), 15_000, 'a key request for T\'s key id (not a store read)');
  await sleep(500);
  assert.deepEqual(got.map((m) => m.content), [{ n: 1 }], 'the bait was not decrypted with T\'s stored key');

  // options.keys: the app's key for S, used without key exchange.
  const appSigner = LocalSigner.generate();
  await env.chain.grant(S, appSigner.address, PERM.SUBSCRIBE);
  const withKeys = track(createSubscriber({
    signer: appSigner, transport: transport(), registry: registry(),
    options: { keys: { [S]: { id: keyIdS, data: keyS } }, keyRequestTimeout: 6000, keyRequestRetries: 1 },
  }));
  const got2 = [];
  const sent2 = [];
  const sub2 = await withKeys.subscribe(S, 0, (m) => got2.push(m));
  sub2.on('keyRequestSent', (e) => sent2.push(e.keyId));
  await pubS.publish({ n: 2 });
  await until(() => got2.length === 1, 15_000, 'decrypted with the app\'s key');
  assert.deepEqual(sent2, []);
  assert.ok(!answered.some((a) => a.keyIds.includes(keyIdT)), 'T\'s key never served on S');
});

test('options.keys with an id of the app\'s own: delivered with strictFormats false on both sides; refused MALFORMED_MESSAGE by default', async () => {
  const S = await env.chain.createStream(`/custom-key-${Date.now()}`);
  const key = { id: 'app-key-1', data: crypto.getRandomValues(new Uint8Array(32)) };
  const signer = LocalSigner.generate();
  await env.chain.grant(S, signer.address, PERM.PUBLISH);
  const publisher = track(createPublisher({ streamId: S, signer, transport: transport(), registry: registry(), options: { keys: { [S]: key }, strictFormats: false } }));
  await publisher.ready;
  const subscribe = async (strictFormats) => {
    const s = LocalSigner.generate();
    await env.chain.grant(S, s.address, PERM.SUBSCRIBE);
    const options = { keys: { [S]: key }, ...(strictFormats === undefined ? {} : { strictFormats }) };
    const subscriber = track(createSubscriber({ signer: s, transport: transport(), registry: registry(), options }));
    const got = [];
    const errors = [];
    const sub = await subscriber.subscribe(S, 0, (m) => got.push(m));
    sub.on('error', (e) => errors.push(e.code));
    return { got, errors };
  };
  const relaxed = await subscribe(false);
  const strict = await subscribe(undefined);
  await publisher.publish({ custom: true });
  await until(() => relaxed.got.length === 1, 15_000, 'delivered under the app\'s key id');
  assert.deepEqual(relaxed.got[0].content, { custom: true });
  assert.equal(relaxed.got[0].groupKeyId, 'app-key-1');
  await until(() => strict.errors.includes('MALFORMED_MESSAGE'), 15_000, 'the strict subscriber refuses the id form');
  assert.equal(strict.got.length, 0);
});
