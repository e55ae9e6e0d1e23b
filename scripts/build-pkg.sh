#!/usr/bin/env bash
# Builds pkg/, the npm package `streamr-e2ee`:
#   pkg/web/       wasm-bindgen --target web (ES module; `ready()` fetches and compiles the
#                  .wasm on first use, instantiateStreaming; webpack 5, Vite, plain browsers)
#   pkg/node/      wasm-bindgen --target nodejs (CommonJS; loads the .wasm synchronously), from
#                  a second cargo build with the feature `custodian` (the Custodian class)
#   pkg/dist/        the TypeScript shim (ts/, compiled by tsc): the high-level API
#   pkg/index.js, index.d.ts         browser/bundler entry: the shim + raw bindings
#   pkg/node.mjs                     Node ESM entry: the same shim, over the Node build
#   pkg/node.cjs, node.d.cts         Node require(): the same (require(esm), Node >= 20.19)
#   pkg/package.json                 conditional exports over those entries, and the
#                                    "#wasm*" imports the shim loads the raw bindings through
# Needs: cargo + the wasm32 target, wasm-bindgen-cli = the Cargo.lock version, and npm's
# binaryen (node_modules/.bin/wasm-opt). scripts/setup.sh installs all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
# npm's binaryen first: Debian's wasm-opt (v108) corrupts wasm-bindgen's externref table.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

CRATE=streamr_e2ee
OUT=pkg
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
# The wasm-release profile (Cargo.toml): opt-level "z", the hot crypto loops at 3.
RAW="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/$CRATE.wasm"
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

case "$(wasm-opt --version)" in
  *"version 132"*) ;;
  *) echo "build-pkg: wasm-opt on PATH is not binaryen 132 ($(command -v wasm-opt)); run scripts/setup.sh" >&2; exit 1 ;;
esac

step() { printf '\n--- build-pkg: %s\n' "$*"; }
start=$SECONDS

step "cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features (browser module)"
# Without the feature `rsa`: no RSA in the main module (issue #16); RSA is the platform's or
# the separate rsa-wasm module's (built below). Without the feature `custodian`: the key
# custodian is a Node service (docs/custodian.md), so only the Node module (the second build
# below) has the `Custodian` class.
# Flags for the shipped module only (the wasm32 test builds keep the defaults; a change here
# rebuilds the wasm-release dependencies once):
# - sha2's compact (rolled) SHA-256/512 rounds instead of the unrolled ones: -2.9 KB brotli;
#   SHA-512 runs in HKDF (ML-KEM key wrap), SHA-256 in P-256 verification and the RFC 6979
#   nonces of signing; none measurably slower but P-256 verify (BENCHMARKS.md, "Size").
# - cargo's registry path out of panic locations (-0.2 KB brotli of file names).
# - `cpubits = "32"` (issue #20): k256's field in 10x26 limbs, whose 32x32->64 products are
#   one i64.mul in wasm, instead of the 5x52 limbs the cpubits crate picks for wasm32, whose
#   64x64->128 products wasm lacks (emulated): secp256k1 recovery, every message's cost,
#   about 2.5x faster, and a smaller module (BENCHMARKS.md, "Issue #20"). Both limb layouts are
#   k256's own constant-time field arithmetic; 10x26 is what it runs on every 32-bit target.
#   It also reaches crypto-bigint (32-bit words) in every module built here, rsa-wasm included
#   (95,677 -> 82,205 bytes brotli).
# - ... but not the aes crate (nor polyval, AES-GCM's hash): their fixslice runs four blocks a
#   pass in 64-bit words, two in 32-bit ones, and AES-CTR was 1.3-2x slower under the global
#   cfg. scripts/rustc-wrapper.sh drops `cpubits = "32"` for the crates named in
#   `streamr_e2ee_words64` (BENCHMARKS.md, "Issue #20"). It replaces any RUSTC_WRAPPER of the
#   caller for these builds.
export RUSTC_WRAPPER="$PWD/scripts/rustc-wrapper.sh"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg sha2_backend_soft=\"compact\" --cfg cpubits=\"32\" --cfg streamr_e2ee_words64=\"aes,polyval\" --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src/=crates/"
cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features

