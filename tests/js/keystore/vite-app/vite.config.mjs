// Vite build of the test app. The package ships wasm-bindgen's bundler build (an ES module
// importing the .wasm), which Vite loads through vite-plugin-wasm, in the page and in the
// package's worker. Top-level await needs an es2022 target.
import { fileURLToPath } from 'node:url';
import wasm from 'vite-plugin-wasm';

export default {
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  plugins: [wasm()],
  worker: { format: 'es', plugins: () => [wasm()] },
  build: {
    target: 'es2022',
    outDir: fileURLToPath(new URL('../../../../test-results/keystore-vite', import.meta.url)),
    emptyOutDir: true,
  },
};
