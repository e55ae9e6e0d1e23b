// Real parts for the shim tests: the relay binary and anvil (each started on a free 127.0.0.1
// port and stopped by its own PID), StreamRegistryV5 deployed with ethers, and an EIP-1193
// provider over anvil's unlocked accounts so personal_sign and eth_sendTransaction are
// answered by the node (and counted as the prompts a wallet would show).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { JsonRpcRegistry, StreamMessage, WebSocketTransport } from 'streamr-e2ee';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Waits until `check()` is truthy (polling), or throws `what` after `ms`. */
export async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(20);
  }
}

// ------------------------------------------------------------------ relay

export function relayBinary() {
  const bin = `${repo}target/debug/streamr-e2ee-relay`;
  if (!existsSync(bin)) {
    execFileSync('cargo', ['build', '-q', '-p', 'streamr-e2ee-relay'], { cwd: repo, stdio: 'inherit' });
  }
  return bin;
}

/** Starts the relay on `port` (0: a free one). `stop()` sends SIGTERM to its PID and waits. */
export async function startRelay(port = 0) {
  const bin = relayBinary();
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = port || (await freePort());
    const child = spawn(bin, ['--port', String(p), '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const url = await new Promise((resolve) => {
      const rl = createInterface({ input: child.stdout });
      rl.once('line', (line) => resolve(line.trim()));
      child.once('exit', () => resolve(undefined));
    });
    if (url === undefined || !url.startsWith('ws://')) {
      // A port just freed by the previous relay may linger; try again.
      if (port) {
        await sleep(100);
        continue;
      }
      throw new Error(`relay did not start: ${stderr}`);
    }
    const exited = new Promise((r) => child.once('exit', r));
    return {
      url,
      port: Number(new URL(url).port),
      pid: child.pid,
      async stop(signal = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return;
        process.kill(child.pid, signal);
        await exited;
      },
    };
  }
  throw new Error(`relay could not bind port ${port}`);
}

// ------------------------------------------------------------------ anvil + registry

export const PERM = { EDIT: 0, DELETE: 1, PUBLISH: 2, SUBSCRIBE: 3, GRANT: 4 };

/** Starts anvil on a free port; `chainId` 31337 (anvil's own) unless another chain is wanted. */
export async function startAnvil({ chainId = 31337 } = {}) {
  const bin = `${repo}node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil`;
  const port = await freePort();
  const child = spawn(bin, ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent'], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    try {
      const r = await rpc(url, 'eth_chainId', []);
      return r === `0x${chainId.toString(16)}`;
    } catch {
      return false;
    }
  }, 15_000, 'anvil');
  return {
    url,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

let rpcId = 1;
export async function rpc(url, method, params) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }) });
  const body = await res.json();
  if (body.error) {
    const e = new Error(body.error.message);
    Object.assign(e, body.error);
    throw e;
  }
  return body.result;
}

/** An EIP-1193 provider over anvil: the unlocked dev accounts sign `personal_sign` in the node. */
export class AnvilProvider {
  constructor(url, accounts) {
    this.url = url;
    this.accounts = accounts.map((a) => a.toLowerCase());
    this.listeners = new Map();
    this.personalSignCalls = 0;
    this.rejectNext = 0;
    /** `eth_sendTransaction` requests: a wallet shows each as a prompt, as it does `personal_sign`. */
    this.transactions = 0;
    this.rejectNextTransaction = 0;
    /**
     * Estimate gas before sending, as MetaMask does: a transaction that would revert is refused
     * with the node's revert error. Off: anvil mines it, and it reverts (status 0).
     */
    this.estimateFirst = false;
  }
  /** Every request a real wallet would show as a prompt. */
  get prompts() {
    return this.personalSignCalls + this.transactions;
  }
  async request({ method, params = [] }) {
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return [...this.accounts];
      case 'personal_sign':
        this.personalSignCalls++;
        if (this.rejectNext > 0) {
          this.rejectNext--;
          throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
        }
        return rpc(this.url, 'personal_sign', params);
      case 'eth_sendTransaction':
        this.transactions++;
        if (this.rejectNextTransaction > 0) {
          this.rejectNextTransaction--;
          throw Object.assign(new Error('User rejected the request.'), { code: 4001 });
        }
        if (this.estimateFirst) await rpc(this.url, 'eth_estimateGas', [params[0]]);
        return rpc(this.url, method, params);
      default:
        return rpc(this.url, method, params);
    }
  }
  on(event, l) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(l);
  }
  removeListener(event, l) {
    this.listeners.get(event)?.delete(l);
  }
  /** The user switches the wallet to another network (another anvil): `chainChanged` fires. */
  switchChain(url, chainId) {
    this.url = url;
    for (const l of this.listeners.get('chainChanged') ?? []) l(`0x${chainId.toString(16)}`);
  }
  /** The user picks `account` in the wallet. */
  switchTo(account) {
    const a = account.toLowerCase();
    this.accounts = [a, ...this.accounts.filter((x) => x !== a)];
    for (const l of this.listeners.get('accountsChanged') ?? []) l([...this.accounts]);
  }
}

