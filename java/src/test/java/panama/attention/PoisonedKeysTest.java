package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's promise that keys a row does not see are never consulted, tested where it is hard
 * to keep: INSIDE the tiles a row loads, not only past the key length. K and V of some keys are
 * NaN (key j % 6 == 5: K and V) or +inf (j % 6 == 2: V only); each is causally hidden from the
 * earlier rows and/or -inf-masked for every row but those with i % 8 == 1 (NaN keys) or i % 8 in
 * {1, 2} (inf keys), while neighbouring rows of the same tile do see it. Keys past a key length
 * are NaN too.
 *
 * <p>Expected, on every backend (CUDA skips with its reason where no GPU is usable): a row that
 * sees no poisoned key equals the float64 reference on CLEAN inputs (the same shape with finite
 * values there) within 2 x the same-precision naive error + 1e-5, LSE included; a row that sees a
 * NaN key is NaN in every element and its LSE; a row that sees only +inf V keys is non-finite in
 * every element and keeps the clean LSE. Which row sees which key is computed here, from the causal
 * alignment, the key lengths and the mask, independently of any backend.
 */
class PoisonedKeysTest {
    private static final int B = 2, H = 2, KVH = 1, D = 80; // d 80: not a power of two, a CUDA head dim

    enum Scenario {
        CAUSAL_ONLY(CausalMode.TOP_LEFT, 77, 77, false, false),
        MASK_ONLY(CausalMode.NONE, 45, 77, true, false),
        CAUSAL_MASK_KEYLENS(CausalMode.BOTTOM_RIGHT, 19, 130, true, true),
        DECODE_SPLIT_KV(CausalMode.BOTTOM_RIGHT, 3, 600, true, true); // CUDA AUTO picks split-KV here

        final CausalMode causal;
        final int lq, lk;
        final boolean mask, keyLengths;

        Scenario(CausalMode causal, int lq, int lk, boolean mask, boolean keyLengths) {
            this.causal = causal;
            this.lq = lq;
            this.lk = lk;
            this.mask = mask;
            this.keyLengths = keyLengths;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Backend b : new Backend[] {Backend.NATIVE_CPU, Backend.JAVA_VECTOR, Backend.BLAS, Backend.JAVA_REFERENCE, Backend.CUDA}) {
            for (DType dt : DType.values()) {
                if (b == Backend.BLAS && dt != DType.F32) {
                    continue; // BLAS is F32 only
                }
                for (Scenario s : Scenario.values()) {
                    list.add(Arguments.of(b, dt, s));
                }
            }
        }
        return list.stream();
    }

    static boolean nanKey(int j) {
        return j % 6 == 5;
    }

