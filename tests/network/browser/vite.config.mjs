// Vite builds for the browser network test (env E2EE_APP=page or only; see webpack.config.cjs):
// no wasm plugin (the package's web build: its .wasm is a `new URL(…, import.meta.url)` asset
// Vite emits itself, page and worker), an es2022 target for the page's top-level await. Each build also writes <out>.modules.json: the module ids of every output chunk, from
// Vite's own bundle (the worker is a separate bundle: builds.mjs's output scan covers it).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const app = process.env.E2EE_APP;
if (app !== 'page' && app !== 'only') throw new Error(`E2EE_APP=page|only, got ${app}`);
const out = fileURLToPath(new URL(`../../../test-results/network-browser/build/vite-${app}`, import.meta.url));

const moduleList = {
  name: 'e2ee-module-list',
  generateBundle(_options, bundle) {
    const ids = new Set();
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk') continue;
      for (const id of chunk.moduleIds ?? Object.keys(chunk.modules)) ids.add(id);
    }
    writeFileSync(`${out}.modules.json`, JSON.stringify([...ids].sort(), null, 1));
  },
};

export default {
  root: fileURLToPath(new URL(`./${app}`, import.meta.url)),
  logLevel: 'warn',
  plugins: [moduleList],
  // The package's crypto worker (a chunk of its own, with the wasm) is built too.
  worker: { format: 'es' },
  // The network layer's dependencies include browserify-era modules (k-bucket's randombytes)
  // that read Node's `global`. webpack 5 maps it to the global object by itself; Vite does not,
  // so an app importing streamr-e2ee/streamr-network under Vite needs this one define.
  define: app === 'page' ? { global: 'globalThis' } : {},
  build: { target: 'es2022', outDir: out, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
};
