package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The unfused GPU path (cuBLAS gemms + our masked softmax) against float64, with the same
 * 2 × naive tolerance as CudaParityTest, and its probabilities against softmax in float64.
 * Skips with the reason where CUDA or cuBLAS is missing.
 */
class CublasUnfusedTest {

    @ParameterizedTest
    @EnumSource(DType.class)
    void unfusedMatchesReferenceAndReturnsProbabilities(DType dt) {
        String off = CudaAttention.unfusedUnavailable();
        assumeTrue(off == null, () -> "unfused CUDA path is off here: " + off);
        CudaParityTest.Case c = new CudaParityTest.Case("unfused-" + dt, dt, 2, 4, 2, 37, 53, 64, CausalMode.BOTTOM_RIGHT,
                true, true, false, 0, 0);
        try (Arena arena = Arena.ofConfined(); DeviceArena gpu = DeviceArena.open()) {
            SplittableRandom rnd = new SplittableRandom(GpuTestSupport.seed("cublas-unfused-" + dt));
            long[] qs = {c.b(), c.h(), c.lq(), c.d()}, ks = {c.b(), c.hk(), c.lk(), c.d()};
            float[] q = CudaParityTest.rounded(dt, CudaParityTest.random(rnd, (long) c.b() * c.h() * c.lq() * c.d(), 2f));
            float[] k = CudaParityTest.rounded(dt, CudaParityTest.random(rnd, (long) c.b() * c.hk() * c.lk() * c.d(), 2f));
            float[] v = CudaParityTest.rounded(dt, CudaParityTest.random(rnd, (long) c.b() * c.hk() * c.lk() * c.d(), 1f));
            int[] keyLengths = {c.lk() - 7, 0};
            float[] mask = new float[c.h() * c.lq() * c.lk()];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = (i / c.lk()) % c.lq() % 5 == 3 ? Float.NEGATIVE_INFINITY : (float) rnd.nextDouble(-1, 1);
            }
            Tensor rq = Tensor.fromFloats(arena, DType.F32, q, qs), rk = Tensor.fromFloats(arena, DType.F32, k, ks);
            Tensor rv = Tensor.fromFloats(arena, DType.F32, v, ks);
            Tensor rm = Tensor.fromFloats(arena, DType.F32, mask, 1, c.h(), c.lq(), c.lk());
            Tensor rOut = Tensor.allocate(arena, DType.F32, qs);
            Tensor rLse = Tensor.allocate(arena, DType.F32, c.b(), c.h(), c.lq());
            AttentionOptions.Builder ob = AttentionOptions.builder().causal(c.causal()).keyLengths(keyLengths);
            Attention.sdpa(rq, rk, rv, rOut, ob.mask(rm).lse(rLse).backend(Backend.JAVA_REFERENCE).build());

            Tensor dq = gpu.copyOf(Tensor.fromFloats(arena, dt, q, qs));
            Tensor dk = gpu.copyOf(Tensor.fromFloats(arena, dt, k, ks));
            Tensor dv = gpu.copyOf(Tensor.fromFloats(arena, dt, v, ks));
            Tensor dm = gpu.copyOf(rm);
            Tensor dout = gpu.allocate(dt, qs);
            gpu.fill(dout, 0xff);
            Tensor dl = gpu.allocate(DType.F32, c.b(), c.h(), c.lq());
            gpu.fill(dl, 0xff);
            Tensor probs = gpu.allocate(DType.F32, c.b(), c.h(), c.lq(), c.lk());
            CudaAttention.unfused(dq, dk, dv, dout, ob.mask(dm).lse(dl).backend(Backend.AUTO).build(), probs);

            float[] naive = CudaParityTest.naive(c, q, k, v, mask, keyLengths);
            CudaParityTest.compare(c, gpu.toHost(dout, arena).toFloatArray(), gpu.toHost(dl, arena).toFloatArray(),
                    rOut.toFloatArray(), rLse.toFloatArray(), naive);
            // probabilities: exp(logit - lse) in float64 from the reference LSE
            float[] p = gpu.toHost(probs, arena).toFloatArray();
            float[] lse = rLse.toFloatArray();
            double scale = (float) (1.0 / Math.sqrt(c.d()));
            for (int b = 0; b < c.b(); b++) {
                for (int h = 0; h < c.h(); h++) {
                    int kh = h / (c.h() / c.hk());
                    for (int i = 0; i < c.lq(); i++) {
                        int row = (b * c.h() + h) * c.lq() + i;
                        int vend = Math.min(keyLengths[b], i + 1 + keyLengths[b] - c.lq());
                        for (int j = 0; j < c.lk(); j++) {
                            double want = 0;
                            if (lse[row] != Float.NEGATIVE_INFINITY && j < vend) {
                                double s = 0;
                                for (int d = 0; d < c.d(); d++) {
                                    s += (double) q[row * c.d() + d] * k[((b * c.hk() + kh) * c.lk() + j) * c.d() + d];
                                }
                                want = Math.exp(s * scale + mask[(h * c.lq() + i) * c.lk() + j] - lse[row]);
                            }
                            float g = p[row * c.lk() + j];
                            final int fi = i, fj = j;
                            final double fw = want;
                            if (want == 0) {
                                assertEquals(0f, g, () -> dt + ": probs[" + row + "][" + fj + "] of a masked key");
                            } else {
                                assertTrue(Math.abs(g - want) <= 2e-3 * Math.max(want, 1e-3) + 1e-6,
                                        () -> dt + ": probs row " + fi + " key " + fj + " got " + g + " want " + fw);
                            }
                        }
                    }
                }
            }
        }
    }
}
