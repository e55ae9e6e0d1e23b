// The key custodian command (`streamr-e2ee-custodian`, pkg/dist/custodian/cli.js) as a child
// process on 127.0.0.1, stopped by its PID; its JSON lines collected.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repo, until } from '../js/shim/harness.mjs';

const CLI = `${repo}pkg/dist/custodian/cli.js`;

/** A directory for a custodian's store, removed at exit, and a fresh 32-byte secret (hex). */
export function custodianHome() {
  const dir = mkdtempSync(join(tmpdir(), 'e2ee-custodian-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { dir, store: join(dir, 'custodian.json'), secret: randomBytes(32).toString('hex') };
}

/** Writes a sealed identity as the command reads it (hex text). */
export function identityFile(home, blob, name = 'identity.hex') {
  const path = join(home.dir, name);
  writeFileSync(path, Buffer.from(blob).toString('hex'));
  return path;
}

/**
 * Starts `streamr-e2ee-custodian` with `args`, the secret in its environment. Resolves once it
 * printed its first line: `info` ({ userId, publicKey, identities }); `events` collects the
 * lines after it. `stop()` sends SIGTERM to its PID and waits for the exit.
 */
export async function startCustodianProcess(home, args) {
  const child = spawn(process.execPath, [CLI, '--store', home.store, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', STREAMR_E2EE_CUSTODIAN_SECRET: home.secret },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const events = [];
  const exited = new Promise((r) => child.once('exit', r));
  const info = await new Promise((resolve) => {
    let first = true;
    createInterface({ input: child.stdout }).on('line', (line) => {
      let value;
      try {
        value = JSON.parse(line);
      } catch {
        return; // not ours (a dependency's log line)
      }
      if (first) {
        first = false;
        resolve(value);
      } else events.push(value);
    });
    child.once('exit', () => resolve(undefined));
  });
  if (info === undefined) throw new Error(`custodian did not start: ${stderr}`);
  const of = (event) => events.filter((e) => e.event === event);
  return {
    info,
    pid: child.pid,
    events,
    stderr: () => stderr,
    received: () => of('keyReceived'),
    answered: () => of('keyRequest'),
    denied: () => of('keyDenied'),
    /** Waits until `n` events of type `event` were printed. */
    waitFor: (event, n, ms, what) => until(() => of(event).length >= n, ms, () => `${what}: ${of(event).length} of ${n} ${event} (stderr: ${stderr})`),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, signal);
      await exited;
    },
  };
}
