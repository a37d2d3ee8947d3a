package panama.attention.cli;

/**
 * A failure the command line reports as one {@code error: } line: a usage error (exit 2: unknown
 * option, missing or malformed value) or a runtime error (exit 1: unreadable file, bad shapes).
 */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Exit status for a command line that could not be understood. */
    public static final int USAGE = 2;
    /** Exit status for a command that was understood but failed. */
    public static final int RUNTIME = 1;

    private final int exitCode;

    private CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    public static CliException runtime(String message) {
        return new CliException(RUNTIME, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
