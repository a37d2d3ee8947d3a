#!/usr/bin/env bash
# A timed libFuzzer campaign over the C API: builds fuzz_forward with ASan + UBSan (through
# run-fuzz.sh, which also replays every committed regression input), then fuzzes for SECONDS with
# the corpus in build/fuzz/corpus grown from native/fuzz/regressions, and prints the executions,
# the time taken and the coverage reached (libFuzzer's edge and feature counts). Any crash, leak,
# timeout or out-of-memory input is copied into native/fuzz/regressions/ as <kind>-<sha1>, so
# every later run-fuzz.sh replays it (fix the library, then commit the input), and the campaign
# exits 1.
#
#   native/fuzz/campaign.sh SECONDS [EXECUTIONS]
#
# With EXECUTIONS the campaign also stops once that many executions have run (whichever comes
# first; libFuzzer finishes the running jobs, so the count ends a little past it).
#
# Environment: as run-fuzz.sh (CLANG, PANATTN_FUZZ_BUILD); FUZZ_JOBS > 1 fuzzes in that many
# processes (libFuzzer's fork mode) and counts the executions of all of them.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || ! "$1" =~ ^[0-9]+$ || "$1" -lt 1 || ( $# -eq 2 && ! "${2:-}" =~ ^[1-9][0-9]*$ ) ]]; then
  echo "usage: native/fuzz/campaign.sh SECONDS [EXECUTIONS]   (SECONDS >= 1, EXECUTIONS >= 1)" >&2
  exit 2
fi
secs=$1
runs=()
if [[ $# -eq 2 ]]; then
  runs=(-runs="$2")
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${PANATTN_FUZZ_BUILD:-$repo/build/fuzz}
artifacts=$out/campaign-artifacts

"$here/run-fuzz.sh" 0 # build, and replay the committed regressions first

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
rm -rf "$artifacts" && mkdir -p "$artifacts" "$out/corpus"
log=$out/campaign.log
echo "=== fuzzing for $secs s${runs:+ or ${runs[0]#-runs=} executions} (corpus: $out/corpus, log: $log)"
echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown); jobs: ${FUZZ_JOBS:-1}; CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
start=$(date +%s)
status=0
# FUZZ_JOBS > 1 runs libFuzzer's fork mode: that many child processes fuzz the shared corpus and
# the parent prints one running total of executions, so the record counts every process.
parallel=()
if [[ "${FUZZ_JOBS:-1}" -gt 1 ]]; then
  parallel=(-fork="$FUZZ_JOBS")
fi
(cd "$out" && ./fuzz_forward -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=384 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "${parallel[@]}" "${runs[@]}" \
  "$out/corpus" "$repo/native/fuzz/regressions") >"$log" 2>&1 || status=$?
elapsed=$(($(date +%s) - start))

# libFuzzer's last status line ("#N ... cov: E ft: F corp: C/..." or, in fork mode,
# "#N: cov: E ft: F corp: C ...") and its final statistics.
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
execs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{ print $2 }' | tail -n 1 || true) # none in fork mode
echo "executions: ${execs:-$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")}"
echo "time: ${elapsed} s"
echo "coverage: $(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$last" || echo 'unknown') (edges, features)"
echo "corpus: $(grep -oE 'corp: [0-9]+(/[0-9A-Za-z]+)?' <<<"$last" || echo 'unknown')"

found=0
for f in "$artifacts"/*; do
  [[ -e "$f" ]] || continue
  base=$(basename "$f")
  kind=${base%%-*}
  dest=$repo/native/fuzz/regressions/$kind-$(sha1sum "$f" | cut -c1-16)
  cp "$f" "$dest"
  echo "FINDING: $base -> ${dest#"$repo"/} (the report is in $log)"
  found=1
done
if [[ $found -eq 1 || $status -ne 0 ]]; then
  [[ $found -eq 1 ]] || tail -n 40 "$log"
  echo "=== campaign: findings (libFuzzer status $status)"
  exit 1
fi
echo "=== campaign: no findings"
