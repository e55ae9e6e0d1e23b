// SessionSigner (issue #15) end to end in Node: the real relay, a real anvil with the real
// StreamRegistryV5, anvil's unlocked dev accounts behind an EIP-1193 provider that counts what a
// wallet would show as prompts (personal_sign and eth_sendTransaction).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  Eip1193Signer,
  JsonRpcRegistry,
  LocalSigner,
  MemorySessionKeyStore,
  SessionSigner,
  WebSocketTransport,
  createPublisher,
  createSubscriber,
} from 'streamr-e2ee';
import { AnvilProvider, PERM, countingTransport as counting, deployRegistry, rpc, sleep, startAnvil, startRelay, until } from './harness.mjs';

const SUB_OPTIONS = { keyRequestTimeout: 4000, keyRequestRetries: 1, gapTimeoutMs: 2000 };
const isCode = (code) => (e) => e?.name === 'StreamrE2eeError' && e.code === code;

let anvil, relay, chain, dev;
const closers = [];
const track = (x) => (closers.push(x), x);
const transport = () => track(new WebSocketTransport(relay.url, { WebSocket }));
const registryFor = (provider) => new JsonRpcRegistry({ streamRegistryAddress: chain.address, provider, chainId: 31337 });
let counter = 0;
const newStream = () => chain.createStream(`/session-${++counter}-${Date.now()}`);


/** Dev account `i` as a wallet, holding GRANT on `streamId` unless `grant` is false. */
async function wallet(streamId, i, { grant = true } = {}) {
  if (grant) await chain.grant(streamId, dev[i], PERM.GRANT);
  return new AnvilProvider(anvil.url, [dev[i]]);
}

function openSession(streamId, provider, options = {}) {
  return SessionSigner.open({
    wallet: provider,
    streamId,
    registry: registryFor(provider),
    chainId: 31337,
    store: new MemorySessionKeyStore(),
    receiptPollMs: 50,
    ...options,
  }).then((s) => track({ close: async () => s.close(), s }).s);
}

async function localSubscriber(streamId, { signer = LocalSigner.generate(), grant = true } = {}) {
  if (grant) await chain.grant(streamId, signer.address, PERM.SUBSCRIBE);
  const subscriber = track(createSubscriber({ signer, transport: transport(), registry: new JsonRpcRegistry({ streamRegistryAddress: chain.address, rpcUrl: anvil.url }), options: SUB_OPTIONS }));
  const got = [];
  const errors = [];
  const sub = await subscriber.subscribe(streamId, 0, (m) => got.push(m));
  sub.on('error', (e) => errors.push(e));
  return { subscriber, sub, got, errors };
}

function publisherFor(streamId, signer, provider, t = transport()) {
  const publisher = track(createPublisher({ streamId, signer, transport: t, registry: registryFor(provider) }));
  const errors = [];
  publisher.on('error', (e) => errors.push(e));
  return { publisher, errors };
}

before(async () => {
  [anvil, relay] = await Promise.all([startAnvil(), startRelay()]);
  chain = await deployRegistry(anvil.url);
  dev = (await rpc(anvil.url, 'eth_accounts', [])).map((a) => a.toLowerCase());
});

after(async () => {
  for (const c of closers.reverse()) await c.close().catch(() => undefined);
  await relay?.stop();
  chain?.provider.destroy();
  await anvil?.stop();
});

