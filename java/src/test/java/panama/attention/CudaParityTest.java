package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.bindings.panattn_cuda_h;
import panama.attention.internal.CudaKernel;
import panama.attention.internal.Elements;
import panama.attention.internal.Problem;
import panama.attention.internal.Validation;

/**
 * The CUDA backend against JAVA_REFERENCE (float64) on the GPU: every dtype, head dim and option
 * (causal both alignments with Lq != Lk, key lengths with an empty cache, a broadcast mask with
 * -inf rows, GQA, LSE, decode shapes, the [b, s, h, d] view), every kernel (AUTO, FUSED, SIMT,
 * SPLIT_KV), outputs poisoned with NaN and K/V rows past each key length set to NaN.
 *
 * <p>Tolerance (docs/CONVENTIONS.md item 2): max|cuda − ref| ≤ 2·max|naive − ref| + 1e-5, where naive is the same
 * precision's plain computation done here (fp32 logits and softmax, P rounded to the dtype before
 * P·V, O rounded to the dtype). Fully masked rows must be exactly 0 with LSE −inf.
 * Skips with the backend's reason where no GPU is usable. Every case prints its seed
 * ({@code -Dpanattn.test.seed=N} pins it); a failure shows its bad elements by
 * (row mod 16, column mod 16) ({@link GpuTestSupport#histogram}).
 */
class CudaParityTest {

    record Case(String id, DType dtype, int b, int h, int hk, int lq, int lk, int d, CausalMode causal,
            boolean keyLengths, boolean mask, boolean bshd, int kernel, int splits) {
        @Override
        public String toString() {
            return id;
        }
    }

