#!/usr/bin/env node
// `npm start`: the whole demo from one command, idempotent on a machine that has it all.
// By default the page runs on a local Streamr network (`--transport network`):
//   1. scripts/setup.sh (installs what is missing; a few seconds when nothing is)
//   2. pkg/ (scripts/build-pkg.sh), skipped when newer than every source it is built from
//   3. anvil on 127.0.0.1
//   4. the real StreamRegistryV5 deployed and initialised, a demo stream with PUBLISH for its
//      owner, SUBSCRIBE for two dev accounts, PUBLISH and SUBSCRIBE for the stock SDK client
//   5. an entry point of the network on 127.0.0.1 (the package's command,
//      pkg/dist/streamr-network/cli.js)
//   6. a stock @streamr/sdk client (scripts/demo-sdk-client.mjs): subscribed to the stream, it
//      decrypts what the page publishes and publishes on request; it also serves WebSocket to
//      the network, through which the page's browser nodes reach each other
//   7. webpack-dev-server (root webpack.config.js, www/) with the page's config in
//      .demo/public/config.json (which transport, the entry points, the chain, the stock client)
// With `--transport relay` the page uses the development relay instead (no entry point, no
// stock client: the SDK speaks only the Streamr Network): steps 3-6 are then the relay binary
// (cargo build -p streamr-e2ee-relay, the dev profile the test command has already built;
// DEMO_RELAY_BIN=<path> uses that binary instead), anvil, the registry, and the relay.
// Prints `Demo ready: <url>`, then runs until Ctrl-C (SIGINT) or SIGTERM, which stop every
// process it started, by PID. Logs of the servers go to .demo/*.log.
//
// Options (or environment): --transport network|relay (DEMO_TRANSPORT, network), --port N
// (DEMO_PORT, 8080), --rpc-port N (DEMO_RPC_PORT, 8545), --network-port N (DEMO_NETWORK_PORT,
// 40500: the entry point), --relay-port N (DEMO_RELAY_PORT, 8788), --skip-setup
// (DEMO_SKIP_SETUP=1). Port 0 means any free port; a default port that is taken is replaced
// by a free one.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STATE = join(ROOT, '.demo');
const ANVIL = join(ROOT, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
const RELAY = process.env.DEMO_RELAY_BIN || join(ROOT, 'target/debug/streamr-e2ee-relay');
const ENTRY_POINT = join(ROOT, 'pkg/dist/streamr-network/cli.js');
const tty = process.stdout.isTTY;
const started = Date.now();

const { values: opts } = parseArgs({
  options: {
    transport: { type: 'string', default: process.env.DEMO_TRANSPORT || 'network' },
    port: { type: 'string', default: process.env.DEMO_PORT ?? '' },
    'rpc-port': { type: 'string', default: process.env.DEMO_RPC_PORT ?? '' },
    'network-port': { type: 'string', default: process.env.DEMO_NETWORK_PORT ?? '' },
    'relay-port': { type: 'string', default: process.env.DEMO_RELAY_PORT ?? '' },
    'skip-setup': { type: 'boolean', default: process.env.DEMO_SKIP_SETUP === '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(`npm start [-- [--transport network|relay] [--port 8080] [--rpc-port 8545] [--network-port 40500] [--relay-port 8788] [--skip-setup]]

  --transport network  (default) a local Streamr network: anvil + StreamRegistryV5, an entry
                       point, a stock @streamr/sdk client (its own panel), the page's nodes
  --transport relay    the development relay (relay/) instead of the network; no stock client
  --port N             the page (webpack-dev-server)        DEMO_PORT
  --rpc-port N         anvil                                DEMO_RPC_PORT
  --network-port N     the entry point (network transport)  DEMO_NETWORK_PORT
  --relay-port N       the relay (relay transport)          DEMO_RELAY_PORT
  --skip-setup         skip scripts/setup.sh                DEMO_SKIP_SETUP=1
Port 0 means any free port; a default port that is taken is replaced by a free one.
DEMO_RELAY_BIN=<path> runs that relay binary instead of building target/debug/streamr-e2ee-relay.`);
  process.exit(0);
}
if (opts.transport !== 'network' && opts.transport !== 'relay') {
  console.error(`npm start: --transport is network or relay, not ${JSON.stringify(opts.transport)}`);
  process.exit(2);
}
const NETWORK = opts.transport === 'network';

// ---------------------------------------------------------------------------------------
// Processes we started: every one is stopped by its PID on exit.

const children = new Set();
let stopping = false;

// Each child leads its own process group (spawned detached), so stopping it by its PID as a
// group (kill(-pid)) also ends what it runs itself (cargo under build-pkg.sh, rustc, …).
function signal(child, sig) {
  try { process.kill(-child.pid, sig); } catch { try { process.kill(child.pid, sig); } catch { /* gone */ } }
}

function track(child, name) {
  child.demoName = name;
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  clearStatus();
  const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  if (alive.length) console.log(`\nStopping ${alive.map((c) => `${c.demoName} (pid ${c.pid})`).join(', ')} …`);
  await Promise.all(alive.map((c) => new Promise((resolve) => {
    const kill = setTimeout(() => signal(c, 'SIGKILL'), 6000);
    c.once('exit', () => { clearTimeout(kill); resolve(); });
    signal(c, 'SIGTERM');
  })));
  console.log('Stopped.');
  process.exit(code);
}
process.on('SIGINT', () => stopAll(130));
process.on('SIGTERM', () => stopAll(143));
process.on('uncaughtException', (e) => fail(`unexpected error: ${e.stack ?? e}`));

function fail(message) {
  clearStatus();
  console.error(`\nnpm start failed: ${message}`);
  return stopAll(1);
}

// ---------------------------------------------------------------------------------------
// Progress: a live status line on a terminal, a line every 15 s otherwise.

let statusShown = false;
function clearStatus() {
  if (tty && statusShown) process.stdout.write('\r\x1b[K');
  statusShown = false;
}
const secs = (ms) => (ms >= 60000 ? `${Math.floor(ms / 60000)}m${String(Math.round((ms % 60000) / 1000)).padStart(2, '0')}s` : `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)}s`);
let stepNo = 0;
const STEPS = 7;

async function step(title, work) {
  stepNo += 1;
  const label = `[${stepNo}/${STEPS}] ${title}`;
  const t0 = Date.now();
  let last = '';
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let f = 0;
  let printed = 0;
  const tick = setInterval(() => {
    const elapsed = Date.now() - t0;
    if (tty) {
      const detail = last ? `  ${last}`.slice(0, Math.max(0, (process.stdout.columns ?? 100) - label.length - 12)) : '';
      process.stdout.write(`\r\x1b[K${frames[f++ % frames.length]} ${label} ${secs(elapsed)}${detail}`);
      statusShown = true;
    } else if (elapsed - printed >= 15000) {
      printed = elapsed;
      console.log(`  … ${title}: ${secs(elapsed)}${last ? ` (${last})` : ''}`);
    }
  }, tty ? 100 : 1000);
  if (!tty) console.log(`${label} …`);
  try {
    const value = await work((line) => { last = line.trim(); });
    clearInterval(tick);
    clearStatus();
    const note = typeof value === 'string' ? value : value?.note;
    console.log(`✔ ${label} (${secs(Date.now() - t0)})${note ? `: ${note}` : ''}`);
    return value;
  } catch (e) {
    clearInterval(tick);
    clearStatus();
    console.log(`✘ ${label} (${secs(Date.now() - t0)})`);
    throw e;
  }
}

/** Runs a command to completion, its output to `.demo/<log>`; rejects with the log's tail. */
function run(cmd, args, log, onLine, env = {}) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(join(STATE, log));
    const tail = [];
    const child = track(spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }), cmd);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        out.write(`${line}\n`);
        tail.push(line);
        if (tail.length > 25) tail.shift();
        if (line.trim()) onLine(line);
      });
    }
    child.once('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.once('exit', (code, signal) => {
      out.end();
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}; last lines (full log: .demo/${log}):\n  ${tail.join('\n  ')}`));
    });
  });
}

