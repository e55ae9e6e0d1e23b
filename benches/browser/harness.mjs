// Timing helpers for the browser benchmarks. Each case is calibrated so one sample runs for
// about `sampleMs`, then sampled `samples` times; the result is the median time per operation
// and the spread (min, max, quartiles) over the samples. Chromium coarsens performance.now()
// (about 0.1 ms), so every sample must last MIN_TICKS ticks of the measured timer resolution
// (benches/timing.mjs); a case that cannot get there is recorded as failed, with the reason.
import { invalidBatches, minBatchMs, summary, timerResolution } from '../timing.mjs';

let resolution;
/** The shortest valid batch (ms) on this page's timer. */
export const minBatch = () => minBatchMs((resolution ??= timerResolution(() => performance.now())));

/** Times `fn` (sync or async: awaited when it returns a promise). */
export async function measure(fn, { sampleMs, samples, maxIters = 1e6 }) {
  const runBatch = async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = fn();
      if (r && typeof r.then === 'function') await r;
    }
    return performance.now() - t0;
  };
  const floor = minBatch();
  const target = Math.max(sampleMs, 2 * floor);
  await runBatch(1); // warm-up: the first call pays for JIT tiers and lazy set-up
  // Calibrate: grow the batch until it takes a quarter of a sample, then scale.
  let iters = 1;
  let dt = await runBatch(1);
  while (dt < target / 4 && iters < maxIters) {
    iters = Math.min(maxIters, iters * 4);
    dt = await runBatch(iters);
  }
  iters = Math.max(1, Math.min(maxIters, Math.round((iters * target) / Math.max(dt, floor))));
  // A pause during calibration (GC, another tab) makes the batch too short: grow it and retry.
  let why = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const batches = [];
    for (let s = 0; s < samples; s++) batches.push(await runBatch(iters));
    why = invalidBatches(batches, floor);
    if (!why) return summary(batches.map((t) => t / iters), iters);
    if (iters >= maxIters) break;
    const shortest = Math.max(Math.min(...batches), floor / 100);
    iters = Math.min(maxIters, Math.ceil((iters * 2 * floor) / shortest));
  }
  return { failed: `${why} with ${iters} operations per sample` , iters, samples };
}

/**
 * Times a whole run `samples` times (for operations too slow to batch, or with set-up). `run`
 * returns the time in ms it measured (it may time only part of itself) for `per` operations;
 * every such time must be valid, and the result is per operation.
 */
export async function measureRuns(run, { samples, per = 1 }) {
  const batches = [];
  for (let s = 0; s < samples; s++) batches.push(await run());
  const why = invalidBatches(batches, minBatch());
  return why ? { failed: why, iters: per, samples } : summary(batches.map((t) => t / per), per);
}
