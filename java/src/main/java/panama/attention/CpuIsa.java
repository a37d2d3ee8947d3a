package panama.attention;

/**
 * Instruction-set path of the native CPU kernel. {@link #AUTO} picks the best one CPUID allows for the
 * call's dtype: for {@link DType#BF16} {@link #AMX_BF16} where the CPU has it, else {@link #AVX512_BF16}
 * on AMD CPUs that have it (on the Intel Xeon measured, {@code vdpbf16ps} ran bf16 at half the speed of
 * converting it to fp32, so AUTO converts there); else {@link #AVX512} and below.
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
    AVX512_BF16(4),
    /**
     * AMX tiles ({@code TDPBF16PS}, Sapphire Rapids and later Xeons) for bf16 Q·Kᵀ and P·V, with the
     * same rounding contract as {@link #AVX512_BF16} (fp32 accumulation, P as two bf16 terms unless
     * {@link WeightPrecision#BF16}); the softmax stays in AVX-512. Supported where the CPU has AMX-BF16
     * and Linux grants the process the tile state (the library asks once). Only bf16 inputs use the
     * tiles; forced on F32 or F16 it runs the {@link #AVX512} algorithm.
     */
    AMX_BF16(5);

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
