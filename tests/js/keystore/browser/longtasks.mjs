// Main-thread blocking, measured the way users feel it: Long Tasks (> 50 ms) reported by
// PerformanceObserver, and the largest gap between ticks of a 5 ms timer. The package marks
// its own main-thread sections (User Timing `streamr-e2ee:main-thread:*`); a long task that
// overlaps one is "from the path under test", others (GC, a busy shared machine descheduling
// the renderer) are reported apart.
import { MAIN_THREAD_MEASURE_PREFIX } from 'streamr-e2ee';

/** Runs `fn`, returns its result with the long tasks and the worst timer gap while it ran. */
export async function measure(fn) {
  // Start in a task of our own: the caller's task (a synchronous wasm call just before, say)
  // would otherwise overlap the window and count as blocking.
  await new Promise((r) => setTimeout(r, 20));
  const entries = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  let result;
  let end;
  try {
    result = await fn();
  } finally {
    end = performance.now();
    // Long-task entries arrive after their task ends; give the observer time to catch up.
    await new Promise((r) => setTimeout(r, 100));
    clearInterval(timer);
    observer.disconnect();
  }
  const overlaps = (e, from, to) => e.startTime < to && e.startTime + e.duration > from;
  const tasks = entries.filter((e) => overlaps(e, start, end));
  const sections = performance.getEntriesByType('measure')
    .filter((m) => m.name.startsWith(MAIN_THREAD_MEASURE_PREFIX) && overlaps(m, start, end));
  const fromPath = tasks.filter((t) => sections.some((m) => overlaps(t, m.startTime, m.startTime + m.duration)));
  const round = (x) => Math.round(x * 10) / 10;
  return {
    result,
    stats: {
      wallMs: Math.round(end - start),
      longTasks: tasks.map((e) => Math.round(e.duration)),
      longTasksFromPath: fromPath.map((e) => Math.round(e.duration)),
      blockedMs: Math.round(tasks.reduce((a, e) => a + e.duration, 0)),
      maxTimerGapMs: Math.round(maxGap),
      mainThreadSectionsMs: sections.map((m) => `${m.name.slice(MAIN_THREAD_MEASURE_PREFIX.length)} ${round(m.duration)}`),
    },
  };
}
