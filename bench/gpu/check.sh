#!/usr/bin/env bash
# The GPU check for the lent H200 (see /work/.library/device/README.md): run from the repository
# root with build/gpu carried (bench/gpu/prepare.sh makes it). Every step runs under `timeout`
# and the whole script stays under 8 minutes; logs go to $OUT (at most 8 files come back):
# carry ["build/gpu.tar.gz"] (or ["build/gpu"]); the archive is unpacked to /tmp/panattn-gpu.
#   check.log        this script's own log (also on stdout)
#   nvidia-smi.txt   the GPU summary
#   c-tests.log      native/tests/test_cuda_attn (float64 oracle, poisoned outputs), then the
#                    same under compute-sanitizer memcheck/racecheck where the runtime allows it
#   java-tests.log   the GPU JUnit tests (CudaParityTest, CublasUnfusedTest, CudaBackendOffTest,
#                    MultiHeadAttentionCudaTest)
#   bench-ours.csv   GpuBench (our kernels), bench-torch.csv (torch SDPA), summary.txt (the table)
# Without a GPU (rehearsal: OUT=/tmp/gpuout bash bench/gpu/check.sh) every step says why it skips.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="${OUT:-/tmp/gpuout}"
mkdir -p "$OUT"
G="$ROOT/build/gpu"
# build/gpu.tar.gz (what prepare.sh packs for `carry`) is unpacked to /tmp when build/gpu is absent
if [[ ! -d "$G" && -f "$ROOT/build/gpu.tar.gz" ]]; then
    mkdir -p /tmp/panattn-gpu && timeout 60 tar -C /tmp/panattn-gpu -xzf "$ROOT/build/gpu.tar.gz" && G=/tmp/panattn-gpu/gpu
fi
START=$(date +%s)
BUDGET=${CHECK_BUDGET_S:-470}     # seconds for the whole script (the device run is limited to 8 min)
LOG="$OUT/check.log"
: >"$LOG"
say() { echo "[check $(($(date +%s) - START))s] $*" | tee -a "$LOG"; }
left() { echo $((BUDGET - ($(date +%s) - START))); }
# run_step <name> <timeout s> <log file> <command...>: runs when enough budget is left
run_step() {
    local name=$1 t=$2 log=$3
    shift 3
    local l
    l=$(left)
    if ((l < 15)); then
        say "SKIP $name: budget spent"
        return 125
    fi
    ((t > l - 5)) && t=$((l - 5))
    say "RUN  $name (timeout ${t}s) -> $(basename "$log")"
    timeout --kill-after=5 "$t" "$@" >>"$log" 2>&1
    local rc=$?
    ((rc == 124 || rc == 137)) && say "TIMEOUT $name after ${t}s"
    say "     $name rc=$rc"
    return $rc
}

say "repository $ROOT, OUT=$OUT, budget ${BUDGET}s"
if [[ ! -x "$G/jre/bin/java" ]]; then
    say "FAIL build/gpu/jre missing: run bench/gpu/prepare.sh here first and carry [\"build/gpu\"]"
    exit 2
fi
JAVA="$G/jre/bin/java"
JOPTS=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Dpanattn.library.path="$G/lib"
    -Dpanattn.cache.dir=/tmp/panattn-cache)
CP="$G/bench-classes:$G/test-classes:$(ls "$G"/jars/panama-attention-*.jar | tr '\n' ':')"

# --- 1. the GPU
GPU=0
if command -v nvidia-smi >/dev/null 2>&1; then
    run_step nvidia-smi 20 "$OUT/nvidia-smi.txt" nvidia-smi && GPU=1
    timeout 10 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv >>"$OUT/nvidia-smi.txt" 2>&1
    grep -m1 -i "H200\|H100\|NVIDIA" "$OUT/nvidia-smi.txt" | tee -a "$LOG"
else
    say "no nvidia-smi: no GPU here (GPU steps will report CUDA off with the reason)"
    echo "nvidia-smi not found" >"$OUT/nvidia-smi.txt"
fi

# cuBLAS for the unfused path: ask the python that holds torch where its wheel put it
if [[ -z "${PANATTN_CUBLAS_PATH:-}" ]] && command -v python3 >/dev/null 2>&1; then
    CUBLAS_DIR=$(timeout 30 python3 -c 'import nvidia.cublas as m, os; print(os.path.join(list(m.__path__)[0], "lib"))' 2>/dev/null)
    [[ -n "$CUBLAS_DIR" && -d "$CUBLAS_DIR" ]] && export PANATTN_CUBLAS_PATH="$CUBLAS_DIR" && say "cuBLAS folder: $CUBLAS_DIR"
fi

