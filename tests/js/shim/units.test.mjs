// Unit tests of the shim's pieces that need no chain (mocks only here; the real parts are in
// chain.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket, { WebSocketServer } from 'ws';
import { Interface } from 'ethers';
import {
  ContentType,
  EvmSigner,
  MemoryKeyStore,
  Publisher,
  StreamMessage,
  decodeGetPermissionsForUserId,
  getPermissionsForUserIdCall,
  revokeAllPermissionsForUserCall,
  setPermissionsForUserCall,
  Eip1193Signer,
  JsonRpcRegistry,
  LocalSigner,
  WebSocketTransport,
  createError,
  decodeHasPublicPermission,
  hasPublicPermissionCall,
  isStreamrE2eeError,
  toHex,
} from 'streamr-e2ee';
// The shim's internal question answerer (not a package export): what `loadKey` is answered with.
import { answerQuestion } from '../../../pkg/dist/api/host.js';
import { freePort, repo } from './harness.mjs';

const isCode = (code) => (e) => e.name === 'StreamrE2eeError' && e.code === code;

test('hasPublicPermission calldata matches ethers; garbage results throw MALFORMED_MESSAGE', () => {
  const { abi } = JSON.parse(readFileSync(`${repo}node_modules/@streamr/network-contracts/dist/artifacts/contracts/StreamRegistry/StreamRegistryV5.sol/StreamRegistryV5.json`, 'utf8'));
  const iface = new Interface(abi);
  const streamId = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/chat';
  assert.equal(toHex(hasPublicPermissionCall(streamId, 'SUBSCRIBE')), iface.encodeFunctionData('hasPublicPermission', [streamId, 3]));
  assert.equal(toHex(hasPublicPermissionCall(streamId, 'PUBLISH')), iface.encodeFunctionData('hasPublicPermission', [streamId, 2]));
  const yes = iface.encodeFunctionResult('hasPublicPermission', [true]);
  assert.equal(decodeHasPublicPermission(Buffer.from(yes.slice(2), 'hex')), true);
  assert.throws(() => decodeHasPublicPermission(new Uint8Array([1, 2, 3])), isCode('MALFORMED_MESSAGE'));
  const two = new Uint8Array(32);
  two[31] = 2; // not a canonical bool
  assert.throws(() => decodeHasPublicPermission(two), isCode('MALFORMED_MESSAGE'));
  assert.throws(() => hasPublicPermissionCall('', 'SUBSCRIBE'), isCode('INVALID_ARGUMENT'));
  assert.throws(() => hasPublicPermissionCall(streamId, 'EDIT'), isCode('INVALID_ARGUMENT'));
});

test('shim errors have the StreamrE2eeError shape', () => {
  const e = createError('WALLET_REJECTED', 'no');
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'StreamrE2eeError');
  assert.equal(e.code, 'WALLET_REJECTED');
  assert.ok(isStreamrE2eeError(e, 'WALLET_REJECTED'));
  assert.ok(!isStreamrE2eeError(new Error('x')));
});

test('WebSocketTransport: publishes while disconnected are queued up to the bound, then refused TRANSPORT_QUEUE_FULL', async () => {
  const port = await freePort(); // nothing listens: never connects
  const t = new WebSocketTransport(`ws://127.0.0.1:${port}`, { WebSocket, maxQueuedPublishes: 3, reconnectMaxMs: 200 });
  for (let i = 0; i < 3; i++) await t.publish('s#0', new Uint8Array([i]));
  assert.equal(t.queued, 3);
  await assert.rejects(t.publish('s#0', new Uint8Array([9])), isCode('TRANSPORT_QUEUE_FULL'));
  assert.equal(t.queued, 3, 'the refused one is not half-queued');
  await t.close();
  await assert.rejects(t.publish('s#0', new Uint8Array([1])), isCode('CLOSED'));
});

