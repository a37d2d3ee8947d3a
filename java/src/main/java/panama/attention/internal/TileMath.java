package panama.attention.internal;

/**
 * The arithmetic of one JAVA_VECTOR tile step, on packed per-worker scratch. Two versions run the
 * same algorithm: {@code VectorTileMath} (jdk.incubator.vector) and {@link ScalarTileMath} (plain
 * Java, the fallback when the module is not in the boot layer). {@link JavaVectorKernel} does the
 * rest (tile numbering, packing, masks, output), so both differ only here.
 *
 * <p>Scratch layouts ({@link #ROWS} = the tile's query rows; every "transposed" array has the
 * query row as its fastest index, so a whole softmax or rescale is lane-wise across rows):
 * <ul>
 *   <li>{@code qt[c·ROWS + r]}: the tile's Q transposed, pre-multiplied by scale·log2(e);</li>
 *   <li>{@code kb[j·d + c]}, {@code vb[j·d + c]}: the key block's K and V rows, as float;</li>
 *   <li>{@code st[j·ROWS + r]}: logits (log2 units), then probabilities, of key j for row r;
 *       it has room for one row more than the block has keys, which {@link #softmax} may use;</li>
 *   <li>{@code ot[c·ROWS + r]}: the unnormalised output, transposed;</li>
 *   <li>{@code m[r]}, {@code l[r]}, {@code alpha[r]}: running max (log2 units), running sum, and
 *       this block's rescale factor of each row.</li>
 * </ul>
 * {@code rows} is how many rows (from 0) are computed: the tile's rows rounded up to the vector
 * length; rows past the tile's end hold zeros in {@code qt} and are never written out.
 */
interface TileMath {
    /**
     * Query rows per JAVA_VECTOR tile. Independent of NATIVE_CPU's PANATTN_TILE_Q (128): this
     * kernel keeps its scores for all rows of a key block in one array, and 64 rows keep that in L1.
     */
    int ROWS = 64;

    /** {@code st[j][r] = Σ_c qt[c][r]·kb[j][c]} for j < nk, r < rows. */
    void scores(float[] qt, int d, float[] kb, int nk, float[] st, int rows);

    /**
     * Online softmax of one key block: per row, the new max over {@code m} and {@code st[0..nk)}
     * (0 stands in for a max of −∞, so masked rows stay 0 rather than NaN), {@code alpha =
     * 2^(m_old − m_new)}, {@code st ← 2^(st − m_new)} (−∞ gives exactly 0), {@code l ← l·alpha +
     * Σ st}, {@code m ← m_new}.
     */
    void softmax(float[] st, int nk, float[] m, float[] l, float[] alpha, int rows);

    /** {@code ot[c][r] = ot[c][r]·alpha[r] + Σ_j st[j][r]·vb[j][c]} for c < d, r < rows. */
    void accumulate(float[] st, int nk, float[] vb, int d, float[] ot, float[] alpha, int rows);

    /** Rows are computed in multiples of this (the vector length; 1 for scalar code). */
    int rowMultiple();

    /** What runs, for {@code Attention.backends()}. */
    String describe();
}
