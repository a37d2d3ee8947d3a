package panama.attention;

/**
 * Whether a backend can run here and, when it cannot, why.
 *
 * @param backend the backend
 * @param available true when it can run on this machine
 * @param detail what it runs on when available (library, ISA), or the reason it is off
 */
public record BackendStatus(Backend backend, boolean available, String detail) {
    @Override
    public String toString() {
        return backend + (available ? ": on (" : ": off (") + detail + ")";
    }
}
