package panama.attention.internal;

import panama.attention.bindings.panattn_h;

/**
 * Names of the {@code panattn_status} codes both native libraries return, from the C side
 * ({@code panattn_status_str}), so Java keeps no table of its own that could drift from the enum.
 */
public final class NativeStatus {
    private NativeStatus() {
    }

    /** "PANATTN_ERR_UNSUPPORTED" and so on; "status N" only when libpanattn itself is off. */
    public static String name(int status) {
        if (Natives.cpuError() != null) {
            return "status " + status; // only libpanattn knows the names; the CUDA library may be on without it
        }
        return panattn_h.panattn_status_str(status).getString(0);
    }
}