step "wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2) --target web"
rm -rf "$OUT"
# web, not bundler: the bundler build imports the .wasm as an ES module, so importing the
# package would download and instantiate it (a top-level await for every importer). The web
# build loads it when `ready()` is first called (ts/ready.ts), streaming-compiled.
wasm-bindgen --target web --out-dir "$OUT/web" "$RAW"

step "cargo build ... --features custodian (Node module)"
# The same dependencies (cached): only the main crate and the link are rebuilt. $RAW is
# overwritten, so the web bindings above are taken first.
cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features --features custodian
wasm-bindgen --target nodejs --out-dir "$OUT/node" "$RAW"

step "wasm-opt -Oz (binaryen 132)"
wasm-opt -Oz "$OUT/web/${CRATE}_bg.wasm" -o "$OUT/web/${CRATE}_bg.wasm.opt"
mv "$OUT/web/${CRATE}_bg.wasm.opt" "$OUT/web/${CRATE}_bg.wasm"
wasm-opt -Oz "$OUT/node/${CRATE}_bg.wasm" -o "$OUT/node/${CRATE}_bg.wasm"

# ---- RSA module (issue #16, RSA part): rsa-wasm/ into pkg/rsa-wasm/{web,node}/, loaded
# by the shim with import('#rsa-wasm') only when an RSA exchange happens and the platform's
# RSA-OAEP (WebCrypto, node:crypto) is missing or refuses the key.
RSA_CRATE=streamr_e2ee_rsa_wasm
RSA_RAW="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/$RSA_CRATE.wasm"
step "rsa-wasm: cargo build, wasm-bindgen, wasm-opt -Oz"
cargo build -p streamr-e2ee-rsa-wasm --profile wasm-release --target wasm32-unknown-unknown
wasm-bindgen --target web --out-dir "$OUT/rsa-wasm/web" "$RSA_RAW"
wasm-bindgen --target nodejs --out-dir "$OUT/rsa-wasm/node" "$RSA_RAW"
wasm-opt -Oz "$OUT/rsa-wasm/web/${RSA_CRATE}_bg.wasm" -o "$OUT/rsa-wasm/web/${RSA_CRATE}_bg.wasm.opt"
if cmp -s "$OUT/rsa-wasm/web/${RSA_CRATE}_bg.wasm" "$OUT/rsa-wasm/node/${RSA_CRATE}_bg.wasm"; then
  cp "$OUT/rsa-wasm/web/${RSA_CRATE}_bg.wasm.opt" "$OUT/rsa-wasm/node/${RSA_CRATE}_bg.wasm"
else
  wasm-opt -Oz "$OUT/rsa-wasm/node/${RSA_CRATE}_bg.wasm" -o "$OUT/rsa-wasm/node/${RSA_CRATE}_bg.wasm"
fi
mv "$OUT/rsa-wasm/web/${RSA_CRATE}_bg.wasm.opt" "$OUT/rsa-wasm/web/${RSA_CRATE}_bg.wasm"
echo '{ "type": "commonjs" }' > "$OUT/rsa-wasm/node/package.json"
# ---- end of the RSA module block

step "entries and package.json"
# wasm-bindgen's classes declare [Symbol.dispose]; pull in that lib so consumers type-check
# without skipLibCheck or an esnext lib setting (TypeScript >= 5.2).
for d in "$OUT/web/${CRATE}.d.ts" "$OUT/node/${CRATE}.d.ts"; do
  printf '/// <reference lib="esnext.disposable" />\n%s\n' "$(cat "$d")" > "$d"
