// Vite build of the test app, with no wasm plugin: the package ships wasm-bindgen's web build,
// whose .wasm is a `new URL(…, import.meta.url)` asset that Vite emits itself, in the page and
// in the package's worker (docs/shim-api.md, "Loading the wasm"). es2022: the package's own
// language level.
import { fileURLToPath } from 'node:url';

export default {
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: fileURLToPath(new URL('../../../../test-results/keystore-vite', import.meta.url)),
    emptyOutDir: true,
  },
};
