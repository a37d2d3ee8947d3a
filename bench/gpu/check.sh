#!/usr/bin/env bash
# The GPU check, for one run on a lent GPU machine (no Java there): run from the repository root
# with build/gpu.tar.gz carried (bench/gpu/prepare.sh makes it; it is unpacked to /tmp).
#   bash bench/gpu/check.sh --quick   C tests, Java GPU tests, a short benchmark: the step caps sum
#                                     to under 5 minutes (printed first)
#   bash bench/gpu/check.sh           the same with larger caps and the full benchmark
# Every step runs under `timeout` with its cap, says RUN or SKIP (and why), and logs to $OUT, of
# which at most 8 files come back:
#   check.log        this script's own log (also on stdout), ending with the step table
#   nvidia-smi.txt   the GPU
#   c-tests.log      test_cuda_frag, test_cuda_attn (float64 oracle, poisoned keys, seeds, bad-element
#                    histograms), then compute-sanitizer memcheck and racecheck on reduced sets
#   java-tests.log   backend status, then the GPU JUnit classes (seeds printed; pin with
#                    -Dpanattn.test.seed=N through JAVA_TOOL_OPTIONS)
#   sass-tc.txt      cuobjdump -sass of the tensor-core kernel, F16 d 64 and d 128, sm_90
#   bench-ours.csv   GpuBench (CUDA events), bench-torch.csv (torch SDPA, CUDA events)
#   summary.txt      ours next to torch, TFLOP/s, the table printed last
# cuBLAS (the unfused path and MultiHeadAttention's projections) is found here, named, and passed
# to Java explicitly (-Dpanattn.cublas.path); with a GPU and no cuBLAS the run FAILS, loudly.
# Without a GPU (rehearsal: OUT=/tmp/gpu-rehearsal bash bench/gpu/check.sh --quick) every device
# step says that it skips and why. Exit status: 0 when no step failed.
set -uo pipefail
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="${OUT:-/tmp/gpuout}"
mkdir -p "$OUT"
LOG="$OUT/check.log"
: >"$LOG"
START=$(date +%s)
BUDGET=${CHECK_BUDGET_S:-570} # the whole script; the device tool stops a command at 600 s
FAILED=0
TABLE=()

say() { echo "[check $(($(date +%s) - START))s] $*" | tee -a "$LOG"; }
left() { echo $((BUDGET - ($(date +%s) - START))); }
row() { TABLE+=("$(printf '%-26s %-8s %s' "$1" "$2" "$3")"); }

# Step caps in seconds. --quick: their sum must stay under 300 (checked below).
declare -A CAP
if ((QUICK)); then
    CAP=([unpack]=15 [nvidia-smi]=10 [cublas]=10 [status]=20 [test_cuda_frag]=10 [test_cuda_attn]=40
        [memcheck]=30 [racecheck]=30 [sass]=10 [java]=65 [bench-ours]=20 [bench-torch]=25 [summary]=5)
else
    CAP=([unpack]=15 [nvidia-smi]=10 [cublas]=10 [status]=20 [rebuild]=240 [test_cuda_frag]=10
        [test_cuda_attn]=120 [memcheck]=60 [racecheck]=60 [sass]=10 [java]=150 [bench-ours]=120
        [bench-torch]=120 [summary]=5)
fi
SUM=0
for k in "${!CAP[@]}"; do SUM=$((SUM + CAP[$k])); done

# step <name> <log> <command...>: runs under timeout with CAP[name] (shrunk to the budget left)
step() {
    local name=$1 log=$2
    shift 2
    local t=${CAP[$name]} l
    l=$(left)
    if ((l < 10)); then
        say "SKIP $name: the script's budget (${BUDGET}s) is spent"
        row "$name" SKIP "budget spent"
        return 125
    fi
    ((t > l - 5)) && t=$((l - 5))
    say "RUN  $name (cap ${t}s) -> $(basename "$log")"
    local t0 rc
    t0=$(date +%s)
    timeout --kill-after=3 "$t" "$@" >>"$log" 2>&1
    rc=$?
    local dt=$(($(date +%s) - t0))
    if ((rc == 124 || rc == 137)); then
        say "TIMEOUT $name after ${t}s"
        row "$name" TIMEOUT "${dt}s (cap ${t}s)"
    else
        say "     $name rc=$rc (${dt}s)"
        row "$name" "$([[ $rc == 0 ]] && echo ok || echo "rc=$rc")" "${dt}s"
    fi
    return $rc
}
skip() {
    say "SKIP $1: $2"
    row "$1" SKIP "$2"
}
fail() {
    say "FAIL $*"
    FAILED=1
}

