// Bundles the browser benchmarks as an app would: webpack 5, production mode, async
// WebAssembly, the package through its exports map ("browser" condition) and @streamr/utils
// through its browser build (the code the SDK's browser bundle contains).
// BENCH_OUT: output directory; BENCH_VARIANT_<NAME>: a wasm-bindgen bundler directory of
// another build of the crate, or unset (a stub; the entry skips that variant).
const path = require('node:path');
const fs = require('node:fs');

const repo = path.resolve(__dirname, '../..');
const variant = (name) => {
  const dir = process.env[`BENCH_VARIANT_${name.toUpperCase()}`];
  const file = dir && path.resolve(repo, dir, 'streamr_e2ee.js');
  return file && fs.existsSync(file) ? file : path.join(__dirname, 'no-variant.mjs');
};

const lever = (name) => {
  const file = path.join(repo, 'target/recover-lever', name, 'recover_lever.js');
  return fs.existsSync(file) ? file : path.join(__dirname, 'no-variant.mjs');
};

module.exports = {
  mode: 'production',
  target: 'web',
  context: __dirname,
  entry: './entry.mjs',
  output: { path: process.env.BENCH_OUT ?? path.join(repo, 'test-results/bench/bundle'), filename: 'main.js', clean: true },
  experiments: { asyncWebAssembly: true },
  performance: { hints: false },
  devtool: false,
  resolve: {
    alias: {
      // The package's web build (the same module the package imports): its init returns the
      // instance's exports, `memory` among them, for the memory figures.
      'streamr-e2ee-web': path.join(repo, 'pkg/web/streamr_e2ee.js'),
      'streamr-e2ee-variant-simd128': variant('simd128'),
      'streamr-e2ee-variant-o3': variant('o3'),
      'streamr-e2ee-variant-cpubits64': variant('cpubits64'),
      'streamr-e2ee-variant-words32': variant('words32'),
      // Issue #20's recovery levers (benches/recover-lever/build.sh), or the stub.
      ...Object.fromEntries(['both', 'precomputed', 'lowmem', 'k256-32'].map((v) => [`recover-lever-${v}`, lever(v)])),
    },
    // What the SDK's browser build polyfills for these dependencies.
    fallback: { crypto: false, stream: require.resolve('readable-stream'), path: require.resolve('path-browserify') },
  },
};
