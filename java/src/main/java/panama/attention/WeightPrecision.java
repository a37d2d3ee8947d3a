package panama.attention;

/**
 * How the softmax weights {@code P} enter {@code P·V} ({@link AttentionOptions.Builder#weights}).
 *
 * <p>{@link #FP32}, the default, keeps every weight at fp32 accuracy whatever the dtype. {@link #BF16}
 * lets a {@link DType#BF16} call round each weight to bf16 once (relative error at most 2<sup>-8</sup>),
 * so that {@code vdpbf16ps} or an AMX tile product takes a pair of keys in one term instead of two: an output
 * element may then differ from the exact one by up to {@code 2^-8 · Σ_j p_j·|v_j|} (at most
 * {@code 2^-8 · max|v|}) more, before its own rounding to bf16. Where an output element is small beside
 * {@code max|v|} (weights of both signs of v cancelling), that is far more than the element's own
 * rounding; hence opt-in. It is a permission, not an order: paths without such a form (other dtypes,
 * CPU paths other than {@link CpuIsa#AMX_BF16} and {@link CpuIsa#AVX512_BF16}, the pure-Java backends,
 * CUDA) stay exact.
 */
public enum WeightPrecision {
    FP32(0),
    BF16(1);

    private final int nativeCode;

    WeightPrecision(int nativeCode) {
        this.nativeCode = nativeCode;
    }

    /** The PANATTN_WEIGHTS_* value of the C header. */
    public int nativeCode() {
        return nativeCode;
    }
}
