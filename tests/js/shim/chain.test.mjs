// The shim end to end in Node 20: the real relay, a real anvil with the real StreamRegistryV5,
// anvil's unlocked accounts behind an EIP-1193 provider (personal_sign answered by the node).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import solc from 'solc';
import {
  AsymmetricEncryptionType,
  RsaKeyPair,
  createPublisher,
  createSubscriber,
  Eip1193Signer,
  JsonRpcRegistry,
  LocalSigner,
  MemoryKeyStore,
  WebSocketTransport,
} from 'streamr-e2ee';
import { AnvilProvider, PERM, deployRegistry, freePort, rpc, sleep, startAnvil, startRelay, until } from './harness.mjs';

const SUB_OPTIONS = { keyRequestTimeout: 4000, keyRequestRetries: 1, gapTimeoutMs: 2000 };

let anvil, relay, chain, devAccounts;
const closers = [];
const track = (x) => (closers.push(x), x);
const transport = () => track(new WebSocketTransport(relay.url, { WebSocket }));
const registryFor = (provider) => new JsonRpcRegistry({ streamRegistryAddress: chain.address, ...(provider ? { provider, chainId: 31337 } : { rpcUrl: anvil.url }) });
let streamCounter = 0;
const newStream = () => chain.createStream(`/shim-${++streamCounter}-${Date.now()}`);

/** A publisher signing with wallet account `account` (index into anvil's dev accounts). */
async function walletPublisher(streamId, account, options = {}, providerAccounts) {
  const provider = new AnvilProvider(anvil.url, providerAccounts ?? [devAccounts[account]]);
  const signer = await Eip1193Signer.connect(provider);
  const publisher = track(createPublisher({ streamId, signer, transport: transport(), registry: registryFor(provider), options }));
  const keyRequests = [];
  const denied = [];
  const errors = [];
  publisher.on('keyRequest', (e) => keyRequests.push(e));
  publisher.on('keyDenied', (e) => denied.push(e));
  publisher.on('error', (e) => errors.push(e));
  await publisher.ready;
  return { publisher, provider, signer, keyRequests, denied, errors };
}

async function localSubscriber(streamId, { grant = true, signer = LocalSigner.generate(), options = SUB_OPTIONS, registry } = {}) {
  if (grant) await chain.grant(streamId, signer.address, PERM.SUBSCRIBE);
  const subscriber = track(createSubscriber({ signer, transport: transport(), registry: registry ?? registryFor(), options }));
  const got = [];
  const errors = [];
  const sub = await subscriber.subscribe(streamId, 0, (m) => got.push(m));
  sub.on('error', (e) => errors.push(e));
  return { subscriber, sub, got, errors, address: signer.address };
}

before(async () => {
  [anvil, relay] = await Promise.all([startAnvil(), startRelay()]);
  chain = await deployRegistry(anvil.url);
  devAccounts = (await rpc(anvil.url, 'eth_accounts', [])).map((a) => a.toLowerCase());
});

after(async () => {
  for (const c of closers.reverse()) await c.close().catch(() => undefined);
  await relay?.stop();
  await anvil?.stop();
});