say "repository $ROOT, OUT=$OUT, mode $( ((QUICK)) && echo --quick || echo full), budget ${BUDGET}s"
say "step caps sum to ${SUM}s ($(for k in "${!CAP[@]}"; do printf '%s %s, ' "$k" "${CAP[$k]}"; done | sed 's/, $//'))"
if ((QUICK && SUM >= 300)); then
    fail "the --quick step caps sum to ${SUM}s, not under 300s"
    exit 2
fi

# --- 0. the prepared runtime: build/gpu, or build/gpu.tar.gz unpacked to /tmp
G="$ROOT/build/gpu"
if [[ ! -d "$G" && -f "$ROOT/build/gpu.tar.gz" ]]; then
    mkdir -p /tmp/panattn-gpu
    step unpack "$LOG" tar -C /tmp/panattn-gpu -xzf "$ROOT/build/gpu.tar.gz" && G=/tmp/panattn-gpu/gpu
else
    skip unpack "$([[ -d "$G" ]] && echo "build/gpu is here" || echo "no build/gpu.tar.gz")"
fi
if [[ ! -x "$G/jre/bin/java" ]]; then
    fail "no runtime at $G/jre: run bench/gpu/prepare.sh first and carry [\"build/gpu.tar.gz\"]"
    exit 2
fi
JAVA="$G/jre/bin/java"
CP="$G/bench-classes:$G/test-classes:$(ls "$G"/jars/panama-attention-*.jar | tr '\n' ':')"
export LD_LIBRARY_PATH="$G/lib:${LD_LIBRARY_PATH:-}"

# --- 1. the GPU
GPU=0
if command -v nvidia-smi >/dev/null 2>&1; then
    step nvidia-smi "$OUT/nvidia-smi.txt" bash -c 'nvidia-smi && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv' && GPU=1
    grep -m1 -iE "H200|H100|NVIDIA" "$OUT/nvidia-smi.txt" | tee -a "$LOG"
else
    echo "nvidia-smi not found" >"$OUT/nvidia-smi.txt"
    skip nvidia-smi "no nvidia-smi: no GPU on this machine"
fi
NOGPU="no GPU on this machine (nvidia-smi missing or failing)"

# --- 2. cuBLAS: PANATTN_CUBLAS_PATH, python's wheels (nvidia/*/lib), then the CUDA toolkit
CUBLAS_FOUND="$OUT/.cublas"
find_cublas() {
    local c
    if [[ -n "${PANATTN_CUBLAS_PATH:-}" ]]; then
        for c in "$PANATTN_CUBLAS_PATH" "$PANATTN_CUBLAS_PATH"/libcublas.so.1[32]; do
            [[ -f "$c" ]] && { echo "$c"; return 0; }
        done
    fi
    if command -v python3 >/dev/null 2>&1; then
        local sp
        for sp in $(python3 -c 'import site, sys; print("\n".join(site.getsitepackages() + [site.getusersitepackages()] + sys.path))' 2>/dev/null); do
            for c in "$sp"/nvidia/*/lib/libcublas.so.13 "$sp"/nvidia/*/lib/libcublas.so.12; do
                [[ -f "$c" ]] && { echo "$c"; return 0; }
            done
        done
    fi
    for c in /usr/local/cuda/lib64/libcublas.so.13 /usr/local/cuda/lib64/libcublas.so.12; do
        [[ -f "$c" ]] && { echo "$c"; return 0; }
    done
    return 1
}
export -f find_cublas
step cublas "$LOG" bash -c "find_cublas >'$CUBLAS_FOUND' || true"
CUBLAS=$(cat "$CUBLAS_FOUND" 2>/dev/null)
rm -f "$CUBLAS_FOUND"
row "  cuBLAS found" "${CUBLAS:-none}" ""
JOPTS=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Dpanattn.library.path="$G/lib"
    -Dpanattn.cache.dir=/tmp/panattn-cache)
if [[ -n "$CUBLAS" ]]; then
    say "cuBLAS: will use $CUBLAS (passed as -Dpanattn.cublas.path)"
    JOPTS+=(-Dpanattn.cublas.path="$CUBLAS")
