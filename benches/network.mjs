// The benchmark group `network` (issue #14): our publisher/subscriber on the Streamr Network
// against a stock @streamr/sdk pair, on one local network, in one run; and the transport's
// bundle cost against the SDK's browser bundle. benches/run.mjs calls `networkBench` when the
// group is selected (the default, or `--only=network`).
//   network/localnet-bench.mjs: latency and key-exchange round trips (a child process: the
//     network layer installs process-wide handlers, and the loopback guard must load first)
//   network/bundle.mjs: the webpack builds (network/webpack.config.cjs) and their sizes
//   network/report.mjs: the BENCHMARKS.md section, from `data.network` (through report.mjs)
// --quick: a few rounds, and unminified webpack builds alongside the network measurement, to
// stay short; the full run does one after the other.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleCost } from './network/bundle.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function localnetBench({ quick, out }) {
  const child = spawn(process.execPath, [here('./network/localnet-bench.mjs'), ...(quick ? ['--quick'] : []), '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`network benchmark failed (${code ?? signal})`));
      resolve(JSON.parse(readFileSync(out, 'utf8')));
    });
  });
}

/** Measures the group; `workDir` holds the child's JSON while it runs. */
export async function networkBench({ quick, workDir, log }) {
  mkdirSync(workDir, { recursive: true });
  const out = `${workDir}/network-localnet.json`;
  rmSync(out, { force: true });
  let measured;
  let bundles;
  if (quick) {
    log('network: local Streamr network and webpack builds, side by side (quick)');
    [measured, bundles] = await Promise.all([localnetBench({ quick, out }), bundleCost({ quick })]);
  } else {
    log('network: local Streamr network');
    measured = await localnetBench({ quick, out });
    log('network: webpack builds for the bundle cost');
    bundles = await bundleCost();
  }
  rmSync(out, { force: true });
  if (measured.guardBlocked !== 0) throw new Error(`the loopback guard blocked ${measured.guardBlocked}: ${measured.guardBlockedTargets.join(', ')}`);
  log(`network: bundles built in ${bundles.seconds.toFixed(0)} s; transport ${bundles.transport.initial.brotli} B brotli, SDK ${bundles.sdk.brotli} B`);
  return { ...measured, bundles, date: new Date().toISOString() };
}
