// One bundle's publisher run: a fresh stream on the local chain, a stock @streamr/sdk subscriber
// in Node (granted SUBSCRIBE), and the page (served on 127.0.0.1) publishing with a key made here
// and granted PUBLISH. Message 0 is published right after createPublisher, before anything is
// joined; then 1..n-1. The stock subscriber must decrypt all of them, in order, once each.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { PERM, sleep, waitFor } from '../localnet.mjs';
import { openPage, startServer } from './browser.mjs';
import { NETWORK_MARKERS, filesWith } from './builds.mjs';

/** Where the screenshots go. */
export const SHOTS = new URL('../../../test-results/network-browser/', import.meta.url).pathname;

const lower = (s) => String(s).toLowerCase();

/** Runs the scenario for build `b` (a page build); reports through `check(name, ok, detail)`. */
export async function publisherScenario({ net, context, log, b, n, check }) {
  const label = b.bundler;
  const streamId = await net.chain.createStream(`/browser-${label}-${Date.now()}`);
  const pubWallet = Wallet.createRandom();
  const subWallet = Wallet.createRandom();
  await net.chain.grant(streamId, pubWallet.address, PERM.PUBLISH);
  await net.chain.grant(streamId, subWallet.address, PERM.SUBSCRIBE);

  const stock = await net.sdkClient(subWallet.privateKey);
  const got = [];
  const subErrors = [];
  const sub = await stock.subscribe(streamId, (content, meta) =>
    got.push({ content, publisherId: lower(meta.publisherId), keyId: meta.encryptionKeyId }),
  );
  sub.on('error', (e) => subErrors.push(String(e?.message ?? e)));

  const server = await startServer(b.dir);
  const firstWs = log.webSockets.length;
  const firstResponse = log.responses.length;
  const firstPageError = log.pageErrors.length;
  let page;
  try {
    page = await openPage(context, `${server.origin}/`, log);
    const cfg = {
      bundler: label,
      entryPoints: net.entryPoints,
      privateKey: pubWallet.privateKey,
      registryAddress: net.chain.address,
      rpcUrl: net.anvil.url,
      streamId,
      tag: label,
    };
    const started = await page.evaluate((c) => window.app.start(c), cfg);
    await page.evaluate(([to, tag]) => window.app.publishRange(1, to, tag), [n, label]);
    const late = await waitFor(got, n, 120_000, `${label}: messages at the stock subscriber`).then(() => undefined, (e) => e.message);
    await sleep(1500); // a message delivered twice would arrive by now
    const status = await page.evaluate(() => window.app.status());
    const order = got.map((m) => m.content?.i);
    await page.evaluate((t) => window.app.note(t), `stock @streamr/sdk subscriber (Node) decrypted ${got.length}/${n}: ${order.join(' ')}`);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${label}.png`), fullPage: true });
    await page.evaluate(() => window.app.close());

    const me = lower(pubWallet.address);
    check(`${label}: the page signs with the key made here and granted PUBLISH`,
      lower(started.signer) === me && lower(started.publisherId) === me, JSON.stringify({ started, me }));

    const rpc = log.responses.slice(firstResponse).filter((r) => r.url.startsWith(net.anvil.url) && r.method === 'POST');
    check(`${label}: the page read the chain from anvil over http, cross-origin (CORS allowed), and encrypts`,
      started.encrypted === true && rpc.length > 0 && rpc.every((r) => r.status === 200 && r.acao !== null && r.origin === server.origin),
      JSON.stringify({ encrypted: started.encrypted, rpc: rpc.slice(0, 3), calls: rpc.length }));

    const epUrl = `ws://127.0.0.1:${net.ep.port}/`;
    const ws = log.webSockets.slice(firstWs);
    const joined = status.transport.filter((t) => t.s === 'joined').map((t) => t.streamPart);
    check(`${label}: the browser node dialled the entry point over WebSocket and joined the stream part`,
      ws.some((u) => u.startsWith(epUrl)) && joined.includes(`${streamId}#0`), JSON.stringify({ ws, epUrl, transport: status.transport }));

    check(`${label}: message 0, published right after createPublisher (nothing joined yet), is not lost`,
      started.joinedBefore === 0 && got[0]?.content?.i === 0,
      JSON.stringify({ joinedBefore: started.joinedBefore, first: got[0]?.content }));

    const expected = Array.from({ length: n }, (_, i) => i);
    check(`${label}: the stock subscriber decrypted all ${n}, in order, none twice`,
      late === undefined && JSON.stringify(order) === JSON.stringify(expected) && got.every((m) => m.content.tag === label),
      `${late ?? ''} got ${JSON.stringify(order)}`);

    check(`${label}: every one from the page's publisher, under a group key`,
      got.length > 0 && got.every((m) => m.publisherId === me && typeof m.keyId === 'string' && m.keyId.length > 0),
      JSON.stringify(got.slice(0, 2)));

    check(`${label}: the page answered the stock subscriber's key request, denied none`,
      status.keyRequests.map(lower).includes(lower(subWallet.address)) && status.keyDenied.length === 0,
      JSON.stringify({ keyRequests: status.keyRequests, keyDenied: status.keyDenied }));

    // @streamr/config (the public entry points) is imported only without entryPoints: the
    // bundlers split it into a lazy chunk, which this page must never fetch.
    const configFiles = filesWith(b, NETWORK_MARKERS['@streamr/config']);
    const fetched = log.responses.slice(firstResponse).map((r) => new URL(r.url).pathname.slice(1));
    check(`${label}: @streamr/config is a lazy chunk (${configFiles.join(', ')}) the page never fetched`,
      configFiles.length > 0 && !configFiles.some((f) => f === 'main.js' || /^assets\/index-/.test(f) || fetched.includes(f)),
      JSON.stringify({ configFiles, fetched }));

    const pageErrors = log.pageErrors.slice(firstPageError);
    check(`${label}: no publish refused, nothing held, no errors (page, publisher, stock subscriber)`,
      status.published.length === n && status.publishErrors.length === 0 && status.queued === 0 &&
        status.errors.length === 0 && pageErrors.length === 0 && subErrors.length === 0,
      JSON.stringify({ published: status.published.length, publishErrors: status.publishErrors, queued: status.queued, errors: status.errors, pageErrors, subErrors }));
    return { keyRequests: status.keyRequests.length, stats: status.stats };
  } finally {
    await page?.close();
    await server.stop();
    await stock.destroy();
  }
}

/** Opens a `streamr-e2ee`-only build: the bundle must work (a wasm signer) and open no WebSocket. */
export async function onlyScenario({ context, log, b, check }) {
  const server = await startServer(b.dir);
  const firstWs = log.webSockets.length;
  const firstPageError = log.pageErrors.length;
  let page;
  try {
    page = await openPage(context, `${server.origin}/`, log);
    const r = await page.evaluate(() => ({
      address: window.e2ee.LocalSigner.generate().address,
      createPublisher: typeof window.e2ee.createPublisher,
      transport: 'StreamrNetworkTransport' in window.e2ee,
    }));
    await sleep(500);
    const ws = log.webSockets.slice(firstWs);
    const pageErrors = log.pageErrors.slice(firstPageError);
    check(`${b.bundler}: the streamr-e2ee-only bundle runs (wasm LocalSigner), without the transport, and opens no WebSocket`,
      /^0x[0-9a-f]{40}$/i.test(r.address) && r.createPublisher === 'function' && !r.transport && ws.length === 0 && pageErrors.length === 0,
      JSON.stringify({ r, ws, pageErrors }));
  } finally {
    await page?.close();
    await server.stop();
  }
}