    static void assumeCuda() {
        BackendStatus s = CudaBackendOffTest.cudaStatus();
        assumeTrue(s.available(), () -> "CUDA is off here: " + s.detail());
    }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        int auto = 0, fused = 1, simt = 2, split = 3;
        for (DType dt : DType.values()) {
            for (int d : new int[] {32, 64, 80, 96, 128, 256}) {
                String t = dt + "-d" + d;
                list.add(Arguments.of(new Case(t + "-plain-gqa", dt, 2, 4, 2, 77, 93, d, CausalMode.NONE, false, false, false, auto, 0)));
                list.add(Arguments.of(new Case(t + "-topleft-lq>lk-keylens-mask", dt, 2, 2, 1, 70, 45, d, CausalMode.TOP_LEFT, true, true, false, fused, 0)));
                list.add(Arguments.of(new Case(t + "-bottomright-lq<lk-keylens", dt, 3, 4, 4, 65, 130, d, CausalMode.BOTTOM_RIGHT, true, false, false, fused, 0)));
                list.add(Arguments.of(new Case(t + "-bottomright-lq>lk-mask-bshd", dt, 1, 2, 2, 129, 17, d, CausalMode.BOTTOM_RIGHT, false, true, true, fused, 0)));
                list.add(Arguments.of(new Case(t + "-simt-gqa4", dt, 2, 4, 1, 33, 64, d, CausalMode.BOTTOM_RIGHT, true, true, false, simt, 0)));
                list.add(Arguments.of(new Case(t + "-splitkv-5", dt, 3, 4, 2, 5, 700, d, CausalMode.BOTTOM_RIGHT, true, true, false, split, 5)));
                list.add(Arguments.of(new Case(t + "-decode-auto", dt, 2, 8, 2, 1, 1500, d, CausalMode.NONE, true, false, false, auto, 0)));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesFloat64Reference(Case c) {
        assumeCuda();
        check(c, false);
    }

    @Test
    void hostTensorsTakeTheCopyingPath() {
        assumeCuda();
        check(new Case("host-f16-d64-causal", DType.F16, 2, 4, 2, 40, 50, 64, CausalMode.BOTTOM_RIGHT, true, true, false, 0, 0), true);
    }

    @Test
    void unsupportedHeadDimIsRefusedByName() {
        assumeCuda();
        try (DeviceArena gpu = DeviceArena.open()) {
            Tensor q = gpu.allocate(DType.F16, 1, 1, 8, 40);
            Tensor out = gpu.allocate(DType.F16, 1, 1, 8, 40);
            AttentionException e = assertThrows(AttentionException.class, () -> Attention.sdpa(q, q, q, out, AttentionOptions.defaults()));
            assertTrue(e.getMessage().contains("head dim 40"), e::getMessage);
        }
    }

    @Test
    void arenaRefusesCloseInFlightAndIsIdempotent() {
        assumeCuda();
        DeviceArena gpu = DeviceArena.open();
        Tensor t = gpu.allocate(DType.F32, 1, 1, 4, 32);
        try (DeviceArena.Pin pin = DeviceArena.pin(t)) {
            assertThrows(IllegalStateException.class, gpu::close);
        }
        gpu.close();
        gpu.close();
        try (Arena arena = Arena.ofConfined()) {
            Tensor h = Tensor.allocate(arena, DType.F32, 1, 1, 4, 32);
            assertThrows(IllegalStateException.class, () -> Attention.sdpa(t, t, t, t, AttentionOptions.defaults()));
            assertThrows(IllegalStateException.class, () -> gpu.allocate(DType.F32, 4));
            assertThrows(RuntimeException.class, () -> gpu.copy(h, t));
        }
    }

    static void check(Case c, boolean hostPath) {
        try (Arena arena = Arena.ofConfined(); DeviceArena gpu = DeviceArena.open()) {
            SplittableRandom rnd = new SplittableRandom(GpuTestSupport.seed(c.id()));
            float[] q = rounded(c.dtype(), random(rnd, (long) c.b() * c.h() * c.lq() * c.d(), 2f));
            float[] k = rounded(c.dtype(), random(rnd, (long) c.b() * c.hk() * c.lk() * c.d(), 2f));
            float[] v = rounded(c.dtype(), random(rnd, (long) c.b() * c.hk() * c.lk() * c.d(), 1f));
            int[] keyLengths = null;
            if (c.keyLengths()) {
                keyLengths = new int[c.b()];
                for (int i = 0; i < c.b(); i++) {
                    keyLengths[i] = rnd.nextInt(c.lk() + 1);
                }
                if (c.b() > 1) {
                    keyLengths[1] = 0; // an empty cache: every row of batch 1 is fully masked
                }
            }
            float[] mask = null;
            if (c.mask()) { // (1, h, lq, lk): broadcast over batch, a -inf row every 5th query, scattered -inf
                mask = new float[c.h() * c.lq() * c.lk()];
                for (int i = 0; i < mask.length; i++) {
                    int row = (i / c.lk()) % c.lq();
                    mask[i] = row % 5 == 3 || rnd.nextInt(7) == 0 ? Float.NEGATIVE_INFINITY : (float) rnd.nextDouble(-1, 1);
                }
            }
            long[] qs = {c.b(), c.h(), c.lq(), c.d()}, ks = {c.b(), c.hk(), c.lk(), c.d()};
            // the float64 oracle on the exact (rounded) inputs
            Tensor rq = Tensor.fromFloats(arena, DType.F32, q, qs), rk = Tensor.fromFloats(arena, DType.F32, k, ks);
            Tensor rv = Tensor.fromFloats(arena, DType.F32, v, ks);
            Tensor rm = mask == null ? null : Tensor.fromFloats(arena, DType.F32, mask, 1, c.h(), c.lq(), c.lk());
            Tensor rOut = Tensor.allocate(arena, DType.F32, qs);
            Tensor rLse = Tensor.allocate(arena, DType.F32, c.b(), c.h(), c.lq());
            AttentionOptions.Builder ob = AttentionOptions.builder().causal(c.causal()).keyLengths(keyLengths).mask(rm);
            Attention.sdpa(rq, rk, rv, rOut, ob.lse(rLse).backend(Backend.JAVA_REFERENCE).build());
            float[] want = rOut.toFloatArray();
            float[] wantLse = rLse.toFloatArray();
            float[] naive = naive(c, q, k, v, mask, keyLengths);

            // poison: K/V rows past each key length are NaN in what the GPU gets
            float[] kp = k.clone(), vp = v.clone();
            if (keyLengths != null) {
                for (int bb = 0; bb < c.b(); bb++) {
                    for (int hh = 0; hh < c.hk(); hh++) {
                        for (int j = keyLengths[bb]; j < c.lk(); j++) {
                            for (int dd = 0; dd < c.d(); dd++) {
                                int idx = ((bb * c.hk() + hh) * c.lk() + j) * c.d() + dd;
                                kp[idx] = Float.NaN;
                                vp[idx] = Float.NaN;
                            }
                        }
                    }
                }
            }
            Tensor hq = Tensor.fromFloats(arena, c.dtype(), q, qs), hk = Tensor.fromFloats(arena, c.dtype(), kp, ks);
            Tensor hv = Tensor.fromFloats(arena, c.dtype(), vp, ks);
            Tensor got;
            Tensor gotLse;
            if (hostPath) {
                Tensor out = Tensor.allocate(arena, c.dtype(), qs);
                out.segment().fill((byte) 0xff);
                Tensor lse = Tensor.allocate(arena, DType.F32, c.b(), c.h(), c.lq());
                lse.segment().fill((byte) 0xff);
                Backend ran = Attention.sdpa(hq, hk, hv, out, ob.lse(lse).backend(Backend.CUDA).build());
                assertEquals(Backend.CUDA, ran);
                got = out;
                gotLse = lse;
            } else {
                Tensor dq, dout;
                if (c.bshd()) { // [b, s, h, d] storage viewed as [b, h, s, d]
                    dq = gpu.allocate(c.dtype(), c.b(), c.lq(), c.h(), c.d());
                    dout = gpu.allocate(c.dtype(), c.b(), c.lq(), c.h(), c.d());
                    Tensor qView = dq.view(qs, new long[] {(long) c.lq() * c.h() * c.d(), c.d(), (long) c.h() * c.d(), 1});
                    Tensor hostQ = Tensor.allocate(arena, c.dtype(), c.b(), c.lq(), c.h(), c.d());
                    Tensor hostQView = hostQ.view(qs, qView.strides());
                    copyLogical(hq, hostQView);
                    gpu.copy(hostQ, dq);
                    dq = qView;
                    gpu.fill(dout, 0xff);
                    dout = dout.view(qs, qView.strides());
                } else {
                    dq = gpu.copyOf(hq);
                    dout = gpu.allocate(c.dtype(), qs);
                    gpu.fill(dout, 0xff);
                }
                Tensor dk = gpu.copyOf(hk), dv = gpu.copyOf(hv);
                Tensor dm = rm == null ? null : gpu.copyOf(rm);
                Tensor dl = gpu.allocate(DType.F32, c.b(), c.h(), c.lq());
                gpu.fill(dl, 0xff);
                AttentionOptions o = AttentionOptions.builder().causal(c.causal()).keyLengths(keyLengths).mask(dm).lse(dl)
                        .backend(Backend.CUDA).build();
                if (c.kernel() == panattn_cuda_h.PANATTN_CUDA_KERNEL_AUTO()) {
                    assertEquals(Backend.CUDA, Attention.sdpa(dq, dk, dv, dout, o.toBuilder().backend(Backend.AUTO).build()));
                } else {
                    Problem p = Validation.check(dq, dk, dv, dout, o);
                    CudaKernel.run(p, c.kernel(), c.splits());
                }
                Tensor hostOut = Tensor.allocate(arena, c.dtype(), qs);
                if (c.bshd()) {
                    Tensor raw = gpu.toHost(dout.view(new long[] {c.b(), c.lq(), c.h(), c.d()}, new long[] {(long) c.lq() * c.h() * c.d(),
                            (long) c.h() * c.d(), c.d(), 1}), arena);
                    copyLogical(raw.view(qs, dq.strides()), hostOut);
                } else {
                    gpu.copy(dout, hostOut);
                }
                got = hostOut;
                gotLse = gpu.toHost(dl, arena);
            }
            compare(c, got.toFloatArray(), gotLse.toFloatArray(), want, wantLse, naive);
        }
    }

    static void compare(Case c, float[] got, float[] gotLse, float[] want, float[] wantLse, float[] naive) {
        double nerr = 0;
        for (int i = 0; i < got.length; i++) {
            nerr = Math.max(nerr, Math.abs((double) naive[i] - want[i]));
        }
        final double tol = 2 * nerr + 1e-5;
        boolean[] bad = new boolean[got.length];
        double err = 0;
        int worst = -1, nan = 0, nbad = 0;
        for (int i = 0; i < got.length; i++) {
            if (Float.isNaN(got[i])) {
                nan++;
                bad[i] = true;
            } else {
                double e = Math.abs((double) got[i] - want[i]);
                bad[i] = e > tol;
                if (e > err) {
                    err = e;
                    worst = i;
                }
            }
        }
        StringBuilder lseErrors = new StringBuilder();
        int rows = gotLse.length;
        for (int r = 0; r < rows; r++) {
            if (wantLse[r] == Float.NEGATIVE_INFINITY) {
                if (gotLse[r] != Float.NEGATIVE_INFINITY && lseErrors.length() < 400) {
                    lseErrors.append(" lse of fully masked row ").append(r).append(" = ").append(gotLse[r]).append(';');
                }
                for (int d = 0; d < c.d(); d++) {
                    bad[r * c.d() + d] |= got[r * c.d() + d] != 0f; // fully masked rows: exactly 0
                }
            } else {
                double lt = (c.dtype() == DType.F32 ? 1e-5 : 2e-3) * Math.max(1, Math.abs(wantLse[r]));
                if (!(Math.abs(gotLse[r] - wantLse[r]) <= lt) && lseErrors.length() < 400) {
                    lseErrors.append(" lse[").append(r).append("] got ").append(gotLse[r]).append(" want ").append(wantLse[r]).append(';');
                }
            }
        }
        for (boolean b : bad) {
            nbad += b ? 1 : 0;
        }
        final double fe = err, fn = nerr;
        final int fw = worst, fnan = nan, fbad = nbad;
        assertTrue(fbad == 0 && lseErrors.isEmpty(), () -> c + ": " + fbad + " bad elements, max error " + fe + " (tol " + tol
                + " = 2 x naive " + fn + " + 1e-5), " + fnan + " NaN; worst at " + fw
                + (fw >= 0 ? " got " + got[fw] + " want " + want[fw] : "") + ";" + lseErrors
                + GpuTestSupport.histogram(bad, c.lq(), c.d()));
    }

    /** The same precision's plain computation: fp32 logits/softmax, P rounded to dtype, fp32 sums, O rounded. */
    static float[] naive(Case c, float[] q, float[] k, float[] v, float[] mask, int[] keyLengths) {
        float[] out = new float[q.length];
        float scale = (float) (1.0 / Math.sqrt(c.d()));
        int g = c.h() / c.hk();
        float[] logit = new float[c.lk()];
        for (int b = 0; b < c.b(); b++) {
            int kv = keyLengths == null ? c.lk() : keyLengths[b];
            for (int h = 0; h < c.h(); h++) {
                int kh = h / g;
                for (int i = 0; i < c.lq(); i++) {
                    int vend = switch (c.causal()) {
                        case NONE -> kv;
                        case TOP_LEFT -> Math.min(kv, i + 1);
                        case BOTTOM_RIGHT -> Math.min(kv, i + 1 + kv - c.lq());
                    };
                    float mx = Float.NEGATIVE_INFINITY;
                    int qo = ((b * c.h() + h) * c.lq() + i) * c.d();
                    for (int j = 0; j < c.lk(); j++) {
                        float s = 0;
                        int ko = ((b * c.hk() + kh) * c.lk() + j) * c.d();
                        for (int d = 0; d < c.d(); d++) {
                            s += q[qo + d] * k[ko + d];
                        }
                        s = s * scale + (mask == null ? 0f : mask[(h * c.lq() + i) * c.lk() + j]);
                        logit[j] = j < vend ? s : Float.NEGATIVE_INFINITY;
                        mx = Math.max(mx, logit[j]);
                    }
                    float sum = 0;
                    float[] acc = new float[c.d()];
                    for (int j = 0; j < c.lk(); j++) {
                        if (logit[j] == Float.NEGATIVE_INFINITY) {
                            continue;
                        }
                        float p = (float) Math.exp(logit[j] - mx);
                        sum += p;
                        float pr = Elements.round(c.dtype(), p);
                        int vo = ((b * c.hk() + kh) * c.lk() + j) * c.d();
                        for (int d = 0; d < c.d(); d++) {
                            acc[d] += pr * v[vo + d];
                        }
                    }
                    for (int d = 0; d < c.d(); d++) {
                        out[qo + d] = sum > 0 ? Elements.round(c.dtype(), acc[d] / sum) : 0f;
                    }
                }
            }
        }
        return out;
    }

    static float[] random(SplittableRandom rnd, long n, float scale) {
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-scale, scale);
        }
        return a;
    }

    static float[] rounded(DType dt, float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = Elements.round(dt, a[i]);
        }
        return a;
    }

    /** Element-wise copy between host views of the same logical shape (rank 4). */
    static void copyLogical(Tensor from, Tensor to) {
        long[] s = from.shape();
        for (long a = 0; a < s[0]; a++) {
            for (long b = 0; b < s[1]; b++) {
                for (long c = 0; c < s[2]; c++) {
                    for (long d = 0; d < s[3]; d++) {
                        to.set(from.get(a, b, c, d), a, b, c, d);
                    }
                }
            }
        }
    }
}
