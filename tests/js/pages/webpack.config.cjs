// Bundles the two-page app (publisher page, subscriber page) as an app would: webpack 5,
// production mode, async WebAssembly.
const path = require('node:path');

module.exports = {
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: './entry.mjs',
  output: {
    path: path.resolve(__dirname, '../../../test-results/pages-bundle'),
    filename: 'main.js',
    clean: true,
  },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
};