# --- 2. does libpanattn_cuda.so load and see the device? Else rebuild it here (cmake + nvcc).
STATUS="$OUT/java-tests.log"
run_step "backend status" 60 "$STATUS" "$JAVA" "${JOPTS[@]}" -cp "$CP" panama.attention.bench.gpu.GpuBench --status
ST=$?
grep -E "^(CUDA|NATIVE_CPU|unfused)" "$STATUS" | tee -a "$LOG"
if ((ST != 0 && GPU == 1)) && command -v nvcc >/dev/null 2>&1 && command -v cmake >/dev/null 2>&1; then
    say "CUDA off although a GPU is present: rebuilding the native libraries here"
    if run_step "cmake build" 240 "$OUT/c-tests.log" bash -c "cmake -S '$ROOT' -B /tmp/panattn-native -DCMAKE_BUILD_TYPE=Release -DPANATTN_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build /tmp/panattn-native --parallel 16"; then
        cp /tmp/panattn-native/libpanattn.so /tmp/panattn-native/libpanattn_cuda.so "$G/lib/" 2>/dev/null || true
        for t in test_cuda_attn test_cuda_frag; do cp "/tmp/panattn-native/native/$t" "$G/bin/" 2>/dev/null || true; done
        run_step "backend status (rebuilt)" 60 "$STATUS" "$JAVA" "${JOPTS[@]}" -cp "$CP" panama.attention.bench.gpu.GpuBench --status
        ST=$?
        grep -E "^(CUDA|unfused)" "$STATUS" | tail -2 | tee -a "$LOG"
    fi
fi

# --- 3. native tests: fragment emulation (host), kernels vs float64, then the sanitizer on the quick set
export LD_LIBRARY_PATH="$G/lib:${LD_LIBRARY_PATH:-}"
run_step "test_cuda_frag" 30 "$OUT/c-tests.log" "$G/bin/test_cuda_frag"
run_step "test_cuda_attn" 120 "$OUT/c-tests.log" "$G/bin/test_cuda_attn"
grep -E "^FAIL|test_cuda_attn" "$OUT/c-tests.log" | tail -8 | tee -a "$LOG"
if ((ST == 0)) && command -v compute-sanitizer >/dev/null 2>&1; then
    for tool in memcheck racecheck; do
        PANATTN_CUDA_TEST_QUICK=1 run_step "compute-sanitizer $tool" 60 "$OUT/c-tests.log" \
            compute-sanitizer --tool "$tool" --error-exitcode 9 "$G/bin/test_cuda_attn"
        tail -3 "$OUT/c-tests.log" | tee -a "$LOG"
    done
else
    say "compute-sanitizer: skipped (no CUDA or no compute-sanitizer)"
fi

# --- 4. the GPU JUnit tests (they skip with the backend's reason where CUDA is off)
run_step "java GPU tests" 200 "$OUT/java-tests.log" "$JAVA" "${JOPTS[@]}" -jar "$G/jars/junit-console.jar" execute \
    --class-path "$CP" --disable-banner --details=tree --details-theme=ascii \
    --select-class panama.attention.CudaBackendOffTest --select-class panama.attention.CudaParityTest \
    --select-class panama.attention.CublasUnfusedTest --select-class panama.attention.MultiHeadAttentionCudaTest
JT=$?
grep -E "tests (successful|failed|skipped|aborted)|MethodSource|=> |AssertionFailed|expected" "$OUT/java-tests.log" | head -30 | tee -a "$LOG"
((JT == 0)) && say "java GPU tests passed" || say "java GPU tests rc=$JT (see java-tests.log)"

# --- 5. benchmark: ours next to torch SDPA, same shapes
if ((ST == 0)); then
    run_step "GpuBench (ours)" 110 "$OUT/bench-ours.csv" "$JAVA" "${JOPTS[@]}" -cp "$CP" panama.attention.bench.gpu.GpuBench
else
    say "benchmark skipped: CUDA backend is off ($(grep -m1 '^CUDA' "$STATUS"))"
fi
if ((GPU == 1)) && command -v python3 >/dev/null 2>&1; then
    PYTHONUNBUFFERED=1 run_step "torch SDPA" 110 "$OUT/bench-torch.csv" python3 "$ROOT/bench/gpu/torch_sdpa.py"
else
    say "torch SDPA skipped: no GPU"
fi
python3 - "$OUT/bench-ours.csv" "$OUT/bench-torch.csv" >"$OUT/summary.txt" 2>&1 <<'PY'
import csv, os, sys
def rows(path):
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path) as f:
        lines = [l for l in f if l.strip() and not l.startswith("#") and "," in l]
    for r in csv.DictReader(lines):
        if r.get("name") in (None, "name"):
            continue
        key = (r["name"], r["dtype"], r["batch"], r["heads"], r["kv_heads"], r["seq_q"], r["seq_k"], r["head_dim"], r["causal"].lower())
        out[key] = float(r["tflops"])
    return out
ours, torch = rows(sys.argv[1]), rows(sys.argv[2])
if not ours and not torch:
    print("benchmark: no results (no GPU or CUDA off; see check.log)")
    sys.exit(0)
print(f"{'shape':52s} {'ours TF/s':>9s} {'torch TF/s':>10s} {'ratio':>6s}")
for key in list(ours) + [k for k in torch if k not in ours]:
    name, dt, b, h, hk, lq, lk, d, causal = key
    shape = f"{name} {dt} b{b} h{h}/{hk} {lq}x{lk} d{d}{' causal' if causal == 'true' else ''}"
    o, t = ours.get(key), torch.get(key)
    ratio = f"{o / t:6.2f}" if o and t else "     -"
    print(f"{shape:52s} {o if o is not None else float('nan'):9.1f} {t if t is not None else float('nan'):10.1f} {ratio}")
PY
say "done in $(($(date +%s) - START))s; files in $OUT: $(ls "$OUT" | tr '\n' ' ')"
echo "===== summary (ours vs torch scaled_dot_product_attention)"
cat "$OUT/summary.txt"
