package panama.attention;

/** Element type of a {@link Tensor}. Accumulation is always at least fp32. */
public enum DType {
    F32(4, 0),
    F16(2, 1),
    BF16(2, 2);

    private final int byteSize;
    private final int nativeCode;

    DType(int byteSize, int nativeCode) {
        this.byteSize = byteSize;
        this.nativeCode = nativeCode;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The PANATTN_DTYPE_* value of the C header. */
    public int nativeCode() {
        return nativeCode;
    }
}