/** Starts a server process; resolves with the first stdout line matching `ready` (its match). */
function serve(name, cmd, args, log, ready, timeoutMs, onLine = () => {}, env = {}) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(join(STATE, log));
    const child = track(spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }), name);
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs / 1000}s (log: .demo/${log})`)), timeoutMs);
    let isReady = false;
    const onText = (line) => {
      out.write(`${line}\n`);
      if (line.trim()) onLine(line);
      const m = !isReady && line.match(ready);
      if (m) { isReady = true; clearTimeout(timer); resolve({ child, match: m }); }
    };
    createInterface({ input: child.stdout }).on('line', onText);
    createInterface({ input: child.stderr }).on('line', (line) => out.write(`${line}\n`));
    child.once('error', (e) => { clearTimeout(timer); reject(new Error(`${name}: ${e.message}`)); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`${name} exited ${code ?? signal} before it was ready (log: .demo/${log})`));
      else if (!stopping) fail(`${name} (pid ${child.pid}) exited ${code ?? signal}; log: .demo/${log}`);
    });
  });
}

/** The preferred port if free on 127.0.0.1, else any free one (0 asks for any). */
function freePort(preferred) {
  const tryPort = (port) => new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  return tryPort(preferred).then((p) => p ?? tryPort(0));
}

function portOption(value, fallback) {
  if (value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`bad port ${JSON.stringify(value)}`);
  return n;
}

/** Newest modification time under `paths` (files or folders, recursively). */
function newest(paths) {
  let t = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else t = Math.max(t, s.mtimeMs);
  };
  paths.forEach((p) => visit(join(ROOT, p)));
  return t;
}

async function rpc(url, method, params = []) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = await res.json();
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

// ---------------------------------------------------------------------------------------

const randomNodeId = () => Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, '0')).join('');

async function main() {
  rmSync(join(STATE, 'stock-sdk'), { recursive: true, force: true }); // the stock client's key store: a new chain each run
  mkdirSync(join(STATE, 'public'), { recursive: true });
  const webPort = portOption(opts.port, 8080);
  const rpcPort = portOption(opts['rpc-port'], 8545);
  const networkPort = portOption(opts['network-port'], 40500);
  const relayPort = portOption(opts['relay-port'], 8788);
  console.log(NETWORK
    ? 'streamr-e2ee demo: setting up and starting a local Streamr network (chain, registry, entry point, stock SDK client) and the page (Ctrl-C stops everything)\n'
    : 'streamr-e2ee demo (--transport relay): setting up and starting a local chain, the dev relay and the page (Ctrl-C stops everything)\n');

  await step('set-up (scripts/setup.sh: Rust wasm target, wasm-bindgen-cli, Chromium, npm packages)', async (line) => {
    if (opts['skip-setup']) return 'skipped (--skip-setup)';
    await run('bash', ['scripts/setup.sh'], 'setup.log', line);
    return 'everything installed';
  });

  await step('wasm package pkg/ (scripts/build-pkg.sh)', async (line) => {
    const built = existsSync(join(ROOT, 'pkg/web/streamr_e2ee_bg.wasm')) && existsSync(join(ROOT, 'pkg/index.js'))
      ? Math.min(statSync(join(ROOT, 'pkg/web/streamr_e2ee_bg.wasm')).mtimeMs, statSync(join(ROOT, 'pkg/index.js')).mtimeMs)
      : 0;
    const sources = newest(['src', 'ts', 'Cargo.toml', 'Cargo.lock', 'scripts/build-pkg.sh']);
    if (built > sources) return 'up to date';
    await run('nice', ['-n', '10', 'bash', 'scripts/build-pkg.sh'], 'build-pkg.log', line);
    return 'built';
  });

  if (!NETWORK) {
    await step('relay binary (cargo build -p streamr-e2ee-relay)', async (line) => {
      if (process.env.DEMO_RELAY_BIN) {
        if (!existsSync(RELAY)) throw new Error(`DEMO_RELAY_BIN: no file ${RELAY}`);
        return `${RELAY} (DEMO_RELAY_BIN, not built here)`;
      }
      await run('nice', ['-n', '10', 'cargo', 'build', '-p', 'streamr-e2ee-relay'], 'relay-build.log', line, { CARGO_TERM_COLOR: 'never' });
      return 'target/debug/streamr-e2ee-relay';
    });
  }

  const rpcUrl = await step('local chain (anvil on 127.0.0.1)', async () => {
    const port = await freePort(rpcPort);
    await serve('anvil', ANVIL, ['--host', '127.0.0.1', '--port', String(port), '--chain-id', '31337'], 'anvil.log', /Listening on/, 30000);
    const url = `http://127.0.0.1:${port}`;
    if ((await rpc(url, 'eth_chainId')) !== '0x7a69') throw new Error('anvil: unexpected chain id');
    return url;
  });

  const { devAccount, deployDemo } = await import('./demo-chain.mjs');
  const accounts = { publisher: devAccount(0), alice: devAccount(1), bob: devAccount(2), stock: devAccount(4) };
  const chain = await step(NETWORK
    ? 'StreamRegistryV5 deployed, demo stream created, SUBSCRIBE granted to 2 dev accounts, PUBLISH + SUBSCRIBE to the stock SDK client'
    : 'StreamRegistryV5 deployed, demo stream created, SUBSCRIBE granted to 2 dev accounts', async () => {
    const subscribers = [accounts.alice.address, accounts.bob.address, ...(NETWORK ? [accounts.stock.address] : [])];
    const r = await deployDemo(rpcUrl, { subscribers, publishers: NETWORK ? [accounts.stock.address] : [] });
    return { ...r, note: `registry ${r.registry}, stream ${r.streamId}` };
  });

  const transport = NETWORK ? await startNetwork({ networkPort, rpcUrl, chain, stock: accounts.stock }) : await startRelay(relayPort);

  const config = {
    transport: transport.config,
    rpcUrl,
    chainId: chain.chainId,
    streamRegistry: chain.registry,
    streamId: chain.streamId,
    partition: 0,
    devAccounts: {
      warning: 'DEV ONLY: keys of anvil\'s public test mnemonic, known to everyone. Never use them on a real network.',
      publisher: { name: 'Publisher (stream owner)', ...accounts.publisher },
      subscribers: [{ name: 'Alice', ...accounts.alice }, { name: 'Bob', ...accounts.bob }],
    },
  };
  writeFileSync(join(STATE, 'public/config.json'), `${JSON.stringify(config, null, 2)}\n`);

  const url = await step('page (webpack-dev-server, www/)', async (line) => {
    const port = await freePort(webPort);
    const { match } = await serve('webpack-dev-server', process.execPath, [join(ROOT, 'scripts/dev-server.mjs'), '--port', String(port), '--static', join(STATE, 'public')],
      'dev-server.log', /^READY (\S+)/, 300000, line);
    return match[1];
  });

  console.log(`
  Demo ready: ${url}

  chain     ${rpcUrl} (anvil, chain id ${chain.chainId})
  registry  ${chain.registry} (StreamRegistryV5)
  stream    ${chain.streamId}
${transport.summary}
  dev keys  publisher ${accounts.publisher.address}, Alice ${accounts.alice.address}, Bob ${accounts.bob.address}
            (anvil's public test accounts: for this local demo only)

  Started in ${secs(Date.now() - started)}. Open the URL in a browser; Ctrl-C stops everything.`);
}

