package panama.attention.internal;

import java.util.ArrayList;
import java.util.List;
import panama.attention.AttentionException;
import panama.attention.Backend;
import panama.attention.BackendStatus;

/**
 * The one selector: for each backend, "can it run here?", "can it run this call?" and "run it",
 * in one place so the answers cannot disagree (after ggml's backend table). AUTO walks
 * {@link #AUTO_ORDER} and takes the first backend that supports the call.
 */
public final class Backends {
    static final Backend[] AUTO_ORDER = {Backend.NATIVE_CPU, Backend.JAVA_VECTOR, Backend.BLAS, Backend.JAVA_REFERENCE};

    private Backends() {
    }

    /**
     * Why the backend cannot run this call, or null when it can. Returning probabilities is a
     * capability decided here: the fused kernels never materialise them, BLAS and the reference
     * do, and CUDA does through its cuBLAS path ({@link CublasAttention}). So are the sliding window,
     * softcap and ALiBi, and packed sequences and paged keys: only NATIVE_CPU and the reference
     * implement them.
     */
    public static String unsupported(Backend b, Problem p) {
        if (p.quantisedKv() != null && b != Backend.NATIVE_CPU && b != Backend.JAVA_REFERENCE && b != Backend.AUTO) {
            // checked first: the other backends' own checks read k and v, which such a call does not have
            return "K/V dtype " + p.quantisedKv().dtype() + ": " + b + " reads K and V only in q's dtype;"
                    + " NATIVE_CPU and JAVA_REFERENCE read a " + p.quantisedKv().dtype() + " KvCache";
        }
        if (p.layout().any() && (b == Backend.BLAS || b == Backend.JAVA_VECTOR || b == Backend.CUDA)) {
            return p.layout().describe() + ": " + b + " does not implement them; NATIVE_CPU and JAVA_REFERENCE do";
        }
        if (b != Backend.CUDA && b != Backend.AUTO) {
            String device = CudaKernel.deviceRefusal(b, p);
            if (device == null && p.probabilities() != null && p.probabilities().isOnDevice()) {
                device = "probabilities live on " + p.probabilities().device() + "; only the CUDA backend writes device memory, "
                        + b + " needs a host tensor";
            }
            if (device != null) {
                return device;
            }
        }
        if (p.serving().any() && (b == Backend.BLAS || b == Backend.JAVA_VECTOR || b == Backend.CUDA)) {
            return p.serving().describe() + ": " + b + " does not implement them; NATIVE_CPU and JAVA_REFERENCE do";
        }
        boolean probs = p.probabilities() != null;
        return switch (b) {
            case JAVA_REFERENCE -> null;
            case NATIVE_CPU -> probs ? noProbabilities(b) : NativeCpuKernel.unsupported(p);
            case BLAS -> BlasKernel.unsupported(p);
            case JAVA_VECTOR -> probs ? noProbabilities(b) : JavaVectorKernel.unsupported(p);
            case CUDA -> probs ? CublasAttention.unsupported(p) : CudaKernel.unsupported(p);
            case AUTO -> throw new IllegalArgumentException("AUTO is resolved, never run");
        };
    }

    private static String noProbabilities(Backend b) {
        return "probabilities: " + b + " is a fused kernel and never materialises them; BLAS, JAVA_REFERENCE and CUDA"
                + " (device tensors, through cuBLAS) return them";
    }

    /** The backend that runs p: the forced one, or AUTO's first that supports it. */
    public static Backend resolve(Backend requested, Problem p) {
        if (requested != Backend.AUTO) {
            String why = unsupported(requested, p);
            if (why != null) {
                throw new AttentionException(requested + " cannot run this call: " + why);
            }
            return requested;
        }
        // CUDA first for device tensors (nothing else can run them), and for host tensors only
        // when asked (-Dpanattn.cuda.auto=true): copying in and out makes it the slow path.
        if (CudaKernel.preferred(p)) {
            String why = unsupported(Backend.CUDA, p);
            if (why == null) {
                return Backend.CUDA;
            }
            if (CudaKernel.anyOnDevice(p)) {
                throw new AttentionException("CUDA cannot run this call on device tensors: " + why);
            }
        }
        for (Backend b : AUTO_ORDER) {
            if (unsupported(b, p) == null) {
                return b;
            }
        }
        throw new AttentionException("no backend can run this call"); // unreachable: the reference runs anything
    }

    public static void run(Backend b, Problem p) {
        switch (b) {
            case JAVA_REFERENCE -> ReferenceKernel.run(p);
            case NATIVE_CPU -> NativeCpuKernel.run(p);
            case BLAS -> BlasKernel.run(p);
            case JAVA_VECTOR -> {
                // its workers read through global-scope views: hold the caller's arenas open
                if (NativeHold.error() == null) {
                    NativeHold.run(p, () -> JavaVectorKernel.run(p));
                } else {
                    JavaVectorKernel.run(p);
                }
            }
            case CUDA -> {
                if (p.probabilities() != null) {
                    CublasAttention.run(p);
                } else {
                    CudaKernel.run(p);
                }
            }
            case AUTO -> run(resolve(b, p), p);
        }
    }

    /** Every backend and whether it can run on this machine. */
    public static List<BackendStatus> statuses() {
        List<BackendStatus> list = new ArrayList<>();
        list.add(new BackendStatus(Backend.JAVA_REFERENCE, true, "scalar Java, float64 accumulation"));
        String cpu = Natives.cpuError();
        list.add(cpu == null
                ? new BackendStatus(Backend.NATIVE_CPU, true, Natives.cpuLibrary() + ", ISA " + NativeCpuKernel.bestIsa())
                : new BackendStatus(Backend.NATIVE_CPU, false, cpu));
        String blas = OpenBlas.error();
        list.add(blas == null
                ? new BackendStatus(Backend.BLAS, true, OpenBlas.describe())
                : new BackendStatus(Backend.BLAS, false, blas));
        list.add(new BackendStatus(Backend.JAVA_VECTOR, true, JavaVectorKernel.describe()));
        String cuda = Cuda.error();
        list.add(cuda == null
                ? new BackendStatus(Backend.CUDA, true, Cuda.describe())
                : new BackendStatus(Backend.CUDA, false, cuda));
        return list;
    }
}
