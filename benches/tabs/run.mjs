// Multi-tab messaging: BroadcastChannel against a SharedWorker hub, side by side in one run
// (docs/multi-tab.md, "Channel"). Three tabs of one page in one headless Chromium context:
//   - round trip: a follower's request to the leader and the leader's answer (a publish and its
//     confirmation), one after another; median and p95;
//   - fan-out: the leader sends deliveries to two followers; messages per second until both had
//     all of them.
// Prints a table and the ratios; writes benches/tabs/results.json (test-results/bench/tabs.json
// with --quick, which takes fewer samples). Never fails on a number.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const quick = process.argv.includes('--quick');
const ROUND_TRIPS = quick ? 200 : 2000;
const FAN_OUT = quick ? 1000 : 10_000;
const REPEATS = quick ? 1 : 3;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function startServer() {
  const child = spawn(process.execPath, [here('../../tests/js/browser/serve.mjs'), here('.')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, port: JSON.parse(line).port }));
  });
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function measure(browser, url, mode) {
  const ctx = await browser.newContext();
  const tabs = [];
  for (let k = 0; k < 3; k++) {
    const p = await ctx.newPage();
    await p.goto(url);
    await p.waitForFunction(() => window.__ready === true);
    await p.evaluate((m) => window.bench.setup(m), mode);
    tabs.push(p);
  }
  const [leader, a, b] = tabs;
  await leader.evaluate(() => window.bench.serve());
  await a.evaluate(() => window.bench.roundTrips('warm-up', 50));
  const rtt = await a.evaluate((n) => window.bench.roundTrips('a', n), ROUND_TRIPS);
  const rates = [];
  for (let r = 0; r < REPEATS; r++) {
    const done = [a, b].map((p) => p.evaluate((n) => window.bench.expect(n), FAN_OUT));
    await new Promise((res) => setTimeout(res, 50)); // both followers listening
    const t0 = await leader.evaluate((n) => window.bench.blast(n), FAN_OUT);
    const last = Math.max(...(await Promise.all(done)));
    rates.push(FAN_OUT / ((last - t0) / 1000));
  }
  await ctx.close();
  return { roundTripMedianMs: quantile(rtt, 0.5), roundTripP95Ms: quantile(rtt, 0.95), fanOutPerSecond: quantile(rates, 0.5) };
}

async function main() {
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    const results = {};
    // Interleaved, so that load on the machine falls on both alike.
    for (let r = 0; r < 2; r++) {
      for (const mode of ['bc', 'sw']) {
        const m = await measure(browser, url, mode);
        (results[mode] ??= []).push(m);
      }
    }
    const best = (mode, key, better) => results[mode].map((m) => m[key]).reduce((x, y) => (better(y, x) ? y : x));
    const summary = {};
    for (const mode of ['bc', 'sw']) {
      summary[mode] = {
        roundTripMedianMs: best(mode, 'roundTripMedianMs', (y, x) => y < x),
        roundTripP95Ms: best(mode, 'roundTripP95Ms', (y, x) => y < x),
        fanOutPerSecond: best(mode, 'fanOutPerSecond', (y, x) => y > x),
      };
    }
    const ratios = {
      roundTripMedian: summary.sw.roundTripMedianMs / summary.bc.roundTripMedianMs,
      fanOut: summary.bc.fanOutPerSecond / summary.sw.fanOutPerSecond,
    };
    console.log('carrier           round trip median   p95      fan-out to 2 tabs');
    for (const [mode, name] of [['bc', 'BroadcastChannel'], ['sw', 'SharedWorker hub']]) {
      const s = summary[mode];
      console.log(`${name.padEnd(18)}${s.roundTripMedianMs.toFixed(3).padStart(9)} ms ${s.roundTripP95Ms.toFixed(3).padStart(9)} ms ${Math.round(s.fanOutPerSecond).toString().padStart(9)} msg/s`);
    }
    console.log(`SharedWorker / BroadcastChannel round trip: ${ratios.roundTripMedian.toFixed(2)}x; BroadcastChannel / SharedWorker fan-out: ${ratios.fanOut.toFixed(2)}x`);
    const out = { when: new Date().toISOString(), quick, roundTrips: ROUND_TRIPS, fanOut: FAN_OUT, chromium: browser.version(), summary, ratios, runs: results };
    const file = quick ? here('../../test-results/bench/tabs.json') : here('./results.json');
    mkdirSync(fileURLToPath(new URL('.', `file://${file}`)), { recursive: true });
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${file}`);
  } finally {
    await browser.close();
    process.kill(server.child.pid, 'SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
