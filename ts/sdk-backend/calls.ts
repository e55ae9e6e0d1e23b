/**
 * Call counters of the drop-in backend: every stand-in function bumps its counter before it
 * does its work, so a host (or a test) can see that the SDK's cryptography ran here and not in
 * the originals. Plain integer increments: no measurable cost.
 */
const counts: Record<string, number> = {};

/** Records one call of the stand-in `name`. */
export function count(name: string): void {
  counts[name] = (counts[name] ?? 0) + 1;
}

/** A copy of the counters: stand-in name → number of calls since the last reset. */
export function backendCalls(): Record<string, number> {
  return { ...counts };
}

/** Sets every counter back to zero. */
export function resetBackendCalls(): void {
  for (const k of Object.keys(counts)) delete counts[k];
}
