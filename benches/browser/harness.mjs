// Timing helpers for the browser benchmarks. Each case is calibrated so one sample runs for
// about `sampleMs`, then sampled `samples` times; the result is the median time per operation
// and the spread (min, max, quartiles) over the samples. Chromium coarsens performance.now()
// (about 0.1 ms), so samples are never shorter than a few milliseconds.

function summary(perOp, iters) {
  const s = [...perOp].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { medianMs: q(0.5), minMs: s[0], maxMs: s[s.length - 1], p25Ms: q(0.25), p75Ms: q(0.75), iters, samples: s.length };
}

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
  // Calibrate: grow the batch until it takes a quarter of a sample, then scale.
  let iters = 1;
  let dt = await runBatch(1);
  while (dt < sampleMs / 4 && iters < maxIters) {
    iters = Math.min(maxIters, iters * 4);
    dt = await runBatch(iters);
  }
  iters = Math.max(1, Math.min(maxIters, Math.round((iters * sampleMs) / Math.max(dt, 0.05))));
  const perOp = [];
  for (let s = 0; s < samples; s++) perOp.push((await runBatch(iters)) / iters);
  return summary(perOp, iters);
}

/** Times a whole run `samples` times (for operations too slow to batch, or with set-up). */
export async function measureRuns(run, { samples }) {
  const perOp = [];
  for (let s = 0; s < samples; s++) perOp.push(await run());
  return summary(perOp, 1);
}
