// StreamrNetworkTransport's own contract, on real network nodes on 127.0.0.1 (no chain, no
// SDK): typed errors for bad options and bad bytes, ready-means-joined, held publishes, the
// queue bound, own messages not delivered back, unsubscribe and close. The end-to-end proofs
// with stock SDK clients are in the other files of this folder.
import { guard } from './guard.mjs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentType, EncryptionType, EvmSigner, JsonRpcRegistry, LocalSigner, StreamMessage, createPublisher } from 'streamr-e2ee';
import { StreamrNetworkTransport, startEntryPoint } from 'streamr-e2ee/streamr-network';
import { PERM, freePort, randomNodeId, sleep, until } from './localnet.mjs';
import { deployRegistry, startAnvil } from '../js/shim/harness.mjs';

/** anvil with StreamRegistryV5, and our registry port on it. */
async function startChain() {
  const anvil = await startAnvil();
  const chain = await deployRegistry(anvil.url);
  return {
    chain,
    registry: () => new JsonRpcRegistry({ streamRegistryAddress: chain.address, rpcUrl: anvil.url }),
    async stop() {
      chain.provider.destroy();
      await anvil.stop();
    },
  };
}

function isContent(bytes) {
  const m = StreamMessage.fromBytes(bytes);
  try {
    return m.messageType === 'MESSAGE';
  } finally {
    m.free();
  }
}

const STREAM = '0x1234567890abcdef1234567890abcdef12345678/transport-test';
const PART = `${STREAM}#0`;
const isCode = (code) => (e) => e?.name === 'StreamrE2eeError' && e.code === code;

let ep;
const closers = [];
const start = async (options = {}) => {
  const t = await StreamrNetworkTransport.start({ entryPoints: [ep.entryPoint], ...options });
  closers.push(t);
  return t;
};

before(async () => {
  ep = await startEntryPoint({ port: await freePort() });
});

after(async () => {
  for (const t of closers) await t.close(0).catch(() => undefined);
  await ep.stop();
  assert.deepEqual(guard.blocked, [], 'nothing tried to leave 127.0.0.1');
});

/** Real signed StreamMessage bytes (the core's own encoder), `i` in the content. */
const evm = EvmSigner.generate();
let ts = Date.now();
function message(i, streamId = STREAM) {
  const m = StreamMessage.createContentMessage({
    streamId,
    timestamp: ++ts,
    msgChainId: 'aaaaaaaaaaaaaaaaaaaa',
    content: new TextEncoder().encode(JSON.stringify({ i })),
    contentType: ContentType.JSON,
    encryptionType: EncryptionType.None,
  }, evm);
  try {
    return m.toBytes();
  } finally {
    m.free();
  }
}

test('options are checked: typed INVALID_ARGUMENT naming the field', async () => {
  const bad = [
    [{ entryPoints: [] }, /entryPoints/],
    [{ entryPoints: [{ nodeId: 'xyz', websocket: { host: '127.0.0.1', port: 1, tls: false } }] }, /entryPoints\[0\].*node id/],
    [{ entryPoints: [{ nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port: 70000, tls: false } }] }, /port/],
    [{ entryPoints: [{ nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port: 1, tls: false } }], region: -1 }, /region/],
    [{ entryPoints: [{ nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port: 1, tls: false } }], websocketHost: '127.0.0.1' }, /websocketHost/],
    [{ entryPoints: [{ nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port: 1, tls: false } }], maxQueuedPublishes: 0 }, /maxQueuedPublishes/],
  ];
  for (const [options, field] of bad) {
    await assert.rejects(StreamrNetworkTransport.start(options), (e) => isCode('INVALID_ARGUMENT')(e) && field.test(e.message), JSON.stringify(options));
  }
});

test('no entry point answering: NETWORK_UNAVAILABLE within joinTimeoutMs', async () => {
  const dead = { nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port: await freePort(), tls: false } };
  const t0 = Date.now();
  await assert.rejects(StreamrNetworkTransport.start({ entryPoints: [dead], joinTimeoutMs: 1500 }), isCode('NETWORK_UNAVAILABLE'));
  assert.ok(Date.now() - t0 < 15_000, 'it gave up');
});

