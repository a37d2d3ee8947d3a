#!/usr/bin/env bash
# ab_libs.sh OLD NEW N D [options]: builds libpanattn from two checkouts of the project (each given
# as its root or its native/ folder) with the project's own CMake build, and times them against
# each other in one process with ab_libs.c (see its header for the options and the method).
# ab_libs.sh decode OLD NEW [options]: the same with ab_decode.c (decode, paged and contiguous).
# Typical use:
#   git worktree add /tmp/old HEAD~1 && native/dev/ab_libs.sh /tmp/old . 4096 64 bshd
set -euo pipefail
program=ab_libs; needed=4 # OLD NEW N D
if [[ "${1:-}" == decode ]]; then program=ab_decode; needed=2; shift; fi # OLD NEW
[[ $# -ge $needed ]] || { sed -n '2,7p' "$0"; exit 2; }
project_root() { # a checkout's root, from its root or its native/ folder
  local d; d=$(cd "$1" && pwd)
  [[ -f "$d/CMakeLists.txt" && -d "$d/native" ]] && { echo "$d"; return; }
  [[ -f "$d/src/panattn_api.c" ]] && { dirname "$d"; return; }
  echo "ab_libs: $1 is neither a checkout nor its native/ folder" >&2; exit 2
}
old=$(project_root "$1"); new=$(project_root "$2"); shift 2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
build_lib() { # checkout_root build_dir: the Release libpanattn.so, exactly as the project builds it
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release >"$2.log" 2>&1 \
    && cmake --build "$2" --target panattn -j2 >>"$2.log" 2>&1 \
    || { echo "ab_libs: building $1 failed, see below" >&2; tail -20 "$2.log" >&2; exit 1; }
}
build_lib "$old" "$work/a"
build_lib "$new" "$work/b"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gcc -O2 -I"$new/native/include" "$here/$program.c" -o "$work/ab" -ldl -pthread -lm
"$work/ab" "$work/a/libpanattn.so" "$work/b/libpanattn.so" "$@"
