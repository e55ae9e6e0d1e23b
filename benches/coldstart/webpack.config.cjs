// The cold-start pages (benches/coldstart.mjs), built as an app would: webpack 5, production.
//   after   streamr-e2ee as built now (pkg/: the web build, loaded by ready())
//   before  the package from before issue #16 (COLDSTART_BEFORE_PKG, a copy of that pkg/: the
//           bundler build, its .wasm instantiated on import through asyncWebAssembly)
//   sdk     stock @streamr/sdk's browser build and @streamr/utils (what the SDK needs in a
//           browser, as tests/interop/browser/webpack.config.cjs has it)
const path = require('node:path');
const webpack = require('webpack');

const out = process.env.COLDSTART_OUT;
if (!out) throw new Error('COLDSTART_OUT is not set');
const before = process.env.COLDSTART_BEFORE_PKG;

const build = (name, entry, alias = {}, extra = {}) => ({
  name,
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry,
  output: { path: path.join(out, name), filename: 'main.js', clean: true },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
  resolve: { alias, ...extra.resolve },
  plugins: extra.plugins ?? [],
});
const sdk = {
  resolve: { fallback: { buffer: require.resolve('buffer/'), crypto: false, path: false, fs: false, os: false, stream: false } },
  plugins: [new webpack.ProvidePlugin({ Buffer: ['buffer', 'Buffer'], process: 'process/browser.js' })],
};

module.exports = [
  build('after', './after-entry.mjs'),
  ...(before ? [build('before', './before-entry.mjs', { 'streamr-e2ee$': path.join(path.resolve(before), 'index.js') })] : []),
  build('sdk', './sdk-entry.mjs', {}, sdk),
];
