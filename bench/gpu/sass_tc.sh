#!/usr/bin/env bash
# Prints the sm_90 SASS of the tensor-core attention kernel, fused_tc_kernel<__half, 64> and
# <__half, 128>, from libpanattn_cuda.so: what to read when a timing or a fragment error needs
# explaining (ldmatrix/mma order, spills, predication). Fails when neither kernel is found.
#   usage: sass_tc.sh <cuobjdump> <libpanattn_cuda.so>
set -euo pipefail
tool=$1
lib=$2
"$tool" -sass -arch sm_90 "$lib" | awk '
    /Function :/ { keep = ($0 ~ /fused_tc_kernelI6__halfLi(64|128)E/); if (keep) found++ }
    keep { print }
    END { if (found < 2) { print "sass_tc.sh: found " found + 0 " of the 2 kernels" > "/dev/stderr"; exit 1 } }'
