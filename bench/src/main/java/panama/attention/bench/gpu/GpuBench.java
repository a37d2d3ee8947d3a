package panama.attention.bench.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
import panama.attention.internal.Cuda;
import panama.attention.internal.CudaKernel;
import panama.attention.internal.KernelParams;
import panama.attention.internal.NativeLibrary;
import panama.attention.internal.Problem;
import panama.attention.internal.Validation;

/**
 * Times the CUDA backend on device tensors and prints CSV, one line per shape, on the shapes of
 * bench/gpu/torch_sdpa.py (so check.sh can join the two):
 * {@code name,dtype,batch,heads,kv_heads,seq_q,seq_k,head_dim,causal,median_ms,tflops}.
 * FLOPs are 4·B·H·Lq·Lk·d, halved for causal (Attention.flops), for both sides.
 *
 * <p>Timed as PyTorch's side is: CUDA events around each launch ({@code cudaEventRecord} before
 * and after the kernels, {@code cudaEventElapsedTime}), through the library's benchmark entry
 * {@code panattn_cuda_bench_forward_ms}; median of repeats after warm-up. Host work (validation,
 * params, the synchronous wait) is outside the events, as torch's Python overhead is outside its
 * own. Inputs are random (never zeros): one random device pool per dtype, q, k and v are views
 * of it at different offsets, so no shape pays for host-side random numbers.
 * Usage: {@code GpuBench [--quick] [--status]}; exits 3 with the reason when CUDA is off
 * ({@code --status} only prints every backend's status and exits).
 */
public final class GpuBench {
    record Shape(String name, DType dtype, int b, int h, int hk, int lq, int lk, int d, boolean causal) {
        long qElements() {
            return (long) b * h * lq * d;
        }

        long kvElements() {
            return (long) b * hk * lk * d;
        }
    }

    /** k and v start this many elements into the pool (multiples of 8: 16-byte aligned rows). */
    private static final long K_OFFSET = 8L * 1237, V_OFFSET = 8L * 2903;

    private GpuBench() {
    }

    public static List<Shape> shapes(boolean quick) {
        List<Shape> list = new ArrayList<>();
        int[] ns = quick ? new int[] {1024, 4096} : new int[] {1024, 2048, 4096, 8192, 16384};
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

    public static void main(String[] args) throws Throwable {
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
        MethodHandle timed = benchEntry();
        List<Shape> shapes = shapes(quick);
        System.out.println("name,dtype,batch,heads,kv_heads,seq_q,seq_k,head_dim,causal,median_ms,tflops");
        for (DType dt : new DType[] {DType.F16, DType.BF16}) {
            long poolElements = 0;
            for (Shape s : shapes) {
                if (s.dtype() == dt) {
                    poolElements = Math.max(poolElements, Math.max(s.qElements(), s.kvElements()) + V_OFFSET);
                }
            }
            try (DeviceArena gpu = DeviceArena.open(); Arena host = Arena.ofConfined()) {
                Tensor pool = gpu.copyOf(random(host, new SplittableRandom(42), dt, poolElements));
                for (Shape s : shapes) {
                    if (s.dtype() == dt) {
                        run(gpu, pool, s, timed);
                    }
                }
            }
        }
    }

    /** panattn_cuda_bench_forward_ms of the library the CUDA backend loaded (same file, same handle). */
    static MethodHandle benchEntry() {
        NativeLibrary lib = NativeLibrary.load("libpanattn_cuda.so", "panattn_cuda_bench_forward_ms");
        if (!lib.loaded()) {
            throw new IllegalStateException("GpuBench needs panattn_cuda_bench_forward_ms: " + lib.error());
        }
        MemorySegment fn = SymbolLookup.libraryLookup(lib.path(), Arena.global()).find("panattn_cuda_bench_forward_ms")
                .orElseThrow();
        return Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    static void run(DeviceArena gpu, Tensor pool, Shape s, MethodHandle timed) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = slice(pool, 0, s.b(), s.h(), s.lq(), s.d());
            Tensor k = slice(pool, K_OFFSET, s.b(), s.hk(), s.lk(), s.d());
            Tensor v = slice(pool, V_OFFSET, s.b(), s.hk(), s.lk(), s.d());
            Tensor out = gpu.allocate(s.dtype(), s.b(), s.h(), s.lq(), s.d());
            // BOTTOM_RIGHT = TOP_LEFT here (Lq = Lk); torch's is_causal is top-left
            CausalMode causal = s.causal() ? CausalMode.TOP_LEFT : CausalMode.NONE;
            AttentionOptions o = AttentionOptions.builder().causal(causal).backend(Backend.CUDA).build();
            Problem p = Validation.check(q, k, v, out, o);
            for (int i = 0; i < 3; i++) {
                CudaKernel.run(p); // warm-up (and the first launch's module load) through the public path
            }
            MemorySegment params = KernelParams.fill(p, arena, MemorySegment.NULL); // no key lengths here
            MemorySegment one = arena.allocate(ValueLayout.JAVA_FLOAT);
            check((int) timed.invokeExact(params, 0, 0, 0, 1, one));
            double once = one.get(ValueLayout.JAVA_FLOAT, 0);
            int reps = (int) Math.max(5, Math.min(50, 1000 / Math.max(once, 0.01)));
            MemorySegment ms = arena.allocate(ValueLayout.JAVA_FLOAT, reps);
            check((int) timed.invokeExact(params, 0, 0, 0, reps, ms));
            float[] t = ms.toArray(ValueLayout.JAVA_FLOAT);
            Arrays.sort(t);
            double median = t[reps / 2];
            double flops = Attention.flops(s.b(), s.h(), s.lq(), s.lk(), s.d(), causal);
            System.out.println(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%d,%d,%s,%.4f,%.2f", s.name(),
                    s.dtype().name().toLowerCase(Locale.ROOT), s.b(), s.h(), s.hk(), s.lq(), s.lk(), s.d(), s.causal(), median,
                    flops / (median * 1e-3) / 1e12));
            System.out.flush();
        } catch (RuntimeException e) {
            System.err.println("# " + s + " failed: " + e);
        }
    }

    private static void check(int status) {
        if (status != 0) {
            throw new IllegalStateException("panattn_cuda_bench_forward_ms failed (status " + status + "): " + Cuda.lastError());
        }
    }

    /** A contiguous [b, h, l, d] view of the pool from element offset. */
    static Tensor slice(Tensor pool, long offset, long b, long h, long l, long d) {
        return pool.narrow(0, offset, b * h * l * d).view(new long[] {b, h, l, d}, new long[] {h * l * d, l * d, d, 1});
    }

    static Tensor random(Arena arena, SplittableRandom rnd, DType dt, long... shape) {
        float[] a = new float[(int) Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        return Tensor.fromFloats(arena, dt, a, shape);
    }
}
