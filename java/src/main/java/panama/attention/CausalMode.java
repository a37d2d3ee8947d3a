package panama.attention;

/**
 * Causal masking and its alignment when query and key lengths differ.
 *
 * <p>Query row {@code i} may see key {@code j} when {@code j <= i + offset}:
 * <ul>
 *   <li>{@link #TOP_LEFT}: offset 0, PyTorch's {@code is_causal=True};</li>
 *   <li>{@link #BOTTOM_RIGHT}: offset {@code kvLen - Lq}, FlashAttention's {@code causal=True} and
 *       what KV-cache decoding needs (the last query sees every key); {@code kvLen} is the
 *       batch's key length when key lengths are given, else {@code Lk}.</li>
 * </ul>
 * Rows that see no key at all produce zeros and a log-sum-exp of negative infinity.
 */
public enum CausalMode {
    NONE(0),
    TOP_LEFT(1),
    BOTTOM_RIGHT(2);

    private final int nativeCode;

    CausalMode(int nativeCode) {
        this.nativeCode = nativeCode;
    }

    /** The PANATTN_CAUSAL_* value of the C header. */
    public int nativeCode() {
        return nativeCode;
    }

    /** Parses the command-line spelling: {@code none}, {@code top-left}, {@code bottom-right}. */
    public static CausalMode parse(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "none", "false", "no" -> NONE;
            case "top-left" -> TOP_LEFT;
            case "bottom-right" -> BOTTOM_RIGHT;
            default -> throw new IllegalArgumentException(
                    "causal mode '" + text + "' is not one of none, top-left, bottom-right");
        };
    }
}