describe('wallet prompts: 100 messages to 3 subscribers', () => {
  const N = 100;
  const M = 3;

  test('Eip1193Signer: N + M = 103 personal_sign prompts', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, dev[1], PERM.PUBLISH);
    const provider = new AnvilProvider(anvil.url, [dev[1]]);
    const { publisher } = publisherFor(streamId, await Eip1193Signer.connect(provider), provider);
    const subs = [];
    for (let i = 0; i < M; i++) subs.push(await localSubscriber(streamId));
    for (let i = 0; i < N; i++) await publisher.publish({ i });
    await until(() => subs.every((s) => s.got.length === N), 60_000, () => `all ${N} at each, got ${subs.map((s) => s.got.length)}`);
    assert.equal(provider.personalSignCalls, N + M);
    assert.equal(provider.transactions, 0);
    assert.equal(provider.prompts, 103);
    console.log(`# wallet prompts, Eip1193Signer: N=${N} messages, M=${M} subscribers -> ${provider.prompts} (personal_sign)`);
  });

  test('SessionSigner: 1 transaction, then no prompt; every subscriber decrypts every message from the session address', async () => {
    const streamId = await newStream();
    const provider = await wallet(streamId, 2);
    const session = await openSession(streamId, provider);
    assert.equal(session.reused, false);
    assert.equal(session.transactionRequests, 1);
    assert.equal(provider.transactions, 1);
    // On chain: the session address holds PUBLISH until the expiry, and nothing else.
    const p = await chain.permissionsOf(streamId, session.address);
    assert.equal(Number(p.publishExpiration) * 1000, session.expiresAt);
    assert.ok(session.expiresAt > Date.now() + 86_000_000, 'a day by default');
    assert.deepEqual([p.canEdit, p.canDelete, p.canGrant, p.subscribeExpiration], [false, false, false, 0n]);
    const { publisher, errors } = publisherFor(streamId, session, provider);
    const subs = [];
    for (let i = 0; i < M; i++) subs.push(await localSubscriber(streamId));
    for (let i = 0; i < N; i++) await publisher.publish({ i });
    await until(() => subs.every((s) => s.got.length === N), 60_000, () => `all ${N} at each, got ${subs.map((s) => s.got.length)}`);
    for (const s of subs) {
      assert.deepEqual(s.got.map((m) => m.content.i), [...Array(N).keys()]);
      assert.ok(s.got.every((m) => m.publisherId === session.address && m.encrypted));
      assert.deepEqual(s.errors, []);
    }
    assert.deepEqual(errors, []);
    assert.equal(provider.personalSignCalls, 0);
    assert.equal(provider.transactions, 1);
    assert.equal(provider.prompts, 1);
    console.log(`# wallet prompts, SessionSigner: N=${N} messages, M=${M} subscribers -> ${provider.prompts} (1 eth_sendTransaction, 0 personal_sign)`);
  });
});

