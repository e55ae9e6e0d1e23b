#!/usr/bin/env node
/**
 * `streamr-e2ee-custodian`: runs a key custodian for one stream partition (docs/custodian.md).
 *
 *   STREAMR_E2EE_CUSTODIAN_SECRET=<64 hex> streamr-e2ee-custodian \
 *     --stream <id> --store custodian.json --rpc-url <url> --registry <address> \
 *     (--entry-point '<json>' [--ws-port N] | --relay ws://…) \
 *     [--identity-file sealed.hex]… [--grace-ms 2000] [--partition 0] [--secret-file <path>]
 *
 * The store's sealing key comes from `--secret-file` (64 hex digits) or, without it, from the
 * environment variable STREAMR_E2EE_CUSTODIAN_SECRET. Prints one line of JSON (`userId`,
 * `publicKey` as hex, `identities`), then one per event (`keyRequest`, `keyDenied`,
 * `keyReceived`), and runs until SIGINT or SIGTERM.
 */
import { JsonRpcRegistry } from '../registry/index.js';
import { WebSocketTransport } from '../transport/index.js';
import type { Transport } from '../ports.js';
import { fromHex } from '../wallet/hex.js';
import { createCustodian } from './custodian.js';
import { FileCustodianStore, custodianSecretFromHex } from './file-store.js';

interface Proc {
  argv: string[];
  env: Record<string, string | undefined>;
  exitCode?: number;
  exit(code: number): never;
  on(signal: string, listener: () => void): void;
  stdout: { write(s: string): void };
  stderr: { write(s: string): void };
}
const proc = (globalThis as unknown as { process: Proc }).process;
const USAGE =
  'usage: streamr-e2ee-custodian --stream <id> --store <file> --rpc-url <url> --registry <address> ' +
  "(--entry-point '<json>' [--ws-port N] | --relay ws://…) [--identity-file <file>]… [--grace-ms N] [--partition N] [--secret-file <file>]";

function usage(message: string): never {
  proc.stderr.write(`streamr-e2ee-custodian: ${message}\n${USAGE}\n`);
  return proc.exit(2);
}

interface Args {
  stream?: string;
  store?: string;
  rpcUrl?: string;
  registry?: string;
  entryPoint?: string;
  wsPort?: number;
  relay?: string;
  identityFiles: string[];
  graceMs?: number;
  partition?: number;
  secretFile?: string;
}

function parse(argv: string[]): Required<Pick<Args, 'stream' | 'store' | 'rpcUrl' | 'registry'>> & Args {
  const a: Args = { identityFiles: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, v] = [argv[i], argv[i + 1]];
    if (v === undefined) usage(`${flag} needs a value`);
    const n = () => (Number.isSafeInteger(Number(v)) && Number(v) >= 0 ? Number(v) : usage(`${flag} must be a whole number`));
    if (flag === '--stream') a.stream = v;
    else if (flag === '--store') a.store = v;
    else if (flag === '--rpc-url') a.rpcUrl = v;
    else if (flag === '--registry') a.registry = v;
    else if (flag === '--entry-point') a.entryPoint = v;
    else if (flag === '--ws-port') a.wsPort = n();
    else if (flag === '--relay') a.relay = v;
    else if (flag === '--identity-file') a.identityFiles.push(v);
    else if (flag === '--grace-ms') a.graceMs = n();
    else if (flag === '--partition') a.partition = n();
    else if (flag === '--secret-file') a.secretFile = v;
    else usage(`unknown option ${flag}`);
  }
  for (const k of ['stream', 'store', 'rpcUrl', 'registry'] as const) if (a[k] === undefined) usage(`--${k.replace('rpcUrl', 'rpc-url')} is required`);
  if ((a.entryPoint === undefined) === (a.relay === undefined)) usage('give exactly one of --entry-point and --relay');
  return a as ReturnType<typeof parse>;
}

async function transportFor(a: Args): Promise<Transport> {
  if (a.relay !== undefined) {
    let Ws = (globalThis as { WebSocket?: unknown }).WebSocket;
    if (Ws === undefined) {
      const name = 'ws'; // Node 20 has no WebSocket; the `ws` package, if installed
      Ws = ((await import(name)) as { WebSocket: unknown }).WebSocket;
    }
    return new WebSocketTransport(a.relay, { WebSocket: Ws as never });
  }
  const { StreamrNetworkTransport } = await import('../streamr-network/index.js');
  const port = a.wsPort;
  return StreamrNetworkTransport.start({
    entryPoints: [JSON.parse(a.entryPoint!)],
    ...(port !== undefined ? { websocketPortRange: { min: port, max: port } } : {}),
  });
}

const a = parse(proc.argv.slice(2));
const fs = await import('node:fs/promises');
const secretText = a.secretFile !== undefined ? await fs.readFile(a.secretFile, 'utf8') : proc.env.STREAMR_E2EE_CUSTODIAN_SECRET;
if (secretText === undefined) usage('no sealing key: set STREAMR_E2EE_CUSTODIAN_SECRET or pass --secret-file');
const secret = custodianSecretFromHex(secretText);
const store = await FileCustodianStore.open({ path: a.store, secret });
secret.fill(0);
const identities = await Promise.all(a.identityFiles.map(async (f) => fromHex((await fs.readFile(f, 'utf8')).trim(), 'identity file')));
const transport = await transportFor(a);
const registry = new JsonRpcRegistry({ streamRegistryAddress: a.registry, rpcUrl: a.rpcUrl });
const custodian = createCustodian({
  streamId: a.stream,
  partition: a.partition ?? 0,
  transport,
  registry,
  store,
  identities,
  options: a.graceMs !== undefined ? { graceMs: a.graceMs } : {},
});
custodian.on('error', (e) => proc.stderr.write(`streamr-e2ee-custodian: ${e.code}: ${e.message}\n`));
// One JSON line per event after the first line: what was answered, refused and received.
const log = (event: string) => (value: object) => proc.stdout.write(`${JSON.stringify({ event, ...value })}\n`);
custodian.on('keyRequest', log('keyRequest'));
custodian.on('keyDenied', log('keyDenied'));
custodian.on('keyReceived', log('keyReceived'));
await custodian.ready;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
proc.stdout.write(`${JSON.stringify({ userId: custodian.userId, publicKey: hex(custodian.publicKey), identities: custodian.identities() })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await custodian.close();
  await transport.close().catch(() => undefined);
  await store.close();
  proc.exit(0);
};
proc.on('SIGINT', () => void stop());
proc.on('SIGTERM', () => void stop());
