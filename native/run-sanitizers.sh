#!/usr/bin/env bash
# Builds the CPU library and its C tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (Debug, no CUDA, test hooks on: the allocation-failure test runs too) in a separate build folder
# and runs every test; any report, a leak included, fails the run.
#   native/run-sanitizers.sh [build-dir]     default: build/native-asan under the repo root
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build/native-asan}

cmake -S "$repo" -B "$build" -DPANATTN_SANITIZE=ON -DPANATTN_TEST_HOOKS=ON -DPANATTN_CUDA=OFF -DCMAKE_BUILD_TYPE=Debug
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"

# Leaks count as failures; the first report stops the process, so ctest sees it fail.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir "$build" --output-on-failure
