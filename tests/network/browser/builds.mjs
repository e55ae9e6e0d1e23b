// The four builds of the browser network test, each by the bundler's own CLI (a child process):
// webpack 5 and Vite, each of the publisher page (`page`: streamr-e2ee + streamr-e2ee/streamr-
// network) and of streamr-e2ee alone (`only`). Outputs go to test-results/network-browser/build/.
// What a bundle contains is read two independent ways:
//   - the bundler's module list (webpack stats / Vite's output chunks, written by the configs);
//   - the emitted JavaScript, scanned for strings that only the network layer carries.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../../../');
export const BUILD_DIR = join(repo, 'test-results/network-browser/build');

/** The packages that must stay out of a bundle of `streamr-e2ee` alone. */
export const NETWORK_PACKAGES = ['@streamr/trackerless-network', '@streamr/dht', '@streamr/config'];

/**
 * Strings each of those packages puts in a bundle, minified or not: a class name of
 * trackerless-network, a protobuf type name of the dht's WebSocket connector, and a chain
 * name from config's generated table (in the lazily loaded chunk of the page bundle).
 */
export const NETWORK_MARKERS = {
  '@streamr/trackerless-network': 'ContentDeliveryManager',
  '@streamr/dht': 'WebsocketClientConnector',
  '@streamr/config': 'polygonAmoy',
};

const INDEX_HTML = '<!doctype html><meta charset="utf-8"><title>streamr-e2ee (webpack)</title><link rel="icon" href="data:,"><script src="main.js"></script>\n';

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.split('/').pop()} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
}

/** Builds `app` ('page' | 'only') with `bundler` ('webpack' | 'vite'); returns what it made. */
export function build(bundler, app) {
  const started = Date.now();
  const dir = join(BUILD_DIR, `${bundler}-${app}`);
  rmSync(`${dir}.modules.json`, { force: true }); // never read a previous build's list
  if (bundler === 'webpack') {
    run(join(repo, 'node_modules/.bin/webpack'), ['--config', here('./webpack.config.cjs'), '--env', `app=${app}`]);
  } else {
    run(join(repo, 'node_modules/.bin/vite'), ['build', '--config', here('./vite.config.mjs')], { E2EE_APP: app });
  }
  if (bundler === 'webpack') writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  const modules = JSON.parse(readFileSync(`${dir}.modules.json`, 'utf8'));
  return { bundler, app, dir, modules, js: emittedJs(dir), ms: Date.now() - started };
}

/** Every emitted .js file's text, by path relative to the output dir (worker chunks too). */
function emittedJs(dir) {
  const out = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    out[path.slice(dir.length + 1)] = readFileSync(path, 'utf8');
  }
  return out;
}

/** The modules of `pkgName` in a module list (its own files and what it nests under its node_modules). */
export function modulesOf(modules, pkgName) {
  return modules.filter((m) => m.includes(`/node_modules/${pkgName}/`));
}

/** Which emitted files carry `marker`. */
export function filesWith(b, marker) {
  return Object.entries(b.js).filter(([, text]) => text.includes(marker)).map(([f]) => f);
}
