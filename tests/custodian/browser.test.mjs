// Issue #19 with the publisher in a browser tab: the publisher page of tests/network/browser
// (webpack 5 build of streamr-e2ee + streamr-e2ee/streamr-network, in Debian's headless
// Chromium) names a custodian (the command, a separate process), publishes, closes and the tab
// is closed before anyone asks for a key. A recorder node sends the messages again later; a stock
// @streamr/sdk subscriber and ours decrypt every one through the custodian.
import { guard } from '../network/guard.mjs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Wallet } from 'ethers';
import { sealCustodianIdentity } from 'streamr-e2ee';
import { PERM, freePort, sleep, startLocalnet, until, waitFor } from '../network/localnet.mjs';
import { build } from '../network/browser/builds.mjs';
import { launchBrowser, openPage, startServer } from '../network/browser/browser.mjs';
import { custodianHome, identityFile, startCustodianProcess } from './helpers.mjs';

const N = 5;
let net;
let browser;
const processes = [];
before(async () => {
  net = await startLocalnet({ keyRequestTimeout: 30_000 });
});
after(async () => {
  await browser?.close();
  for (const p of processes) await p.stop();
  await net?.stop();
  assert.deepEqual(guard.blocked, [], 'nothing tried to leave 127.0.0.1');
});

test('a browser publisher names a custodian, publishes and its tab closes; stock and ours decrypt later', { timeout: 600_000 }, async () => {
  const page = build('webpack', 'page');
  const streamId = await net.chain.createStream(`/custodian-browser-${Date.now()}`);
  const streamPart = `${streamId}#0`;
  const pubWallet = Wallet.createRandom();
  await net.chain.grant(streamId, pubWallet.address, PERM.PUBLISH);

  const home = custodianHome();
  const args = ['--stream', streamId, '--rpc-url', net.anvil.url, '--registry', net.chain.address, '--entry-point', JSON.stringify(net.ep.entryPoint), '--ws-port', String(await freePort()), '--grace-ms', '500'];
  const first = await startCustodianProcess(home, args);
  await first.stop();
  const sealed = sealCustodianIdentity(Buffer.from(pubWallet.privateKey.slice(2), 'hex'), Buffer.from(first.info.publicKey, 'hex'));
  const custodian = await startCustodianProcess(home, [...args, '--identity-file', identityFile(home, sealed)]);
  processes.push(custodian);
  assert.deepEqual(custodian.info.identities, [pubWallet.address.toLowerCase()]);

  const recorder = await net.transport();
  const recorded = [];
  await recorder.subscribe(streamPart, (bytes) => recorded.push(bytes));
  const contents = () => recorded.filter((b) => net.e2ee.StreamMessage.fromBytes(b).messageType === 'MESSAGE');

  const launched = await launchBrowser();
  browser = launched.browser;
  const server = await startServer(page.dir);
  let status;
  try {
    const tab = await openPage(launched.context, `${server.origin}/`, launched.log);
    await tab.evaluate((c) => window.app.start(c), {
      bundler: 'webpack',
      entryPoints: net.entryPoints,
      privateKey: pubWallet.privateKey,
      registryAddress: net.chain.address,
      rpcUrl: net.anvil.url,
      streamId,
      tag: 'custodian',
      options: { custodians: [{ publicKey: first.info.publicKey, userId: first.info.userId }] },
    });
    await tab.evaluate((n) => window.app.publishRange(1, n, 'custodian'), N);
    await tab.evaluate(() => window.app.close());
    status = await tab.evaluate(() => window.app.status());
    await tab.close(); // the tab is gone
  } finally {
    await server.stop();
  }
  assert.deepEqual(launched.log.offLoopback, [], 'Chromium stayed on 127.0.0.1');
  assert.deepEqual(launched.log.pageErrors, []);
  assert.deepEqual(status.published, [0, 1, 2, 3, 4]);
  assert.deepEqual(status.errors, []);
  assert.deepEqual(status.keyRequests, [first.info.userId], 'the page answered only its hand-off to the custodian');
  await custodian.waitFor('keyReceived', 1, 60_000, 'the key at the custodian');
  await until(() => contents().length >= N, 60_000, () => `recorded ${contents().length} of ${N}`);
  const batch = contents();

  const stockId = net.identity();
  const ourId = net.identity();
  for (const id of [stockId, ourId]) await net.chain.grant(streamId, id.address, PERM.SUBSCRIBE);
  const stock = await net.stockSubscriber(streamId, { id: stockId });
  const ours = await net.subscriber(streamId, { id: ourId, options: { keyRequestTimeout: 30_000 } });
  await net.joined(streamPart, [recorder, stock.client, ours.transport], 60_000);
  await sleep(1000);
  for (const b of batch) await recorder.publish(streamPart, b);
  await waitFor(stock.got, N, 120_000, 'stock, through the custodian');
  await waitFor(ours.got, N, 120_000, 'ours, through the custodian');
  const expected = [0, 1, 2, 3, 4].map((i) => ({ i, tag: 'custodian' }));
  assert.deepEqual(stock.got.map((m) => m.content), expected);
  assert.deepEqual(ours.got.map((m) => m.content), expected);
  const answered = new Set(custodian.answered().map((e) => e.requesterId));
  assert.ok(answered.has(stockId.address.toLowerCase()) && answered.has(ourId.address), `custodian answered ${[...answered]}`);
});
