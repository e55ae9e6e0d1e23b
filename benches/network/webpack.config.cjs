// The network group's bundle-cost builds: webpack 5, production, target web, async
// WebAssembly (the shape of tests/js/keystore/webpack.config.cjs), one build per entry, each
// into NETWORK_BUNDLE_OUT/<name>/. A small plugin writes <name>/files.json: the entry's
// initial files and the files it may load later (async chunks: @streamr/config, workers).
// NETWORK_BUNDLE_QUICK=1 (quick runs): no minification (a cold minified build of the network
// layer takes 30-70 s on the shared machine; quick sizes are not meaningful anyway).
const fs = require('node:fs');
const path = require('node:path');

const out = process.env.NETWORK_BUNDLE_OUT;
const quick = process.env.NETWORK_BUNDLE_QUICK === '1';
if (!out) throw new Error('NETWORK_BUNDLE_OUT is not set');

class EntryFiles {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('EntryFiles', (compilation) => {
      const [[, entry]] = [...compilation.entrypoints];
      const initial = [...entry.getFiles()];
      const later = new Set();
      const seen = new Set();
      const walk = (group) => {
        for (const child of group.getChildren()) {
          if (seen.has(child)) continue;
          seen.add(child);
          for (const f of child.getFiles()) if (!initial.includes(f)) later.add(f);
          walk(child);
        }
      };
      walk(entry);
      const all = Object.keys(compilation.assets);
      fs.writeFileSync(path.join(compilation.outputOptions.path, 'files.json'), JSON.stringify({ initial, later: [...later], all }));
    });
  }
}

const build = (name) => ({
  name,
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: `./${name}-entry.mjs`,
  output: { path: path.join(out, name), filename: 'main.js', clean: true },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
  plugins: [new EntryFiles()],
  optimization: { minimize: !quick },
});

module.exports = [build('transport'), build('api')];
