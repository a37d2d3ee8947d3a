package panama.attention.bench.gpu;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.DeviceArena;
import panama.attention.Tensor;
import panama.attention.internal.CudaKernel;
import panama.attention.internal.Problem;
import panama.attention.internal.Validation;

/**
 * Times the CUDA backend on device tensors and prints CSV, one line per shape, on the shapes of
 * bench/gpu/torch_sdpa.py (so check.sh can join the two):
 * {@code name,dtype,batch,heads,kv_heads,seq_q,seq_k,head_dim,causal,median_ms,tflops}.
 * FLOPs are 4·B·H·Lq·Lk·d, halved for causal (Attention.flops), for both sides.
 *
 * <p>Each timed call is a full synchronous {@code Attention.sdpa} (validation, params, launch,
 * wait), median of repeats after warm-up; inputs are random (never zeros, METHOD.md).
 * Usage: {@code GpuBench [--quick] [--status]}; exits 3 with the reason when CUDA is off
 * ({@code --status} only prints every backend's status and exits).
 */
public final class GpuBench {
    record Shape(String name, DType dtype, int b, int h, int hk, int lq, int lk, int d, boolean causal) {
    }

    private GpuBench() {
    }

    public static List<Shape> shapes(boolean quick) {
        List<Shape> list = new ArrayList<>();
        int[] ns = quick ? new int[] {1024, 4096} : new int[] {1024, 2048, 4096, 8192};
        for (DType dt : new DType[] {DType.F16, DType.BF16}) {
            for (int d : new int[] {64, 128}) {
                for (int n : ns) {
                    for (boolean causal : new boolean[] {false, true}) {
                        int h = 2048 / d;                 // model dim 2048
                        int b = Math.max(1, 16384 / n);   // 16k tokens per batch, as FlashAttention's benchmark
                        list.add(new Shape("prefill", dt, b, h, h, n, n, d, causal));
                    }
                }
            }
            for (int lk : quick ? new int[] {8192} : new int[] {4096, 16384, 65536}) {
                list.add(new Shape("decode", dt, 8, 32, 8, 1, lk, 128, false));
            }
        }
        return list;
    }

    public static void main(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        BackendStatus cuda = Attention.backends().stream().filter(s -> s.backend() == Backend.CUDA).findFirst().orElseThrow();
        System.err.println("# " + cuda);
        if (Arrays.asList(args).contains("--status")) {
            Attention.backends().forEach(b -> System.out.println(b));
            System.out.println("unfused (cuBLAS): " + (panama.attention.CudaAttention.unfusedUnavailable() == null ? "on"
                    : "off (" + panama.attention.CudaAttention.unfusedUnavailable() + ")"));
            System.exit(cuda.available() ? 0 : 3);
        }
        if (!cuda.available()) {
            System.err.println("# GpuBench skipped: CUDA is off: " + cuda.detail());
            System.exit(3);
        }
        System.out.println("name,dtype,batch,heads,kv_heads,seq_q,seq_k,head_dim,causal,median_ms,tflops");
        SplittableRandom rnd = new SplittableRandom(42);
        for (Shape s : shapes(quick)) {
            try (DeviceArena gpu = DeviceArena.open(); Arena host = Arena.ofConfined()) {
                Tensor q = gpu.copyOf(random(host, rnd, s.dtype(), s.b(), s.h(), s.lq(), s.d()));
                Tensor k = gpu.copyOf(random(host, rnd, s.dtype(), s.b(), s.hk(), s.lk(), s.d()));
                Tensor v = gpu.copyOf(random(host, rnd, s.dtype(), s.b(), s.hk(), s.lk(), s.d()));
                Tensor out = gpu.allocate(s.dtype(), s.b(), s.h(), s.lq(), s.d());
                // BOTTOM_RIGHT = TOP_LEFT here (Lq = Lk); torch's is_causal is top-left
                AttentionOptions o = AttentionOptions.builder().causal(s.causal() ? CausalMode.TOP_LEFT : CausalMode.NONE)
                        .backend(Backend.CUDA).build();
                Problem p = Validation.check(q, k, v, out, o);
                Runnable call = () -> CudaKernel.run(p);
                for (int i = 0; i < 3; i++) {
                    call.run();
                }
                long t0 = System.nanoTime();
                call.run();
                double once = (System.nanoTime() - t0) / 1e6;
                int reps = (int) Math.max(5, Math.min(50, 1000 / Math.max(once, 0.01)));
                double[] ms = new double[reps];
                for (int i = 0; i < reps; i++) {
                    long a = System.nanoTime();
                    call.run();
                    ms[i] = (System.nanoTime() - a) / 1e6;
                }
                Arrays.sort(ms);
                double median = ms[reps / 2];
                double flops = Attention.flops(s.b(), s.h(), s.lq(), s.lk(), s.d(), s.causal() ? CausalMode.TOP_LEFT : CausalMode.NONE);
                System.out.println(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%d,%d,%s,%.4f,%.2f", s.name(),
                        s.dtype().name().toLowerCase(Locale.ROOT), s.b(), s.h(), s.hk(), s.lq(), s.lk(), s.d(), s.causal(), median,
                        flops / (median * 1e-3) / 1e12));
                System.out.flush();
            } catch (RuntimeException e) {
                System.err.println("# " + s + " failed: " + e);
            }
        }
    }

    static Tensor random(Arena arena, SplittableRandom rnd, DType dt, long... shape) {
        float[] a = new float[(int) Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        return Tensor.fromFloats(arena, dt, a, shape);
    }
}
