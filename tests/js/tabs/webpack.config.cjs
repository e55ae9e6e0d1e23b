// Bundles the multi-tab test page as an app would: webpack 5,
// production mode (the package's web build needs no wasm setting).
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
  performance: { hints: false },
  devtool: false,
};
