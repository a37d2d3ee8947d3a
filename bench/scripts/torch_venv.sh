#!/usr/bin/env bash
# torch_venv.sh [WHEEL_OR_DIR]: makes build/torch-venv, a Python venv that can import torch, for the
# PyTorch contender of `./panama-attention peers` (which uses it when PANATTN_TORCH_PYTHON is unset).
# The venv sees the system's site-packages (numpy and torch's pure-Python dependencies, where the
# machine has them) and gets torch from, in order: WHEEL_OR_DIR (a .whl or a folder of wheels),
# the wheels this kind of machine keeps on disk (/opt/wheels, /opt/pypi-more/files), or PyPI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/build/torch-venv"
python3 -m venv --system-site-packages "$VENV"
pick_wheel() { # prints the newest torch CPU wheel for this python in the folders given, if any
  local tag; tag="cp$("$VENV/bin/python" -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")')"
  ls -1 "$@" 2>/dev/null | grep -E "^torch-[0-9].*-${tag}-${tag}-.*x86_64\.whl$" | sort -V | tail -1
}
src="${1:-}"
wheel=""
if [[ -n "$src" && -f "$src" ]]; then
  wheel="$src"
else
  for dir in ${src:+"$src"} /opt/wheels /opt/pypi-more/files; do
    w="$(pick_wheel "$dir")"
    if [[ -n "$w" ]]; then wheel="$dir/$w"; break; fi
  done
fi
if [[ -n "$wheel" ]]; then
  echo "torch_venv: installing $wheel (no dependencies: the system's are used)" >&2
  "$VENV/bin/pip" install -q --no-index --no-deps "$wheel"
else
  echo "torch_venv: no local torch wheel; trying PyPI" >&2
  "$VENV/bin/pip" install -q torch --index-url https://download.pytorch.org/whl/cpu
fi
"$VENV/bin/python" -c 'import torch, numpy; print("torch_venv: torch", torch.__version__, "at '"$VENV"'")'