describe('permissions on a real chain', () => {
  test('SUBSCRIBE decrypts; without it nothing arrives and the publisher reports keyDenied', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, devAccounts[1], PERM.PUBLISH);
    const pub = await walletPublisher(streamId, 1);
    assert.equal(pub.publisher.encrypted, true);
    const allowed = await localSubscriber(streamId);
    const outsider = await localSubscriber(streamId, { grant: false });
    for (let i = 0; i < 5; i++) await pub.publisher.publish({ i });
    await until(() => allowed.got.length === 5, 20_000, () => `5 messages, got ${allowed.got.length}`);
    assert.deepEqual(allowed.got.map((m) => m.content.i), [0, 1, 2, 3, 4]);
    for (const m of allowed.got) {
      assert.equal(m.encrypted, true);
      assert.equal(m.publisherId, devAccounts[1]);
      assert.equal(typeof m.groupKeyId, 'string');
    }
    const ts = allowed.got.map((m) => m.timestamp * 1000 + m.sequenceNumber);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'chain order');
    await until(() => pub.denied.some((d) => d.requesterId === outsider.address), 20_000, 'keyDenied for the outsider');
    const denial = pub.denied.find((d) => d.requesterId === outsider.address);
    assert.equal(denial.code, 'PERMISSION_DENIED');
    assert.ok(pub.keyRequests.some((k) => k.requesterId === allowed.address));
    await until(() => outsider.errors.some((e) => e.code === 'KEY_REQUEST_TIMEOUT'), 20_000, 'KEY_REQUEST_TIMEOUT at the outsider');
    assert.equal(outsider.got.length, 0);
  });

  test('revoke + rekey: the revoked subscriber decrypts nothing after it; the other continues without a gap', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, devAccounts[2], PERM.PUBLISH);
    const pub = await walletPublisher(streamId, 2);
    const stays = await localSubscriber(streamId);
    const revoked = await localSubscriber(streamId);
    for (let i = 0; i < 3; i++) await pub.publisher.publish({ i });
    await until(() => stays.got.length === 3 && revoked.got.length === 3, 20_000, 'both get the first 3');
    const oldKey = stays.got[0].groupKeyId;
    await pub.publisher.rekey({ revoke: () => chain.revoke(streamId, revoked.address, PERM.SUBSCRIBE) });
    for (let i = 3; i < 6; i++) await pub.publisher.publish({ i });
    await until(() => stays.got.length === 6, 20_000, () => `6 at the one still allowed, got ${stays.got.length}`);
    assert.deepEqual(stays.got.map((m) => m.content.i), [0, 1, 2, 3, 4, 5]);
    assert.notEqual(stays.got[3].groupKeyId, oldKey, 'a new key after the rekey');
    assert.ok(!stays.errors.some((e) => e.code === 'MESSAGE_GAP'), 'no gap');
    await until(() => pub.denied.some((d) => d.requesterId === revoked.address), 20_000, 'keyDenied for the revoked');
    assert.equal(pub.denied.find((d) => d.requesterId === revoked.address).code, 'PERMISSION_DENIED');
    await until(() => revoked.errors.some((e) => e.code === 'KEY_REQUEST_TIMEOUT'), 20_000, 'KEY_REQUEST_TIMEOUT at the revoked');
    assert.deepEqual(revoked.got.map((m) => m.content.i), [0, 1, 2], 'nothing published after the rekey');
  });

  test('invalidatePermissions: a cached SUBSCRIBE answer is read from the chain again', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, devAccounts[8], PERM.PUBLISH);
    const pub = await walletPublisher(streamId, 8);
    const signer = LocalSigner.generate();
    const first = await localSubscriber(streamId, { signer });
    await pub.publisher.publish({ i: 0 });
    await until(() => first.got.length === 1, 20_000, 'the first message');
    await chain.revoke(streamId, signer.address, PERM.SUBSCRIBE);
    // Without a rekey or an invalidation the publisher believes its cached "yes" (TTL).
    const cached = await localSubscriber(streamId, { signer, grant: false });
    await pub.publisher.publish({ i: 1 });
    await until(() => cached.got.length === 1, 20_000, 'served from the cached answer');
    await pub.publisher.invalidatePermissions();
    const after = await localSubscriber(streamId, { signer, grant: false });
    await pub.publisher.publish({ i: 2 });
    await until(() => pub.denied.some((d) => d.requesterId === signer.address), 20_000, 'keyDenied after the invalidation');
    assert.equal(pub.denied.find((d) => d.requesterId === signer.address).code, 'PERMISSION_DENIED');
    await until(() => after.errors.some((e) => e.code === 'KEY_REQUEST_TIMEOUT'), 20_000, 'KEY_REQUEST_TIMEOUT');
    assert.equal(after.got.length, 0);
  });

  test('an expired permission counts as none', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, devAccounts[3], PERM.PUBLISH);
    const pub = await walletPublisher(streamId, 3);
    const expired = await localSubscriber(streamId);
    await chain.setExpiration(streamId, expired.address, PERM.SUBSCRIBE, Math.floor(Date.now() / 1000) - 60);
    await pub.publisher.publish({ hello: 1 });
    await until(() => pub.denied.some((d) => d.requesterId === expired.address), 20_000, 'keyDenied for the expired');
    assert.equal(pub.denied.find((d) => d.requesterId === expired.address).code, 'PERMISSION_DENIED');
    assert.equal(expired.got.length, 0);
  });

  test('a public stream is published and delivered unencrypted', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, devAccounts[4], PERM.PUBLISH);
    await chain.grantPublic(streamId, PERM.SUBSCRIBE);
    const pub = await walletPublisher(streamId, 4);
    assert.equal(pub.publisher.encrypted, false);
    const anyone = await localSubscriber(streamId, { grant: false });
    await pub.publisher.publish('public text');
    await pub.publisher.publish(new Uint8Array([1, 2, 3]));
    await until(() => anyone.got.length === 2, 20_000, 'public messages');
    assert.equal(anyone.got[0].content, 'public text');
    assert.deepEqual([...anyone.got[1].content], [1, 2, 3]);
    for (const m of anyone.got) {
      assert.equal(m.encrypted, false);
      assert.equal(m.groupKeyId, undefined);
    }
    // The app can force encryption on a public stream.
    const forced = await walletPublisher(streamId, 4, { encryption: 'always' });
    assert.equal(forced.publisher.encrypted, true);
  });
});

