#!/bin/sh
# CUDA compiler launcher (CMake CUDA_COMPILER_LAUNCHER): runs the compile command, shows its
# stderr as usual, keeps that stderr (the -Xptxas -v report: registers, shared memory, spills per
# kernel) in <log dir>/<object>.log, and rebuilds <combined log> from every object's log, also
# when the compile fails (a spill fails the build through -Xptxas -Werror; the report says where).
# usage: ptxas-log.sh <log dir> <combined log> <compiler> <args...>
dir=$1
combined=$2
shift 2
mkdir -p "$dir"
obj=unknown
prev=
for a in "$@"; do
    if [ "$prev" = "-o" ]; then obj=$(basename "$a"); fi
    prev=$a
done
tmp="$dir/$obj.log.tmp"
"$@" 2>"$tmp"
rc=$?
cat "$tmp" >&2
mv "$tmp" "$dir/$obj.log"
cat "$dir"/*.log >"$combined" 2>/dev/null
exit $rc
