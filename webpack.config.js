// The demo page (www/): webpack 5 bundles www/src/main.js with the package's bundler build
// (async WebAssembly) and ethers. `npm start` serves it with webpack-dev-server
// (scripts/dev-server.mjs); `npx webpack` builds it into www/dist/ (serve it with
// www/public/ and a config.json next to index.html).
const path = require('node:path');

module.exports = {
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: './www/src/main.js',
  output: {
    path: path.resolve(__dirname, 'www/dist'),
    filename: 'main.js',
    clean: true,
  },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devServer: { static: [path.resolve(__dirname, 'www/public')] },
};
