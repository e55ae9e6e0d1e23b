// A minimal in-page test harness: tests run in order, results land in window.__results for
// the runner (tests/js/keystore/run.mjs) to read.
import { ready } from 'streamr-e2ee';
const tests = [];

export function test(name, fn) {
  tests.push({ name, fn });
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function assertEqual(actual, expected, message) {
  if (actual !== expected) throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function assertBytes(actual, expected, message) {
  assert(actual instanceof Uint8Array, `${message}: not a Uint8Array`);
  assert(actual.length === expected.length && actual.every((b, i) => b === expected[i]), `${message}: bytes differ`);
}

export async function assertRejects(promise, code, message) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert(err !== undefined, `${message}: did not throw`);
  assert(err.name === 'StreamrE2eeError' && err.code === code, `${message}: expected StreamrE2eeError ${code}, got ${err.name} ${err.code}: ${err.message}`);
  return err;
}

const wasmFetches = () => performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('.wasm')).length;

/**
 * Runs the registered tests. `loadedBefore`: the page loaded the core already (an async API
 * that awaits ready() itself ran first), so ready() must fetch nothing more.
 */
export async function run(phase, { loadedBefore = false } = {}) {
  // Importing the package fetches nothing (docs/shim-api.md, "Loading the wasm"); ready() does,
  // once, and the phases then call raw bindings (EvmSigner, SealingKey).
  const atImport = wasmFetches();
  await Promise.all([ready(), ready()]);
  const afterReady = wasmFetches();
  await ready();
  const lazy = { atImport, afterReady, afterSecondReady: wasmFetches() };
  const before = loadedBefore ? 1 : 0;
  const all = [{ name: 'the .wasm is fetched by ready(), once, not by the import', fn: () => {
    assert(lazy.atImport === before && lazy.afterReady === 1 && lazy.afterSecondReady === 1, JSON.stringify(lazy));
  } }, ...tests];
  const results = { phase, passed: 0, failed: 0, failures: [], notes: {}, userAgent: navigator.userAgent };
  for (const t of all) {
    try {
      const note = await t.fn();
      if (note !== undefined) results.notes[t.name] = note;
      results.passed++;
    } catch (e) {
      results.failed++;
      results.failures.push({ name: `${phase}: ${t.name}`, message: String(e?.stack ?? e) });
    }
  }
  window.__results = results;
}