elif ((GPU)); then
    fail "cuBLAS: none found (PANATTN_CUBLAS_PATH, python3 site-packages nvidia/*/lib/libcublas.so.1[23], /usr/local/cuda/lib64): every cuBLAS test would skip"
else
    say "cuBLAS: none found here (no GPU either; on the GPU machine this FAILS the run)"
fi

# --- 3. does libpanattn_cuda.so load and see the device?
ST=3
if ((GPU)); then
    step status "$OUT/java-tests.log" "$JAVA" "${JOPTS[@]}" -cp "$CP" panama.attention.bench.gpu.GpuBench --status
    ST=$?
    grep -E "^(CUDA|NATIVE_CPU|unfused)" "$OUT/java-tests.log" | tee -a "$LOG"
else
    skip status "$NOGPU"
fi
if ((GPU && ST != 0)); then
    if ((QUICK)); then
        skip rebuild "--quick does not rebuild (CUDA is off although a GPU is present: rerun without --quick)"
    elif command -v nvcc >/dev/null 2>&1 && command -v cmake >/dev/null 2>&1; then
        say "CUDA off although a GPU is present: rebuilding the native libraries here"
        if step rebuild "$OUT/c-tests.log" bash -c "cmake -S '$ROOT' -B /tmp/panattn-native -DCMAKE_BUILD_TYPE=Release -DPANATTN_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build /tmp/panattn-native --parallel 16"; then
            cp /tmp/panattn-native/libpanattn.so /tmp/panattn-native/libpanattn_cuda.so "$G/lib/" 2>/dev/null || true
            for t in test_cuda_attn test_cuda_frag; do cp "/tmp/panattn-native/native/$t" "$G/bin/" 2>/dev/null || true; done
            "$JAVA" "${JOPTS[@]}" -cp "$CP" panama.attention.bench.gpu.GpuBench --status >>"$OUT/java-tests.log" 2>&1
            ST=$?
        fi
    else
        skip rebuild "CUDA is off and this machine has no nvcc/cmake to rebuild"
    fi
elif ((!QUICK)); then
    skip rebuild "$( ((GPU)) && echo "CUDA loads: nothing to rebuild" || echo "$NOGPU")"
fi
CUDA_OFF="CUDA backend is off: $(grep -m1 '^CUDA' "$OUT/java-tests.log" 2>/dev/null || echo "$NOGPU")"

# --- 4. native tests: fragment emulation, kernels vs float64, then the sanitizer on reduced sets
DEVICE_SEEN=0
if ((GPU)); then
    step test_cuda_frag "$OUT/c-tests.log" "$G/bin/test_cuda_frag" || FAILED=1
    step test_cuda_attn "$OUT/c-tests.log" "$G/bin/test_cuda_attn" || FAILED=1
    grep -q "^device 0:" "$OUT/c-tests.log" && DEVICE_SEEN=1
    grep -E "^FAIL|^test_cuda_attn|^device 0:" "$OUT/c-tests.log" | tail -12 | tee -a "$LOG"
else
    skip test_cuda_frag "$NOGPU (ctest runs it on the build machine)"
    skip test_cuda_attn "$NOGPU"
fi
SANITIZER=$(command -v compute-sanitizer 2>/dev/null || true)
[[ -z "$SANITIZER" && -x /usr/local/cuda/bin/compute-sanitizer ]] && SANITIZER=/usr/local/cuda/bin/compute-sanitizer
for tool in memcheck racecheck; do
    if ((!DEVICE_SEEN)); then
        skip "$tool" "test_cuda_attn saw no device$( ((GPU)) || echo " ($NOGPU)")"
    elif [[ -z "$SANITIZER" ]]; then
        skip "$tool" "no compute-sanitizer (PATH, /usr/local/cuda/bin)"
    else
        # memcheck: head dims 64 and 256, every dtype; racecheck (far slower): d 64, F16 and F32
        level=$([[ $tool == memcheck ]] && echo 1 || echo 2)
        echo "== compute-sanitizer --tool $tool (PANATTN_CUDA_TEST_QUICK=$level)" >>"$OUT/c-tests.log"
        step "$tool" "$OUT/c-tests.log" env PANATTN_CUDA_TEST_QUICK="$level" \
            "$SANITIZER" --tool "$tool" --error-exitcode 9 "$G/bin/test_cuda_attn" || FAILED=1
        tail -3 "$OUT/c-tests.log" | tee -a "$LOG"
    fi
