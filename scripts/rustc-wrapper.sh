#!/usr/bin/env bash
# RUSTC_WRAPPER of the shipped wasm builds (scripts/build-pkg.sh). Cargo hands every crate the same
# `--cfg`s, and `cpubits = "32"` is right for k256 (10x26 field limbs: recovery 2.2x faster in
# wasm) but wrong for the aes crate, whose fixslice then bitslices two blocks a pass in 32-bit
# words instead of four in 64-bit ones (AES-CTR 1.3-2x slower; BENCHMARKS.md, "Issue #20").
# This drops `--cfg cpubits="32"` for the crates listed in the build's own
# `--cfg streamr_e2ee_words64="aes,polyval"`: the list is part of the flags, so cargo rebuilds
# when it changes (a wrapper's own logic is invisible to cargo's fingerprints).
# Usage (by cargo): rustc-wrapper.sh <rustc> <args...>
set -euo pipefail
rustc=$1
shift
crate=""
words64=""
prev=""
for arg in "$@"; do
  [ "$prev" = --crate-name ] && crate=$arg
  case "$arg" in streamr_e2ee_words64=*) words64=${arg#streamr_e2ee_words64=} ;; esac
  prev=$arg
done
words64=${words64//\"/}
case ",$words64," in
  *",$crate,"*) ;;
  *) exec "$rustc" "$@" ;;
esac
args=()
skip=0
for arg in "$@"; do
  if [ "$skip" = 1 ]; then
    skip=0
    # `--cfg` followed by something else: keep both.
    [ "$arg" = 'cpubits="32"' ] || args+=(--cfg "$arg")
    continue
  fi
  if [ "$arg" = --cfg ]; then
    skip=1
    continue
  fi
  args+=("$arg")
done
exec "$rustc" "${args[@]}"