/** A JSON-RPC server on 127.0.0.1 answering every request with `body`. */
async function garbageRpc(body) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(body));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  track({ close: () => new Promise((r) => server.close(r)) });
  return `http://127.0.0.1:${server.address().port}`;
}

describe('registry failures: the publisher releases nothing and reports why', () => {
  for (const [name, makeUrl, code] of [
    ['RPC down', async () => `http://127.0.0.1:${await freePort()}`, 'RPC_ERROR'],
    ['RPC answers garbage hex', () => garbageRpc('{"jsonrpc":"2.0","id":1,"result":"0x0123456789"}'), 'PERMISSION_CHECK_FAILED'],
    ['RPC answers non-JSON', () => garbageRpc('<html>bad gateway</html>'), 'RPC_ERROR'],
  ]) {
    test(name, async () => {
      const streamId = await newStream();
      const signer = LocalSigner.generate();
      await chain.grant(streamId, signer.address, PERM.PUBLISH);
      const registry = new JsonRpcRegistry({ streamRegistryAddress: chain.address, rpcUrl: await makeUrl(), timeoutMs: 2000 });
      const publisher = track(createPublisher({ streamId, signer, transport: transport(), registry }));
      const denied = [];
      const errors = [];
      publisher.on('keyDenied', (d) => denied.push(d));
      publisher.on('error', (e) => errors.push(e));
      await publisher.ready;
      assert.equal(publisher.encrypted, true, 'an unanswered public check means encrypt');
      assert.ok(errors.some((e) => e.name === 'StreamrE2eeError' && e.code === code), `error ${code}: ${errors.map((e) => e.code)}`);
      const sub = await localSubscriber(streamId);
      await publisher.publish({ secret: true });
      await until(() => denied.some((d) => d.requesterId === sub.address), 20_000, 'keyDenied');
      assert.equal(denied.find((d) => d.requesterId === sub.address).code, 'PERMISSION_CHECK_FAILED');
      await sleep(300);
      assert.equal(sub.got.length, 0, 'no key was released');
    });
  }
});

describe('wallet', () => {
  test('4001 rejects that publish with WALLET_REJECTED, later publishes work without a gap; accountsChanged stops signing', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, devAccounts[5], PERM.PUBLISH);
    const pub = await walletPublisher(streamId, 5, {}, [devAccounts[5], devAccounts[6]]);
    const sub = await localSubscriber(streamId);
    await pub.publisher.publish({ n: 1 });
    await until(() => sub.got.length === 1, 20_000, 'first message');
    await pub.publisher.publish({ n: 2 });
    pub.provider.rejectNext = 1;
    await assert.rejects(pub.publisher.publish({ n: 3 }), (e) => e.name === 'StreamrE2eeError' && e.code === 'WALLET_REJECTED');
    await pub.publisher.publish({ n: 4 });
    await until(() => sub.got.length === 3, 20_000, 'messages 1, 2, 4');
    assert.deepEqual(sub.got.map((m) => m.content.n), [1, 2, 4]);
    // The chain was rolled back: 4 links to 2, so no gap is reported.
    await sleep(SUB_OPTIONS.gapTimeoutMs + 200);
    assert.ok(!sub.errors.some((e) => e.code === 'MESSAGE_GAP'), 'no gap after a refused publish');

    const prompts = pub.provider.personalSignCalls;
    pub.provider.switchTo(devAccounts[6]);
    await assert.rejects(pub.publisher.publish({ n: 5 }), (e) => e.code === 'WALLET_ACCOUNT_CHANGED');
    await assert.rejects(pub.signer.sign(new Uint8Array([1])), (e) => e.code === 'WALLET_ACCOUNT_CHANGED');
    assert.equal(pub.provider.personalSignCalls, prompts, 'no prompt as the new account');
    pub.provider.switchTo(devAccounts[5]);
    await pub.publisher.publish({ n: 6 });
    await until(() => sub.got.length === 4, 20_000, 'message 6');
    assert.deepEqual(sub.got.map((m) => m.content.n), [1, 2, 4, 6]);
    assert.ok(sub.got.every((m) => m.publisherId === devAccounts[5]));
  });

  test('wallet prompts: one per published message plus one per key response', async () => {
    const streamId = await newStream();
    await chain.grant(streamId, devAccounts[7], PERM.PUBLISH);
    const pub = await walletPublisher(streamId, 7);
    const N = 10;
    const M = 3;
    const subs = [];
    for (let i = 0; i < M; i++) subs.push(await localSubscriber(streamId));
    for (let i = 0; i < N; i++) await pub.publisher.publish({ i });
    await until(() => subs.every((s) => s.got.length === N), 30_000, 'every subscriber gets every message');
    assert.equal(pub.keyRequests.length, M);
    assert.equal(pub.provider.personalSignCalls, N + M);
    console.log(`# wallet prompts: N=${N} messages, M=${M} subscribers -> ${pub.provider.personalSignCalls} personal_sign calls`);
  });
});