/** Steps 5-6 of the network transport: the entry point, then the stock SDK client. */
async function startNetwork({ networkPort, rpcUrl, chain, stock }) {
  // The network packages log through pino: warnings only, into the logs.
  const env = { LOG_LEVEL: 'warn' };
  const { entryPoint } = await step('Streamr Network entry point (pkg/dist/streamr-network/cli.js on 127.0.0.1)', async () => {
    const port = await freePort(networkPort);
    // It prints itself as `entryPoints` takes it: one line of JSON.
    const { match } = await serve('entry point', process.execPath, [ENTRY_POINT, '--port', String(port), '--node-id', randomNodeId()],
      'entry-point.log', /^(\{"nodeId".*\})$/, 60000, () => {}, env);
    const ep = JSON.parse(match[1]);
    return { entryPoint: ep, note: `ws://${ep.websocket.host}:${ep.websocket.port}, node id ${ep.nodeId}` };
  });

  const sdk = await step('stock @streamr/sdk client (scripts/demo-sdk-client.mjs), subscribed to the demo stream', async () => {
    const httpPort = await freePort(0);
    let wsPort;
    do wsPort = await freePort(0); while (wsPort === httpPort);
    const { match } = await serve('stock SDK client', process.execPath, [join(ROOT, 'scripts/demo-sdk-client.mjs'),
      '--http-port', String(httpPort), '--network-port', String(wsPort), '--entry-point', JSON.stringify(entryPoint),
      '--rpc-url', rpcUrl, '--chain-id', String(chain.chainId), '--registry', chain.registry, '--stream', chain.streamId],
    'stock-sdk.log', /^READY (\S+)/, 120000, () => {},
    { ...env, DEMO_SDK_PRIVATE_KEY: stock.privateKey, XDG_DATA_HOME: join(STATE, 'stock-sdk') });
    return { url: match[1], ws: `ws://127.0.0.1:${wsPort}`, note: `${stock.address}, events at ${match[1]}` };
  });

  return {
    config: { kind: 'network', entryPoints: [entryPoint], stockSdk: { url: sdk.url, address: stock.address } },
    summary: `  network   ws://${entryPoint.websocket.host}:${entryPoint.websocket.port} (entry point, node id ${entryPoint.nodeId})
  stock SDK ${sdk.url} (@streamr/sdk client ${stock.address}; its network node ${sdk.ws})`,
  };
}

/** The relay transport's last step before the page. */
async function startRelay(relayPort) {
  const relayUrl = await step('relay (streamr-e2ee-relay on 127.0.0.1)', async () => {
    const port = await freePort(relayPort);
    const { match } = await serve('relay', RELAY, ['--host', '127.0.0.1', '--port', String(port)], 'relay.log', /^(ws:\/\/\S+)/, 30000);
    return match[1];
  });
  return { config: { kind: 'relay', relayUrl }, summary: `  relay     ${relayUrl}` };
}

main().catch((e) => fail(e.message));
