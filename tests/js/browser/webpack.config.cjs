// Bundles the browser test entry the way an app would consume the package: webpack 5,
// production mode (tree shaking honours the package's "sideEffects"), async WebAssembly.
const path = require('node:path');

module.exports = {
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: './entry.mjs',
  output: {
    path: path.resolve(__dirname, '../../../test-results/browser-bundle'),
    filename: 'main.js',
    clean: true,
  },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
};
