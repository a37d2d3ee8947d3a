package panama.attention;

/**
 * Element type of a {@link KvCache}'s keys and values when the queries are F32: the cache stores
 * K and V in this type and the kernels widen them to fp32 per key block, so a memory-bound decode
 * reads 2 (F16, BF16) or about 1 (I8) byte per element instead of 4.
 *
 * <p>{@link #I8} is symmetric int8 with one fp32 scale per token and kv head, for K and V each:
 * {@code scale = max|x| / 127} over the token's {@code headDim} values, {@code x ≈ round(x / scale) · scale}
 * (scale 0 for an all-zero row), so each element is off by at most {@code scale / 2}.
 */
public enum KvDtype {
    /** K and V in fp32, as the queries (no conversion). */
    F32(4, 0),
    /** IEEE half precision. */
    F16(2, 1),
    /** bfloat16. */
    BF16(2, 2),
    /** Symmetric int8 with an fp32 scale per (batch, kv head, token). */
    I8(1, 3);

    private final int byteSize;
    private final int nativeCode;

    KvDtype(int byteSize, int nativeCode) {
        this.byteSize = byteSize;
        this.nativeCode = nativeCode;
    }

    /** Bytes per stored element (the fp32 scales of I8 come on top: 4 bytes per token and head). */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The {@code panattn_params.kv_dtype} value: 0 for F32 (K and V in q's dtype), else the
     * PANATTN_DTYPE_* value of the C header.
     */
    public int nativeCode() {
        return nativeCode;
    }

    /** The tensor dtype that holds this type's elements, or null for I8 (no tensor dtype holds int8). */
    public DType tensorDtype() {
        return switch (this) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            case I8 -> null;
        };
    }
}
