package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import panama.attention.AttentionException;
import panama.attention.bindings.panattn_h;

/**
 * {@code x = LayerNorm(x + residual)·gamma + beta} over rows of contiguous fp32 rows, in place, on
 * libpanattn ({@code panattn_add_layernorm}): the step after an encoder's output and feed-forward
 * projections ({@link PackedLinear}), one native pass per block of rows while they are in cache.
 * Mean and variance are accumulated in double, the rest in fp32.
 *
 * <p>Immutable after construction; any number of threads may call {@link #apply} at once on
 * disjoint rows. The arena, which holds gamma and beta, must outlive it.
 */
public final class AddLayerNorm {
    private final int width;
    private final MemorySegment gamma;
    private final MemorySegment beta;
    private final float eps;

    /**
     * Copies {@code gamma} and {@code beta} (one value per column) into {@code arena}.
     *
     * @throws AttentionException when libpanattn is not available (see {@link #error()})
     */
    public AddLayerNorm(float[] gamma, float[] beta, float eps, Arena arena) {
        Natives.requireCpu();
        if (gamma.length < 1 || gamma.length != beta.length) {
            throw new IllegalArgumentException("gamma and beta must have the same positive length, got "
                    + gamma.length + " and " + beta.length);
        }
        if (!(eps > 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be positive and finite, got " + eps);
        }
        this.width = gamma.length;
        this.gamma = arena.allocateFrom(ValueLayout.JAVA_FLOAT, gamma);
        this.beta = arena.allocateFrom(ValueLayout.JAVA_FLOAT, beta);
        this.eps = eps;
    }

    /** Null when libpanattn is loaded (and this class works), else why not. */
    public static String error() {
        return Natives.cpuError();
    }

    /** Floats per row. */
    public int width() {
        return width;
    }

    /**
     * {@code x[r] = LN(x[r] + residual[r])} (or {@code LN(x[r])} when residual is null) for rows
     * {@code [r0, r0 + m)}; both hold {@link #width()} floats a row, contiguous from row 0, are
     * native segments and do not overlap.
     */
    public void apply(MemorySegment x, MemorySegment residual, long r0, long m) {
        if (r0 < 0 || m < 0) {
            throw new IllegalArgumentException("rows [" + r0 + ", " + r0 + " + " + m + ") are negative");
        }
        if (m == 0) {
            return;
        }
        long end = r0 + m;
        // The native side cannot see segment bounds: check that both cover the rows asked for.
        long need = end * width * Float.BYTES;
        if (x.byteSize() < need) {
            throw new IllegalArgumentException("x holds " + x.byteSize() + " bytes, rows up to " + end + " of " + width
                    + " floats need " + need);
        }
        if (residual != null && residual.byteSize() < need) {
            throw new IllegalArgumentException("residual holds " + residual.byteSize() + " bytes, rows up to " + end
                    + " of " + width + " floats need " + need);
        }
        int status = panattn_h.panattn_add_layernorm(x, width, residual == null ? MemorySegment.NULL : residual, width,
                width, gamma, beta, eps, r0, end);
        if (status != panattn_h.PANATTN_OK()) {
            String msg = panattn_h.panattn_last_error().getString(0);
            throw new AttentionException(status, "panattn_add_layernorm failed (" + NativeStatus.name(status) + "): " + msg);
        }
    }
}