describe('lifecycle', () => {
  test('expiry mid-stream: nothing published after the deadline, SESSION_EXPIRED, renew() (one prompt) drains the queue in order', async () => {
    const streamId = await newStream();
    const provider = await wallet(streamId, 3);
    let offset = 0;
    const clock = () => Date.now() + offset;
    const session = await openSession(streamId, provider, { clock, ttlSeconds: 3600, safetyMarginSeconds: 300, expiringBeforeSeconds: 600 });
    const events = [];
    session.on('expiring', (e) => events.push(['expiring', e]));
    session.on('expired', (e) => events.push(['expired', e]));
    session.on('renewed', (e) => events.push(['renewed', e]));
    const t = counting(transport());
    const { publisher, errors } = publisherFor(streamId, session, provider, t);
    const sub = await localSubscriber(streamId);
    for (let i = 0; i < 20; i++) await publisher.publish({ i });
    await until(() => sub.got.length === 20, 20_000, 'the first 20');

    // Into the warning window: `expiring` once, and publishing goes on.
    offset += (3600 - 300 - 600 + 1) * 1000;
    await publisher.publish({ i: 20 });
    assert.deepEqual(events.map((e) => e[0]), ['expiring']);
    assert.ok(events[0][1].remainingMs > 0 && events[0][1].remainingMs <= 600_000);

    // Past the expiry, on the chain and on the signer's clock.
    await chain.increaseTime(3600);
    offset += 3600 * 1000;
    assert.ok((await chain.chainTime()) * 1000 >= session.expiresAt, 'the grant has expired on chain');
    const pending = [];
    for (let i = 21; i < 50; i++) pending.push(publisher.publish({ i }));
    let settled = 0;
    for (const p of pending) p.then(() => settled++, () => settled++);
    await sleep(1500);
    assert.equal(t.content, 21, 'nothing reached the transport after the deadline');
    assert.equal(sub.got.length, 21);
    assert.equal(settled, 0, 'the queued publishes wait');
    const expired = events.find((e) => e[0] === 'expired')?.[1];
    assert.ok(isCode('SESSION_EXPIRED')(expired), 'a typed expired event');
    assert.equal(expired.expiresAt, session.expiresAt);
    assert.equal(session.expired, true);
    assert.equal(session.remainingMs(), 0);

    const prompts = provider.prompts;
    await session.renew();
    assert.equal(provider.prompts, prompts + 1, 'renewal is one prompt');
    assert.equal(session.expired, false);
    assert.ok(session.remainingMs() > 3_000_000);
    await Promise.all(pending);
    await until(() => sub.got.length === 50, 20_000, () => `all 50, got ${sub.got.length}`);
    await sleep(SUB_OPTIONS.gapTimeoutMs + 200);
    assert.deepEqual(sub.got.map((m) => m.content.i), [...Array(50).keys()], 'in order, nothing lost');
    assert.equal(t.content, 50, 'each once');
    assert.deepEqual(sub.errors.map((e) => e.code), [], 'no gap, no error at the subscriber');
    assert.deepEqual(errors, []);
    assert.deepEqual(events.map((e) => e[0]), ['expiring', 'expired', 'renewed']);
    assert.equal(provider.personalSignCalls, 0);
    assert.equal(provider.transactions, 2);
  });

  test('revoke(): one prompt, the session address loses PUBLISH on chain, the key is wiped', async () => {
    const streamId = await newStream();
    const provider = await wallet(streamId, 4);
    const store = new MemorySessionKeyStore();
    const session = await openSession(streamId, provider, { store });
    const { publisher } = publisherFor(streamId, session, provider);
    const sub = await localSubscriber(streamId);
    for (let i = 0; i < 3; i++) await publisher.publish({ i });
    await until(() => sub.got.length === 3, 20_000, 'the first 3');
    assert.ok((await chain.permissionsOf(streamId, session.address)).publishExpiration > 0n);

    const prompts = provider.prompts;
    const revoked = [];
    session.on('revoked', (e) => revoked.push(e));
    await session.revoke();
    assert.equal(provider.prompts, prompts + 1);
    assert.deepEqual(revoked, [{ address: session.address }]);
    const p = await chain.permissionsOf(streamId, session.address);
    assert.deepEqual([p.publishExpiration, p.subscribeExpiration, p.canGrant], [0n, 0n, false], 'no permission left on chain');
    assert.equal(session.coreSigner(), undefined);
    await assert.rejects(session.sign(new Uint8Array([1])), isCode('CLOSED'));
    await assert.rejects(publisher.publish({ i: 3 }), isCode('CLOSED'));
    await sleep(500);
    assert.equal(sub.got.length, 3, 'nothing after the revoke');
    // The stored copy is gone: the next open makes (and authorises) a new key.
    const again = await openSession(streamId, provider, { store });
    assert.equal(again.reused, false);
    assert.notEqual(again.address, session.address);
    assert.equal(provider.transactions, 3);
  });

  test('a wallet without GRANT: PERMISSION_DENIED that says so, no prompt; it can still publish with the wallet', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, dev[5], PERM.PUBLISH);
    const provider = await wallet(streamId, 5, { grant: false });
    await assert.rejects(openSession(streamId, provider), (e) =>
      isCode('PERMISSION_DENIED')(e) && /no GRANT/.test(e.message) && /sign with the wallet instead/.test(e.message));
    assert.equal(provider.prompts, 0);
    // The fallback: the wallet signs every message itself.
    const { publisher } = publisherFor(streamId, await Eip1193Signer.connect(provider), provider);
    const sub = await localSubscriber(streamId);
    await publisher.publish({ fallback: true });
    await until(() => sub.got.length === 1, 20_000, 'the wallet-signed message');
    assert.equal(sub.got[0].publisherId, dev[5]);
  });

  test('reload: a second open with the same store reuses the key with 0 prompts; an expired one is replaced (1 prompt)', async () => {
    const streamId = await newStream();
    const store = new MemorySessionKeyStore();
    const first = await wallet(streamId, 6);
    const s1 = await openSession(streamId, first, { store });
    assert.equal(first.prompts, 1);
    const address = s1.address;
    const expiresAt = s1.expiresAt;
    s1.close();
    assert.equal(s1.coreSigner(), undefined, 'closed: the key is gone from memory');

    const reloaded = new AnvilProvider(anvil.url, [dev[6]]); // a new page: a fresh count
    const s2 = await openSession(streamId, reloaded, { store });
    assert.equal(s2.reused, true);
    assert.equal(s2.address, address);
    assert.equal(s2.expiresAt, expiresAt);
    assert.equal(reloaded.prompts, 0);
    const { publisher } = publisherFor(streamId, s2, reloaded);
    const sub = await localSubscriber(streamId);
    await publisher.publish({ after: 'reload' });
    await until(() => sub.got.length === 1, 20_000, 'a message signed by the reloaded key');
    assert.equal(sub.got[0].publisherId, address);
    assert.equal(reloaded.prompts, 0);

    // restore(): what a page load calls. The stored session, or undefined when none is stored
    // or it lapsed; never a prompt, never a new key.
    const saves = [];
    const watched = (inner) => ({ load: (s) => inner.load(s), save: (s, k) => { saves.push(s); return inner.save(s, k); }, remove: (s) => inner.remove(s) });
    const silent = await Eip1193Signer.connect(reloaded, { requestAccounts: false });
    const restore = (o) => SessionSigner.restore({ wallet: silent, streamId, registry: registryFor(reloaded), chainId: 31337, ...o });
    const restored = await restore({ store: watched(store) });
    assert.equal(restored?.reused, true);
    assert.equal(restored.address, address);
    restored.close();
    assert.equal(await restore({ store: watched(new MemorySessionKeyStore()) }), undefined);
    assert.equal(await restore({ store: watched(store), clock: () => Date.now() + 2 * 86_400_000 }), undefined, 'a lapsed grant is not restored');
    assert.equal(await restore({ store: watched(store) }), undefined, 'the lapsed key was dropped from the store');
    assert.deepEqual(saves, []);
    assert.equal(reloaded.prompts, 0);

    // Two days on (the signer's clock), the stored grant has lapsed: a new key, one prompt.
    const later = new AnvilProvider(anvil.url, [dev[6]]);
    const s3 = await openSession(streamId, later, { store, clock: () => Date.now() + 2 * 86_400_000 });
    assert.equal(s3.reused, false);
    assert.notEqual(s3.address, address);
    assert.equal(later.prompts, 1);
  });

  test('a subscriber session (SUBSCRIBE): key requests signed with no prompt; with the wallet, one prompt per key request', async () => {
    const streamId = await newStream();
    const pubSigner = LocalSigner.generate();
    await chain.grant(streamId, pubSigner.address, PERM.PUBLISH);
    const { publisher } = publisherFor(streamId, pubSigner, new AnvilProvider(anvil.url, [dev[9]]));
    await publisher.ready;

    const provider = await wallet(streamId, 7);
    const session = await openSession(streamId, provider, { permissions: ['subscribe'] });
    const p = await chain.permissionsOf(streamId, session.address);
    assert.deepEqual([p.publishExpiration, Number(p.subscribeExpiration) * 1000], [0n, session.expiresAt], 'SUBSCRIBE only');
    const viaSession = await localSubscriber(streamId, { signer: session, grant: false });

    await chain.grant(streamId, dev[8], PERM.SUBSCRIBE);
    const walletProvider = new AnvilProvider(anvil.url, [dev[8]]);
    const viaWallet = await localSubscriber(streamId, { signer: await Eip1193Signer.connect(walletProvider), grant: false });

    for (let i = 0; i < 5; i++) await publisher.publish({ i });
    await until(() => viaSession.got.length === 5 && viaWallet.got.length === 5, 20_000, 'both decrypt');
    assert.equal(provider.prompts, 1, 'session: the one authorising transaction');
    assert.equal(provider.personalSignCalls, 0);
    assert.equal(walletProvider.personalSignCalls, 1, 'wallet: one prompt per key request (one publisher, one key)');
  });

  test('failed transactions are typed: refused (WALLET_REJECTED), would revert or reverted (TRANSACTION_FAILED)', async () => {
    const streamId = await newStream();
    const provider = await wallet(streamId, 8);
    const store = new MemorySessionKeyStore();
    provider.rejectNextTransaction = 1;
    await assert.rejects(openSession(streamId, provider, { store }), isCode('WALLET_REJECTED'));
    assert.equal(provider.transactions, 1);

    const session = await openSession(streamId, provider, { store });
    assert.equal(session.reused, false, 'the refused key was not kept');
    // The wallet loses GRANT: a renewal reverts. Anvil mines it (status 0) ...
    await chain.revoke(streamId, dev[8], PERM.GRANT);
    const sent = provider.transactions;
    await assert.rejects(session.renew(), (e) => isCode('TRANSACTION_FAILED')(e) && /reverted \(status 0x0\)/.test(e.message));
    // ... a wallet that estimates gas first (MetaMask) refuses to send it.
    provider.estimateFirst = true;
    await assert.rejects(session.renew(), (e) => isCode('TRANSACTION_FAILED')(e) && /would revert/.test(e.message) && /error_noSharePermission/.test(e.message));
    assert.equal(provider.transactions, sent + 2);
    assert.equal(session.expired, false, 'the session itself is unchanged');
    assert.ok(session.remainingMs() > 0);
  });
});
