#!/usr/bin/env bash
# Builds the recovery-lever modules (issue #20) into target/recover-lever/<variant>/:
#   both        k256 + libsecp256k1 in one module (the speed comparison)
#   k256        k256 alone, precomputed  k256 + precomputed-tables, libsecp  libsecp256k1 alone,
#   lowmem      libsecp256k1 alone with its small tables (sizes, and the speed of the last two)
#   none        keccak and the bindings only: the baseline the sizes are taken against
#   k256-32     k256 with `--cfg cpubits="32"`: 10x26 field limbs (32x32->64 products, native
#               i64.mul in wasm) instead of the 5x52 limbs cpubits picks for wasm32 (64x64->128,
#               emulated)
# Each: cargo (release: opt-level 3, fat LTO), wasm-bindgen --target bundler, wasm-opt -O3.
# Needs clang with the wasm32 target for libsecp256k1 (Debian: apt-get install clang lld).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CC_wasm32_unknown_unknown=${CC_wasm32_unknown_unknown:-clang}
export AR_wasm32_unknown_unknown=${AR_wasm32_unknown_unknown:-llvm-ar}
for v in "${@:-both k256 precomputed libsecp lowmem none k256-32}"; do
  for variant in $v; do
    case "$variant" in
      both) feats=k256,libsecp ;;
      none) feats= ;;
      k256-32) feats=k256 ;;
      *) feats=$variant ;;
    esac
    out="$root/target/recover-lever/$variant"
    [ "$variant" = k256-32 ] && export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg cpubits="32"'
    [ "$variant" != k256-32 ] && unset CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS
    cargo build --release --target wasm32-unknown-unknown --no-default-features --features "$feats" --target-dir "$root/target/recover-lever/cargo-$variant"
    rm -rf "$out"
    wasm-bindgen --target bundler --out-dir "$out" "$root/target/recover-lever/cargo-$variant/wasm32-unknown-unknown/release/recover_lever.wasm"
    wasm-opt -O3 "$out/recover_lever_bg.wasm" -o "$out/recover_lever_bg.wasm"
    ls -l "$out/recover_lever_bg.wasm"
  done
done
