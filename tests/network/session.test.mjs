// A SessionSigner on the local Streamr network (issue #15): our publisher signs with a session
// key the wallet authorised with one transaction, over StreamrNetworkTransport, and a stock
// @streamr/sdk 103.3.2 subscriber holding SUBSCRIBE decrypts every message (it checks the
// session address's PUBLISH on the real StreamRegistryV5). Past the expiry nothing is
// published; after renew() the queue drains in order at the stock subscriber.
import { guard } from './guard.mjs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Wallet } from 'ethers';
import { MemorySessionKeyStore, SessionSigner, createPublisher } from 'streamr-e2ee';
import { AnvilProvider, countingTransport as counting, rpc } from '../js/shim/harness.mjs';
import { PERM, sleep, startLocalnet, waitFor } from './localnet.mjs';

let net;

before(async () => {
  net = await startLocalnet();
});

after(async () => {
  await net?.stop();
  assert.deepEqual(guard.blocked, [], 'nothing tried to leave 127.0.0.1');
});

/** Our transport, counting the content messages handed to it. */
async function countingTransport() {
  return counting(await net.transport());
}

test('a stock SDK subscriber decrypts every message signed by the session key; expiry holds the queue, renew() drains it in order', async () => {
  const streamId = await net.chain.createStream(`/session-${Date.now()}`);
  const account = (await rpc(net.anvil.url, 'eth_accounts', []))[1].toLowerCase();
  await net.chain.grant(streamId, account, PERM.GRANT);
  const provider = new AnvilProvider(net.anvil.url, [account]);
  let offset = 0;
  const session = await SessionSigner.open({
    wallet: provider,
    streamId,
    registry: net.registry(),
    chainId: 31337,
    store: new MemorySessionKeyStore(),
    ttlSeconds: 3600,
    clock: () => Date.now() + offset,
    receiptPollMs: 50,
  });
  net.track({ close: async () => session.close() });
  assert.equal(provider.prompts, 1);
  const expired = [];
  session.on('expired', (e) => expired.push(e));

  const subWallet = Wallet.createRandom();
  await net.chain.grant(streamId, subWallet.address, PERM.SUBSCRIBE);
  const stock = await net.sdkClient(subWallet.privateKey);
  const got = [];
  const subErrors = [];
  const sub = await stock.subscribe(streamId, (content, meta) => got.push({ content, publisherId: meta.publisherId.toLowerCase(), keyId: meta.encryptionKeyId }));
  sub.on('error', (e) => subErrors.push(String(e?.message ?? e)));

  const transport = await countingTransport();
  const publisher = net.track(createPublisher({ streamId, signer: session, transport, registry: net.registry() }));
  const pubErrors = [];
  publisher.on('error', (e) => pubErrors.push(e));
  const N = 30;
  for (let i = 0; i < N; i++) await publisher.publish({ i });
  await waitFor(got, N, 120_000, 'messages at the stock subscriber');
  assert.deepEqual(got.map((m) => m.content.i), [...Array(N).keys()]);
  assert.ok(got.every((m) => m.publisherId === session.address && typeof m.keyId === 'string'), 'signed by the session key, encrypted');

  // Past the expiry: the chain's clock and the signer's.
  await net.chain.increaseTime(3600);
  offset += 3600 * 1000;
  const pending = [];
  for (let i = N; i < 2 * N; i++) pending.push(publisher.publish({ i }));
  await sleep(3000);
  assert.equal(transport.content, N, 'nothing published after the expiry');
  assert.equal(got.length, N);
  assert.equal(expired.length, 1);
  assert.equal(expired[0].code, 'SESSION_EXPIRED');

  await session.renew();
  assert.equal(provider.prompts, 2, 'one transaction to open, one to renew; no personal_sign');
  await Promise.all(pending);
  await waitFor(got, 2 * N, 120_000, 'the queue at the stock subscriber');
  await sleep(1500); // a message delivered twice would arrive by now
  assert.deepEqual(got.map((m) => m.content.i), [...Array(2 * N).keys()], 'in order, nothing lost, none twice');
  assert.equal(transport.content, 2 * N);
  assert.deepEqual(subErrors, []);
  assert.deepEqual(pubErrors, []);
  assert.equal(provider.personalSignCalls, 0);
});
