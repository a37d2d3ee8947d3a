package panama.attention.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GemmPlan}'s row-major → column-major mapping, checked without a GPU: a column-major
 * reference sgemm here reads the planned arguments exactly as {@code cublasSgemmStridedBatched}
 * documents them (including its argument checks, and beta = 0 never reading C), and the result
 * must be {@code x·W + b} computed in float64, for awkward sizes and row strides. Cells of y
 * between rows (padding) must stay untouched.
 */
class GemmPlanTest {

    /** How the rows of a [batch, seq, width] tensor lie in memory. */
    enum Shape {
        CONTIGUOUS, PADDED_ROWS, PADDED_BATCHES, BATCH_INTERLEAVED, BROADCAST_OVER_BATCH;

        /** {batchStride, rowStride, elements} for [batch, seq, width]. */
        long[] strides(long batch, long seq, long width) {
            return switch (this) {
                case CONTIGUOUS -> new long[] {seq * width, width, batch * seq * width};
                case PADDED_ROWS -> new long[] {seq * (width + 3), width + 3, batch * seq * (width + 3)};
                case PADDED_BATCHES -> new long[] {seq * width + 11, width, batch * (seq * width + 11)};
                // [seq, batch, width] storage viewed as [batch, seq, width]
                case BATCH_INTERLEAVED -> new long[] {width, batch * width, batch * seq * width};
                // one [seq, width] matrix shared by every batch entry (inputs only)
                case BROADCAST_OVER_BATCH -> new long[] {0, width + 1, seq * (width + 1)};
            };
        }
    }

    /** Rows per batch entry 1, 7, 13; widths 1, 5, 64, 96 for in and out; x and y layouts varied. */
    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        int[] seqs = {1, 7, 13};
        int[] widths = {1, 5, 64, 96};
        Shape[] shapes = Shape.values();
        int n = 0;
        for (int seq : seqs) {
            for (int in : widths) {
                for (int out : widths) {
                    Shape xs = shapes[n % shapes.length];
                    Shape ys = shapes[(n / shapes.length + n) % (shapes.length - 1)]; // outputs are never broadcast
                    int batch = n % 3 == 0 ? 1 : 3;
                    list.add(Arguments.of(batch, seq, in, out, xs, ys, n % 2 == 0));
                    n++;
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "batch={0} seq={1} in={2} out={3} x {4} y {5} bias={6}")
    @MethodSource("cases")
    void plansReproduceXTimesWPlusB(int batch, int seq, int in, int out, Shape xShape, Shape yShape, boolean withBias) {
        SplittableRandom r = new SplittableRandom(seq * 1000L + in * 10L + out);
        long[] xl = xShape.strides(batch, seq, in);
        long[] yl = yShape.strides(batch, seq, out);
        float[] x = new float[(int) xl[2]];
        Arrays.fill(x, Float.NaN); // padding must never be read
        for (long b = 0; b < batch; b++) {
            for (long s = 0; s < seq; s++) {
                for (int c = 0; c < in; c++) {
                    int i = (int) (b * xl[0] + s * xl[1] + c);
                    x[i] = b > 0 && xl[0] == 0 ? x[i] : (float) r.nextDouble(-1, 1);
                }
            }
        }
        float[] w = random(r, in * out);
        float[] bias = withBias ? random(r, out) : null;
        float[] y = new float[(int) yl[2]];
        Arrays.fill(y, Float.NaN); // uninitialised: beta = 0 must not read it
        float sentinel = 12345f;
        boolean[] written = new boolean[y.length];
        for (long b = 0; b < batch; b++) {
            for (long s = 0; s < seq; s++) {
                for (int c = 0; c < out; c++) {
                    written[(int) (b * yl[0] + s * yl[1] + c)] = true;
                }
            }
        }
        for (int i = 0; i < y.length; i++) {
            if (!written[i]) {
                y[i] = sentinel;
            }
        }
        GemmPlan.Layout xLayout = GemmPlan.Layout.of("x", batch, seq, in, xl[0], xl[1], 1, false);
        GemmPlan.Layout yLayout = GemmPlan.Layout.of("y", batch, seq, out, yl[0], yl[1], 1, true);
        List<GemmPlan> plans = GemmPlan.linear(xLayout, in, out, yLayout, withBias);
        assertEquals(withBias ? 2 : 1, plans.size());
        long onesLength = plans.stream().mapToLong(GemmPlan::onesNeeded).max().orElse(0);
        assertTrue(onesLength <= (long) batch * seq, "ones vector of at most batch·seq");
        float[] ones = new float[(int) Math.max(1, onesLength)];
        Arrays.fill(ones, 1f);
        for (GemmPlan p : plans) {
            referenceSgemm(p, operand(p.a(), x, w, bias, ones), operand(p.b(), x, w, bias, ones), y);
        }
        // expected: float64 x·W + b
        for (long b = 0; b < batch; b++) {
            for (long s = 0; s < seq; s++) {
                for (int j = 0; j < out; j++) {
                    double want = bias == null ? 0 : bias[j];
                    for (int c = 0; c < in; c++) {
                        want += (double) x[(int) (b * xl[0] + s * xl[1] + c)] * w[c * out + j];
                    }
                    float got = y[(int) (b * yl[0] + s * yl[1] + j)];
                    if (!(Math.abs(got - want) <= 1e-6 * (1 + Math.abs(want)) * Math.sqrt(in))) {
                        fail("y[" + b + ", " + s + ", " + j + "] = " + got + ", want " + want + " (plans " + plans + ")");
                    }
                }
            }
        }
        for (int i = 0; i < y.length; i++) {
            if (!written[i]) {
                assertEquals(sentinel, y[i], "padding y[" + i + "] was written");
            }
        }
    }

    @Test
    void contiguousRowsAreOneGemmAndBatchesWithGapsAreBatched() {
        List<GemmPlan> one = GemmPlan.linear(GemmPlan.Layout.of("x", 3, 5, 16, 80, 16, 1, false), 16, 8,
                GemmPlan.Layout.of("y", 3, 5, 8, 40, 8, 1, true), true);
        GemmPlan main = one.get(1);
        assertEquals(GemmPlan.Operand.WEIGHT, main.a());
        assertEquals(GemmPlan.Operand.INPUT, main.b());
        assertEquals(1, main.batchCount());
        // yᵀ (out × rows) = Wᵀ (out × in) · xᵀ (in × rows): m = out, n = rows, k = in, no transposes
        assertEquals(8, main.m());
        assertEquals(15, main.n());
        assertEquals(16, main.k());
        assertEquals(8, main.lda());
        assertEquals(16, main.ldb());
        assertEquals(8, main.ldc());
        assertEquals(1f, main.beta());
        assertEquals(0f, one.get(0).beta());
        List<GemmPlan> batched = GemmPlan.linear(GemmPlan.Layout.of("x", 3, 5, 16, 100, 16, 1, false), 16, 8,
                GemmPlan.Layout.of("y", 3, 5, 8, 40, 8, 1, true), false);
        assertEquals(1, batched.size());
        assertEquals(3, batched.get(0).batchCount());
        assertEquals(5, batched.get(0).n());
        assertEquals(100, batched.get(0).strideB());
        assertEquals(40, batched.get(0).strideC());
    }

    @Test
    void layoutsCuBlasCannotAddressAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmPlan.Layout.of("xq", 1, 4, 8, 64, 1, 4, false));
        assertTrue(e.getMessage().startsWith("xq: dimension 2 must be contiguous"), e::getMessage);
        e = assertThrows(IllegalArgumentException.class, () -> GemmPlan.Layout.of("xkv", 1, 4, 8, 64, 6, 1, false));
        assertTrue(e.getMessage().contains("xkv: row stride 6 is below the width 8"), e::getMessage);
        e = assertThrows(IllegalArgumentException.class, () -> GemmPlan.Layout.of("out", 2, 4, 8, 8, 8, 1, true));
        assertTrue(e.getMessage().contains("out: strides 8, 8, 1 make two elements share memory"), e::getMessage);
        // the same overlap is fine for an input (x broadcast over batch)
        GemmPlan.Layout.of("x", 2, 4, 8, 0, 8, 1, false);
        // interleaved batches are distinct
        GemmPlan.Layout.of("out", 2, 4, 8, 8, 16, 1, true);
    }