describe('chain pinning (issue #13, Low)', () => {
  test('a wallet switched to another chain is not read: the key request fails closed until it comes back', async () => {
    // Chain B: another anvil (chain 1337) with the same admin, so the registry and the stream
    // have the same address and id there, and on B the outsider holds SUBSCRIBE.
    const anvilB = await startAnvil({ chainId: 1337 });
    track({ close: () => anvilB.stop() });
    const chainB = await deployRegistry(anvilB.url, 1337);
    assert.equal(chainB.address, chain.address, 'the same registry address on both chains');
    const path = `/pin-${Date.now()}`;
    const streamId = await chain.createStream(path);
    assert.equal(await chainB.createStream(path), streamId, 'the same stream id on both chains');
    await chain.grant(streamId, devAccounts[9], PERM.PUBLISH);
    await chainB.grant(streamId, devAccounts[9], PERM.PUBLISH);
    const pub = await walletPublisher(streamId, 9);
    const allowed = await localSubscriber(streamId);
    await pub.publisher.publish({ n: 1 });
    await until(() => allowed.got.length === 1, 20_000, 'the message on the pinned chain');

    // The user switches the wallet to chain B, where the outsider was granted SUBSCRIBE.
    const outsiderSigner = LocalSigner.generate();
    await chainB.grant(streamId, outsiderSigner.address, PERM.SUBSCRIBE);
    pub.provider.switchChain(anvilB.url, 1337);
    const outsider = await localSubscriber(streamId, { signer: outsiderSigner, grant: false });
    await pub.publisher.publish({ n: 2 });
    await until(() => pub.denied.some((d) => d.requesterId === outsiderSigner.address), 20_000, 'the outsider\'s request refused');
    assert.equal(pub.denied.find((d) => d.requesterId === outsiderSigner.address).code, 'PERMISSION_CHECK_FAILED');
    const wrongChain = pub.errors.filter((e) => e.code === 'RPC_ERROR' && /chain/.test(e.message));
    assert.ok(wrongChain.length > 0, `an RPC_ERROR naming the chain: ${pub.errors.map((e) => `${e.code} ${e.message}`)}`);
    await sleep(300);
    assert.equal(outsider.got.length, 0, 'nothing decrypted by way of chain B');

    // Back on the pinned chain: reads work again (a new subscriber granted there gets its key).
    pub.provider.switchChain(anvil.url, 31337);
    const later = await localSubscriber(streamId);
    await pub.publisher.publish({ n: 3 });
    await until(() => later.got.length === 1, 20_000, 'the key once the wallet is back on the pinned chain');
    assert.equal(outsider.got.length, 0);
  });
});