done
# node/ is CommonJS inside a "type": "module" package.
echo '{ "type": "commonjs" }' > "$OUT/node/package.json"
step "tsc -p ts (the shim)"
node node_modules/typescript/bin/tsc -p ts/tsconfig.json
# The SDK backend's Node resolution hook is CommonJS, which tsc (ES modules) does not emit.
cp ts/sdk-backend/register.cjs "$OUT/dist/sdk-backend/register.cjs"
chmod +x "$OUT/dist/streamr-network/cli.js"
chmod +x "$OUT/dist/custodian/cli.js" # the key custodian command (docs/custodian.md)
cat > "$OUT/index.js" <<JS
export * from './dist/index.js';
JS
cat > "$OUT/index.d.ts" <<JS
export * from './dist/index.js';
JS
cat > "$OUT/node.mjs" <<JS
export * from './dist/index.js';
JS
# Node >= 20.19 loads the ES-module shim through require() (require(esm)); "#wasm" resolves
# to the same CommonJS build either way, so import and require share one wasm instance.
cat > "$OUT/node.cjs" <<JS
module.exports = require('./dist/index.js');
JS
cat > "$OUT/node.d.cts" <<JS
export * from './dist/index.js';
JS
cp README.md "$OUT/README.md"
VERSION="$VERSION" CRATE="$CRATE" node - "$OUT/package.json" <<'JS'
const fs = require('node:fs');
const { VERSION, CRATE } = process.env;
const browser = { types: './index.d.ts', default: './index.js' };
const pkg = {
  name: 'streamr-e2ee',
  version: VERSION,
  description: 'End-to-end encryption for Streamr streams (Rust/WebAssembly), byte-compatible with @streamr/sdk 103.x',
  license: 'Apache-2.0',
  type: 'module',
  main: './node.cjs',
  module: './index.js',
  types: './index.d.ts',
  exports: {
    '.': {
      node: {
        import: { types: './index.d.ts', default: './node.mjs' },
        require: { types: './node.d.cts', default: './node.cjs' },
      },
      browser,
      default: browser,
    },
    // The @streamr/sdk drop-in backend (docs/sdk-backend.md): the SDK's high-level crypto
    // shape, the stand-ins for @streamr/utils and @noble/post-quantum/ml-kem, and the Node
    // resolution hook that wires the stand-ins into the SDK.
    './sdk-backend': { types: './dist/sdk-backend/index.d.ts', default: './dist/sdk-backend/index.js' },
    './sdk-backend/utils': { types: './dist/sdk-backend/utils.d.ts', default: './dist/sdk-backend/utils.js' },
    './sdk-backend/ml-kem': { types: './dist/sdk-backend/ml-kem.d.ts', default: './dist/sdk-backend/ml-kem.js' },
    './sdk-backend/register': './dist/sdk-backend/register.cjs',
    // The Streamr Network transport (docs/streamr-network.md): its own entry, so that the
    // package's main entry never pulls @streamr/trackerless-network into a bundle.
    './streamr-network': { types: './dist/streamr-network/index.d.ts', default: './dist/streamr-network/index.js' },
    // The key custodian (docs/custodian.md): Node only (a sealed key file), so its own entry.
    './custodian': { types: './dist/custodian/index.d.ts', default: './dist/custodian/index.js' },
    './package.json': './package.json',
  },
  // Only the SDK backend imports the first two (the real packages it stands in for), only
  // streamr-e2ee/streamr-network the last two (@streamr/config for the public entry points,
  // loaded when none are given); the rest of the package needs none of them.
  peerDependencies: {
    '@streamr/utils': '103.x',
    '@noble/post-quantum': '0.4.x',
    '@streamr/trackerless-network': '103.3.x',
    '@streamr/config': '5.x',
  },
  peerDependenciesMeta: {
    '@streamr/utils': { optional: true },
    '@noble/post-quantum': { optional: true },
    '@streamr/trackerless-network': { optional: true },
    '@streamr/config': { optional: true },
  },
  // A local entry point for tests and demos (docs/streamr-network.md).
  // The key custodian command (docs/custodian.md).
  bin: {
    'streamr-e2ee-entry-point': './dist/streamr-network/cli.js',
    'streamr-e2ee-custodian': './dist/custodian/cli.js',
  },
  // The shim reaches the raw bindings through "#wasm": the Node build (CommonJS, loads the
  // .wasm synchronously) under Node, the web build (instantiated by `ready()`) elsewhere.
  // "#wasm-init" is what `ready()` awaits (the web build's init; a no-op under Node);
  // "#wasm-eager" instantiates at import, for the SDK backend only (docs/sdk-backend.md).
  imports: {
    // RSA-OAEP (issue #16): the platform's (node:crypto in Node, WebCrypto elsewhere) and the
    // rsa-wasm fallback module, each reached only through a dynamic import() when an RSA
    // exchange happens, so bundlers split them off and nothing RSA loads otherwise.
    '#rsa-platform': {
      node: { types: './dist/rsa/platform-node.d.ts', default: './dist/rsa/platform-node.js' },
      default: { types: './dist/rsa/platform-web.d.ts', default: './dist/rsa/platform-web.js' },
    },
    // ECDSA P-256 (issue #16): the platform's, imported only when a P-256 message or signer appears.
    '#p256-platform': {
      node: { types: './dist/p256/platform-node.d.ts', default: './dist/p256/platform-node.js' },
      default: { types: './dist/p256/platform-web.d.ts', default: './dist/p256/platform-web.js' },
    },
    '#rsa-wasm': {
      node: { types: './rsa-wasm/node/streamr_e2ee_rsa_wasm.d.ts', default: './rsa-wasm/node/streamr_e2ee_rsa_wasm.js' },
      default: { types: './rsa-wasm/web/streamr_e2ee_rsa_wasm.d.ts', default: './rsa-wasm/web/streamr_e2ee_rsa_wasm.js' },
    },
    '#wasm': {
      node: { types: `./node/${CRATE}.d.ts`, default: `./node/${CRATE}.js` },
      default: { types: `./web/${CRATE}.d.ts`, default: `./web/${CRATE}.js` },
    },
    // The Node build only, for what only it has (the Custodian class, feature `custodian`):
    // streamr-e2ee/custodian imports it. Elsewhere it resolves for the type checker only (so
    // that entry's types check under any moduleResolution), never for a bundle.
    '#wasm-node': {
      node: { types: `./node/${CRATE}.d.ts`, default: `./node/${CRATE}.js` },
      types: `./node/${CRATE}.d.ts`,
    },
    '#wasm-init': {
      node: { types: './dist/wasm-init-node.d.ts', default: './dist/wasm-init-node.js' },
      default: { types: `./web/${CRATE}.d.ts`, default: `./web/${CRATE}.js` },
    },
    '#wasm-eager': {
      node: { types: './dist/wasm-init-node.d.ts', default: './dist/wasm-init-node.js' },
      default: { types: './dist/wasm-eager.d.ts', default: './dist/wasm-eager.js' },
    },
  },
  // Modules with import-time effects must survive tree shaking (webpack's sideEffects).
  sideEffects: ['./dist/wasm-eager.js', `./node/${CRATE}.js`, './web/snippets/*', './rsa-wasm/node/*.js'],
  files: ['web/', 'node/', 'rsa-wasm/', 'dist/', 'index.js', 'index.d.ts', 'node.mjs', 'node.cjs', 'node.d.cts', 'README.md'],
  engines: { node: '>=20.19' },
};
fs.writeFileSync(process.argv[2], JSON.stringify(pkg, null, 2) + '\n');
JS