    private static float[] operand(GemmPlan.Operand op, float[] x, float[] w, float[] bias, float[] ones) {
        return switch (op) {
            case INPUT -> x;
            case WEIGHT -> w;
            case BIAS -> bias;
            case ONES -> ones;
        };
    }

    /**
     * cublasSgemmStridedBatched on the CPU, column-major, with cuBLAS's argument checks:
     * {@code C_p = alpha·op(A_p)·op(B_p) + beta·C_p}, element (i, j) of a matrix X at
     * {@code X[i + j·ldx]}; with beta = 0, C is not read.
     */
    static void referenceSgemm(GemmPlan p, float[] a, float[] b, float[] c) {
        int m = p.m(), n = p.n(), k = p.k();
        assertTrue(m >= 0 && n >= 0 && k >= 0 && p.batchCount() >= 0, "cuBLAS: negative size in " + p);
        assertTrue(p.lda() >= Math.max(1, p.transA() ? k : m), "cuBLAS would return INVALID_VALUE: lda in " + p);
        assertTrue(p.ldb() >= Math.max(1, p.transB() ? n : k), "cuBLAS would return INVALID_VALUE: ldb in " + p);
        assertTrue(p.ldc() >= Math.max(1, m), "cuBLAS would return INVALID_VALUE: ldc in " + p);
        for (int batch = 0; batch < p.batchCount(); batch++) {
            long a0 = batch * p.strideA(), b0 = batch * p.strideB(), c0 = batch * p.strideC();
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    float acc = 0;
                    for (int l = 0; l < k; l++) {
                        float av = a[(int) (a0 + (p.transA() ? l + (long) i * p.lda() : i + (long) l * p.lda()))];
                        float bv = b[(int) (b0 + (p.transB() ? j + (long) l * p.ldb() : l + (long) j * p.ldb()))];
                        acc += av * bv;
                    }
                    int ci = (int) (c0 + i + (long) j * p.ldc());
                    c[ci] = p.beta() == 0f ? p.alpha() * acc : p.alpha() * acc + p.beta() * c[ci];
                }
            }
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }
}
