#!/usr/bin/env bash
# ab_libs.sh OLD_NATIVE_DIR NEW_NATIVE_DIR N D [options]: builds libpanattn from two native/
# trees (as CMake does, -O3 with the per-file ISA flags) and times them against each other in
# one process with ab_libs.c (see its header for the options and the method). Typical use:
#   git worktree add /tmp/old HEAD~1 && native/dev/ab_libs.sh /tmp/old/native native 4096 64 bshd
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n '2,5p' "$0"; exit 2; }
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); shift 2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
build_lib() { # native_dir out.so
  local src=$1 out=$2 objs=$work/obj.$RANDOM
  mkdir -p "$objs"
  local cf=(-O3 -fPIC -fvisibility=hidden -I"$src/include" -I"$src/src" -DPANATTN_VERSION_TEXT=\"ab\"
            -DPANATTN_BUILD_TYPE=\"ab\" -DPANATTN_HAVE_X86_SIMD)
  for f in panattn_api panattn_splitkv panattn_emit panattn_select panattn_kernel_portable; do
    gcc "${cf[@]}" -c "$src/src/$f.c" -o "$objs/$f.o"
  done
  gcc "${cf[@]}" -mavx2 -mfma -mf16c -c "$src/src/panattn_kernel_avx2.c" -o "$objs/avx2.o"
  gcc "${cf[@]}" -mavx512f -mavx512bw -mavx512vl -mfma -mf16c -c "$src/src/panattn_kernel_avx512.c" -o "$objs/avx512.o"
  gcc -shared -o "$out" "$objs"/*.o -lm -Wl,--version-script="$src/src/panattn.map"
}
build_lib "$old" "$work/liba.so"
build_lib "$new" "$work/libb.so"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gcc -O2 -I"$new/include" "$here/ab_libs.c" -o "$work/ab" -ldl -pthread -lm
"$work/ab" "$work/liba.so" "$work/libb.so" "$@"
