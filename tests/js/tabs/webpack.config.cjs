// Bundles the multi-tab test page as an app would: webpack 5,
// production mode, async WebAssembly.
const path = require('node:path');

module.exports = {
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: './entry.mjs',
  output: {
    path: path.resolve(__dirname, '../../../test-results/tabs-bundle'),
    filename: 'main.js',
    clean: true,
  },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
};