/** Deploys and initialises StreamRegistryV5 with ethers; helpers send real transactions. */
export async function deployRegistry(url, chainId = 31337) {
  const { JsonRpcProvider, Wallet, ContractFactory, NonceManager, ZeroAddress } = await import('ethers');
  const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
  const admin = new NonceManager(new Wallet('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', provider));
  const artifact = JSON.parse(readFileSync(`${repo}node_modules/@streamr/network-contracts/dist/artifacts/contracts/StreamRegistry/StreamRegistryV5.sol/StreamRegistryV5.json`, 'utf8'));
  const registry = await new ContractFactory(artifact.abi, artifact.bytecode, admin).deploy();
  await registry.waitForDeployment();
  await (await registry.initialize(ZeroAddress, ZeroAddress)).wait();
  const adminAddress = (await admin.getAddress()).toLowerCase();
  const address = (await registry.getAddress()).toLowerCase();
  const tx = async (p) => (await p).wait();
  return {
    address,
    provider,
    admin,
    registry,
    async createStream(path) {
      await tx(registry.createStream(path, '{}'));
      return `${adminAddress}${path}`;
    },
    grant: (streamId, user, perm) => tx(registry.grantPermission(streamId, user, perm)),
    revoke: (streamId, user, perm) => tx(registry.revokePermission(streamId, user, perm)),
    grantPublic: (streamId, perm) => tx(registry.grantPublicPermission(streamId, perm)),
    setExpiration: (streamId, user, perm, seconds) => tx(registry.setExpirationTime(streamId, user, perm, seconds)),
    async chainTime() {
      const block = await provider.getBlock('latest');
      return block.timestamp;
    },
    /** Moves the chain's clock forward `seconds` and mines a block at the new time. */
    async increaseTime(seconds) {
      await rpc(url, 'evm_increaseTime', [seconds]);
      await rpc(url, 'evm_mine', []);
    },
    /** `getPermissionsForUserId(streamId, user)` straight from the contract (ethers). */
    permissionsOf: (streamId, user) => registry.getPermissionsForUserId(streamId, user),
  };
}

/** Collects what a subscription delivers (callback style). */
export function collector() {
  const got = [];
  return { got, onMessage: (m) => got.push(m) };
}

/** `inner` wrapped to count the content messages handed to it (what could reach subscribers). */
export function countingTransport(inner) {
  const c = {
    content: 0,
    subscribe: (part, on) => inner.subscribe(part, on),
    async publish(part, bytes) {
      const m = StreamMessage.fromBytes(bytes);
      if (m.messageType === 'MESSAGE') c.content++;
      m.free();
      return inner.publish(part, bytes);
    },
    close: () => inner.close(),
  };
  return c;
}

/**
 * A relay and anvil with StreamRegistryV5 for the tests of one `node:test` file: started in
 * `before`, stopped by their PIDs in `after`. `env.relay`, `env.anvil` and `env.chain` once
 * started; `transport()` and `registry()` make ports on them; `track(x)` closes `x` (newest
 * first) before the servers stop.
 */
export function relayAndChain() {
  const closers = [];
  const env = {
    anvil: undefined,
    relay: undefined,
    chain: undefined,
    track: (x) => (closers.push(x), x),
    transport: () => env.track(new WebSocketTransport(env.relay.url, { WebSocket })),
    registry: () => new JsonRpcRegistry({ streamRegistryAddress: env.chain.address, rpcUrl: env.anvil.url }),
  };
  before(async () => {
    [env.anvil, env.relay] = await Promise.all([startAnvil(), startRelay()]);
    env.chain = await deployRegistry(env.anvil.url);
  });
  after(async () => {
    for (const c of closers.reverse()) await c.close().catch(() => undefined);
    await env.relay?.stop();
    await env.anvil?.stop();
  });
  return env;
}
