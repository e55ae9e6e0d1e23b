// A local Streamr network for the tests of streamr-e2ee/streamr-network: anvil with the real
// StreamRegistryV5, one entry point run by the package's own command (a separate process,
// stopped and restarted by its PID), stock @streamr/sdk 103.3.2 clients, and our
// StreamrNetworkTransport. Everything on 127.0.0.1; import ./guard.mjs first so the loopback
// guard counts anything that tries to leave.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PERM, deployRegistry, freePort, repo, sleep, startAnvil, until } from '../js/shim/harness.mjs';
import { localSdkConfig, randomNodeId } from '../../scripts/local-sdk-config.mjs';

export { PERM, freePort, sleep, until };
const require = createRequire(import.meta.url);

// The SDK's key store (sqlite) lives under XDG_DATA_HOME: keep it out of $HOME.
if (process.env.XDG_DATA_HOME === undefined) {
  const dataHome = mkdtempSync(join(tmpdir(), 'e2ee-network-'));
  process.env.XDG_DATA_HOME = dataHome;
  process.on('exit', () => rmSync(dataHome, { recursive: true, force: true }));
}
process.env.LOG_LEVEL ??= 'warn';

const CLI = `${repo}pkg/dist/streamr-network/cli.js`;
export { randomNodeId };

/**
 * The entry point command (`streamr-e2ee-entry-point`) as a child process on `port`, with a
 * fixed node id so a restart is the same entry point. `stop(signal)` ends it by its PID.
 */
export async function startEntryPointProcess({ port, nodeId = randomNodeId() } = {}) {
  port ??= await freePort();
  const child = spawn(process.execPath, [CLI, '--port', String(port), '--node-id', nodeId], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const line = await new Promise((resolve) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', () => resolve(undefined));
  });
  if (line === undefined) throw new Error(`entry point did not start: ${stderr}`);
  const exited = new Promise((r) => child.once('exit', r));
  return {
    entryPoint: JSON.parse(line),
    port,
    nodeId,
    pid: child.pid,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, signal);
      await exited;
    },
  };
}

/**
 * Anvil + StreamRegistryV5 + an entry point. `sdkClient` makes stock StreamrClients on this
 * network, `transport` our StreamrNetworkTransport, `registry` our JsonRpcRegistry.
 */
