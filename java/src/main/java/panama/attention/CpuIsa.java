package panama.attention;

/**
 * Instruction-set path of the native CPU kernel. {@link #AUTO} picks the best one CPUID allows for the
 * call's dtype: {@link #AVX512_BF16} for {@link DType#BF16} where the CPU has it, else {@link #AVX512}
 * and below.
 */
public enum CpuIsa {
    AUTO(0),
    SCALAR(1),
    AVX2(2),
    AVX512(3),
    /**
     * AVX-512 with {@code vdpbf16ps}: bf16 Q·Kᵀ and P·V at twice the multiply-adds per instruction (fp32
     * accumulation and softmax). The probabilities enter P·V as two bf16 terms, as exact as fp32, unless
     * {@link WeightPrecision#BF16} lets them be rounded once. Only bf16 inputs use the instruction;
     * forced on F32 or F16 it runs the {@link #AVX512} algorithm.
     */
    AVX512_BF16(4);

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
