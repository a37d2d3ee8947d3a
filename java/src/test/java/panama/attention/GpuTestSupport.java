package panama.attention;

import java.util.Locale;

/**
 * What the GPU tests share so one run on a lent GPU is enough to act on a failure: the seed of
 * every random case is printed and can be pinned ({@code -Dpanattn.test.seed=N}), and a failing
 * comparison shows where its bad elements lie by (query row mod 16, column mod 16), which names
 * the mma fragment lane or row half that computed them.
 */
final class GpuTestSupport {
    /** The property that pins every GPU test's base seed (printed by each case). */
    static final String SEED_PROPERTY = "panattn.test.seed";

    private GpuTestSupport() {
    }

    /**
     * The seed of case {@code id}: {@code -Dpanattn.test.seed} when set, else {@code fallback};
     * mixed with the id so cases differ, and printed with how to rerun it.
     */
    static long seed(String id, long fallback) {
        String pinned = System.getProperty(SEED_PROPERTY);
        long base = pinned == null || pinned.isBlank() ? fallback : Long.parseLong(pinned.trim());
        long seed = base * 0x9E3779B97F4A7C15L + id.hashCode();
        System.out.println("seed " + id + ": base " + base + " (rerun with -D" + SEED_PROPERTY + "=" + base + ")");
        return seed;
    }

    /** {@link #seed(String, long)} with a fresh base each run (System.nanoTime). */
    static long seed(String id) {
        return seed(id, System.nanoTime());
    }

    /**
     * Counts of bad elements of a row-major {@code [..., rows, cols]} result by (row mod 16,
     * col mod 16), as a table; {@code bad[i]} says whether element i is wrong.
     */
    static String histogram(boolean[] bad, int rows, int cols) {
        int[][] h = new int[16][16];
        int total = 0;
        for (int i = 0; i < bad.length; i++) {
            if (bad[i]) {
                h[(i / cols) % rows % 16][i % cols % 16]++;
                total++;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append('\n').append(total).append(" bad of ").append(bad.length).append(" elements by (row % 16) x (col % 16):\n");
        sb.append("row\\col");
        for (int c = 0; c < 16; c++) {
            sb.append(String.format(Locale.ROOT, "%5d", c));
        }
        sb.append('\n');
        for (int r = 0; r < 16; r++) {
            sb.append(String.format(Locale.ROOT, "%7d", r));
            for (int c = 0; c < 16; c++) {
                sb.append(String.format(Locale.ROOT, "%5d", h[r][c]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
