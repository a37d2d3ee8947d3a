#!/usr/bin/env python3
"""Checks `panama-attention sdpa` against a float64 NumPy computation made outside the project.

For every backend and causal mode it writes random q/k/v (plus, in some runs, an additive mask
with -inf entries and per-batch key lengths) as .npy files, runs the command line, and compares
out and the log-sum-exp with softmax(scale * q @ k^T + mask) @ v computed here in float64.
Prints the max relative error per run (per output row: ||out - ref|| / ||ref||; per LSE
entry: |lse - ref| / max(|ref|, 1)); exits 1 when one is above 1e-5 (f32 inputs) or 2e-3
(f16 inputs), or when a run fails. A backend that is off on this machine is skipped (and said so).

usage: sdpa_numpy_check.py [PATH_TO_panama-attention]   (default: ../../panama-attention)
Called from CI; needs python3 with numpy.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "panama-attention"))
BACKENDS = ["JAVA_REFERENCE", "NATIVE_CPU", "BLAS", "JAVA_VECTOR"]
CAUSAL = ["none", "top-left", "bottom-right"]
TOL = {"f32": 1e-5, "f16": 2e-3}


def reference(q, k, v, mask, key_lengths, causal, scale):
    """out (B, H, Lq, d) and lse (B, H, Lq) in float64; rows that see no key give 0 and -inf."""
    q, k, v = (x.astype(np.float64) for x in (q, k, v))
    b, h, lq, d = q.shape
    kvh, lk = k.shape[1], k.shape[2]
    g = h // kvh
    k = np.repeat(k, g, axis=1)  # (B, H, Lk, d): grouped-query attention
    v = np.repeat(v, g, axis=1)
    s = scale * np.einsum("bhid,bhjd->bhij", q, k)
    if mask is not None:
        s = s + np.broadcast_to(mask.astype(np.float64), s.shape)
    kv_len = np.full(b, lk) if key_lengths is None else key_lengths.astype(np.int64)
    i = np.arange(lq)[:, None]
    j = np.arange(lk)[None, :]
    for bi in range(b):
        n = kv_len[bi]
        visible = j < n
        if causal == "top-left":
            visible = visible & (j <= i)
        elif causal == "bottom-right":
            visible = visible & (j <= i + n - lq)
        s[bi][:, ~np.broadcast_to(visible, (lq, lk))] = -np.inf
    m = s.max(axis=-1, keepdims=True)
    empty = np.isneginf(m)
    m = np.where(empty, 0.0, m)
    w = np.exp(s - m)
    z = w.sum(axis=-1, keepdims=True)
    out = np.where(empty, 0.0, np.einsum("bhij,bhjd->bhid", w / np.where(z == 0, 1, z), v))
    lse = np.where(empty[..., 0], -np.inf, (m + np.log(np.where(z == 0, 1, z)))[..., 0])
    return out, lse


def rel_err(got, want, row_axis):
    """Max relative error: per row ||got - want|| / ||want|| when row_axis (a row that sees no key
    must be exactly 0), else per element |got - want| / max(|want|, 1). Matching infinities are fine."""
    got = got.astype(np.float64)
    if np.isnan(got).any():
        return float("inf")
    inf = np.isinf(want)
    if not np.array_equal(np.isinf(got), inf) or not np.array_equal(got[inf], want[inf]):
        return float("inf")
    if row_axis:
        num = np.linalg.norm(got - want, axis=-1)
        den = np.linalg.norm(want, axis=-1)
        zero = den == 0
        if (num[zero] != 0).any():
            return float("inf")
        return float((num[~zero] / den[~zero]).max(initial=0.0))
    g, w = got[~inf], want[~inf]
    return float((np.abs(g - w) / np.maximum(np.abs(w), 1.0)).max(initial=0.0))


def available_backends():
    r = subprocess.run([LAUNCHER, "doctor"], capture_output=True, text=True)
    on = set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in BACKENDS and parts[1] == "on":
            on.add(parts[0])
    return on


def main():
    if not os.access(LAUNCHER, os.X_OK):
        print(f"error: {LAUNCHER} is not an executable launcher", file=sys.stderr)
        return 2
    on = available_backends()
    for b in BACKENDS:
        if b not in on:
            print(f"skip {b}: off on this machine (see ./panama-attention doctor)")
    rng = np.random.default_rng(20240607)
    failures = 0
    runs = 0
    with tempfile.TemporaryDirectory(prefix="panattn-npcheck-") as tmp:
        # (dtype, batch, heads, kvHeads, Lq, Lk, d, extras): awkward sizes on purpose.
        configs = [
            ("f32", 2, 4, 2, 33, 65, 40, False),
            ("f32", 3, 2, 2, 7, 129, 64, True),
            ("f32", 1, 3, 1, 97, 64, 59, True),
            ("f16", 2, 2, 1, 17, 40, 32, True),
        ]
        for ci, (dtype, b, h, kvh, lq, lk, d, extras) in enumerate(configs):
            npdt = np.float32 if dtype == "f32" else np.float16
            q = rng.uniform(-1.5, 1.5, (b, h, lq, d)).astype(npdt)
            k = rng.uniform(-1.5, 1.5, (b, kvh, lk, d)).astype(npdt)
            v = rng.uniform(-1, 1, (b, kvh, lk, d)).astype(npdt)
            paths = {n: os.path.join(tmp, f"{ci}-{n}.npy") for n in ("q", "k", "v", "mask", "kl", "out", "lse")}
            np.save(paths["q"], q)
            np.save(paths["k"], k)
            np.save(paths["v"], v)
            mask = key_lengths = None
            scale = 1 / np.sqrt(d)
            if extras:
                mask = rng.uniform(-2, 2, (b, 1, lq, lk)).astype(np.float32)
                mask[rng.random(mask.shape) < 0.15] = -np.inf
                np.save(paths["mask"], mask)
                key_lengths = rng.integers(0, lk + 1, b).astype(np.int64 if ci % 2 else np.int32)
                key_lengths[0] = lk
                np.save(paths["kl"], key_lengths)
                scale = 0.37
            for causal in CAUSAL:
                want_out, want_lse = reference(q, k, v, mask, key_lengths, causal, scale)
                for backend in BACKENDS:
                    if backend not in on or (backend == "BLAS" and dtype != "f32"):
                        continue
                    cmd = [LAUNCHER, "sdpa", "--q", paths["q"], "--k", paths["k"], "--v", paths["v"],
                           "--out", paths["out"], "--lse", paths["lse"], "--causal", causal, "--backend", backend]
                    if extras:
                        cmd += ["--mask", paths["mask"], "--key-lengths", paths["kl"], "--scale", repr(scale)]
                    runs += 1
                    label = f"{dtype} b{b} h{h}/{kvh} q{lq} k{lk} d{d} {causal:12s} {backend:14s}"
                    r = subprocess.run(cmd, capture_output=True, text=True)
                    if r.returncode != 0:
                        print(f"FAIL {label} exit {r.returncode}: {r.stderr.strip()}")
                        failures += 1
                        continue
                    out = np.load(paths["out"])
                    lse = np.load(paths["lse"])
                    if out.dtype != npdt or out.shape != q.shape or lse.shape != (b, h, lq):
                        print(f"FAIL {label} wrong output {out.dtype} {out.shape}, lse {lse.shape}")
                        failures += 1
                        continue
                    e_out = rel_err(out, want_out, True)
                    e_lse = rel_err(lse, want_lse, False)
                    ok = e_out <= TOL[dtype] and e_lse <= 1e-5
                    failures += 0 if ok else 1
                    print(f"{'ok  ' if ok else 'FAIL'} {label} max rel err out {e_out:.2e} lse {e_lse:.2e}")
    print(f"{runs - failures}/{runs} runs within tolerance (f32 {TOL['f32']:g}, f16 {TOL['f16']:g}, lse 1e-5)")
    return 1 if failures or runs == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
