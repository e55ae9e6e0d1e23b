// Bundles the key-store/worker browser tests the way an app consumes the package: webpack 5,
// production mode, async WebAssembly; the package's worker (new Worker(new URL(...))) becomes
// its own chunk.
const path = require('node:path');

module.exports = {
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: './browser/entry.mjs',
  output: {
    path: path.resolve(__dirname, '../../../test-results/keystore-webpack'),
    filename: 'main.js',
    clean: true,
  },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
};
