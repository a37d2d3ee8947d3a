package panama.attention;

/** Instruction-set path of the native CPU kernel. {@link #AUTO} picks the best one CPUID allows. */
public enum CpuIsa {
    AUTO(0),
    SCALAR(1),
    AVX2(2),
    AVX512(3);

    private final int nativeCode;

    CpuIsa(int nativeCode) {
        this.nativeCode = nativeCode;
    }

    /** The PANATTN_ISA_* value of the C header. */
    public int nativeCode() {
        return nativeCode;
    }

    static CpuIsa fromNative(int code) {
        for (CpuIsa isa : values()) {
            if (isa.nativeCode == code) {
                return isa;
            }
        }
        throw new IllegalArgumentException("unknown ISA code " + code);
    }
}