    static boolean infValueKey(int j) {
        return j % 6 == 2;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void poisonedKeysReachOnlyTheRowsThatSeeThem(Backend backend, DType dt, Scenario s) {
        TestBackends.assumeAvailable(backend);
        String id = backend + "-" + dt + "-" + s;
        SplittableRandom rnd = new SplittableRandom(GpuTestSupport.seed(id, 7));
        int lq = s.lq, lk = s.lk;
        long[] qs = {B, H, lq, D}, ks = {B, KVH, lk, D};
        float[] q = CudaParityTest.rounded(dt, CudaParityTest.random(rnd, (long) B * H * lq * D, 2f));
        float[] k = CudaParityTest.rounded(dt, CudaParityTest.random(rnd, (long) B * KVH * lk * D, 2f));
        float[] v = CudaParityTest.rounded(dt, CudaParityTest.random(rnd, (long) B * KVH * lk * D, 1f));
        int[] keyLengths = s.keyLengths ? new int[] {lk, lk * 2 / 3 + 1} : null;
        float[] mask = null;
        if (s.mask) { // (1, h, lq, lk): NaN keys hidden from all rows but i % 8 == 1, inf ones but i % 8 in {1, 2}
            mask = new float[H * lq * lk];
            for (int i = 0; i < mask.length; i++) {
                int row = (i / lk) % lq, j = i % lk;
                boolean hidden = nanKey(j) && row % 8 != 1 || infValueKey(j) && row % 8 != 1 && row % 8 != 2;
                mask[i] = hidden ? Float.NEGATIVE_INFINITY : (float) rnd.nextDouble(-1, 1);
            }
        }
        float[] kp = k.clone(), vp = v.clone();
        for (int b = 0; b < B; b++) {
            int kv = keyLengths == null ? lk : keyLengths[b];
            for (int j = 0; j < lk; j++) {
                for (int d = 0; d < D; d++) {
                    int idx = ((b * KVH) * lk + j) * D + d;
                    if (nanKey(j) || j >= kv) {
                        kp[idx] = Float.NaN;
                        vp[idx] = Float.NaN;
                    } else if (infValueKey(j)) {
                        vp[idx] = Float.POSITIVE_INFINITY;
                    }
                }
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor m = mask == null ? null : Tensor.fromFloats(arena, DType.F32, mask, 1, H, lq, lk);
            AttentionOptions.Builder ob = AttentionOptions.builder().causal(s.causal).keyLengths(keyLengths).mask(m);
            // the float64 oracle on the clean inputs: what every row that sees no poison must give
            Tensor rOut = Tensor.allocate(arena, DType.F32, qs);
            Tensor rLse = Tensor.allocate(arena, DType.F32, B, H, lq);
            Attention.sdpa(Tensor.fromFloats(arena, DType.F32, q, qs), Tensor.fromFloats(arena, DType.F32, k, ks),
                    Tensor.fromFloats(arena, DType.F32, v, ks), rOut, ob.lse(rLse).backend(Backend.JAVA_REFERENCE).build());
            CudaParityTest.Case c = new CudaParityTest.Case(id, dt, B, H, KVH, lq, lk, D, s.causal, s.keyLengths, s.mask,
                    false, 0, 0);
            float[] naive = CudaParityTest.naive(c, q, k, v, mask, keyLengths);

            Tensor hq = Tensor.fromFloats(arena, dt, q, qs), hk = Tensor.fromFloats(arena, dt, kp, ks);
            Tensor hv = Tensor.fromFloats(arena, dt, vp, ks);
            float[][] got = backend == Backend.CUDA ? runOnDevice(arena, hq, hk, hv, m, ob, qs) : runOnHost(arena, backend, hq, hk, hv, ob, qs);
            check(id, dt, s, keyLengths, mask, got[0], got[1], rOut.toFloatArray(), rLse.toFloatArray(), naive);
        }
    }

    private static float[][] runOnHost(Arena arena, Backend backend, Tensor q, Tensor k, Tensor v, AttentionOptions.Builder ob,
                                       long[] qs) {
        Tensor out = Tensor.allocate(arena, q.dtype(), qs);
        out.segment().fill((byte) 0x55);
        Tensor lse = Tensor.allocate(arena, DType.F32, B, H, qs[2]);
        assertEquals(backend, Attention.sdpa(q, k, v, out, ob.lse(lse).backend(backend).build()));
        return new float[][] {out.toFloatArray(), lse.toFloatArray()};
    }

    private static float[][] runOnDevice(Arena arena, Tensor q, Tensor k, Tensor v, Tensor mask, AttentionOptions.Builder ob,
                                         long[] qs) {
        try (DeviceArena gpu = DeviceArena.open()) {
            Tensor dq = gpu.copyOf(q), dk = gpu.copyOf(k), dv = gpu.copyOf(v);
            Tensor dout = gpu.allocate(q.dtype(), qs);
            gpu.fill(dout, 0xff);
            Tensor dl = gpu.allocate(DType.F32, B, H, qs[2]);
            gpu.fill(dl, 0xff);
            Tensor dm = mask == null ? null : gpu.copyOf(mask);
            assertEquals(Backend.CUDA, Attention.sdpa(dq, dk, dv, dout, ob.mask(dm).lse(dl).backend(Backend.AUTO).build()));
            return new float[][] {gpu.toHost(dout, arena).toFloatArray(), gpu.toHost(dl, arena).toFloatArray()};
        }
    }

    private static void check(String id, DType dt, Scenario s, int[] keyLengths, float[] mask, float[] got, float[] gotLse, float[] want,
                              float[] wantLse, float[] naive) {
        double nerr = 0;
        for (int i = 0; i < want.length; i++) {
            nerr = Math.max(nerr, Math.abs((double) naive[i] - want[i]));
        }
        double tol = 2 * nerr + 1e-5;
        double lseTol = dt == DType.F32 ? 1e-5 : 2e-3; // relative, as CudaParityTest
        boolean[] bad = new boolean[got.length];
        StringBuilder first = new StringBuilder();
        int cleanRows = 0, nanRows = 0, infRows = 0;
        for (int b = 0; b < B; b++) {
            int kv = keyLengths == null ? s.lk : keyLengths[b];
            for (int h = 0; h < H; h++) {
                for (int i = 0; i < s.lq; i++) {
                    int vend = switch (s.causal) {
                        case NONE -> kv;
                        case TOP_LEFT -> Math.min(kv, i + 1);
                        case BOTTOM_RIGHT -> Math.min(kv, i + 1 + kv - s.lq);
                    };
                    boolean seesNan = false, seesInf = false;
                    for (int j = 0; j < vend; j++) {
                        boolean seen = mask == null || mask[(h * s.lq + i) * s.lk + j] != Float.NEGATIVE_INFINITY;
                        seesNan |= seen && nanKey(j);
                        seesInf |= seen && infValueKey(j);
                    }
                    int row = (b * H + h) * s.lq + i;
                    boolean lseOk;
                    if (seesNan) {
                        nanRows++;
                        lseOk = Float.isNaN(gotLse[row]);
                    } else {
                        lseOk = wantLse[row] == Float.NEGATIVE_INFINITY ? gotLse[row] == Float.NEGATIVE_INFINITY
                                : Math.abs(gotLse[row] - wantLse[row]) <= lseTol * Math.max(1, Math.abs(wantLse[row]));
                        if (seesInf) {
                            infRows++;
                        } else {
                            cleanRows++;
                        }
                    }
                    for (int d = 0; d < D; d++) {
                        int e = row * D + d;
                        float g = got[e];
                        bad[e] = seesNan ? !Float.isNaN(g) : seesInf ? Float.isFinite(g) : !(Math.abs((double) g - want[e]) <= tol);
                        if ((bad[e] || !lseOk) && first.length() < 600) {
                            first.append(String.format(" [b%d h%d row %d col %d: got %s want %s, lse got %s want %s]", b, h, i, d, g,
                                    seesNan ? "NaN" : seesInf ? "inf" : Float.toString(want[e]), gotLse[row],
                                    seesNan ? "NaN" : Float.toString(wantLse[row])));
                        }
                        bad[e] |= !lseOk;
                    }
                }
            }
        }
        // the scenario must exercise all three kinds of row, or it proves nothing
        assertTrue(cleanRows > 0 && nanRows > 0 && infRows > 0,
                id + ": rows clean " + cleanRows + ", seeing NaN " + nanRows + ", seeing inf only " + infRows);
        int nbad = 0;
        for (boolean x : bad) {
            nbad += x ? 1 : 0;
        }
        String summary = id + ": " + nbad + " bad elements (tol " + tol + " = 2 x naive " + nerr + " + 1e-5; rows clean "
                + cleanRows + ", seeing NaN " + nanRows + ", seeing inf V only " + infRows + "); first:" + first;
        assertTrue(nbad == 0, () -> summary + GpuTestSupport.histogram(bad, s.lq, D));
    }
}
