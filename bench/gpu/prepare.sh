#!/usr/bin/env bash
# Prepares build/gpu/ HERE (a machine with a JDK 25 and nvcc, no GPU needed) for bench/gpu/check.sh
# on the lent GPU machine, which has no Java: a jlinked runtime, the library/bindings/bench jars, the
# compiled test classes, JUnit's console launcher, the native libraries and the CUDA C tests.
# Prints the `carry` list and the total size (the device tool carries at most 64 MiB).
#   JAVA_HOME   a JDK 25 (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   SKIP_BUILD=1  reuse the current build instead of running ./mvnw install -DskipTests
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
OUTDIR="$ROOT/build/gpu"
JUNIT_PLATFORM=1.14.3   # JUnit 5.14.3 (the pom's junit.version) ships platform 1.14.3

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "== building (./mvnw install -DskipTests)"
    ./mvnw -q -B install -DskipTests -Dpanattn.skipCTest=true
fi
for f in build/native/libpanattn.so build/native/libpanattn_cuda.so java/target/test-classes bindings/target/classes; do
    [[ -e "$f" ]] || { echo "missing $f: build first (./mvnw install, with nvcc on PATH for libpanattn_cuda.so)" >&2; exit 2; }
done

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR/lib" "$OUTDIR/bin" "$OUTDIR/jars"

echo "== junit-platform-console-standalone $JUNIT_PLATFORM (Maven Central, through ./mvnw)"
# the Maven repository ./mvnw uses: -Dmaven.repo.local in MAVEN_ARGS, else ~/.m2/repository
M2=$(printf '%s\n' ${MAVEN_ARGS:-} | sed -n 's/^-Dmaven.repo.local=//p' | tail -1)
M2=${M2:-$HOME/.m2/repository}
CONSOLE="$M2/org/junit/platform/junit-platform-console-standalone/$JUNIT_PLATFORM/junit-platform-console-standalone-$JUNIT_PLATFORM.jar"
if [[ ! -f "$CONSOLE" ]]; then
    ./mvnw -q -B dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM" -Dtransitive=false
fi
cp "$CONSOLE" "$OUTDIR/jars/junit-console.jar"

echo "== jars and classes"
cp java/target/panama-attention-*-SNAPSHOT.jar "$OUTDIR/jars/" 2>/dev/null || cp java/target/panama-attention.jar "$OUTDIR/jars/"
rm -f "$OUTDIR"/jars/*-tests.jar "$OUTDIR"/jars/*-sources.jar
# the native libraries travel once, in lib/ (check.sh points -Dpanattn.library.path there)
for j in "$OUTDIR"/jars/panama-attention-0*.jar; do
    python3 - "$j" <<'PY'
import sys, zipfile, shutil
src = sys.argv[1]; tmp = src + ".tmp"
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        if not item.filename.startswith("linux-x86_64/"):
            zo.writestr(item, zi.read(item.filename))
shutil.move(tmp, src)
PY
done
cp bindings/target/panama-attention-bindings-*.jar "$OUTDIR/jars/"
rm -f "$OUTDIR"/jars/panama-attention-bindings-*-tests.jar
# the test classes (CudaParityTest & co.) and the bench's GPU main only: the bench jar's other
# dependencies (JMH, ONNX Runtime, ...) are not needed there
(cd java/target && tar cf - test-classes) | (cd "$OUTDIR" && tar xf -)
mkdir -p "$OUTDIR/bench-classes"
(cd bench/target/classes && tar cf - panama/attention/bench/gpu) | (cd "$OUTDIR/bench-classes" && tar xf -)

echo "== native libraries and CUDA C tests"
cp build/native/libpanattn.so build/native/libpanattn_cuda.so "$OUTDIR/lib/"
for t in test_cuda_attn test_cuda_frag test_cuda; do
    if [[ -x build/native/native/$t ]]; then cp build/native/native/$t "$OUTDIR/bin/"; fi
done
[[ -f build/native/cuda-ptxas.log ]] && cp build/native/cuda-ptxas.log "$OUTDIR/"
# the tensor-core kernel's SASS, for check.sh to return where the GPU machine has no cuobjdump
if command -v cuobjdump >/dev/null 2>&1; then
    bash bench/gpu/sass_tc.sh cuobjdump "$OUTDIR/lib/libpanattn_cuda.so" >"$OUTDIR/sass-tc.txt" || rm -f "$OUTDIR/sass-tc.txt"
else
    echo "no cuobjdump here: check.sh dumps the SASS on the GPU machine if it has one"
fi

echo "== jlink runtime"
# modules: what `jdeps --multi-release 25 --print-module-deps` reports for our jars and JUnit's
# console launcher (java.base, java.sql, jdk.incubator.vector), plus java.logging/java.xml that
# java.sql pulls in anyway and jdk.unsupported
MODULES="java.base,java.logging,java.xml,java.sql,jdk.unsupported,jdk.incubator.vector"
jlink --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress zip-6 --output "$OUTDIR/jre"
# libjvm.so keeps its native symbol tables after jlink; strip them (30 MB -> ~20 MB) when strip exists
command -v strip >/dev/null 2>&1 && strip --strip-unneeded "$OUTDIR"/jre/lib/server/libjvm.so "$OUTDIR"/jre/lib/*.so 2>/dev/null || true

echo "== result"
du -sh "$OUTDIR"/* | sort -h
echo "unpacked: $(du -sm "$OUTDIR" | cut -f1) MiB; packing to build/gpu.tar.gz (check.sh unpacks it to /tmp)"
rm -f "$ROOT/build/gpu.tar.gz"
tar -C "$ROOT/build" -czf "$ROOT/build/gpu.tar.gz" gpu
TOTAL=$(du -m "$ROOT/build/gpu.tar.gz" | cut -f1)
TREE=$(git ls-files -co --exclude-standard -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
echo "total to carry: build/gpu.tar.gz ${TOTAL} MiB + working tree $((TREE / 1048576)) MiB (limit 64 MiB together)"
if (( TOTAL + TREE / 1048576 >= 62 )); then
    echo "too large: shrink the module list or the libraries" >&2
    exit 3
fi
echo 'carry: ["build/gpu.tar.gz"]'
echo "command: bash bench/gpu/check.sh --quick   (timeout_s 330; without --quick: timeout_s 600)"
