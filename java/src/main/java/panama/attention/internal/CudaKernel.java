package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.Backend;
import panama.attention.Device;
import panama.attention.DeviceArena;
import panama.attention.Tensor;
import panama.attention.bindings.panattn_cuda_h;

/**
 * CUDA: fills the CPU boundary's {@code panattn_params} with device pointers and runs
 * {@code panattn_cuda_forward} (fused tensor-core kernel for F16/BF16, SIMT for F32, split-KV for
 * 1..16 queries against a long cache), which waits for the kernels before returning.
 *
 * <p>Device tensors (from a {@link DeviceArena}) run in place. Host tensors are the slow path:
 * q, k, v and the mask are copied to a temporary device arena, and out/lse are copied back,
 * which is why AUTO never picks CUDA for host tensors unless {@code -Dpanattn.cuda.auto=true}.
 */
public final class CudaKernel {
    /** Head dims the kernels are compiled for (panattn_cuda_attn.cu). */
    static final long[] HEAD_DIMS = {32, 64, 80, 96, 128, 256};

    private CudaKernel() {
    }

    /** True when AUTO should try CUDA first for p. */
    public static boolean preferred(Problem p) {
        return anyOnDevice(p) || Boolean.getBoolean("panattn.cuda.auto");
    }

    static boolean anyOnDevice(Problem p) {
        for (Tensor t : tensors(p)) {
            if (t != null && t.isOnDevice()) {
                return true;
            }
        }
        return false;
    }

    /** For every backend but CUDA: why it cannot take device tensors (null when none are on a device). */
    public static String deviceRefusal(Backend b, Problem p) {
        for (Tensor t : tensors(p)) {
            if (t != null && t.isOnDevice()) {
                return "tensors live on " + t.device() + " (a DeviceArena); only the CUDA backend runs on device memory, "
                        + b + " needs host tensors (copy them with DeviceArena.toHost)";
            }
        }
        return null;
    }

    /** Null when CUDA can run p here, else why not. */
    public static String unsupported(Problem p) {
        String err = Cuda.error();
        if (err != null) {
            return err;
        }
        Device dev = null;
        boolean host = false;
        for (Tensor t : tensors(p)) {
            if (t == null) {
                continue;
            }
            if (t.isOnDevice()) {
                if (dev != null && !dev.equals(t.device())) {
                    return "tensors are on different devices (" + dev + " and " + t.device() + ")";
                }
                dev = t.device();
            } else {
                host = true;
                if (!t.segment().isNative()) {
                    return "host tensors must be off-heap (allocate them with an Arena)";
                }
            }
        }
        if (dev != null && host) {
            return "some tensors are on " + dev + " and some on the host; put q, k, v, out, mask and lse all on one side";
        }
        boolean dimOk = false;
        for (long d : HEAD_DIMS) {
            dimOk |= d == p.headDim();
        }
        if (!dimOk) {
            return "head dim " + p.headDim() + " is not supported by the CUDA kernels (supported: 32, 64, 80, 96, 128, 256)";
        }
        if (p.batch() > 65535 || p.heads() > 65535) {
            return "CUDA grid limits: batch and heads must be <= 65535";
        }
        return null;
    }

    public static void run(Problem p) {
        run(p, panattn_cuda_h.PANATTN_CUDA_KERNEL_AUTO(), 0);
    }

    /**
     * Runs p with a chosen kernel ({@code PANATTN_CUDA_KERNEL_*}) and split count (0: chosen from the
     * device); tests and benchmarks force paths with it.
     */
    public static void run(Problem p, int kernel, int splits) {
        String why = unsupported(p);
        if (why != null) {
            throw new AttentionException(panama.attention.bindings.panattn_h.PANATTN_ERR_UNSUPPORTED(),
                    "CUDA cannot run this call: " + why);
        }
        if (anyOnDevice(p)) {
            runOnDevice(p, p.q().device().ordinal(), kernel, splits);
            return;
        }
        // The slow path: copy in, run, copy out.
        try (DeviceArena gpu = DeviceArena.open(0)) {
            Tensor q = gpu.copyOf(p.q());
            Tensor k = gpu.copyOf(p.k());
            Tensor v = gpu.copyOf(p.v());
            Tensor out = gpu.allocate(p.dtype(), p.out().shape());
            Tensor lse = p.lse() == null ? null : gpu.allocate(p.lse().dtype(), p.lse().shape());
            Tensor mask = p.mask() == null ? null : gpu.copyOf(p.mask());
            long mbs = 0, mhs = 0, mrs = 0;
            if (mask != null) {
                mbs = mask.size(0) == 1 ? 0 : mask.stride(0);
                mhs = mask.size(1) == 1 ? 0 : mask.stride(1);
                mrs = mask.stride(2);
            }
            Problem d = new Problem(q, k, v, out, lse, mask, p.keyLengths(), p.batch(), p.heads(), p.kvHeads(), p.seqQ(),
                    p.seqK(), p.headDim(), mbs, mhs, mrs, p.softmaxScale(), p.causal(), p.dtype(), p.cpuIsa(), p.scheduler());
            runOnDevice(d, 0, kernel, splits);
            gpu.copy(out, p.out());
            if (lse != null) {
                gpu.copy(lse, p.lse());
            }
        }
    }

    private static void runOnDevice(Problem p, int device, int kernel, int splits) {
        long keyLengths = 0;
        try (Arena arena = Arena.ofConfined()) {
            if (p.keyLengths() != null) {
                // the kernels read key lengths on the device
                MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_INT, p.keyLengths());
                keyLengths = Cuda.malloc(device, host.byteSize());
                Cuda.memcpy(device, keyLengths, host.address(), host.byteSize(), Cuda.THREAD_STREAM);
            }
            MemorySegment params = KernelParams.fill(p, arena, MemorySegment.ofAddress(keyLengths));
            Cuda.check(panattn_cuda_h.panattn_cuda_forward(params, device, kernel, splits, Cuda.THREAD_STREAM),
                    "panattn_cuda_forward");
        } finally {
            if (keyLengths != 0) {
                Cuda.free(device, keyLengths);
            }
        }
    }

    static Tensor[] tensors(Problem p) {
        return new Tensor[] {p.q(), p.k(), p.v(), p.out(), p.lse(), p.mask()};
    }
}
