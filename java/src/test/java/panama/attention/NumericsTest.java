package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rows that see no key, huge logits, and the exact values a tiny case must produce. */
class NumericsTest {
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"JAVA_REFERENCE", "NATIVE_CPU", "BLAS", "JAVA_VECTOR"})
    void rowsThatSeeNoKeyGiveZerosAndMinusInfinityLse(Backend b) {
        TestBackends.assumeAvailable(b);
        try (Arena a = Arena.ofConfined()) {
            // top-left causal with Lq > Lk... and key length 0 for batch 1: every row of batch 1 sees nothing;
            // bottom-right with Lq = 5, Lk = 2 hides everything from the first 3 rows (FlashAttention's README case).
            Tensor q = Tensor.allocate(a, DType.F32, 2, 1, 5, 4);
            Tensor k = Tensor.allocate(a, DType.F32, 2, 1, 2, 4);
            Tensor v = Tensor.allocate(a, DType.F32, 2, 1, 2, 4);
            for (long i = 0; i < 2; i++) {
                for (long c = 0; c < 4; c++) {
                    v.set(1 + i + c, 0, 0, i, c);
                    v.set(1 + i + c, 1, 0, i, c);
                }
            }
            Tensor out = Tensor.allocate(a, DType.F32, 2, 1, 5, 4);
            out.segment().fill((byte) 0xff); // NaN everywhere: a missed write shows
            Tensor lse = Tensor.allocate(a, DType.F32, 2, 1, 5);
            Attention.sdpa(q, k, v, out, AttentionOptions.builder().backend(b).causal(CausalMode.BOTTOM_RIGHT)
                    .keyLengths(2, 0).lse(lse).build());
            for (long i = 0; i < 5; i++) {
                boolean hidden = i < 3;
                for (long c = 0; c < 4; c++) {
                    float x = out.get(0, 0, i, c);
                    assertEquals(hidden ? 0f : (i == 3 ? 1 + c : 1.5f + c), x, 1e-6, "batch 0 row " + i);
                    assertEquals(0f, out.get(1, 0, i, c), "batch 1 (key length 0) row " + i);
                }
                assertEquals(hidden ? Float.NEGATIVE_INFINITY : (float) Math.log(i == 3 ? 1 : 2), lse.get(0, 0, i), 1e-6);
                assertEquals(Float.NEGATIVE_INFINITY, lse.get(1, 0, i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"JAVA_REFERENCE", "NATIVE_CPU", "BLAS", "JAVA_VECTOR"})
    void hugeLogitsDoNotOverflow(Backend b) {
        TestBackends.assumeAvailable(b);
        try (Arena a = Arena.ofConfined()) {
            int lk = 70; // more than one key block
            Tensor q = Tensor.allocate(a, DType.F32, 1, 1, 2, 1);
            Tensor k = Tensor.allocate(a, DType.F32, 1, 1, lk, 1);
            Tensor v = Tensor.allocate(a, DType.F32, 1, 1, lk, 1);
            q.set(100f, 0, 0, 0, 0);
            q.set(-100f, 0, 0, 1, 0);
            for (int j = 0; j < lk; j++) {
                k.set(j == 65 ? 100f : 99f - j, 0, 0, j, 0); // logits up to 1e4
                v.set(j, 0, 0, j, 0);
            }
            Tensor out = Tensor.allocate(a, DType.F32, 1, 1, 2, 1);
            Tensor lse = Tensor.allocate(a, DType.F32, 1, 1, 2);
            Attention.sdpa(q, k, v, out, AttentionOptions.builder().backend(b).softmaxScale(1f).lse(lse).build());
            assertEquals(65f, out.get(0, 0, 0, 0), 1e-4, "row 0 is one-hot on key 65");
            assertEquals(1e4f, lse.get(0, 0, 0), 1e-1);
            float x = out.get(0, 0, 1, 0);
            assertTrue(Float.isFinite(x), "row 1 finite, got " + x);
            assertEquals(69f, x, 1e-3, "row 1 is one-hot on the smallest key (j = 69)");
        }
    }
}
