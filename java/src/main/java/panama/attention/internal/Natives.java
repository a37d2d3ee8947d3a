package panama.attention.internal;

import panama.attention.bindings.panattn_h;

/**
 * The process's native libraries, each loaded once on first use. Loading never throws: a library
 * that cannot be loaded leaves its backend off, with the reason.
 */
public final class Natives {
    private Natives() {
    }

    private static final class Cpu {
        static final NativeLibrary LIB = NativeLibrary.load("libpanattn.so", "panattn_abi_version");
        static final String ERROR = checkAbi();

        private static String checkAbi() {
            if (!LIB.loaded()) {
                return LIB.error();
            }
            try {
                int have = panattn_h.panattn_abi_version();
                int want = panattn_h.PANATTN_ABI_VERSION();
                return have == want ? null
                        : LIB.path() + " has ABI version " + have + " but these bindings need " + want;
            } catch (Throwable e) {
                return "libpanattn.so loaded but its functions cannot be bound: " + e;
            }
        }
    }

    /** libpanattn.so, or null when it is loaded and usable. */
    public static String cpuError() {
        return Cpu.ERROR;
    }

    public static NativeLibrary cpuLibrary() {
        return Cpu.LIB;
    }

    /** Throws {@link panama.attention.AttentionException} with the reason when libpanattn is off. */
    public static void requireCpu() {
        if (Cpu.ERROR != null) {
            throw new panama.attention.AttentionException("NATIVE_CPU is not available: " + Cpu.ERROR);
        }
    }
}