describe('relay restart', () => {
  test('mid-stream: reconnects, resubscribes, nothing lost, in order, no duplicates', async () => {
    const streamId = await newStream();
    const signer = LocalSigner.generate();
    await chain.grant(streamId, signer.address, PERM.PUBLISH);
    const states = [];
    const pubTransport = track(new WebSocketTransport(relay.url, { WebSocket, onStateChange: (s) => states.push(s) }));
    const publisher = track(createPublisher({ streamId, signer, transport: pubTransport, registry: registryFor() }));
    const sub = await localSubscriber(streamId);
    const total = 300;
    for (let i = 0; i < total; i++) {
      await publisher.publish({ i });
      if (i === 100) {
        await until(() => sub.got.length > 50, 20_000, 'the key before the restart');
        await relay.stop();
        // Published while the relay is down: queued by the transport, sent after the restart.
        await until(() => !pubTransport.connected, 5000, 'the publisher to notice the drop');
        while (i < 129) await publisher.publish({ i: ++i });
        assert.ok(pubTransport.queued >= 29, `queued while down: ${pubTransport.queued}`);
        relay = await startRelay(relay.port);
      }
      if (i % 10 === 0) await sleep(5);
    }
    await until(() => sub.got.length >= total, 30_000, () => `all ${total}, got ${sub.got.length}`);
    await sleep(500);
    assert.deepEqual(sub.got.map((m) => m.content.i), [...Array(total).keys()]);
    assert.ok(pubTransport.stats.connects >= 2, 'the publisher reconnected');
    assert.ok(states.includes('closed'));
    assert.equal(sub.sub.stats.delivered, total);
  });
});

// A minimal ERC-1271 wallet: accepts a 65-byte signature of its owner over the digest.
const WALLET_SOURCE = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.0;
contract OwnerWallet1271 {
    address public immutable owner;
    constructor(address o) { owner = o; }
    function isValidSignature(bytes32 digest, bytes calldata sig) external view returns (bytes4) {
        if (sig.length != 65) return 0xffffffff;
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        return ecrecover(digest, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}`;

function compileWallet() {
  const input = {
    language: 'Solidity',
    sources: { 'OwnerWallet1271.sol': { content: WALLET_SOURCE } },
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  assert.equal(errors.length, 0, JSON.stringify(errors));
  const c = out.contracts['OwnerWallet1271.sol'].OwnerWallet1271;
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

describe('ERC-1271', () => {
  test('a message published on behalf of a contract wallet verifies; a wrong signature does not', async () => {
    const { ContractFactory, Wallet } = await import('ethers');
    const { abi, bytecode } = compileWallet();
    const owner = Wallet.createRandom();
    const wallet = await new ContractFactory(abi, bytecode, chain.admin).deploy(owner.address);
    await wallet.waitForDeployment();
    const contract = (await wallet.getAddress()).toLowerCase();
    const streamId = await newStream();
    await chain.grant(streamId, contract, PERM.PUBLISH);

    const good = LocalSigner.fromPrivateKey(owner.privateKey, { erc1271Contract: contract });
    assert.equal(good.signatureType, 'ERC_1271');
    const publisher = track(createPublisher({ streamId, signer: good, transport: transport(), registry: registryFor() }));
    await publisher.ready;
    assert.equal(publisher.publisherId, contract);
    const sub = await localSubscriber(streamId);
    await publisher.publish({ from: 'contract' });
    await until(() => sub.got.length === 1, 20_000, 'the ERC-1271 message');
    assert.equal(sub.got[0].publisherId, contract);
    assert.deepEqual(sub.got[0].content, { from: 'contract' });
    assert.equal(sub.got[0].encrypted, true);

    // Someone else's key claiming the contract: the contract says no, nothing is delivered.
    const forger = LocalSigner.generate({ erc1271Contract: contract });
    const fake = track(createPublisher({ streamId, signer: forger, transport: transport(), registry: registryFor(), options: { encryption: 'always' } }));
    await fake.ready;
    await fake.publish({ from: 'forger' });
    await until(() => sub.errors.some((e) => e.code === 'INVALID_SIGNATURE'), 20_000, 'INVALID_SIGNATURE for the forgery');
    await sleep(300);
    assert.equal(sub.got.length, 1, 'the forged message was not delivered');
  });
});

describe('key store', () => {
  test('a restarted publisher restores its latest key and still answers requests for older keys', async () => {
    const streamId = await newStream();
    const signer = LocalSigner.generate();
    await chain.grant(streamId, signer.address, PERM.PUBLISH);
    const keyStore = new MemoryKeyStore();
    // A raw listener records the wire bytes, to replay an old message later.
    const tap = transport();
    const wire = [];
    await tap.subscribe(`${streamId}#0`, (b) => wire.push(b));
    const first = track(createPublisher({ streamId, signer, transport: transport(), registry: registryFor(), keyStore }));
    await first.publish({ k: 1 });
    await first.rekey();
    await first.publish({ k: 2 });
    await until(() => wire.length === 2, 10_000, 'two messages on the wire');
    await first.close();

    // Restart with the same identity and store: the latest key (k2) is current again.
    const second = track(createPublisher({ streamId, signer, transport: transport(), registry: registryFor(), keyStore }));
    const answered = [];
    second.on('keyRequest', (e) => answered.push(e));
    await second.ready;
    const sub = await localSubscriber(streamId);
    await second.publish({ k: 3 });
    await until(() => sub.got.length === 1, 20_000, 'the message after the restart');
    // The old message (under the first key, which the restarted core was not given) is replayed:
    // the request for that key is served from the key store.
    await tap.publish(`${streamId}#0`, wire[0]);
    await until(() => sub.got.length === 2, 20_000, () => `the old message, got ${sub.got.map((m) => JSON.stringify(m.content))} ${sub.errors.map((e) => e.code)}`);
    assert.deepEqual(sub.got.map((m) => m.content.k), [3, 1]);
    assert.notEqual(sub.got[0].groupKeyId, sub.got[1].groupKeyId);
    assert.equal(answered.length, 2, 'one response for the current key, one for the old key');
  });
});

