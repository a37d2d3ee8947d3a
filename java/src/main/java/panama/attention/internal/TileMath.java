package panama.attention.internal;

/**
 * The arithmetic of one JAVA_VECTOR strip step, on packed per-worker scratch. Two versions run the
 * same algorithm: {@code VectorTileMath} (jdk.incubator.vector) and {@link ScalarTileMath} (plain
 * Java, the fallback when the module is not in the boot layer). {@link JavaVectorKernel} does the
 * rest (tile numbering, packing, masks, output), so both differ only here.
 *
 * <p>A tile has {@link #ROWS} query rows; each key block is packed once per tile and then serves
 * the tile's strips of {@link #stripRows()} rows in turn (scores, softmax, P·V per strip), as the
 * native kernel's strips do: one strip's scores stay in L1 while the block's K and V are shared.
 *
 * <p>Scratch layouts (every "transposed" array has the query row as its fastest index, so a whole
 * softmax or rescale is lane-wise across rows):
 * <ul>
 *   <li>{@code qt[r0·d + c·stripRows() + i]}: the tile's Q transposed strip by strip (strip
 *       rows r0 .. r0 + stripRows(), row r0 + i), pre-multiplied by scale·log2(e); a strip's
 *       Qᵀ is contiguous (with the tile's row stride, 512 bytes, a 64-row strip at d 128 mapped to
 *       half the L1 sets and the scores micro-kernel fell from 94% to 70% of the FMA peak);</li>
 *   <li>{@code kb[j·d + c]}: the key block's K rows as float, zero rows up to a multiple of
 *       {@link #KEY_STEP} keys (the scores micro-kernel takes that many keys at once);</li>
 *   <li>{@code vp[(c/4)·BLOCK_K·4 + j·4 + c%4]}: the block's V in panels of 4 head-dim columns,
 *       zero columns up to {@code dPad} (a multiple of 4), so the P·V micro-kernel walks one
 *       panel with a constant stride (which lets the JIT drop its bounds checks);</li>
 *   <li>{@code st[j·stripRows() + i]}: logits (log2 units), then probabilities, of key j for strip
 *       row i; it has room for one row more than the block has keys, which {@link #softmax} may use;</li>
 *   <li>{@code ot[c·ROWS + r]}: the unnormalised output, transposed, {@code c < dPad};</li>
 *   <li>{@code m[r]}, {@code l[r]}, {@code alpha[r]}: running max (log2 units), running sum, and
 *       this block's rescale factor of each tile row.</li>
 * </ul>
 * A strip is tile rows {@code r0 .. r0+rows}; {@code rows} is the strip's rows rounded up to
 * {@link #rowMultiple()}; rows past the tile's end hold zeros in {@code qt} and are never written out.
 */
interface TileMath {
    /**
     * Query rows per JAVA_VECTOR tile, as NATIVE_CPU's PANATTN_TILE_Q: each packed K/V block serves
     * 128 rows (at 64 the packing, which reads K and V from L3 for every tile, cost twice as much).
     */
    int ROWS = 128;

    /** Keys per block; the panels of {@code vp} are this long. */
    int BLOCK_K = 64;

    /** The scores micro-kernel's keys; {@code kb} is zero-padded to a multiple of this. */
    int KEY_STEP = 4;

    /** {@code st[j][i] = Σ_c Qᵀ[c][r0+i]·kb[j][c]} for j < nk rounded up to KEY_STEP, i < rows. */
    void scores(float[] qt, int r0, int d, float[] kb, int nk, float[] st, int rows);

    /**
     * Online softmax of one key block over strip rows: per row, the new max over {@code m} and
     * {@code st[0..nk)} (0 stands in for a max of −∞, so masked rows stay 0 rather than NaN),
     * {@code alpha = 2^(m_old − m_new)}, {@code st ← 2^(st − m_new)} (−∞ gives exactly 0),
     * {@code l ← l·alpha + Σ st}, {@code m ← m_new}. The max follows Math.max: a NaN logit makes
     * its row NaN.
     */
    void softmax(float[] st, int nk, float[] m, float[] l, float[] alpha, int r0, int rows);

    /** {@code ot[c][r0+i] = ot[c][r0+i]·alpha[r0+i] + Σ_j st[j][i]·vp[j][c]} for c < dPad, i < rows. */
    void accumulate(float[] st, int nk, float[] vp, int dPad, float[] ot, float[] alpha, int r0, int rows);

    /**
     * Copies the block's V rows {@code vb[j·d + c]} (j < nk) into the panels of {@code vp}, zeroing
     * the pad columns up to a multiple of 4; returns whether every value was finite (if not, the
     * kernel looks for the keys that hold NaN/inf).
     */
    boolean panels(float[] vb, int nk, int d, float[] vp);

    /** Rows are computed in multiples of this (the vector length; 1 for scalar code). */
    int rowMultiple();

    /** Rows per strip: a multiple of {@link #rowMultiple()} that divides {@link #ROWS}. */
    int stripRows();

    /** What runs, for {@code Attention.backends()}. */
    String describe();
}
