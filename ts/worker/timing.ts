/**
 * The main-thread parts of the slow paths (importing a generated key, encoding a PEM) are
 * recorded as User Timing measures named `streamr-e2ee:main-thread:<what>`, so an app (and
 * our tests) can see in a profile exactly what of this work ran on the main thread and
 * check it against the Long Tasks it observes.
 */
export const MAIN_THREAD_MEASURE_PREFIX = 'streamr-e2ee:main-thread:';

export function mainThreadSection<T>(what: string, fn: () => T): T {
  const perf = (globalThis as { performance?: Performance }).performance;
  const start = perf?.now();
  try {
    return fn();
  } finally {
    if (perf !== undefined && start !== undefined) {
      try {
        perf.measure(MAIN_THREAD_MEASURE_PREFIX + what, { start, end: perf.now() });
      } catch {
        // User Timing level 3 missing (old runtimes): the measure is only a diagnostic.
      }
    }
  }
}