# Size budget: what a browser downloads is the .wasm compressed, so the budget is on its
# brotli size (quality 11, as a CDN or `brotli -q 11` serves it). A module past it (a debug
# build, a dependency pulled in by accident) fails the build; raise it deliberately when a
# feature needs the room. The opt-level "z" build (wasm-release) was 271,203 bytes; the sealed
# key store (aes-gcm), the @streamr/sdk backend primitives and the registry exports brought it
# to about 278,600; the key-release, replay and relabelling fixes of the security review
# (stream-bound key loading, field forms, signature memory, chain key trails, the JSON check,
# the ERC-1271 queue, publish ids in events; no new dependency) to 290,473; plus a small
# margin. Session keys (issue #15: the setPermissionsForUser / revokeAllPermissionsForUser
# calldata and the getPermissionsForUserId exports, EvmSigner pause/resume/wipe) cost
# +1,634 bytes (290,577 -> 292,211), past the old 292,000: raised to that plus rounding.
# Issue #16: no float printing in error messages (-7,360), sha2's compact rounds (-2,895),
# shorter panic-location paths (about -230), and RSA out of the main module (the rsa-wasm
# module and the platform's RSA-OAEP: -76,570); key custodians (issue #19: the Custodian
# class, the publisher's eager hand-off, identity sealing) added +10,565; the Custodian class
# in the Node module only (feature `custodian`: -26,425 raw, -7,995 brotli; 215,221 -> 207,069).
# Measured and not done: ML-DSA-87 signing out (-6,151; browsers still sign with it),
# SealingKey out (-1,547; the key store seals synchronously), pkcs8PemToDer out (-34). P-256
# out of the main module (feature `p256`: the platform's ECDSA P-256, docs/p256.md): -12,864
# (207,069 -> 194,290); the subscriber's input backpressure (inputBacklogged) +186: 194,476.
# Issue #18, decisions into the core (the public-stream check, the key-exchange policy and
# `keyExchangeAlgorithm`, EncryptionUtil's ML-KEM wrap in one call each way) +885; the config
# objects declared once (src/wasm/config.rs: reader, known fields and tsify's TypeScript from
# one declaration) +1,136; serde-wasm-bindgen for the same objects measured +19,887
# (214,363): not taken. Issue #20: the verification pool (recoverSigner, Subscriber.poolKey/
# handleMessageRecovered/poolStats, docs/verify-pool.md; HMAC from hkdf, no new dependency)
# +1,636; k256 in 10x26 limbs (`cpubits = "32"`, above) -8,731: 189,458 together; aes and
# polyval exempted from it (scripts/rustc-wrapper.sh) +228: 189,686.
# The goal was 200 KB; the budget is the measured size plus rounding, so growth fails the build.
# BENCHMARKS.md ("Size") says what each cut cost.
MAX_WASM_BROTLI_BYTES=${MAX_WASM_BROTLI_BYTES:-190000}
wasm_file="$OUT/web/${CRATE}_bg.wasm"
read -r raw gz br < <(node -e '
const z = require("node:zlib"), b = require("node:fs").readFileSync(process.argv[1]);
const br = z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length } });
console.log(b.length, z.gzipSync(b, { level: 9 }).length, br.length);' "$wasm_file")
printf '\nbuild-pkg: done in %ss: %s %s bytes (gzip -9: %s, brotli -11: %s bytes; brotli budget %s, goal 200000)\n' \
  "$((SECONDS - start))" "$wasm_file" "$raw" "$gz" "$br" "$MAX_WASM_BROTLI_BYTES"
# The RSA module's size (issue #16, RSA part): not part of the main budget, loaded only for RSA.
rsa_wasm_file="$OUT/rsa-wasm/web/${RSA_CRATE}_bg.wasm"
read -r rsa_raw rsa_br < <(node -e '
const z = require("node:zlib"), b = require("node:fs").readFileSync(process.argv[1]);
console.log(b.length, z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11, [z.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length);' "$rsa_wasm_file")
printf 'build-pkg: RSA module %s %s bytes (brotli -11: %s bytes; loaded only for RSA)\n' "$rsa_wasm_file" "$rsa_raw" "$rsa_br"
if [ "$br" -gt "$MAX_WASM_BROTLI_BYTES" ]; then
  echo "build-pkg: $wasm_file is $br bytes brotli, over the budget of $MAX_WASM_BROTLI_BYTES" >&2
  exit 1
fi
