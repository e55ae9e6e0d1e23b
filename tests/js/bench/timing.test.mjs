// The benchmark validity rule (benches/timing.mjs): a row holds timings calibrated above the
// timer's resolution in every sample, or says it failed; the report never prints a ratio built
// on a zero. Plain unit tests: a fake coarse clock, and the committed results.json as a fixture.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { targets, renderMarkdown } from '../../../benches/report.mjs';
import { renderChart } from '../../../benches/chart.mjs';
import { MIN_TICKS, invalidBatches, isValidRow, safeRatio, timerResolution } from '../../../benches/timing.mjs';

const fixture = () => JSON.parse(readFileSync(new URL('../../../benches/results.json', import.meta.url), 'utf8'));
const row = (data, name, impl) => data.web.results.find((r) => r.name === name && r.impl === impl);

test('timerResolution finds the step of a coarse clock', () => {
  let t = 0;
  const now = () => { t += 0.01; return Math.floor(t * 10) / 10; }; // 0.1 ms ticks
  const res = timerResolution(now);
  assert.ok(Math.abs(res - 0.1) < 1e-9, `resolution ${res}`);
});

test('invalidBatches: a zero, a short, a NaN batch or no sample fails; long enough ones pass', () => {
  assert.equal(invalidBatches([2, 3, 2.5], 2), null);
  assert.match(invalidBatches([2, 0, 3], 2), /1 of 3 samples under 2\.00 ms/);
  assert.match(invalidBatches([1.9, 3], 2), /1 of 2 samples/);
  assert.match(invalidBatches([NaN, 3], 2), /1 of 2 samples/);
  assert.match(invalidBatches([Infinity, 3], 2), /1 of 2 samples/);
  assert.equal(invalidBatches([], 2), 'no samples');
});

test('isValidRow and safeRatio refuse zeros, failures and missing values', () => {
  const ok = { medianMs: 1, minMs: 0.5, maxMs: 2, p25Ms: 0.8, p75Ms: 1.2 };
  assert.equal(isValidRow(ok), true);
  assert.equal(isValidRow({ ...ok, minMs: 0 }), false);
  assert.equal(isValidRow({ ...ok, medianMs: 0 }), false);
  assert.equal(isValidRow({ failed: 'x' }), false);
  assert.equal(isValidRow(undefined), false);
  assert.equal(isValidRow({ medianMs: 3 }), true); // a row with a median only (a round trip summary)
  assert.equal(safeRatio(4, 2), 2);
  assert.equal(safeRatio(4, 0), null);
  assert.equal(safeRatio(0, 2), null);
  assert.equal(safeRatio(undefined, 2), null);
  assert.equal(safeRatio(Infinity, 2), null);
});

test('measure() on a coarse clock: every sample ≥ MIN_TICKS ticks, or the row says it failed', async () => {
  // The browser harness, in Node, over a clock coarsened to 1 ms (a fake performance.now).
  const real = globalThis.performance;
  const coarse = { now: () => Math.floor(real.now()) };
  Object.defineProperty(globalThis, 'performance', { value: coarse, configurable: true, writable: true });
  try {
    const { measure, measureRuns, minBatch } = await import(`../../../benches/browser/harness.mjs?t=${Date.now()}`);
    assert.equal(minBatch(), MIN_TICKS * 1);
    let spin = 0;
    const work = () => { for (let i = 0; i < 2000; i++) spin += i; };
    const good = await measure(work, { sampleMs: 5, samples: 3 });
    assert.equal(good.failed, undefined, good.failed);
    assert.ok(good.minMs * good.iters >= MIN_TICKS, `shortest batch ${good.minMs * good.iters} ms`);
    assert.equal(isValidRow(good), true);
    // Too few operations allowed per batch to reach 20 ticks: failed, with the reason.
    const capped = await measure(() => {}, { sampleMs: 5, samples: 3, maxIters: 10 });
    assert.match(capped.failed, /samples under 20\.0 ms/);
    assert.equal(isValidRow(capped), false);
    // measureRuns: a run reporting 0 ms (under the resolution) fails the row.
    const zero = await measureRuns(() => 0, { samples: 3 });
    assert.match(zero.failed, /3 of 3 samples/);
    const runs = await measureRuns(() => 50, { samples: 3, per: 10 });
    assert.equal(runs.medianMs, 5);
  } finally {
    Object.defineProperty(globalThis, 'performance', { value: real, configurable: true, writable: true });
  }
});

