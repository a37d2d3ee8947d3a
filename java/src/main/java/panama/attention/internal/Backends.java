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
    static final Backend[] AUTO_ORDER = {Backend.NATIVE_CPU, Backend.BLAS, Backend.JAVA_REFERENCE};

    private Backends() {
    }

    /** Why the backend cannot run this call, or null when it can. */
    public static String unsupported(Backend b, Problem p) {
        return switch (b) {
            case JAVA_REFERENCE -> null;
            case NATIVE_CPU -> NativeCpuKernel.unsupported(p);
            case BLAS -> BlasKernel.unsupported(p);
            case AUTO -> throw new IllegalArgumentException("AUTO is resolved, never run");
        };
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
        return list;
    }
}
