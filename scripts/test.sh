#!/usr/bin/env bash
# THE test command (README, .ci/run). Installs what is missing, then runs every check in
# order and stops at the first failure:
#   setup, rustfmt, clippy (native and wasm32), native tests, wasm tests (headless Chromium
#   and Node), the npm package build, the JS tests in Node and in headless Chromium (and the
#   key stores and the worker under webpack 5 and Vite builds), the shim
#   end to end (Node: relay + anvil; Chromium: two pages through the relay; three tabs of one
#   page sharing one engine), the interop
#   tests against the real @streamr/sdk (tests/interop/), our handles on a local Streamr
#   network against stock SDK clients (tests/network/: Node, and headless Chromium under
#   webpack 5 and Vite), the key custodian (tests/custodian/), the demo end to end (`npm start`
#   driven by Playwright: tests/demo/run.mjs), and a quick run of the benchmarks.
# The native steps cover the whole workspace (--workspace: the core and relay/, the
# development relay); the wasm32 steps build the root package only, as cargo does without
# --workspace (the relay is a native server; on wasm32 it is an empty crate anyway).
# Each step prints a header, its test counts and its time; the last line is the total.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
total_pass=0
total_fail=0
n=0
steps=19

# Counts from the output of a step: cargo/wasm-bindgen-test "test result:" lines, the Node
# test runner's "# pass/# fail" summary, or a plain "N passed, N failed" line.
count() {
  awk '
    /^test result: / { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    /^# pass [0-9]+$/ { p += $3 } /^# fail [0-9]+$/ { f += $3 }
    /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
    END { printf "%d %d\n", p, f }' "$1"
}

# step "title" command...: runs the command, shows its output, prints counts (if it has tests).
step() {
  local title=$1
  shift
  n=$((n + 1))
  printf '\n======== [%d/%d] %s\n$ %s\n' "$n" "$steps" "$title" "$*"
  local log="$logdir/$n.log" start=$SECONDS rc=0
  "$@" 2>&1 | tee "$log" || rc=$?
  read -r p f < <(count "$log")
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  if [ "$rc" -ne 0 ]; then
    printf '======== [%d/%d] %s: FAILED (exit %d, %ds)\n' "$n" "$steps" "$title" "$rc" "$((SECONDS - start))"
    printf '%d passed, %d failed\n' "$total_pass" "$((total_fail > 0 ? total_fail : 1))"
    exit "$rc"
  fi
  if [ "$((p + f))" -gt 0 ]; then
    printf '======== [%d/%d] %s: ok, %d passed, %d failed (%ds)\n' "$n" "$steps" "$title" "$p" "$f" "$((SECONDS - start))"
  else
    printf '======== [%d/%d] %s: ok (%ds)\n' "$n" "$steps" "$title" "$((SECONDS - start))"
  fi
}

# The shared suite (tests/suite/) registers each test with #[suite_test]; every harness that
# runs it must have run exactly that many tests (none skipped, ignored or filtered out).
suite_tests=$(cat tests/suite/*.rs | grep -c '^#\[suite_test\]$' || true)

# suite_count LOG HARNESS: the number of tests passed by tests/HARNESS.rs in a cargo test log.
suite_count() {
  awk -v h="$2" '
    /^ +(Running|Doc-tests) / { on = index($0, "tests/" h ".rs") > 0 }
    on && /^test result: ok\./ { print $4; exit }' "$1"
}

# The native tests, with the shared suite's harness (tests/vectors.rs) running every
# #[suite_test]; then the core without in-core RSA and P-256 (as the npm package ships it).
native_tests() {
  local out="$logdir/native.log"
  cargo test --workspace 2>&1 | tee "$out" || return 1
  local got
  got=$(suite_count "$out" vectors)
  if [ "$got" != "$suite_tests" ]; then
    echo "native tests: tests/vectors.rs ran ${got:-no} tests, tests/suite/ has $suite_tests" >&2
    return 1
  fi
  cargo test --no-default-features --lib --test rsa_by_host --test p256_by_host
}

# The wasm run must have run both wasm-bindgen-test suites, each in its own environment,
# each with every #[suite_test] of tests/suite/: a skipped suite or test fails the step.
wasm_tests() {
  local out="$logdir/wasm.log"
  cargo test --target wasm32-unknown-unknown 2>&1 | tee "$out" || return 1
  awk '
    /^ +Running tests\/wasm_browser\.rs/ { suite = "browser" }
    /^ +(Running|Doc-tests) / && !/tests\/wasm_browser\.rs/ { suite = "" }
    suite == "browser" && /^Running headless tests in Chrome/ { chrome = 1 }
    END { if (!chrome) { print "wasm tests: the browser suite did not run in headless Chrome" > "/dev/stderr"; exit 1 } }' "$out" || return 1
  local h got
  for h in wasm_browser wasm_node; do
    got=$(suite_count "$out" "$h")
    if [ "$got" != "$suite_tests" ]; then
      echo "wasm tests: tests/$h.rs ran ${got:-no} tests, tests/suite/ has $suite_tests" >&2
      return 1
    fi
  done
}

start_all=$SECONDS
step "setup (toolchain, chromium, npm packages)" bash scripts/setup.sh
step "cargo fmt --check" cargo fmt --check
step "clippy, native (workspace: core and relay)" cargo clippy --workspace --all-targets -- -D warnings
# Also as the npm package's main module is built: without the feature rsa (issue #16).
# The shipped modules (scripts/build-pkg.sh) are built without the default features (in-core RSA
# and P-256, the custodian): the browser module with none, the Node module with `custodian`.
step "clippy, wasm32 (default features, and the browser and Node module feature sets)" bash -c 'cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings && cargo clippy --target wasm32-unknown-unknown --no-default-features -- -D warnings && cargo clippy --target wasm32-unknown-unknown --no-default-features --features custodian -- -D warnings'
# And the core without in-core RSA (feature `rsa` off, as the npm package's main module):
# its unit tests and the host-RSA publisher path (tests/rsa_by_host.rs), issue #16.
step "Rust tests, native (workspace: core and relay; the core without in-core RSA and P-256, as shipped)" native_tests
step "Rust tests, wasm32 in headless Chromium and Node (wasm-bindgen-test)" wasm_tests
step "build the npm package (pkg/)" bash scripts/build-pkg.sh
# Every *.test.mjs under tests/js/ but the shim's (tests/js/shim/ has its own step below).
step "JS tests in Node against pkg/ (node --test)" bash -c 'node --test $(find tests/js -name "*.test.mjs" -not -path "tests/js/shim/*" | sort)'
step "shim in Node 20: real relay, anvil + StreamRegistryV5, wallet (node --test)" node --test tests/js/shim/
step "JS tests in headless Chromium against the webpack bundle of pkg/" node tests/js/browser/run.mjs
step "shim in headless Chromium: two pages through the real relay (Playwright)" node tests/js/pages/run.mjs
step "multi-tab: three tabs of one page on one identity, one leader engine (Playwright, real relay)" node tests/js/tabs/run.mjs
step "key stores and worker in headless Chromium (webpack 5 and Vite builds)" node tests/js/keystore/run.mjs
step "@streamr/sdk 103.3.2 interop and the SDK on our backend (node --test)" node --test tests/interop/
step "Streamr Network transport: local network, stock @streamr/sdk clients, anvil (node --test)" node --test tests/network/
step "Streamr Network transport in headless Chromium (webpack 5 and Vite pages, stock SDK subscriber)" node tests/network/browser/run.mjs
step "key custodian: publisher offline, stock SDK and our subscribers decrypt through it (relay, local Streamr network, Chromium publisher; node --test)" node --test tests/custodian/
step "demo: npm start (local Streamr network) + the page in headless Chromium (publish, stock SDK client both ways, rotate, revoke + rekey, wallet)" node tests/demo/run.mjs
step "benchmarks, quick run (checks they run; never fails on a number; writes test-results/bench/)" node benches/run.mjs --quick

printf '\nAll %d steps passed in %ds.\n%d passed, %d failed\n' "$steps" "$((SECONDS - start_all))" "$total_pass" "$total_fail"
