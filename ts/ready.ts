/**
 * When the wasm core can be called. Browsers and bundlers get wasm-bindgen's `web` build:
 * importing the package fetches and compiles nothing; the first `ready()` (which
 * `createPublisher` / `createSubscriber` await before touching the core) fetches the `.wasm`
 * and compiles it while it downloads (`WebAssembly.instantiateStreaming` on
 * `new URL('streamr_e2ee_bg.wasm', import.meta.url)`, a pattern webpack 5 and Vite turn into an
 * emitted asset). Node gets the `nodejs` build, instantiated synchronously when the package is
 * imported, so there `ready()` resolves at once. See docs/shim-api.md, "Loading the wasm".
 */
import init from '#wasm-init';

let loading: Promise<void> | undefined;

/**
 * Resolves once the raw bindings (`EvmSigner`, `GroupKey`, `Subscriber`, …) can be called. Call
 * it (once; later calls share the same promise) before using a raw binding in a browser; the
 * high-level API awaits it itself. A failed load (the `.wasm` could not be fetched) rejects, and
 * the next call tries again.
 */
export function ready(): Promise<void> {
  if (!loading) {
    const attempt = Promise.resolve()
      .then(() => init())
      .then(() => undefined);
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
    loading = attempt;
  }
  return loading;
}
