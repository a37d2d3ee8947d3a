package panama.attention.bench.peers;

import java.util.Arrays;

/**
 * The command line of {@code ./panama-attention peers}: {@code --threads N}, {@code --seq N[,N...]},
 * {@code --decode N[,N...]} (cache lengths) and {@code --quick} (3 timed rounds instead of 11).
 * {@link #parse} throws {@link IllegalArgumentException} with a one-line reason on anything else.
 */
record PeerOptions(int threads, int[] seqs, int[] caches, boolean quick) {
    static final String USAGE = "use --threads N, --seq N[,N...], --decode N[,N...], --quick";

    static PeerOptions parse(String[] args, int defaultThreads) {
        int threads = defaultThreads;
        int[] seqs = {1024, 2048, 4096};
        int[] caches = {4096, 32768};
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--quick" -> quick = true;
                case "--threads", "--seq", "--decode" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException(option + " needs a value (" + USAGE + ")");
                    }
                    int[] values = positiveInts(option, args[++i]);
                    if (option.equals("--threads")) {
                        if (values.length != 1) {
                            throw new IllegalArgumentException("--threads takes one number, got " + Arrays.toString(values));
                        }
                        threads = values[0];
                    } else if (option.equals("--seq")) {
                        seqs = values;
                    } else {
                        caches = values;
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + option + " (" + USAGE + ")");
            }
        }
        return new PeerOptions(threads, seqs, caches, quick);
    }

    private static int[] positiveInts(String option, String csv) {
        String[] parts = csv.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                out[i] = 0;
            }
            if (out[i] < 1) {
                throw new IllegalArgumentException(option + " wants positive integers separated by commas, got '" + csv + "'");
            }
        }
        return out;
    }
}
