package panama.attention;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import panama.attention.internal.Natives;
import panama.attention.bindings.panattn_h;

/** Which backends and CPU paths this machine can run, for assumptions with a stated reason. */
final class TestBackends {
    private TestBackends() {
    }

    static void assumeAvailable(Backend b) {
        for (BackendStatus s : Attention.backends()) {
            if (s.backend() == b) {
                // On the build machine and in CI the native backends must be on: a missing
                // library is a build failure, not a reason to skip. CUDA is the exception: it
                // needs a GPU and a driver, which CI does not have (it then skips with the reason).
                if (Boolean.getBoolean("panattn.test.requireNative") && b != Backend.CUDA) {
                    org.junit.jupiter.api.Assertions.assertTrue(s.available(), () -> b + " is off: " + s.detail());
                }
                assumeTrue(s.available(), () -> b + " is off here: " + s.detail());
                return;
            }
        }
        throw new AssertionError("no status for " + b);
    }

    /** {@link #assumeAvailable} for an explicit backend; AUTO always runs. */
    static void assumeRunnable(Backend b) {
        if (b != Backend.AUTO) {
            assumeAvailable(b);
        }
    }

    /** AUTO plus every explicit path the native library reports as runnable here. */
    static List<CpuIsa> supportedIsas() {
        List<CpuIsa> list = new ArrayList<>();
        list.add(CpuIsa.AUTO);
        if (Natives.cpuError() != null) {
            return list;
        }
        for (CpuIsa isa : CpuIsa.values()) {
            if (isa != CpuIsa.AUTO && panattn_h.panattn_isa_supported(isa.nativeCode()) != 0) {
                list.add(isa);
            }
        }
        return list;
    }
}