test('the report: the 0.00 µs row of the bug prints as failed, and no ratio or target uses it', () => {
  const data = fixture();
  const sdk = row(data, 'AES-256-CTR decrypt 1 KiB', 'SDK');
  Object.assign(sdk, { medianMs: 0, minMs: 0, p25Ms: 0, p75Ms: 0, maxMs: 12.1 });
  const md = renderMarkdown(data, { chart: 'chart.png' });
  assert.doesNotMatch(md, /Infinity|NaN/);
  assert.match(md, /\| AES-256-CTR decrypt 1 KiB \| SDK \| \*\*failed\*\*: no valid timing \|/);
  const t = targets(data).find((x) => x.target.startsWith('AES ≤ 1 KiB: ≥ 5× the SDK'));
  assert.equal(t.met, null);
  assert.match(t.measured, /no valid timing \(AES-256-CTR decrypt 1 KiB: a row failed or is missing\)/);
  assert.doesNotMatch(renderChart(data), /Infinity|NaN/);
});

test('the report: our own row failed → no "ours is" ratio for the peers of that case', () => {
  const data = fixture();
  const ours = row(data, 'AES-256-CTR encrypt 64 B', 'ours');
  for (const k of ['medianMs', 'minMs', 'maxMs', 'p25Ms', 'p75Ms']) delete ours[k];
  ours.failed = '3 of 3 samples under 2.00 ms';
  const md = renderMarkdown(data, { chart: 'chart.png' });
  assert.doesNotMatch(md, /Infinity|NaN/);
  assert.match(md, /\| AES-256-CTR encrypt 64 B \| ours \| \*\*failed\*\*: 3 of 3 samples under 2\.00 ms \|/);
  assert.match(md, /\| AES-256-CTR encrypt 64 B \| WebCrypto \|[^\n]*\| – \(our row failed\) \|/);
  for (const t of targets(data).filter((x) => x.target.startsWith('AES'))) assert.equal(t.met, null, t.target);
});

test('the report, unchanged data: every target judged, no dash ratios', () => {
  const data = fixture();
  const md = renderMarkdown(data, { chart: 'chart.png' });
  assert.doesNotMatch(md, /Infinity|NaN|\*\*failed\*\*/);
  assert.ok(targets(data).filter((x) => x.target.startsWith('AES')).every((x) => x.met !== null));
});

test('the report and chart of a run of one group (no AES rows in the browser): targets not measured, no throw', () => {
  const data = fixture();
  data.web.results = data.web.results.filter((r) => r.group === 'sig');
  const ts = targets(data);
  for (const t of ts.filter((x) => x.target.startsWith('AES'))) assert.equal(t.met, null, t.target);
  assert.doesNotThrow(() => renderMarkdown(data, { chart: 'chart.png' }));
});

test('the report: a start-up with no long task says so, never "longest task 0.00 µs"', () => {
  const data = fixture();
  const wasmStart = data.web.startup.find((s) => s.label.includes('key in wasm'));
  Object.assign(wasmStart, { longTasks: 0, longestTaskMs: 0 });
  const t = targets(data).find((x) => x.target.startsWith('RSA subscriber start-up: no main-thread task'));
  assert.match(t.measured, /^key in wasm: no long task \(> 50 ms\);/);
  assert.doesNotMatch(renderMarkdown(data, { chart: 'chart.png' }), /longest task 0\.00/);
});
