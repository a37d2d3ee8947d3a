#!/usr/bin/env bash
# Line and branch coverage of the C library (native/src) reached by its own C tests.
#
# Builds the CPU library and the C tests with gcc --coverage (Debug info, -O1, CUDA off, test
# hooks on) in a separate build folder, runs ctest once per instruction-set path, then prints line
# and branch coverage per file and in total, read from gcov's own reports (no gcovr needed).
#
# Why -O1 and not -O0: the kernels are written once and inlined per width (always_inline helpers
# taking `nv`, `paged`, `rows` or a NULL prefetch pointer as compile-time constants). At -O0 GCC
# keeps every test of such a constant as a branch in every inlined copy, so half of each one is
# an outcome no input can produce (the strided copy of a row helper asking whether it is paged):
# about 150 branches per SIMD kernel object, more than 5% of the total. -O1 folds them away as the
# release build (-O3) does, so what is counted is the branches the shipped machine code has.
#
#   native/coverage.sh [--report-only] [bar] [build-dir]
#       bar: minimum total BRANCH coverage in percent (default 95)
#       build-dir: default build/native-coverage
#       --report-only: skip the build and the test runs, report what the last runs recorded
#
# Each pass caps the ISA the selector may use through PANATTN_TEST_ISA_MAX (a test hook, see
# src/panattn_test_hooks.h): scalar, then avx2, then avx512, then avx512bf16, then every path the CPU has. Capped below the
# CPU, AUTO resolves to the cap and a forced higher path must fail as on an older CPU, so the
# selector's fallbacks run here too.
#
# A header compiled into several objects (the SIMD kernel body, the fp16 helpers) is reported
# once per object that includes it, "header (via object)": each instantiation is separate machine
# code, so each must be exercised on its own. Exits 1 when the total branch coverage is below bar.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
report_only=0
if [[ "${1:-}" == --report-only ]]; then
  report_only=1
  shift
fi
bar=${1:-95}
build=${2:-$repo/build/native-coverage}
# Absolute: gcov runs from the reports folder below, where a relative path would point elsewhere.
mkdir -p "$build" && build=$(cd "$build" && pwd)
src=$repo/native/src

command -v gcov >/dev/null || { echo "coverage.sh: gcov not found (it comes with gcc)" >&2; exit 2; }

# Runs the C tests once with the selector capped at $1 (empty: uncapped); the log stays in $build.
run_tests() {
  local log=$build/ctest-${1:-uncapped}.log
  echo "=== ctest, PANATTN_TEST_ISA_MAX=${1:-<unset>}"
  if ! PANATTN_TEST_ISA_MAX=$1 ctest --test-dir "$build" --output-on-failure -j 2 >"$log"; then
    tail -n 100 "$log"
    exit 1
  fi
  grep -E 'tests passed|Total Test time' "$log"
}

if [[ $report_only == 0 ]]; then
  cmake -S "$repo" -B "$build" -DPANATTN_CUDA=OFF -DPANATTN_TEST_HOOKS=ON -DCMAKE_BUILD_TYPE=Debug -DPANATTN_TEST_TIMEOUT=900 \
    -DCMAKE_C_COMPILER=gcc "-DCMAKE_C_FLAGS=--coverage -fprofile-update=atomic -O1" \
    -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage >/dev/null
  cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  find "$build" -name '*.gcda' -delete
  # An empty cap counts as unset (the hook ignores it): the last pass runs every path the CPU has.
  for cap in scalar avx2 avx512 avx512bf16 ""; do
    run_tests "$cap"
  done
fi

# Kernel objects for an instruction set this CPU lacks cannot run here: they are listed but not
# counted in the total (a machine of this kind may be an AVX2-only CPU one day, AVX-512 the next).
has() { grep -q -w "$1" /proc/cpuinfo 2>/dev/null; }
uncounted='^$'
if ! { has amx_bf16 && has amx_tile; }; then
  uncounted='amxbf16'
  echo "=== this CPU lacks AMX-BF16: the AMX kernel object is reported but not counted"
