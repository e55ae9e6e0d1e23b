#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian machine (run as root), and does
# nothing more on a machine that has it: a second run takes a few seconds.
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli = the wasm-bindgen version in Cargo.lock (wasm-bindgen,
#     wasm-bindgen-test-runner): cargo install, about 4 minutes the first time
#   - Debian's chromium + chromium-driver (headless browser tests)
#   - the npm devDependencies (npm ci --ignore-scripts): binaryen 132 (wasm-opt), webpack,
#     playwright-core, @streamr/sdk 103.3.2 (tests/interop), …
#   - sqlite3's native addon for @streamr/sdk, compiled from source (~1.5 min, longer on a busy
#     machine): the SDK requires it at load time, and its prebuilt binary is a GitHub download
# Never installs Debian's binaryen: its wasm-opt (v108) breaks wasm-bindgen output.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

say() { printf 'setup: %s\n' "$*"; }

# 1. Rust target for WebAssembly.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: installed"
else
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli, exactly the version the crate links (the CLI refuses any other).
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
[ -n "$want" ] || { say "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
have=$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2 || true)
have_runner=$(wasm-bindgen-test-runner --version 2>/dev/null | cut -d' ' -f2 || true)
if [ "$have" = "$want" ] && [ "$have_runner" = "$want" ]; then
  say "wasm-bindgen-cli $want: installed"
else
  # No --locked: the registry mirror lacks a crate version the CLI's lock file pins.
  say "cargo install wasm-bindgen-cli --version $want (have '${have:-none}'; takes ~4 min)"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

# 3. Chromium and ChromeDriver from Debian (the same source package: versions match).
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium + chromedriver: installed"
else
  say "apt-get install chromium chromium-driver"
  apt-get update
  apt-get install -y chromium chromium-driver
fi

# 4. npm devDependencies, from package-lock.json. --ignore-scripts: of the packages with
#    install scripts, anvil's only downloads a binary its platform package already holds,
#    bufferutil/utf-8-validate/secp256k1 ship prebuilds (or fall back to JS), es5-ext prints a
#    message, node-datachannel is replaced by a stub (package.json "overrides",
#    tests/interop/stubs/), and sqlite3's would fetch a prebuilt binary from GitHub: step 5.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci --ignore-scripts"
  npm ci --ignore-scripts --no-audit --no-fund
else
  say "node_modules: up to date with package-lock.json"
fi

# 5. sqlite3's addon from its bundled SQLite sources (node-gyp; needs gcc, make, python3).
if [ -f node_modules/sqlite3/build/Release/node_sqlite3.node ]; then
  say "sqlite3 addon: built"
else
  say "npm rebuild sqlite3 (from source, ~1.5 min)"
  # Node's headers from the system package (/usr/include/node): node-gyp would otherwise
  # download them from nodejs.org.
  nodedir=$(dirname "$(dirname "$(command -v node)")")
  [ -f "$nodedir/include/node/node_api.h" ] || { say "no Node headers under $nodedir/include/node" >&2; exit 1; }
  npm_config_build_from_source=true npm_config_nodedir="$nodedir" npm rebuild sqlite3 --no-audit --no-fund
fi
say "done"
