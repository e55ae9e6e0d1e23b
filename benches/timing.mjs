// What makes a timing valid, shared by the browser harness (benches/browser/harness.mjs), the
// report and the chart. Browsers coarsen performance.now() (Chromium: 100 µs, plus jitter), so a
// batch shorter than a few ticks can read 0: a median of 0 then turned into "needs Infinity×
// faster". The rule: every sample's batch lasts at least MIN_TICKS timer ticks, or the row is
// marked failed (with the reason) and no ratio is ever built on it.

/** A batch must last at least this many ticks of the timer (≤ 5 % quantisation error). */
export const MIN_TICKS = 20;

/**
 * The timer's resolution in ms: the smallest non-zero step `now()` makes, over a few tries.
 * Never below 1 µs (a finer clock still gets a sane minimum batch).
 */
export function timerResolution(now, tries = 20) {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const t0 = now();
    let t1 = now();
    while (t1 === t0) t1 = now();
    best = Math.min(best, t1 - t0);
  }
  return Math.max(best, 0.001);
}

/** The shortest batch (ms) that the rule accepts for a timer of `resolutionMs`. */
export const minBatchMs = (resolutionMs) => MIN_TICKS * resolutionMs;

/**
 * Why a set of batch times (ms each) is not valid, or null when it is: every batch finite and
 * at least `minMs` long.
 */
export function invalidBatches(batchMs, minMs) {
  if (batchMs.length === 0) return 'no samples';
  const bad = batchMs.filter((t) => !Number.isFinite(t) || t < minMs);
  if (bad.length === 0) return null;
  const shortest = Math.min(...batchMs);
  return `${bad.length} of ${batchMs.length} samples under ${minMs.toPrecision(3)} ms (${MIN_TICKS} timer ticks; shortest ${Number.isFinite(shortest) ? `${shortest.toPrecision(3)} ms` : String(shortest)})`;
}

/** Median, quartiles, min and max of per-operation times. */
export function summary(perOp, iters) {
  const s = [...perOp].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return { medianMs: q(0.5), minMs: s[0], maxMs: s[s.length - 1], p25Ms: q(0.25), p75Ms: q(0.75), iters, samples: s.length };
}

/** A result row that holds usable timings: not failed, every statistic finite and above 0. */
export function isValidRow(r) {
  if (!r || r.failed) return false;
  return ['medianMs', 'minMs', 'maxMs', 'p25Ms', 'p75Ms']
    .filter((k) => k in r || k === 'medianMs')
    .every((k) => Number.isFinite(r[k]) && r[k] > 0);
}

/** a ÷ b, or null unless both are finite numbers above 0 (never a ratio built on a zero). */
export function safeRatio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 && b > 0 ? a / b : null;
}
