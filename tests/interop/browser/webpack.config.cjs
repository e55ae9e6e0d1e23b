// The documented webpack recipe (docs/sdk-backend.md), applied to the SDK's browser build for
// the Chromium benchmark. The alias is scoped to @streamr/sdk's own files, so the stand-ins
// (and entry.mjs) still import the real @streamr/utils and noble.
const path = require('node:path');
const webpack = require('webpack');

module.exports = {
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: './entry.mjs',
  output: { path: path.resolve(__dirname, '../../../target/bench/browser'), filename: 'main.js', clean: true },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
  resolve: { fallback: { buffer: require.resolve('buffer/'), crypto: false, path: false, fs: false, os: false, stream: false } },
  module: {
    rules: [{
      test: /\.[cm]?js$/,
      include: /node_modules[\\/]@streamr[\\/]sdk[\\/]dist[\\/]/,
      resolve: {
        alias: {
          '@streamr/utils$': require.resolve('streamr-e2ee/sdk-backend/utils'),
          '@noble/post-quantum/ml-kem$': require.resolve('streamr-e2ee/sdk-backend/ml-kem'),
        },
      },
    }],
  },
  // What @streamr/sdk's browser build needs anyway.
  plugins: [new webpack.ProvidePlugin({ Buffer: ['buffer', 'Buffer'], process: 'process/browser.js' })],
};
