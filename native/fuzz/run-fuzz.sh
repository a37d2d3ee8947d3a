#!/usr/bin/env bash
# Builds native/fuzz/fuzz_forward.c with the library sources under libFuzzer + AddressSanitizer +
# UndefinedBehaviorSanitizer, replays every committed input in native/fuzz/regressions/, then
# fuzzes for N seconds (default 60; 0: replay only). Installs nothing: it needs clang with the
# compiler-rt fuzzer runtime (Debian/Ubuntu: apt-get install clang libclang-rt-14-dev; .ci/run
# does that when clang is missing).
#
#   native/fuzz/run-fuzz.sh [seconds]
#
# Environment: CLANG (default: clang, else clang-18..clang-14 on PATH), PANATTN_FUZZ_BUILD (build
# and corpus folder, default build/fuzz; the growing corpus lives in <that>/corpus), FUZZ_JOBS.
# A finding stops the run with the sanitizer report and leaves the input as
# build/fuzz/crash-<sha1>: fix it, then keep it as native/fuzz/regressions/<name> so every later
# run replays it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${PANATTN_FUZZ_BUILD:-$repo/build/fuzz}
cc=${CLANG:-}
if [[ -z "$cc" ]]; then
  for c in clang clang-18 clang-17 clang-16 clang-15 clang-14; do
    if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
  done
fi
if [[ -z "$cc" ]]; then
  echo "run-fuzz.sh: clang not found; install clang and its fuzzer runtime (apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

mkdir -p "$out/obj" "$out/corpus"
common=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
        -std=c11 -Wall -I "$repo/native/include" -I "$repo/native/src" -DPANATTN_HAVE_X86_SIMD -DPANATTN_HAVE_AVX512_BF16 -DPANATTN_HAVE_AMX_BF16
        -DPANATTN_VERSION_TEXT=\"fuzz\" -DPANATTN_BUILD_TYPE=\"fuzz\")
# The kernels keep edge coverage but not comparison tracing: their comparisons are loop counters
# over keys and head dims, which teach the fuzzer nothing, and tracing them took about 40% of every
# execution. Validation, planning and the split-KV code keep full tracing: their comparisons are
# the ones the fuzzer must learn to pass.
kernel_cov="-fno-sanitize-coverage=trace-cmp"
declare -A extra=(
  [panattn_kernel_portable]="$kernel_cov"
  [panattn_kernel_avx2]="-mavx2 -mfma -mf16c $kernel_cov"
  [panattn_kernel_avx512]="-mavx512f -mavx512bw -mavx512vl -mfma -mf16c $kernel_cov"
  [panattn_kernel_avx512bf16]="-mavx512f -mavx512bw -mavx512vl -mavx512bf16 -mfma -mf16c $kernel_cov"
  [panattn_kernel_amxbf16]="-mavx512f -mavx512bw -mavx512vl -mavx512bf16 -mfma -mf16c -mamx-tile -mamx-bf16 $kernel_cov"
)
objs=()
for src in panattn_api panattn_validate panattn_plan panattn_splitkv panattn_emit panattn_select panattn_kernel_portable panattn_kernel_avx2 \
           panattn_kernel_avx512 panattn_kernel_avx512bf16 panattn_kernel_amxbf16; do
  # shellcheck disable=SC2086
  "$cc" "${common[@]}" ${extra[$src]:-} -c "$repo/native/src/$src.c" -o "$out/obj/$src.o"
  objs+=("$out/obj/$src.o")
done
"$cc" "${common[@]}" -c "$repo/native/fuzz/fuzz_forward.c" -o "$out/obj/fuzz_forward.o"
"$cc" -fsanitize=fuzzer,address,undefined "$out/obj/fuzz_forward.o" "${objs[@]}" -lm -o "$out/fuzz_forward"
echo "built $out/fuzz_forward with $("$cc" --version | head -n 1)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
cd "$out"

regressions=("$repo"/native/fuzz/regressions/*)
echo "=== replaying ${#regressions[@]} regression inputs (native/fuzz/regressions)"
./fuzz_forward -runs=0 "$repo/native/fuzz/regressions"

if [[ "$secs" -gt 0 ]]; then
  echo "=== fuzzing for $secs s (corpus: $out/corpus)"
  ./fuzz_forward -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=384 -print_final_stats=1 \
    -artifact_prefix="$out/" ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS} \
    "$out/corpus" "$repo/native/fuzz/regressions"
fi
echo "=== fuzz_forward: no findings"
