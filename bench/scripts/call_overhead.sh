#!/usr/bin/env bash
# call_overhead.sh OLD NEW [rounds] [seconds]: per-call time of Attention.sdpa (NATIVE_CPU) at small
# shapes for two built checkouts (each after `./panama-attention build`), run alternately in fresh
# JVMs (OLD, NEW, OLD, NEW, ...) so a shared machine's swings fall on both. Prints each run's lines,
# then per shape the median over rounds of NEW/OLD time.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,5p' "$0"; exit 2; }
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); rounds=${3:-5}; secs=${4:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
java=${JAVA_HOME:-}/bin/java
[[ -x "$java" ]] || { echo "set JAVA_HOME to a JDK >= 22" >&2; exit 2; }
jars() { # the library jar and its bindings jar of a built checkout
  ls "$1"/java/target/panama-attention-[0-9]*.jar "$1"/bindings/target/panama-attention-bindings-[0-9]*.jar 2>/dev/null \
    | grep -v -E 'sources|javadoc|tests' | paste -sd:
}
cp_old=$(jars "$old"); cp_new=$(jars "$new")
[[ -n "$cp_old" && -n "$cp_new" ]] || { echo "build both checkouts first (./panama-attention build)" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for ((r = 0; r < rounds; r++)); do
  for side in old new; do
    cp=cp_$side
    "$java" --enable-native-access=ALL-UNNAMED -cp "${!cp}" "$here/CallOverhead.java" "$secs" | tee -a "$tmp/$side" | sed "s/^/$side /"
  done
done
python3 - "$tmp/old" "$tmp/new" <<'PY'
import sys, statistics as st
def read(f):
    d = {}
    for line in open(f):
        name = line[:24].strip(); d.setdefault(name, []).append(float(line[24:].split()[0]))
    return d
o, n = read(sys.argv[1]), read(sys.argv[2])
for name in o:
    ratios = sorted(b / a for a, b in zip(o[name], n[name]))
    print(f"{name:24s} old {st.median(o[name]):8.2f} us  new {st.median(n[name]):8.2f} us  new/old {st.median(ratios):.3f} [{ratios[0]:.3f}..{ratios[-1]:.3f}] over {len(ratios)} rounds")
PY