test('subscribe resolves once joined; messages of others arrive, own ones are not delivered back', async () => {
  const a = await start({ websocketPortRange: { min: await freePort(), max: 65535 } });
  const b = await start();
  const gotA = [];
  const gotB = [];
  await a.subscribe(PART, (bytes) => gotA.push(bytes));
  await b.subscribe(PART, (bytes) => gotB.push(bytes));
  const sent = [message(1), message(2), message(3)];
  for (const m of sent) await a.publish(PART, m);
  await until(() => gotB.length === 3, 20_000, () => `b got ${gotB.length} of 3`);
  assert.deepEqual(gotB.map((x) => Buffer.from(x).toString('hex')), sent.map((x) => Buffer.from(x).toString('hex')), 'the same bytes, in order');
  await sleep(300);
  assert.equal(gotA.length, 0, 'a does not get its own messages back');
  assert.equal(a.stats.ownSkipped, 3);
});

test('publish checks its bytes: not a StreamMessage, or one of another stream part, is INVALID_ARGUMENT', async () => {
  const t = await start();
  await assert.rejects(t.publish(PART, new Uint8Array([0xff, 0xff, 0xff, 0x01])), isCode('INVALID_ARGUMENT'));
  await assert.rejects(t.publish(`${STREAM}#1`, message(4)), (e) => isCode('INVALID_ARGUMENT')(e) && /not .*#1/.test(e.message));
  await assert.rejects(t.publish('no-partition', message(5)), isCode('INVALID_ARGUMENT'));
  await assert.rejects(t.subscribe('x#100', () => undefined), isCode('INVALID_ARGUMENT'));
  assert.equal(t.queued, 0);
});

test('publishes wait for the join, in order; past the bound they are refused TRANSPORT_QUEUE_FULL, never dropped', async () => {
  const receiver = await start({ websocketPortRange: { min: await freePort(), max: 65535 } });
  const got = [];
  const part = `${STREAM}-held#0`;
  await receiver.subscribe(part, (bytes) => got.push(bytes));
  const t = await start({ maxQueuedPublishes: 3 });
  const streamId = part.slice(0, -2);
  // All four calls are made before the first join can finish: three are held, one refused.
  const results = await Promise.allSettled([1, 2, 3, 4].map((i) => t.publish(part, message(i, streamId))));
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
  assert.ok(isCode('TRANSPORT_QUEUE_FULL')(results[3].reason), String(results[3].reason));
  await until(() => got.length === 3, 20_000, () => `receiver got ${got.length} of 3`);
  const contents = got.map((b) => {
    const m = StreamMessage.fromBytes(b);
    try {
      return JSON.parse(new TextDecoder().decode(m.content)).i;
    } finally {
      m.free();
    }
  });
  assert.deepEqual(contents, [1, 2, 3], 'the held ones, in order');
  assert.equal(t.queued, 0);
});

test('a publisher handle publishing right after createPublisher loses nothing', async () => {
  const receiver = await start({ websocketPortRange: { min: await freePort(), max: 65535 } });
  const got = [];
  const transport = await start();
  const L = await startChain();
  try {
    const streamId = await L.chain.createStream(`/early-${Date.now()}`);
    const signer = LocalSigner.generate();
    await L.chain.grant(streamId, signer.address, PERM.PUBLISH);
    const pub = createPublisher({ streamId, signer, transport, registry: L.registry() });
    const part2 = `${streamId}#0`;
    await receiver.subscribe(part2, (bytes) => got.push(bytes));
    const sent = await Promise.allSettled([pub.publish({ n: 1 }), pub.publish({ n: 2 })]);
    assert.ok(sent.every((r) => r.status === 'fulfilled'), JSON.stringify(sent.map((r) => r.reason?.message)));
    // Both content messages (encrypted: the stream is not public) reached the other node.
    await until(() => got.filter(isContent).length >= 2, 20_000, () => `receiver got ${got.length}`);
    await pub.close();
  } finally {
    await L.stop();
  }
});

test('unsubscribe leaves; close stops the node and later calls are CLOSED', async () => {
  const t = await start();
  const part = `${STREAM}-leave#0`;
  const unsubscribe = await t.subscribe(part, () => undefined);
  await unsubscribe();
  assert.equal(t.neighbors(part), 0);
  await t.close();
  await assert.rejects(t.publish(PART, message(9)), isCode('CLOSED'));
  await assert.rejects(t.subscribe(PART, () => undefined), isCode('CLOSED'));
});
