#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for a set time, one after the other, at
# low priority, and prints a table: executions, coverage (libFuzzer's final cov/ft), corpus
# size and crashes. Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   scripts/fuzz.sh [seconds-per-target] [target ...]     (default: 60 s, every target)
#
# Each run starts from fuzz/seeds/<target>/ (from the SDK vectors, see fuzz/make_seeds.py) plus
# the working corpus fuzz/corpus/<target>/ kept from earlier runs (not committed). A crash
# stops that target; its input lands in fuzz/artifacts/<target>/. Keep it as a regression:
# copy it to fuzz/regressions/<target>/ (replayed by `cargo test --test fuzz_regressions`).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="$HOME/.cargo/bin:$PATH"
secs=${1:-60}
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
logdir=logs
mkdir -p "$logdir"
nice -n 10 cargo +nightly fuzz build -O >"$logdir/build.log" 2>&1 || {
  tail -30 "$logdir/build.log"
  exit 1
}
rows=()
crashed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t" "artifacts/$t"
  log="$logdir/$t.log"
  before=$(find "artifacts/$t" -type f | wc -l)
  echo "fuzzing $t for ${secs}s ..." >&2
  rc=0
  nice -n 10 cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=4096 -timeout=20 \
    >"$log" 2>&1 || rc=$?
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
  rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log" | tail -1)
  rss=$(awk '/stat::peak_rss_mb/ { print $2 }' "$log" | tail -1)
  # The last status line carries the final coverage: "#N DONE cov: C ft: F corp: K/..."
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  corp=$(grep -Eo 'corp: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  after=$(find "artifacts/$t" -type f | wc -l)
  crashes=$((after - before))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="exit $rc"; fi
  [ "$crashes" != 0 ] && crashed=1
  rows+=("$(printf '%-15s %8s %12s %9s %7s %7s %6s %6s  %s' "$t" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "$crashes")")
done
printf '\n%-15s %8s %12s %9s %7s %7s %6s %6s  %s\n' target seconds executions exec/s cov ft corpus rss_mb crashes
printf '%s\n' "${rows[@]}"
if [ "$crashed" -ne 0 ]; then
  echo "crashing inputs: fuzz/artifacts/<target>/ (logs in fuzz/logs/)"
  exit 1
fi