/** A scripted EIP-1193 provider (unit test only). */
function mockWallet(account, onSign) {
  return {
    async request({ method, params }) {
      if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [account];
      if (method === 'eth_chainId') return '0x7a69';
      if (method === 'personal_sign') return onSign(params);
      throw Object.assign(new Error('unsupported'), { code: 4200 });
    },
  };
}

test('Eip1193Signer maps wallet errors to codes and refuses signatures by another account', async () => {
  const mine = EvmSigner.generate();
  const other = EvmSigner.generate();
  const payload = new Uint8Array([1, 2, 3]);
  let behaviour = 'ok';
  const provider = mockWallet(mine.address, ([hex, addr]) => {
    assert.equal(hex, '0x010203');
    assert.equal(addr, mine.address);
    if (behaviour === 'reject') throw Object.assign(new Error('User rejected'), { code: 4001 });
    if (behaviour === 'fail') throw Object.assign(new Error('internal'), { code: -32603 });
    if (behaviour === 'other') return toHex(other.sign(payload));
    if (behaviour === 'short') return '0x1234';
    return toHex(mine.sign(payload));
  });
  const s = await Eip1193Signer.connect(provider);
  assert.equal(await s.getUserId(), mine.address);
  assert.deepEqual(await s.sign(payload), mine.sign(payload));
  behaviour = 'reject';
  await assert.rejects(s.sign(payload), isCode('WALLET_REJECTED'));
  behaviour = 'fail';
  await assert.rejects(s.sign(payload), isCode('WALLET_ERROR'));
  behaviour = 'other';
  await assert.rejects(s.sign(payload), isCode('WALLET_ERROR'));
  behaviour = 'short';
  await assert.rejects(s.sign(payload), isCode('WALLET_ERROR'));
  const refusing = { request: async () => { throw Object.assign(new Error('no'), { code: 4001 }); } };
  await assert.rejects(Eip1193Signer.connect(refusing), isCode('WALLET_REJECTED'));
});

test('JsonRpcRegistry: results, reverts with data, node errors and non-hex answers', async () => {
  let reply;
  const provider = { request: async ({ method }) => (method === 'eth_call' ? reply() : '0x7a69') };
  const r = new JsonRpcRegistry({ streamRegistryAddress: `0x${'11'.repeat(20)}`, provider, chainId: 31337 });
  reply = () => '0x0000';
  assert.deepEqual(await r.call(`0x${'22'.repeat(20)}`, new Uint8Array([1])), { type: 'callResult', data: new Uint8Array([0, 0]) });
  reply = () => { throw { code: 3, message: 'execution reverted', data: '0x08c379a0' }; };
  assert.deepEqual(await r.call(`0x${'22'.repeat(20)}`, new Uint8Array([1])), { type: 'callReverted', data: new Uint8Array([0x08, 0xc3, 0x79, 0xa0]) });
  reply = () => { throw { code: -32005, message: 'rate limited' }; };
  await assert.rejects(r.call(`0x${'22'.repeat(20)}`, new Uint8Array([1])), isCode('RPC_ERROR'));
  reply = () => 'zz';
  await assert.rejects(r.call(`0x${'22'.repeat(20)}`, new Uint8Array([1])), isCode('RPC_ERROR'));
  const wrongChain = new JsonRpcRegistry({ streamRegistryAddress: `0x${'11'.repeat(20)}`, provider, chainId: 1 });
  await assert.rejects(wrongChain.call(`0x${'22'.repeat(20)}`, new Uint8Array([1])), isCode('RPC_ERROR'));
});

