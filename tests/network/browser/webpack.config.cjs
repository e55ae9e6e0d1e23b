// webpack 5 builds for the browser network test (`--env app=page` or `--env app=only`), the way
// an app consumes the package: production mode, async WebAssembly, no fallbacks or polyfills.
//   page: imports streamr-e2ee and streamr-e2ee/streamr-network (the publisher page)
//   only: imports streamr-e2ee alone (must not pull in the network layer)
// Each build also writes <out>.modules.json: every module's resource path (concatenated
// modules included), from webpack's own stats, for the bundle-content checks.
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const BUILD = path.resolve(__dirname, '../../../test-results/network-browser/build');

/** Resource paths of stats modules, descending into concatenated modules. */
function resources(modules, out = new Set()) {
  for (const m of modules ?? []) {
    if (m.nameForCondition) out.add(m.nameForCondition);
    resources(m.modules, out);
  }
  return out;
}

class ModuleListPlugin {
  constructor(file) {
    this.file = file;
  }
  apply(compiler) {
    compiler.hooks.done.tap('ModuleListPlugin', (stats) => {
      const json = stats.toJson({ all: false, modules: true, nestedModules: true });
      writeFileSync(this.file, JSON.stringify([...resources(json.modules)].sort(), null, 1));
    });
  }
}

module.exports = (env) => {
  const app = env.app;
  if (app !== 'page' && app !== 'only') throw new Error(`--env app=page|only, got ${app}`);
  const out = path.join(BUILD, `webpack-${app}`);
  return {
    mode: 'production',
    target: 'web',
    context: __dirname,
    entry: `./${app}/main.mjs`,
    output: { path: out, filename: 'main.js', clean: true },
    experiments: { asyncWebAssembly: true },
    performance: { hints: false },
    devtool: false,
    plugins: [new ModuleListPlugin(`${out}.modules.json`)],
  };
};
