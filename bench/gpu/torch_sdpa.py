#!/usr/bin/env python3
"""PyTorch's scaled_dot_product_attention on the shapes of GpuBench (same CSV columns), so
check.sh can print ours next to torch's. FLOPs 4*B*H*Lq*Lk*d, halved for causal. Timed with
CUDA events around each call (as GpuBench times ours: cudaEventRecord before and after the
kernels): median of repeats after warm-up, random inputs (never zeros), [B, H, S, D] layout.
Usage: torch_sdpa.py [--quick]. Exits 3 when torch or a GPU is missing."""
import sys

QUICK = "--quick" in sys.argv


def shapes():
    ns = [1024, 4096] if QUICK else [1024, 2048, 4096, 8192, 16384]
    for dt in ("f16", "bf16"):
        for d in (64, 128):
            for n in ns:
                for causal in (False, True):
                    h = 2048 // d
                    b = max(1, 16384 // n)
                    yield ("prefill", dt, b, h, h, n, n, d, causal)
        for lk in ([8192] if QUICK else [4096, 16384, 65536]):
            yield ("decode", dt, 8, 32, 8, 1, lk, 128, False)


def main():
    try:
        import torch
        import torch.nn.functional as F
    except Exception as e:  # noqa: BLE001
        print(f"# torch_sdpa skipped: cannot import torch: {e}", file=sys.stderr)
        return 3
    if not torch.cuda.is_available():
        print("# torch_sdpa skipped: torch.cuda.is_available() is False", file=sys.stderr)
        return 3
    print(f"# torch {torch.__version__}, {torch.cuda.get_device_name(0)}", file=sys.stderr)
    print("name,dtype,batch,heads,kv_heads,seq_q,seq_k,head_dim,causal,median_ms,tflops")
    types = {"f16": torch.float16, "bf16": torch.bfloat16}
    for (name, dt, b, h, hk, lq, lk, d, causal) in shapes():
        try:
            q = torch.randn(b, h, lq, d, device="cuda", dtype=types[dt])
            k = torch.randn(b, hk, lk, d, device="cuda", dtype=types[dt])
            v = torch.randn(b, hk, lk, d, device="cuda", dtype=types[dt])
            if hk != h:  # GQA: expand so every torch version runs it (enable_gqa is newer)
                k = k.repeat_interleave(h // hk, dim=1)
                v = v.repeat_interleave(h // hk, dim=1)

            def call():
                return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

            for _ in range(3):
                call()
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            call()
            end.record()
            torch.cuda.synchronize()
            once = max(start.elapsed_time(end), 0.01)
            reps = int(max(5, min(50, 1000 / once)))
            times = []
            for _ in range(reps):
                start.record()
                call()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end))
            times.sort()
            ms = times[len(times) // 2]
            flops = 4.0 * b * h * lq * lk * d / (2 if causal else 1)
            print(f"{name},{dt},{b},{h},{hk},{lq},{lk},{d},{str(causal).lower()},{ms:.4f},{flops / (ms * 1e-3) / 1e12:.2f}",
                  flush=True)
        except Exception as e:  # noqa: BLE001
            print(f"# {name} {dt} b{b} h{h} lq{lq} lk{lk} d{d} causal={causal} failed: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
