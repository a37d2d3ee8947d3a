#!/usr/bin/env python3
"""Joins GpuBench's CSV (ours) and torch_sdpa.py's CSV (PyTorch SDPA) of the same run by shape and
prints one table: TFLOP/s of each and ours / torch. Both sides are timed with CUDA events around
the kernels, median of repeats. Usage: summary.py <bench-ours.csv> <bench-torch.csv>."""
import csv
import os
import sys


def rows(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        lines = [line for line in f if line.strip() and not line.startswith("#") and "," in line]
    out = {}
    for r in csv.DictReader(lines):
        if r.get("name") in (None, "name"):
            continue
        key = (r["name"], r["dtype"], r["batch"], r["heads"], r["kv_heads"], r["seq_q"], r["seq_k"], r["head_dim"],
               r["causal"].lower())
        out[key] = float(r["tflops"])
    return out


def main():
    ours, torch = rows(sys.argv[1]), rows(sys.argv[2])
    if not ours and not torch:
        print("benchmark: no results (no GPU or CUDA off; see check.log)")
        return 0
    print(f"{'shape':50s} {'ours':>7s} {'torch':>7s} {'ratio':>6s}")
    for key in list(ours) + [k for k in torch if k not in ours]:
        name, dt, b, h, hk, lq, lk, d, causal = key
        shape = f"{name} {dt} b{b} h{h}/{hk} {lq}x{lk} d{d}{' causal' if causal == 'true' else ''}"
        o, t = ours.get(key), torch.get(key)
        ratio = f"{o / t:6.2f}" if o and t else "     -"
        fo = f"{o:7.1f}" if o is not None else "      -"
        ft = f"{t:7.1f}" if t is not None else "      -"
        print(f"{shape:50s} {fo} {ft} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