fi
if ! has avx512_bf16; then
  uncounted='amxbf16|avx512bf16'
  echo "=== this CPU lacks AVX512_BF16: the vdpbf16ps kernel object is reported but not counted"
fi
if ! { has avx512f && has avx512bw && has avx512vl && has avx2 && has fma && has f16c; }; then
  uncounted='amxbf16|avx512'
  echo "=== this CPU lacks AVX-512 (f, bw, vl): the AVX-512 kernel object is reported but not counted"
fi
if ! { has avx2 && has fma && has f16c; }; then
  uncounted='amxbf16|avx512|avx2'
  echo "=== this CPU lacks AVX2+FMA+F16C: the AVX2 and AVX-512 kernel objects are reported but not counted"
fi

# gcov per library object, -l naming each report "object.gcda##file.gcov" so a header's reports
# from different objects do not overwrite each other.
reports=$build/gcov-reports
rm -rf "$reports" && mkdir -p "$reports"
objdir=$(dirname "$(find "$build" -path '*panattn.dir*' -name 'panattn_api.c.gcda' | head -n 1)")
[[ -d "$objdir" ]] || { echo "coverage.sh: no coverage data for the library" >&2; exit 1; }
for gcda in "$objdir"/*.gcda; do # one at a time: given several, gcov merges their headers
  (cd "$reports" && gcov -l -b -c -o "$objdir" "$gcda" >/dev/null)
done

# One row per (file under native/src, object): lines hit / executable, branches taken / present.
# gcov marks an unexecuted line "#####" (or "=====" on an exception path), a non-executable "-".
awk -v src="$src/" -v bar="$bar" -v uncounted="$uncounted" '
  FNR == 1 {
    file = ""
    obj = FILENAME; sub(/.*\//, "", obj); sub(/##.*/, "", obj); sub(/\.gcda$/, "", obj)
  }
  /^ *-: *0:Source:/ {
    path = $0; sub(/^ *-: *0:Source:/, "", path)
    if (index(path, src) == 1) {
      rel = substr(path, length(src) + 1)
      file = rel; if (obj != rel) { file = rel " (via " obj ")" }
      if (!(file in seen)) { seen[file] = 1; files[++n] = file }
    }
    next
  }
  file == "" { next }
  /^branch / { br[file]++; if ($0 ~ /taken [1-9]/) brt[file]++; next }
  /^ *[0-9#=][0-9#=*]*: *[0-9]+:/ {
    split($0, f, ":"); c = f[1]; gsub(/ /, "", c)
    ln[file]++; if (c !~ /^[#=]/) lnt[file]++
  }
  END {
    printf "%-52s %17s %17s\n", "native/src", "lines", "branches"
    for (i = 1; i <= n; i++) {
      k = files[i]
      counted = !(k ~ uncounted)
      if (counted) { L += ln[k]; LT += lnt[k]; Bn += br[k]; BT += brt[k] }
      printf "%-52s %6d/%-5d %5.1f%% %6d/%-5d %5.1f%%%s\n", k, lnt[k], ln[k], ln[k] ? 100 * lnt[k] / ln[k] : 100,
             brt[k], br[k], br[k] ? 100 * brt[k] / br[k] : 100, counted ? "" : "  (not counted: CPU lacks it)"
    }
    pl = L ? 100 * LT / L : 100; pb = Bn ? 100 * BT / Bn : 100
    printf "%-52s %6d/%-5d %5.1f%% %6d/%-5d %5.1f%%\n", "TOTAL", LT, L, pl, BT, Bn, pb
    if (pb + 1e-9 < bar) { printf "FAIL: branch coverage %.1f%% is below %s%%\n", pb, bar; exit 1 }
    printf "PASS: branch coverage %.1f%% >= %s%%\n", pb, bar
  }' "$reports"/*.gcov
