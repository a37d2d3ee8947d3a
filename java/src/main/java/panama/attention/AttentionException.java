package panama.attention;

/**
 * A failure reported by a backend: a native status code with its message, an unavailable
 * backend, or a backend that cannot run the requested call. Invalid arguments are reported
 * before any native call as {@link IllegalArgumentException} naming the tensor and dimension.
 */
public class AttentionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Status code for errors that did not come from native code. */
    public static final int JAVA_SIDE = -1;

    private final int status;

    public AttentionException(String message) {
        this(JAVA_SIDE, message, null);
    }

    public AttentionException(String message, Throwable cause) {
        this(JAVA_SIDE, message, cause);
    }

    public AttentionException(int status, String message) {
        this(status, message, null);
    }

    public AttentionException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The native PANATTN_ERR_* code, or {@link #JAVA_SIDE}. */
    public int status() {
        return status;
    }
}
