// Through a real local Streamr network (the shared localnet recipe): StreamRegistryV5 on anvil,
// StreamrClients of @streamr/sdk 103.3.2 over WebSocket on 127.0.0.1, an encrypted stream, the
// SDK's own key exchange and on-chain permission checks. One network, both directions:
//   A1 (publisher, SDK on our backend)  → B1 (stock subscriber)
//   A2 (stock publisher)                → B2 (subscriber, SDK on our backend)
//   C (stock, no permission) gets nothing, only DECRYPT_ERRORs.
// The loopback guard refuses any connection that would leave 127.0.0.1.
import { guard } from './guard.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as H from './harness.mjs';
import { localSdkConfig, randomNodeId } from '../../scripts/local-sdk-config.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..', '..');
const CHAIN_ID = 31337;
const ADMIN_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'; // anvil dev account #0
const PERM = { PUBLISH: 2, SUBSCRIBE: 3 };
// Generous: on a loaded 2-core machine a key exchange can take over a second.
const KEY_REQUEST_TIMEOUT = 5000;
const N = 3;

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const until = async (cond, ms, what) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await sleep(50);
  }
};

async function startAnvil(port) {
  const bin = path.join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
  const proc = spawn(bin, ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(CHAIN_ID), '--silent'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
      if ((await r.json()).result) return { proc, url };
    } catch { /* not up yet */ }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error('anvil did not start');
}

test('local Streamr network: backend publisher → stock subscriber, stock publisher → backend subscriber, no-permission subscriber gets nothing', { timeout: 120000 }, async () => {
  const ports = await Promise.all(Array.from({ length: 7 }, freePort));
  const [rpcPort, epPort, a1Port, a2Port, b1Port, b2Port, cPort] = ports;
  const anvil = await startAnvil(rpcPort);
  const clients = [];
  try {
    const { JsonRpcProvider, Wallet, ContractFactory, NonceManager, ZeroAddress } = await import('ethers');
    const provider = new JsonRpcProvider(anvil.url, CHAIN_ID, { cacheTimeout: -1, staticNetwork: true, pollingInterval: 100 });
    const adminWallet = new Wallet(ADMIN_KEY, provider);
    const admin = new NonceManager(adminWallet);
    const artifact = JSON.parse(fs.readFileSync(path.join(ROOT,
      'node_modules/@streamr/network-contracts/dist/artifacts/contracts/StreamRegistry/StreamRegistryV5.sol/StreamRegistryV5.json'), 'utf8'));
    const [wA1, wA2, wB1, wB2, wC, wEP] = Array.from({ length: 6 }, () => Wallet.createRandom());
    const streamId = `${adminWallet.address.toLowerCase()}/e2ee-interop`;
    const registry = await new ContractFactory(artifact.abi, artifact.bytecode, admin).deploy();
    await registry.waitForDeployment();
    await (await registry.initialize(ZeroAddress, ZeroAddress)).wait();
    await (await registry.createStream('/e2ee-interop', '{}')).wait();
    for (const w of [wA1, wA2]) await (await registry.grantPermission(streamId, w.address, PERM.PUBLISH)).wait();
    for (const w of [wB1, wB2]) await (await registry.grantPermission(streamId, w.address, PERM.SUBSCRIBE)).wait();
    const registryAddress = await registry.getAddress();
    provider.destroy();

    const ep = { nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port: epPort, tls: false } };
    const makeConfig = (privateKey, port, isEntryPoint = false) => localSdkConfig({
      privateKey,
      entryPoints: [ep],
      port,
      peerDescriptor: isEntryPoint ? ep : undefined,
      chainId: CHAIN_ID,
      registry: registryAddress,
      rpcUrl: anvil.url,
      encryption: { keyRequestTimeout: KEY_REQUEST_TIMEOUT, rsaKeyLength: 640 },
    });
    const client = (sdk, w, port, isEntryPoint) => {
      const c = new sdk.StreamrClient(makeConfig(w.privateKey, port, isEntryPoint));
      clients.push(c);
      return c;
    };
    const EP = client(H.stock, wEP, epPort, true);
    const A1 = client(H.backend, wA1, a1Port);
    const A2 = client(H.stock, wA2, a2Port);
    const B1 = client(H.stock, wB1, b1Port);
    const B2 = client(H.backend, wB2, b2Port);
    const C = client(H.stock, wC, cPort);
    await EP.connect();

    const got = { B1: [], B2: [], C: [] };
    const errors = { B1: [], B2: [], C: [] };
    for (const [name, c] of [['B1', B1], ['B2', B2], ['C', C]]) {
      const sub = await c.subscribe(streamId, (content, metadata) => got[name].push({ content, from: metadata.publisherId }));
      sub.on('error', (err) => errors[name].push(err.code));
    }
    await Promise.all([A1.connect(), A2.connect()]);
    const { result: published, ours } = await H.counted(async () => {
      const out = [];
      for (let i = 0; i < N; i++) {
        out.push(await A1.publish(streamId, { from: 'A1', i }));
        out.push(await A2.publish(streamId, { from: 'A2', i }));
      }
      await until(() => got.B1.length === 2 * N && got.B2.length === 2 * N, 45000,
        () => `B1 ${got.B1.length}, B2 ${got.B2.length} of ${2 * N}; errors ${JSON.stringify(errors)}`);
      await until(() => errors.C.length > 0, KEY_REQUEST_TIMEOUT + 20000, () => 'C got no DECRYPT_ERROR');
      return out;
    });
    await sleep(KEY_REQUEST_TIMEOUT);

    assert.ok(published.every((m) => m.streamMessage.encryptionType === 1 && typeof m.encryptionKeyId === 'string'), 'all published encrypted');
    const from = (list, addr) => list.filter((m) => m.from === addr.toLowerCase()).map((m) => m.content);
    const expected = (name) => Array.from({ length: N }, (_, i) => ({ from: name, i }));
    assert.deepEqual(from(got.B1, wA1.address), expected('A1'), 'stock B1 decrypted the backend publisher A1');
    assert.deepEqual(from(got.B2, wA2.address), expected('A2'), 'backend B2 decrypted the stock publisher A2');
    assert.deepEqual(from(got.B1, wA2.address), expected('A2'));
    assert.deepEqual(from(got.B2, wA1.address), expected('A1'));
    assert.deepEqual(errors.B1, []);
    assert.deepEqual(errors.B2, []);
    assert.deepEqual(got.C, [], 'C (no permission) got nothing');
    assert.ok(errors.C.length > 0 && errors.C.every((c) => c === 'DECRYPT_ERROR'), JSON.stringify(errors.C));
    // The backend clients did their crypto in our code: A1 signed and encrypted its messages
    // (and its key responses), B2 verified and decrypted.
    assert.ok(ours['EcdsaSecp256k1Evm.createSignature'] >= N, JSON.stringify(ours));
    assert.ok(ours['EcdsaSecp256k1Evm.verifySignature'] >= 2 * N, JSON.stringify(ours));
    assert.ok(ours.createCipheriv >= N && ours.createDecipheriv >= 2 * N, JSON.stringify(ours));
    assert.deepEqual(guard.blocked, [], 'nothing tried to leave 127.0.0.1');
  } finally {
    await Promise.allSettled(clients.map((c) => c.destroy()));
    anvil.proc.kill('SIGTERM');
    await new Promise((r) => { anvil.proc.once('exit', r); setTimeout(r, 3000).unref(); });
  }
});