test('JsonRpcRegistry pins the chain: chainId required with a wallet, checked before reading and after chainChanged', async () => {
  const address = `0x${'11'.repeat(20)}`;
  const to = `0x${'22'.repeat(20)}`;
  const listeners = new Set();
  const wallet = {
    chain: '0x7a69',
    asked: [],
    onCall: () => undefined,
    async request({ method }) {
      this.asked.push(method);
      if (method === 'eth_chainId') return this.chain;
      if (method === 'eth_call') {
        this.onCall();
        return '0x01';
      }
      throw Object.assign(new Error('unsupported'), { code: 4200 });
    },
    on(event, l) { if (event === 'chainChanged') listeners.add(l); },
    switchTo(chain) { this.chain = chain; for (const l of listeners) l(chain); },
  };
  assert.throws(() => new JsonRpcRegistry({ streamRegistryAddress: address, provider: wallet }), isCode('INVALID_ARGUMENT'));
  for (const chainId of ['137', 'abc', 0, -1, 1.5]) {
    assert.throws(() => new JsonRpcRegistry({ streamRegistryAddress: address, provider: wallet, chainId }), isCode('INVALID_ARGUMENT'), String(chainId));
  }
  const r = new JsonRpcRegistry({ streamRegistryAddress: address, provider: wallet, chainId: '0x7A69' });
  assert.deepEqual(await r.call(to, new Uint8Array([1])), { type: 'callResult', data: new Uint8Array([1]) });
  assert.deepEqual(await r.call(to, new Uint8Array([1])), { type: 'callResult', data: new Uint8Array([1]) });
  assert.deepEqual(wallet.asked, ['eth_chainId', 'eth_call', 'eth_call'], 'checked once while the chain stays');
  // The user switches the wallet to another chain: nothing is read there.
  wallet.asked.length = 0;
  wallet.switchTo('0x1');
  await assert.rejects(r.call(to, new Uint8Array([1])), (e) => isCode('RPC_ERROR')(e) && /chain/.test(e.message));
  await assert.rejects(r.call(to, new Uint8Array([1])), isCode('RPC_ERROR'));
  assert.deepEqual(wallet.asked, ['eth_chainId', 'eth_chainId'], 'no eth_call on the wrong chain');
  // Back: checked again, then read.
  wallet.asked.length = 0;
  wallet.switchTo('0x7a69');
  assert.equal((await r.call(to, new Uint8Array([1]))).type, 'callResult');
  assert.deepEqual(wallet.asked, ['eth_chainId', 'eth_call']);
  // A switch while a call is under way: its answer may come from the other chain; refused.
  wallet.onCall = () => wallet.switchTo('0x7a69');
  await assert.rejects(r.call(to, new Uint8Array([1])), (e) => isCode('RPC_ERROR')(e) && /switched chains/.test(e.message));
  wallet.onCall = () => undefined;
  assert.equal((await r.call(to, new Uint8Array([1]))).type, 'callResult');
  // A provider that cannot report a switch (no `on`) is checked before every call.
  const silent = { asked: [], async request({ method }) { this.asked.push(method); return method === 'eth_chainId' ? '0x7a69' : '0x'; } };
  const s = new JsonRpcRegistry({ streamRegistryAddress: address, provider: silent, chainId: 31337 });
  await s.call(to, new Uint8Array([1]));
  await s.call(to, new Uint8Array([1]));
  assert.deepEqual(silent.asked, ['eth_chainId', 'eth_call', 'eth_chainId', 'eth_call']);
  // rpcUrl needs no chainId (the app chose the node).
  assert.ok(new JsonRpcRegistry({ streamRegistryAddress: address, rpcUrl: 'http://127.0.0.1:1' }));
});

test('LocalSigner keeps the key in wasm; ERC-1271 mode names the contract', async () => {
  const s = LocalSigner.generate();
  assert.equal(await s.getUserId(), s.address);
  assert.ok(s.coreSigner() !== undefined);
  const c = LocalSigner.generate({ erc1271Contract: `0x${'AB'.repeat(20)}` });
  assert.equal(await c.getUserId(), `0x${'ab'.repeat(20)}`);
  assert.equal(c.signatureType, 'ERC_1271');
  assert.equal(c.coreSigner(), undefined);
  assert.throws(() => LocalSigner.generate({ erc1271Contract: '0x12' }), isCode('INVALID_ARGUMENT'));
});