export async function startLocalnet({ keyRequestTimeout = 5000 } = {}) {
  const anvil = await startAnvil();
  const chain = await deployRegistry(anvil.url);
  let ep = await startEntryPointProcess();
  const e2ee = await import('streamr-e2ee');
  const net = await import('streamr-e2ee/streamr-network');
  const { StreamrClient } = require('@streamr/sdk');
  const closers = [];
  const track = (x) => (closers.push(x), x);

  const net0 = {
    anvil,
    chain,
    e2ee,
    get ep() {
      return ep;
    },
    get entryPoints() {
      return [ep.entryPoint];
    },
    /** A stock StreamrClient with `privateKey`, serving WebSocket on its own free port. */
    async sdkClient(privateKey, { encryption = {} } = {}) {
      const port = await freePort();
      return track(new StreamrClient(localSdkConfig({
        privateKey,
        entryPoints: [ep.entryPoint],
        port,
        registry: chain.address,
        rpcUrl: anvil.url,
        // 2048: our publishers refuse smaller RSA keys (minRsaKeyBits); the SDK default 4096 is slow to generate.
        encryption: { keyRequestTimeout, rsaKeyLength: 2048, ...encryption },
      })));
    },
    /**
     * Our transport on this network. It serves WebSocket on a free port unless told otherwise:
     * WebRTC is stubbed here (tests/interop/stubs/node-datachannel), so two nodes connect only
     * if one of them has a WebSocket server.
     */
    async transport(options = {}) {
      const port = await freePort();
      const t0 = Date.now();
      const states = [];
      const transport = await net.StreamrNetworkTransport.start({
        entryPoints: [ep.entryPoint],
        websocketPortRange: { min: port, max: port },
        // Kept for failure messages (describe).
        onStateChange: (state, info) => states.push({ state, ms: Date.now() - t0, ...info }),
        ...options,
      });
      return track(Object.assign(transport, { states }));
    },
    /**
     * Kills the entry point (SIGKILL by default) and starts it again on the same port with the
     * same node id: to the other nodes it is the same entry point, back. `downMs`: how long it
     * stays away.
     */
    async restartEntryPoint({ signal = 'SIGKILL', downMs = 0 } = {}) {
      const { port, nodeId } = ep;
      await ep.stop(signal);
      await sleep(downMs);
      for (let attempt = 0; ; attempt++) {
        try {
          ep = await startEntryPointProcess({ port, nodeId });
          return ep;
        } catch (e) {
          // The killed process's port may still be held for a moment.
          if (attempt >= 20) throw e;
          await sleep(250);
        }
      }
    },
    /** A new identity: a private key (hex, as stock clients take it), its address, our signer. */
    identity() {
      const privateKey = `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`;
      const signer = e2ee.LocalSigner.fromPrivateKey(privateKey);
      return { privateKey, address: signer.address, signer };
    },
    /**
     * Our publisher (`createPublisher` over its own transport), ready; its events collected.
     */
    async publisher(streamId, { id = net0.identity(), options = {} } = {}) {
      const transport = await net0.transport();
      const handle = track(e2ee.createPublisher({ streamId, signer: id.signer, transport, registry: net0.registry(), options }));
      const keyRequests = [];
      const denied = [];
      const errors = [];
      handle.on('keyRequest', (e) => keyRequests.push(e));
      handle.on('keyDenied', (e) => denied.push(e));
      handle.on('error', (e) => errors.push(e));
      await handle.ready;
      return { handle, transport, id, keyRequests, denied, errors };
    },
    /** Our subscriber (`createSubscriber` over its own transport), subscribed to `streamId#0`. */
    async subscriber(streamId, { id = net0.identity(), options = {} } = {}) {
      const transport = await net0.transport();
      const handle = track(e2ee.createSubscriber({ signer: id.signer, transport, registry: net0.registry(), options }));
      const got = [];
      const errors = [];
      const sub = await handle.subscribe(streamId, 0, (m) => got.push(m));
      sub.on('error', (e) => errors.push(e));
      return { handle, transport, id, sub, got, errors };
    },
    /**
     * A stock StreamrClient subscribed to `streamId`: `got` holds { content, publisherId, keyId }
     * in delivery order, `errors` the error codes its subscription reported. Its `subscribe`
     * resolves before the network is joined: wait for content, not for it.
     */
    async stockSubscriber(streamId, { id = net0.identity(), encryption } = {}) {
      const client = await net0.sdkClient(id.privateKey, { encryption });
      const got = [];
      const errors = [];
      const sub = await client.subscribe(streamId, (content, meta) =>
        got.push({ content, publisherId: meta.publisherId, keyId: meta.encryptionKeyId }),
      );
      sub.on('error', (e) => errors.push(e.code ?? String(e)));
      return { client, id, got, errors };
    },
    /**
     * A wire tap: our transport joined to `streamPart` (a new one, or `transport` to see what
     * that node receives), every message decoded with our `StreamMessage.fromBytes`: content
     * messages with their key id, key requests and responses with their key-exchange
     * algorithm (`'RSA'` or `'ML_KEM'`); `at`: ms since the tap started.
     */
    async tap(streamPart, transport) {
      transport ??= await net0.transport();
      const t0 = Date.now();
      const seen = [];
      const undecodable = [];
      await transport.subscribe(streamPart, (bytes) => {
        let m;
        try {
          m = e2ee.StreamMessage.fromBytes(bytes);
        } catch (e) {
          undecodable.push(e);
          return;
        }
        try {
          seen.push({ ...summarize(m, e2ee), at: Date.now() - t0 });
        } finally {
          m.free();
        }
      });
      const of = (type) => seen.filter((m) => m.type === type);
      return { transport, seen, undecodable, requests: () => of('GROUP_KEY_REQUEST'), responses: () => of('GROUP_KEY_RESPONSE'), contents: () => of('MESSAGE') };
    },
    /** Our registry port on the local chain. */
    registry() {
      return new e2ee.JsonRpcRegistry({ streamRegistryAddress: chain.address, rpcUrl: anvil.url });
    },
    /**
     * Waits until `parties`, every node of `streamPart`, form one overlay: each has at least
     * ⌊n/2⌋ neighbours there (two separate groups would need more nodes than there are). A node
     * with a neighbour may still be in a group of its own while the overlay forms, and a message
     * published then never reaches the others (the network does not resend). Parties: our
     * transports, and stock clients, whose `subscribe` resolves before they join (read through
     * the client's internal `node` facade, the only place the SDK tells).
     */
    async joined(streamPart, parties, ms = 30_000) {
      const min = Math.max(1, Math.floor(parties.length / 2));
      const count = async (p) =>
        typeof p.neighbors === 'function' ? p.neighbors(streamPart) : (await p.node.getNeighbors(streamPart)).length;
      let counts = [];
      await until(async () => (counts = await Promise.all(parties.map(count))).every((n) => n >= min), ms,
        () => `one overlay on ${streamPart} (each ≥ ${min} neighbours): ${counts}`);
    },
    /** Our transports' neighbours on `streamPart` and counters, for failure messages. */
    describe(streamPart, transports) {
      return Object.entries(transports)
        .map(([name, t]) => `${name}: ${t.neighbors(streamPart)} neighbours ${JSON.stringify(t.stats)} ${JSON.stringify(t.states?.map(({ streamPart: _, ...s }) => s))}`)
        .join('; ');
    },
    track,
    /**
     * Marks what is running now; the returned function closes (newest first) everything
     * made after the mark: one test's parties, so the next test runs on a quiet network.
     */
    mark() {
      const at = closers.length;
      return () => closeAll(closers.splice(at));
    },
    async stop() {
      await closeAll(closers.splice(0));
      await ep.stop();
      chain.provider.destroy();
      await anvil.stop();
    },
  };
  return net0;
}

/** Destroys stock clients and closes handles and transports, newest first. */
async function closeAll(list) {
  for (const c of list.reverse()) {
    await (c.destroy?.() ?? c.close?.())?.catch?.(() => undefined);
  }
}

/** What the tap keeps of a decoded message. */
function summarize(m, { AsymmetricEncryptionType }) {
  const base = { type: m.messageType, publisherId: m.publisherId, timestamp: m.timestamp, sequenceNumber: m.sequenceNumber };
  if (m.messageType === 'GROUP_KEY_REQUEST') {
    const r = m.groupKeyRequest;
    return { ...base, recipientId: r.recipientId, algorithm: AsymmetricEncryptionType[r.encryptionType], keyIds: r.groupKeyIds };
  }
  if (m.messageType === 'GROUP_KEY_RESPONSE') {
    const r = m.groupKeyResponse;
    return { ...base, recipientId: r.recipientId, algorithm: AsymmetricEncryptionType[r.encryptionType], keyIds: r.groupKeys.map((k) => k.id) };
  }
  return { ...base, keyId: m.groupKeyId, encrypted: m.groupKeyId !== undefined, newKeyId: m.newGroupKey?.id };
}

/** Waits until `list` has `n` items (polling), or throws saying what it has. */
export async function waitFor(list, n, ms, what) {
  await until(() => list.length >= n, ms, () => `${what}: ${list.length} of ${n}`);
  await sleep(0);
}
