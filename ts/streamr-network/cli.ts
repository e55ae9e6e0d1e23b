#!/usr/bin/env node
/**
 * `streamr-e2ee-entry-point`: runs one local entry point of a Streamr Network on 127.0.0.1,
 * for tests and demos (no SDK client, no chain).
 *
 *   npx streamr-e2ee-entry-point --port 40500 [--host 127.0.0.1] [--node-id <40 hex>]
 *
 * Prints one line of JSON, the entry point as `entryPoints` takes it, then runs until SIGINT
 * or SIGTERM (the network package's own handlers stop the node and exit).
 */
import { startEntryPoint } from './entry-point.js';

interface Proc {
  argv: string[];
  exitCode?: number;
  stdout: { write(s: string): void };
  stderr: { write(s: string): void };
}
const proc = (globalThis as unknown as { process: Proc }).process;

function usage(message: string): never {
  proc.stderr.write(`streamr-e2ee-entry-point: ${message}\nusage: streamr-e2ee-entry-point --port N [--host 127.0.0.1] [--node-id <40 hex>]\n`);
  proc.exitCode = 2;
  throw new Error(message);
}

function parse(argv: string[]): { port: number; host?: string; nodeId?: string } {
  const out: { port?: number; host?: string; nodeId?: string } = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) usage(`${flag} needs a value`);
    if (flag === '--port') out.port = Number(value);
    else if (flag === '--host') out.host = value;
    else if (flag === '--node-id') out.nodeId = value;
    else usage(`unknown option ${flag}`);
  }
  if (out.port === undefined) usage('--port is required');
  return out as { port: number };
}

const running = await startEntryPoint(parse(proc.argv.slice(2)));
proc.stdout.write(`${JSON.stringify(running.entryPoint)}\n`);