test('WebSocketTransport: a relay that stops answering pings is left and reconnected to', async () => {
  // A server that completes the handshake and then never answers anything (a hung relay).
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  let connections = 0;
  server.on('connection', () => connections++);
  const t = new WebSocketTransport(`ws://127.0.0.1:${server.address().port}`, {
    WebSocket, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 200, reconnectBaseMs: 20, reconnectMaxMs: 50,
  });
  try {
    const deadline = Date.now() + 5000;
    while (connections < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(connections >= 2, `reconnected after the heartbeat timed out (${connections} connections)`);
  } finally {
    await t.close();
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
});

test('loadKey is answered from the app\'s key for that stream, then the key store, bound to the stream only', async () => {
  const P = `0x${'ab'.repeat(20)}`;
  const S = `${P}/s`;
  const T = `${P}/t`;
  const key = (fill) => new Uint8Array(32).fill(fill);
  const store = new MemoryKeyStore();
  await store.putKey(P, 'kS', key(1), S);
  await store.putKey(P, 'kT', key(2), T);
  const ports = { signer: undefined, registry: undefined, assertMaySign() {}, keyStore: store, explicitKeys: { [S]: { id: 'given', data: 'ff'.repeat(32) } } };
  const ask = (streamId, keyId, p = ports) => answerQuestion({ type: 'loadKey', streamId, publisherId: P, keyId }, p);
  assert.deepEqual(await ask(S, 'kS'), { answer: { type: 'storedKey', data: key(1) } });
  assert.deepEqual(await ask(S, 'kT'), { answer: { type: 'storedKey' } }, 'T\'s key is not bound to S');
  assert.deepEqual(await ask(T, 'kT'), { answer: { type: 'storedKey', data: key(2) } });
  assert.deepEqual(await ask(S, 'given'), { answer: { type: 'storedKey', data: key(0xff) } }, 'the app\'s key for S');
  assert.deepEqual(await ask(T, 'given'), { answer: { type: 'storedKey' } }, 'the app\'s key for S is not T\'s');
  assert.deepEqual(await ask(S, 'kS', { ...ports, keyStore: undefined }), { answer: { type: 'storedKey' } }, 'no store');
  const broken = { ...ports, keyStore: { getKey: async () => { throw createError('KEY_STORE_UNAVAILABLE', 'gone'); } } };
  const failed = await ask(S, 'kS', broken);
  assert.equal(failed.answer.type, 'failed', 'a store failure is a failed answer (the core takes it as no key)');
  assert.ok(isStreamrE2eeError(failed.error, 'KEY_STORE_UNAVAILABLE'));
});

test('session codecs match ethers: setPermissionsForUser, revokeAllPermissionsForUser, getPermissionsForUserId', () => {
  const { abi } = JSON.parse(readFileSync(`${repo}node_modules/@streamr/network-contracts/dist/artifacts/contracts/StreamRegistry/StreamRegistryV5.sol/StreamRegistryV5.json`, 'utf8'));
  const iface = new Interface(abi);
  const streamId = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/chat';
  const user = EvmSigner.generate().address;
  assert.equal(
    toHex(setPermissionsForUserCall(streamId, user, 1_900_000_000, 0)),
    iface.encodeFunctionData('setPermissionsForUser', [streamId, user, false, false, 1_900_000_000, 0, false]),
  );
  assert.equal(
    toHex(setPermissionsForUserCall(streamId, user.toUpperCase().replace('0X', '0x'), 5, Number.MAX_SAFE_INTEGER)),
    iface.encodeFunctionData('setPermissionsForUser', [streamId, user, false, false, 5, Number.MAX_SAFE_INTEGER, false]),
  );
  assert.equal(toHex(revokeAllPermissionsForUserCall(streamId, user)), iface.encodeFunctionData('revokeAllPermissionsForUser', [streamId, user]));
  assert.equal(toHex(getPermissionsForUserIdCall(streamId, user)), iface.encodeFunctionData('getPermissionsForUserId', [streamId, user]));
  const result = (p) => Buffer.from(iface.encodeFunctionResult('getPermissionsForUserId', [p]).slice(2), 'hex');
  assert.deepEqual(decodeGetPermissionsForUserId(result([true, false, 1_900_000_000n, 0n, true])), {
    canEdit: true, canDelete: false, publishExpiration: 1_900_000_000, subscribeExpiration: 0, canGrant: true,
  });
  // grantPermission's "forever" (2^256 - 1) saturates to the largest safe integer.
  const forever = decodeGetPermissionsForUserId(result([false, false, 2n ** 256n - 1n, 2n ** 53n, false]));
  assert.equal(forever.publishExpiration, Number.MAX_SAFE_INTEGER);
  assert.equal(forever.subscribeExpiration, Number.MAX_SAFE_INTEGER);
  assert.throws(() => decodeGetPermissionsForUserId(new Uint8Array(159)), isCode('MALFORMED_MESSAGE'));
  assert.throws(() => setPermissionsForUserCall(streamId, `${user}00`, 1, 1), isCode('INVALID_ARGUMENT'));
  assert.throws(() => setPermissionsForUserCall(streamId, user, 1.5, 1), isCode('INVALID_ARGUMENT'));
  assert.throws(() => setPermissionsForUserCall(streamId, user, -1, 1), isCode('INVALID_ARGUMENT'));
  assert.throws(() => revokeAllPermissionsForUserCall('', user), isCode('INVALID_ARGUMENT'));
});

test('EvmSigner.pause(): the wasm Publisher asks the host to sign instead, in order; resume() and wipe()', () => {
  const signer = EvmSigner.generate();
  const pub = new Publisher({ streamId: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/p', encrypt: false }, signer);
  const kinds = () => pub.pollOutputs().map((o) => o.type === 'ask' ? `ask:${o.question.type}` : o.type);
  const json = (i) => new TextEncoder().encode(JSON.stringify({ i }));
  pub.publish(json(0), ContentType.JSON, Date.now());
  assert.deepEqual(kinds(), ['send'], 'ready: signed in the core');
  signer.pause();
  assert.equal(signer.paused, true);
  pub.publish(json(1), ContentType.JSON, Date.now());
  pub.publish(json(2), ContentType.JSON, Date.now());
  const outs = pub.pollOutputs();
  assert.deepEqual(outs.map((o) => o.type), ['ask'], 'one sign question; the second publish waits behind it');
  assert.equal(outs[0].question.type, 'sign');
  // The host signs with the same key (sign() works while paused), resumes, and the queue drains.
  const signature = signer.sign(outs[0].question.payload);
  signer.resume();
  pub.answer(outs[0].id, { type: 'signature', signature }, Date.now());
  const drained = pub.pollOutputs();
  assert.deepEqual(drained.map((o) => o.type), ['send', 'send']);
  assert.deepEqual(drained.map((o) => o.publishId), [2, 3]);
  for (const o of drained) {
    const m = StreamMessage.fromBytes(o.bytes);
    assert.equal(m.verifySignature().status, 'VALID');
    assert.equal(m.publisherId, signer.address);
    m.free();
  }
  signer.wipe();
  assert.equal(signer.paused, true);
  signer.resume();
  assert.equal(signer.paused, true, 'a wiped key stays paused');
  assert.throws(() => signer.sign(new Uint8Array([1])), isCode('INVALID_KEY'));
  assert.match(signer.address, /^0x[0-9a-f]{40}$/, 'the address outlives the key');
  pub.publish(json(3), ContentType.JSON, Date.now());
  assert.deepEqual(kinds(), ['ask:sign'], 'a wiped key is never used by the core');
  pub.free();
});