describe('key exchange', () => {
  test('RSA through an injected key pair whose private key stays outside (remote unwrap)', async () => {
    const streamId = await newStream();
    const pubSigner = LocalSigner.generate();
    await chain.grant(streamId, pubSigner.address, PERM.PUBLISH);
    const publisher = track(createPublisher({ streamId, signer: pubSigner, transport: transport(), registry: registryFor() }));
    await publisher.ready;
    const rsa = await RsaKeyPair.generate(2048);
    const asked = [];
    let unwraps = 0;
    const keyPairFactory = (spec) => {
      asked.push(spec);
      return {
        keyExchange: { encryptionType: AsymmetricEncryptionType.RSA, publicKey: rsa.publicKeyPem },
        async unwrapGroupKey(keyId, data) {
          unwraps++;
          const key = await rsa.unwrapGroupKey(keyId, data);
          try {
            return key.data;
          } finally {
            key.free();
          }
        },
      };
    };
    const sub = await localSubscriber(streamId, { options: { ...SUB_OPTIONS, keyExchange: 'RSA', rsaKeyLength: 2048, keyPairFactory } });
    await publisher.publish({ rsa: true });
    await until(() => sub.got.length === 1, 20_000, 'the message over RSA key exchange');
    assert.deepEqual(asked, [{ algorithm: 'RSA', rsaKeyLength: 2048 }]);
    assert.equal(unwraps, 1);
    assert.deepEqual(sub.got[0].content, { rsa: true });
    // The worker/WebCrypto shape: `unwrap(data)` without the key id.
    const viaUnwrap = await localSubscriber(streamId, {
      options: { ...SUB_OPTIONS, keyExchange: 'RSA', keyPairFactory: () => ({ keyExchange: { encryptionType: AsymmetricEncryptionType.RSA, publicKey: rsa.publicKeyPem }, unwrap: async (data) => { unwraps++; const k = await rsa.unwrapGroupKey('x', data); try { return k.data; } finally { k.free(); } } }) },
    });
    await publisher.publish({ rsa: 2 });
    await until(() => viaUnwrap.got.length === 1, 20_000, 'the message through unwrap(data)');
    assert.deepEqual(viaUnwrap.got[0].content, { rsa: 2 });
    assert.equal(unwraps, 2);
    // requireQuantumResistantKeyExchange contradicts RSA: refused before anything is sent.
    const strict = createSubscriber({ signer: LocalSigner.generate(), transport: transport(), registry: registryFor(), options: { requireQuantumResistantKeyExchange: true, keyExchange: 'RSA' } });
    await assert.rejects(strict.subscribe(streamId), (e) => e.code === 'ENCRYPTION_POLICY_VIOLATION');
    // The core's policy holds for any RSA key pair, a factory's included.
    const rsaFactory = () => ({ keyExchange: { encryptionType: AsymmetricEncryptionType.RSA, publicKey: rsa.publicKeyPem }, unwrap: async () => new Uint8Array(32) });
    const factoryStrict = createSubscriber({ signer: LocalSigner.generate(), transport: transport(), registry: registryFor(), options: { requireQuantumResistantKeyExchange: true, keyPairFactory: rsaFactory } });
    await assert.rejects(factoryStrict.subscribe(streamId), (e) => e.code === 'ENCRYPTION_POLICY_VIOLATION');
  });
});
