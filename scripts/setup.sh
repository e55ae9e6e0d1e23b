#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian machine (run as root), and does
# nothing more on a machine that has it: a second run takes a few seconds.
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli = the wasm-bindgen version in Cargo.lock (wasm-bindgen,
#     wasm-bindgen-test-runner): cargo install, about 4 minutes the first time
#   - Debian's chromium + chromium-driver (headless browser tests)
#   - the npm devDependencies (npm ci): binaryen 132 (wasm-opt), webpack, playwright-core, …
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

# 4. npm devDependencies, from package-lock.json.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
else
  say "node_modules: up to date with package-lock.json"
fi
say "done"
