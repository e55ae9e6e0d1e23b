#!/usr/bin/env bash
# Builds another variant of the wasm module for the benchmarks to compare with the shipped one
# (raw wasm-bindgen bundler output, no shim), into target/bench-variants/<name>/bundler:
#   simd128  the shipped build (profile wasm-release, wasm-opt -Oz) with
#            `-C target-feature=+simd128` (every current browser has wasm SIMD; Safari < 16.4 not)
#   o3       the speed-first build from before the size work: profile release (opt-level 3),
#            wasm-opt -O
#   cpubits64  the shipped module (its features and flags) but for `cpubits = "32"`: what the
#            cpubits crate picks for wasm32 by itself (64-bit words: k256's 5x52 field limbs,
#            the aes crate's 64-bit fixslice), for the trade-off of issue #20's limb change
#   words32  the shipped module with `cpubits = "32"` for every crate, aes included (as shipped
#            before scripts/rustc-wrapper.sh exempted aes and polyval)
# Then: BENCH_VARIANT_SIMD128=target/bench-variants/simd128/bundler npm run bench
# Each variant has its own cargo target dir (RUSTFLAGS and profiles would rebuild the main one).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
name=${1:?usage: benches/build-variant.sh simd128|o3|cpubits64|words32}
dir=target/bench-variants/$name
case "$name" in
  simd128)
    RUSTFLAGS="-C target-feature=+simd128" cargo build --profile wasm-release --target wasm32-unknown-unknown --target-dir "$dir/cargo"
    profile=wasm-release opt=(-Oz --enable-simd) ;;
  o3)
    cargo build --release --target wasm32-unknown-unknown --target-dir "$dir/cargo"
    profile=release opt=(-O) ;;
  cpubits64)
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg sha2_backend_soft="compact"' \
      cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features --target-dir "$dir/cargo"
    profile=wasm-release opt=(-Oz) ;;
  words32)
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg sha2_backend_soft="compact" --cfg cpubits="32"' \
      cargo build --profile wasm-release --target wasm32-unknown-unknown --no-default-features --target-dir "$dir/cargo"
    profile=wasm-release opt=(-Oz) ;;
  *) echo "unknown variant $name" >&2; exit 1 ;;
esac
rm -rf "$dir/bundler"
wasm-bindgen --target bundler --out-dir "$dir/bundler" "$dir/cargo/wasm32-unknown-unknown/$profile/streamr_e2ee.wasm"
wasm-opt "${opt[@]}" "$dir/bundler/streamr_e2ee_bg.wasm" -o "$dir/bundler/streamr_e2ee_bg.wasm"
ls -l "$dir/bundler/streamr_e2ee_bg.wasm"
