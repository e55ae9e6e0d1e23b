// Bundle cost of the Streamr Network transport (issue #14) against the SDK's browser bundle:
// webpack 5 production builds (target web, ./webpack.config.cjs) of
//   (a) transport-entry.mjs: only StreamrNetworkTransport (the network layer + our glue)
//   (b) api-entry.mjs: createPublisher / createSubscriber (our JS; the .wasm is its own asset)
// and (c) @streamr/sdk's dist/exports-umd.min.js as shipped. Raw, gzip -9, brotli q11 (quick: q5).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../../');
const SDK_UMD = 'node_modules/@streamr/sdk/dist/exports-umd.min.js';

/** Raw, gzip -9 and brotli sizes; brotli at `quality` 11 except in quick runs (q11 is slow). */
export function compressed(buf, quality = 11) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: quality, [zc.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
  };
}

/** Runs webpack on the config into `out`; `quick`: unminified. */
function webpack(out, quick) {
  const env = { ...process.env, NETWORK_BUNDLE_OUT: out, NETWORK_BUNDLE_QUICK: quick ? '1' : '0' };
  const child = spawn(`${repo}node_modules/.bin/webpack`, ['--config', here('./webpack.config.cjs')], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`webpack failed (${code ?? signal})\n${output.slice(-4000)}`))));
  });
}

/** Sizes of one build's JS: the files loaded at start and those loaded on demand. */
function entrySizes(dir, quality) {
  const files = JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8'));
  const js = (list) => list.filter((f) => f.endsWith('.js'));
  const sum = (list) => compressed(Buffer.concat(list.map((f) => readFileSync(join(dir, f)))), quality);
  const wasm = files.all.filter((f) => f.endsWith('.wasm'));
  return {
    initial: sum(js(files.initial)),
    initialFiles: js(files.initial),
    later: js(files.later).length ? sum(js(files.later)) : null,
    laterFiles: js(files.later),
    wasm: wasm.length ? sum(wasm) : null,
  };
}

/**
 * Builds (a) and (b) into a temporary directory (removed after) and measures (a), (b), (c).
 * `quick`: unminified builds and brotli q5, to check that it all runs in a few seconds.
 */
export async function bundleCost({ quick = false } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'e2ee-network-bundle-'));
  const quality = quick ? 5 : 11;
  const t0 = Date.now();
  try {
    await webpack(out, quick);
    const webpackVersion = JSON.parse(readFileSync(`${repo}node_modules/webpack/package.json`, 'utf8')).version;
    return {
      transport: entrySizes(join(out, 'transport'), quality),
      api: entrySizes(join(out, 'api'), quality),
      sdk: { file: SDK_UMD, ...compressed(readFileSync(`${repo}${SDK_UMD}`), quality) },
      brotliQuality: quality,
      webpack: webpackVersion,
      minified: !quick,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
