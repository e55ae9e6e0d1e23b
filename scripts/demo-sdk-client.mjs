// The demo's stock @streamr/sdk client, on the demo's Node side (run by scripts/start.mjs as its
// own process, stopped by its PID). An unmodified StreamrClient of @streamr/sdk 103.3.2 on the
// local Streamr network: it subscribes to the demo stream (so it decrypts what the page
// publishes, after the SDK's own key exchange) and publishes when the page asks it to.
//
// It also serves WebSocket to the network, which the page needs: a browser node cannot accept
// connections, so the page's nodes (publisher, subscribers, wire view) reach each other
// through a Node node that serves WebSocket, this one.
//
// For the page, a small HTTP endpoint on 127.0.0.1 (loopback origins only):
//   GET  /events   server-sent events: `hello` (identity and history), then `received`,
//                  `published`, `error`, each a JSON object
//   GET  /state    the same as one JSON snapshot (tests)
//   POST /publish  body {"text": "..."}: the client publishes the text (a JSON string)
//
//   DEMO_SDK_PRIVATE_KEY=0x… node scripts/demo-sdk-client.mjs --http-port N --network-port M \
//     --entry-point '<json>' --rpc-url URL --registry 0x… --stream <id>
// Prints `READY <http url>` once subscribed. Logs go to stderr.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
// The SDK's exports map has no ./package.json: read it next to its entry (dist/…).
const SDK_VERSION = JSON.parse(readFileSync(join(dirname(require.resolve('@streamr/sdk')), '..', 'package.json'), 'utf8')).version;
const HISTORY = 200;

const { values: opts } = parseArgs({
  options: {
    'http-port': { type: 'string' },
    'network-port': { type: 'string' },
    'entry-point': { type: 'string' },
    'rpc-url': { type: 'string' },
    'chain-id': { type: 'string', default: '31337' },
    registry: { type: 'string' },
    stream: { type: 'string' },
    partition: { type: 'string', default: '0' },
  },
});
for (const k of ['http-port', 'network-port', 'entry-point', 'rpc-url', 'registry', 'stream']) {
  if (opts[k] === undefined) throw new Error(`--${k} is required`);
}
const privateKey = process.env.DEMO_SDK_PRIVATE_KEY;
if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey ?? '')) throw new Error('DEMO_SDK_PRIVATE_KEY: a 32-byte hex private key');
const streamPart = { id: opts.stream, partition: Number(opts.partition) };

// The network layer binds its WebSocket server to 0.0.0.0 whatever host it advertises: bind
// every wildcard listen of this process to 127.0.0.1 instead (the demo serves loopback only).
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  const wild = (h) => h === '0.0.0.0' || h === '::';
  if (typeof args[0] === 'number' && wild(args[1])) args[1] = '127.0.0.1';
  else if (args[0] !== null && typeof args[0] === 'object' && wild(args[0].host)) args[0] = { ...args[0], host: '127.0.0.1' };
  return listen.apply(this, args);
};

const { StreamrClient } = await import('@streamr/sdk');
const { localSdkConfig } = await import('./local-sdk-config.mjs');

// Stock client, stock code: only its configuration points it at the local network and chain.
const client = new StreamrClient(localSdkConfig({
  privateKey,
  entryPoints: [JSON.parse(opts['entry-point'])],
  port: Number(opts['network-port']),
  chainId: Number(opts['chain-id']),
  registry: opts.registry,
  rpcUrl: opts['rpc-url'],
  // Every browser node of the page has this node as its only neighbour (browsers cannot
  // reach each other without ICE servers): accept more than the default 4.
  node: { streamPartitionNeighborTargetCount: 16 },
  // The dev2 environment's test defaults use 640-bit RSA keys, which our publishers refuse
  // (minRsaKeyBits 2048): the SDK's own default for real networks instead.
  encryption: { rsaKeyLength: 4096 },
  // Permission answers are cached for a day by default: a revocation in the demo should count at once.
  cache: { maxAge: 1000 },
}));

const address = (await client.getUserId()).toLowerCase();
const history = [];
const listeners = new Set();
function emit(event) {
  const e = { at: Date.now(), ...event };
  history.push(e);
  if (history.length > HISTORY) history.shift();
  const line = `event: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`;
  for (const res of listeners) res.write(line);
}
await client.subscribe(streamPart, (content, metadata) => {
  emit({
    kind: 'received',
    content,
    publisherId: metadata.publisherId.toLowerCase(),
    self: metadata.publisherId.toLowerCase() === address,
    timestamp: metadata.timestamp.getTime?.() ?? Number(metadata.timestamp),
    sequenceNumber: metadata.sequenceNumber,
  });
});
const nodeId = await client.getNodeId();
const hello = () => ({ kind: 'hello', sdkVersion: SDK_VERSION, address, nodeId, streamId: opts.stream, partition: streamPart.partition, history });

let publishes = 0;
async function publish(text) {
  const n = ++publishes;
  try {
    const msg = await client.publish(streamPart, text);
    emit({ kind: 'published', n, content: text, timestamp: msg.timestamp, sequenceNumber: msg.sequenceNumber, groupKeyId: msg.groupKeyId });
  } catch (e) {
    emit({ kind: 'error', message: `publish failed: ${e?.message ?? e}` });
    throw e;
  }
}

// Only pages served from this machine may use the endpoint (it publishes as this account).
const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;
function cors(req, res) {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser (curl, the test)
  if (!LOOPBACK_ORIGIN.test(origin)) {
    res.writeHead(403).end('origin not allowed\n');
    return false;
  }
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'origin');
  return true;
}

const server = createServer((req, res) => {
  if (!cors(req, res)) return;
  const path = new URL(req.url, 'http://x').pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' }).end();
  } else if (req.method === 'GET' && path === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`event: hello\ndata: ${JSON.stringify(hello())}\n\n`);
    listeners.add(res);
    req.on('close', () => listeners.delete(res));
  } else if (req.method === 'GET' && path === '/state') {
    const guard = globalThis.__loopbackGuardBlocked;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...hello(), loopbackGuardBlocked: Array.isArray(guard) ? guard.length : null }));
  } else if (req.method === 'POST' && path === '/publish') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; if (body.length > 65536) req.destroy(); });
    req.on('end', () => {
      let text;
      try { ({ text } = JSON.parse(body)); } catch { /* below */ }
      if (typeof text !== 'string' || text.length === 0) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'body: {"text": "<non-empty string>"}' }));
        return;
      }
      publish(text).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true })),
        (e) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e?.message ?? e) })),
      );
    });
  } else {
    res.writeHead(404).end('not found\n');
  }
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(opts['http-port']), '127.0.0.1', resolve);
});
// Keep-alive comments so that proxies and browsers keep the event stream open.
setInterval(() => { for (const res of listeners) res.write(': keep-alive\n\n'); }, 15000).unref();

async function stop() {
  for (const res of listeners) res.end();
  server.close();
  await client.destroy().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

console.log(`stock @streamr/sdk ${SDK_VERSION} client ${address} subscribed to ${opts.stream}#${streamPart.partition}`);
console.log(`READY http://127.0.0.1:${server.address().port}`);