done

# --- 5. SASS of the tensor-core kernel (F16, d 64 and 128, sm_90): from this library, else prepared
CUOBJDUMP=$(command -v cuobjdump 2>/dev/null || true)
[[ -z "$CUOBJDUMP" && -x /usr/local/cuda/bin/cuobjdump ]] && CUOBJDUMP=/usr/local/cuda/bin/cuobjdump
if [[ -z "$CUOBJDUMP" ]] && command -v python3 >/dev/null 2>&1; then # pip's nvidia-cuda-cuobjdump wheel
    for sp in $(timeout 10 python3 -c 'import site; print("\n".join(site.getsitepackages()))' 2>/dev/null); do
        for c in "$sp"/nvidia/*/bin/cuobjdump; do [[ -x "$c" ]] && CUOBJDUMP=$c && break 2; done
    done
fi
if [[ -n "$CUOBJDUMP" ]]; then
    step sass "$OUT/sass-tc.txt" bash "$ROOT/bench/gpu/sass_tc.sh" "$CUOBJDUMP" "$G/lib/libpanattn_cuda.so"
elif [[ -f "$G/sass-tc.txt" ]]; then
    cp "$G/sass-tc.txt" "$OUT/sass-tc.txt"
    skip sass "no cuobjdump here: copied the dump prepare.sh made of the same library"
else
    skip sass "no cuobjdump here and none prepared"
fi

# --- 6. the GPU JUnit tests
if ((GPU)); then
    step java "$OUT/java-tests.log" "$JAVA" "${JOPTS[@]}" -jar "$G/jars/junit-console.jar" execute \
        --class-path "$CP" --disable-banner --details=tree --details-theme=ascii \
        --select-class panama.attention.CudaBackendOffTest --select-class panama.attention.CudaParityTest \
        --select-class panama.attention.CublasUnfusedTest --select-class panama.attention.MultiHeadAttentionCudaTest \
        --select-class panama.attention.PoisonedKeysTest || FAILED=1
    grep -E "tests (successful|failed|skipped|aborted)" "$OUT/java-tests.log" | tail -6 | tee -a "$LOG"
else
    skip java "$NOGPU"
fi

# --- 7. benchmark: ours next to torch SDPA, same shapes, both timed with CUDA events
BENCH_ARGS=()
((QUICK)) && BENCH_ARGS=(--quick)
if ((GPU && ST == 0)); then
    step bench-ours "$OUT/bench-ours.csv" "$JAVA" "${JOPTS[@]}" -cp "$CP" panama.attention.bench.gpu.GpuBench "${BENCH_ARGS[@]}"
else
    skip bench-ours "$( ((GPU)) && echo "$CUDA_OFF" || echo "$NOGPU")"
fi
if ((!GPU)); then
    skip bench-torch "$NOGPU"
elif ! command -v python3 >/dev/null 2>&1; then
    skip bench-torch "no python3"
else
    step bench-torch "$OUT/bench-torch.csv" env PYTHONUNBUFFERED=1 python3 "$ROOT/bench/gpu/torch_sdpa.py" "${BENCH_ARGS[@]}"
fi
if [[ -s "$OUT/bench-ours.csv" || -s "$OUT/bench-torch.csv" ]]; then
    step summary "$OUT/summary.txt" python3 "$ROOT/bench/gpu/summary.py" "$OUT/bench-ours.csv" "$OUT/bench-torch.csv"
else
    echo "benchmark: no results ($( ((GPU)) || echo "$NOGPU"))" >"$OUT/summary.txt"
    skip summary "no benchmark results"
fi

say "done in $(($(date +%s) - START))s; files in $OUT: $(ls "$OUT" | tr '\n' ' ')"
{
    echo "===== steps ($( ((QUICK)) && echo --quick || echo full), caps sum ${SUM}s)"
    printf '%s\n' "${TABLE[@]}"
    echo "===== ours vs torch scaled_dot_product_attention (TFLOP/s, CUDA events, same run)"
    cat "$OUT/summary.txt"
    echo "===== $( ((FAILED)) && echo "FAILED (see above)" || echo "no step failed")"
} | tee -a "$LOG"
exit $FAILED
