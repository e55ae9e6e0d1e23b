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
const DUMMY = '0x000000000000000000000000000000000000dEaD';

export const randomNodeId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex');

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
  const ep = await startEntryPointProcess();
  const e2ee = await import('streamr-e2ee');
  const net = await import('streamr-e2ee/streamr-network');
  const { StreamrClient } = require('@streamr/sdk');
  const closers = [];
  const track = (x) => (closers.push(x), x);

  const net0 = {
    anvil,
    chain,
    ep,
    get entryPoints() {
      return [ep.entryPoint];
    },
    /** A stock StreamrClient with `privateKey`, serving WebSocket on its own free port. */
    async sdkClient(privateKey, { encryption = {} } = {}) {
      const port = await freePort();
      return track(new StreamrClient({
        environment: 'dev2',
        logLevel: 'warn',
        auth: { privateKey },
        metrics: false,
        network: {
          controlLayer: {
            entryPoints: [ep.entryPoint],
            entryPointDiscovery: { enabled: false },
            peerDescriptor: { nodeId: randomNodeId(), websocket: { host: '127.0.0.1', port, tls: false } },
            websocketServerEnableTls: false,
            iceServers: [],
            webrtcAllowPrivateAddresses: true,
          },
        },
        contracts: {
          ethereumNetwork: { chainId: 31337 },
          streamRegistryChainAddress: chain.address,
          streamStorageRegistryChainAddress: DUMMY,
          storageNodeRegistryChainAddress: DUMMY,
          sponsorshipFactoryChainAddress: DUMMY,
          rpcs: [{ url: anvil.url }],
          rpcQuorum: 1,
          theGraphUrl: 'http://127.0.0.1:9/unused-subgraph',
          pollInterval: 500,
        },
        // 2048: our publishers refuse smaller RSA keys (minRsaKeyBits); the SDK default 4096 is slow to generate.
        encryption: { keyRequestTimeout, rsaKeyLength: 2048, ...encryption },
      }));
    },
    /** Our transport on this network (Node; pass `websocketPortRange` to serve WebSocket). */
    async transport(options = {}) {
      return track(await net.StreamrNetworkTransport.start({ entryPoints: [ep.entryPoint], ...options }));
    },
    /** Our registry port on the local chain. */
    registry() {
      return new e2ee.JsonRpcRegistry({ streamRegistryAddress: chain.address, rpcUrl: anvil.url });
    },
    track,
    async stop() {
      for (const c of closers.reverse()) {
        await (c.destroy?.() ?? c.close?.())?.catch?.(() => undefined);
      }
      await ep.stop();
      chain.provider.destroy();
      await anvil.stop();
    },
  };
  return net0;
}

/** Waits until `list` has `n` items (polling), or throws saying what it has. */
export async function waitFor(list, n, ms, what) {
  await until(() => list.length >= n, ms, () => `${what}: ${list.length} of ${n}`);
  await sleep(0);
}
