package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static panama.attention.MultiHeadAttentionTest.TOL;
import static panama.attention.MultiHeadAttentionTest.assertMessage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import panama.attention.testing.Compare;

/**
 * MultiHeadAttention on the GPU (cuBLAS projections, CUDA attention) against the float64 layer
 * {@link MhaReference}, with the tolerance of {@link MultiHeadAttentionTest} (fp32 throughout, so
 * a few ulps of the ‖·‖-relative error): device tensors in place and the host-tensor slow path
 * ({@link Backend#CUDA} with host tensors), self and cross attention, GQA and MQA, both causal
 * alignments, key lengths (one of them 0), masks, with and without biases, head dims
 * 32/64/80/128, sequence lengths 1, 7 and 33, padded input rows, probabilities and LSE.
 * Outputs are poisoned with NaN first. The GPU tests skip with the reason where CUDA or cuBLAS
 * is off; the tests at the end run everywhere and check what happens without a GPU.
 */
class MultiHeadAttentionCudaTest {

    record Case(String id, int batch, int lq, int lk, int hidden, int kvHidden, int heads, int kvHeads, int d,
            boolean cross, CausalMode causal, boolean keyLengths, boolean mask, boolean bias, boolean probs,
            boolean paddedInput) {
        @Override
        public String toString() {
            return id;
        }
    }

    static void assumeGpu() {
        CudaParityTest.assumeCuda();
        String off = CudaAttention.unfusedUnavailable();
        assumeTrue(off == null, () -> "cuBLAS is off here: " + off);
    }

    static Stream<Arguments> cases() {
        CausalMode none = CausalMode.NONE, br = CausalMode.BOTTOM_RIGHT, tl = CausalMode.TOP_LEFT;
        List<Case> cases = List.of(
                new Case("self-d32-seq1", 2, 1, 1, 64, 64, 2, 2, 32, false, none, false, false, true, false, false),
                new Case("self-d64-seq7-gqa-causal-keylens", 3, 7, 7, 96, 96, 4, 2, 64, false, br, true, false, true, true, false),
                new Case("self-d80-seq33-mqa-mask-nobias", 2, 33, 33, 72, 72, 3, 1, 80, false, none, false, true, false, true, true),
                new Case("self-d128-seq33-topleft-keylens", 2, 33, 33, 40, 40, 2, 2, 128, false, tl, true, false, true, false, false),
                new Case("cross-d64-lq7-lk33-gqa-mask-keylens", 2, 7, 33, 50, 37, 4, 2, 64, true, none, true, true, true, true, false),
                new Case("cross-d32-lq33-lk1", 3, 33, 1, 50, 37, 2, 1, 32, true, none, false, false, true, false, true),
                new Case("cross-d80-lq1-lk33-padded-nobias", 2, 1, 33, 50, 37, 2, 2, 80, true, br, true, false, false, true, true),
                new Case("cross-d128-lq33-lk7-causal", 2, 33, 7, 64, 48, 4, 4, 128, true, br, false, true, true, false, false));
        List<Arguments> list = new ArrayList<>();
        for (Case c : cases) {
            list.add(Arguments.of(c, false));
            list.add(Arguments.of(c, true));
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} hostSlowPath={1}")
    @MethodSource("cases")
    void matchesFloat64Layer(Case c, boolean hostPath) {
        assumeGpu();
        MhaReference ref = new MhaReference(c.hidden(), c.cross() ? c.kvHidden() : c.hidden(), c.heads(), c.kvHeads(), c.d(),
                c.id().hashCode(), c.bias());
        int kvHidden = ref.kvHidden;
        try (Arena arena = Arena.ofConfined(); DeviceArena gpu = DeviceArena.open(); MultiHeadAttention mha = ref.build(true)) {
            assertTrue(mha.projections(Device.cuda(0)).startsWith("cuBLAS sgemm on cuda:0"), mha.projections(Device.cuda(0)));
            SplittableRandom r = new SplittableRandom(GpuTestSupport.seed(c.id(), c.id().hashCode()));
            float[] xq = MhaReference.random(r, c.batch() * c.lq() * c.hidden(), 1);
            float[] xkv = c.cross() ? MhaReference.random(r, c.batch() * c.lk() * kvHidden, 1) : xq;
            AttentionOptions.Builder ob = AttentionOptions.builder().causal(c.causal());
            if (c.keyLengths()) {
                int[] kl = new int[c.batch()];
                for (int b = 0; b < kl.length; b++) {
                    kl[b] = b == 0 ? c.lk() : b == 1 ? (c.lk() + 1) / 2 : 0;
                }
                ob.keyLengths(kl);
            }
            Tensor mask = c.mask() ? MultiHeadAttentionTest.randomMask(arena, r, 1, c.heads(), c.lq(), c.lk()) : null;
            Tensor hostLse = Tensor.allocate(arena, DType.F32, c.batch(), c.heads(), c.lq());
            AttentionOptions hostOptions = ob.mask(mask).build();
            double[][][][] wantProbs = new double[c.batch()][c.heads()][c.lq()][];
            float[] want = ref.forward(xq, xkv, c.batch(), c.lq(), c.lk(), hostOptions, wantProbs);
            // the same layer on the CPU gives the LSE to compare with
            Tensor cpuOut = Tensor.allocate(arena, DType.F32, c.batch(), c.lq(), c.hidden());
            mha.forward(Tensor.fromFloats(arena, DType.F32, xq, c.batch(), c.lq(), c.hidden()),
                    Tensor.fromFloats(arena, DType.F32, xkv, c.batch(), c.lk(), kvHidden), cpuOut,
                    ob.mask(mask).lse(hostLse).backend(Backend.AUTO).build());

            float[] got, gotLse, gotProbs = null;
            if (hostPath) {
                Tensor tq = input(arena, xq, c.batch(), c.lq(), c.hidden(), c.paddedInput());
                Tensor tkv = c.cross() ? input(arena, xkv, c.batch(), c.lk(), kvHidden, false) : tq;
                Tensor out = Tensor.allocate(arena, DType.F32, c.batch(), c.lq(), c.hidden());
                out.segment().fill((byte) 0xff);
                Tensor lse = Tensor.allocate(arena, DType.F32, c.batch(), c.heads(), c.lq());
                Tensor probs = c.probs() ? Tensor.allocate(arena, DType.F32, c.batch(), c.heads(), c.lq(), c.lk()) : null;
                Backend used = mha.forward(tq, tkv, out, ob.mask(mask).lse(lse).backend(Backend.CUDA).build(), probs);
                assertEquals(Backend.CUDA, used);
                got = out.toFloatArray();
                gotLse = lse.toFloatArray();
                gotProbs = probs == null ? null : probs.toFloatArray();
            } else {
                Tensor dq = deviceInput(gpu, arena, xq, c.batch(), c.lq(), c.hidden(), c.paddedInput());
                Tensor dkv = c.cross() ? deviceInput(gpu, arena, xkv, c.batch(), c.lk(), kvHidden, false) : dq;
                Tensor dout = gpu.allocate(DType.F32, c.batch(), c.lq(), c.hidden());
                gpu.fill(dout, 0xff);
                Tensor dlse = gpu.allocate(DType.F32, c.batch(), c.heads(), c.lq());
                gpu.fill(dlse, 0xff);
                Tensor dprobs = null;
                if (c.probs()) {
                    dprobs = gpu.allocate(DType.F32, c.batch(), c.heads(), c.lq(), c.lk());
                    gpu.fill(dprobs, 0xff);
                }
                Tensor dmask = mask == null ? null : gpu.copyOf(mask);
                Backend used = mha.forward(dq, dkv, dout, ob.mask(dmask).lse(dlse).backend(Backend.AUTO).build(), dprobs);
                assertEquals(Backend.CUDA, used);
                got = gpu.toHost(dout, arena).toFloatArray();
                gotLse = gpu.toHost(dlse, arena).toFloatArray();
                gotProbs = dprobs == null ? null : gpu.toHost(dprobs, arena).toFloatArray();
            }
            double err = Compare.relativeError(got, want);
            float[] g = got;
            assertTrue(err <= TOL, () -> c + ": out relative error " + err + Compare.firstMismatches(g, want, TOL, 5)
                    + GpuTestSupport.histogram(badElements(g, want), c.lq(), c.hidden()));
            float[] cpuLse = hostLse.toFloatArray();
            for (int i = 0; i < cpuLse.length; i++) {
                final int at = i;
                float gl = gotLse[i], cl = cpuLse[i];
                assertTrue(gl == cl || Math.abs(gl - cl) <= 1e-4 * (1 + Math.abs(cl)),
                        () -> c + ": lse[" + at + "] = " + gl + " on the GPU, " + cl + " on the CPU");
            }
            if (gotProbs != null) {
                float[] wantP = MultiHeadAttentionTest.flatten(wantProbs);
                double perr = Compare.relativeError(gotProbs, wantP);
                float[] gp = gotProbs;
                assertTrue(perr <= TOL, () -> c + ": probs relative error " + perr + Compare.firstMismatches(gp, wantP, TOL, 5));
                MultiHeadAttentionTest.rowsSumToOneOrZero(gotProbs, c.lk());
            }
        }
    }

    @Test
    void inPlaceOnDeviceAndConcurrentCallsShareTheWeights() throws Exception {
        assumeGpu();
        int batch = 2, seq = 33, hidden = 64, heads = 4, kvHeads = 2, d = 32;
        MhaReference ref = new MhaReference(hidden, hidden, heads, kvHeads, d, 5, true);
        try (Arena arena = Arena.ofShared(); MultiHeadAttention mha = ref.build(true)) {
            float[] x = MhaReference.random(new SplittableRandom(9), batch * seq * hidden, 1);
            AttentionOptions o = AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT).build();
            float[] want = ref.forward(x, x, batch, seq, seq, o, null);
            Tensor hx = Tensor.fromFloats(arena, DType.F32, x, batch, seq, hidden);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    results.add(pool.submit(() -> {
                        try (DeviceArena gpu = DeviceArena.open(); Arena local = Arena.ofConfined()) {
                            Tensor dx = gpu.copyOf(hx);
                            mha.forward(dx, dx, o); // out = x: the output projection runs last
                            return gpu.toHost(dx, local).toFloatArray();
                        }
                    }));
                }
                for (Future<float[]> f : results) {
                    float[] got = f.get();
                    double err = Compare.relativeError(got, want);
                    assertTrue(err <= TOL, () -> "relative error " + err + Compare.firstMismatches(got, want, TOL, 5));
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void closeFreesTheDeviceWeightsAndRefusesLaterCalls() {
        assumeGpu();
        MultiHeadAttention mha = new MhaReference(64, 64, 2, 2, 32, 3, true).build(true);
        try (DeviceArena gpu = DeviceArena.open()) {
            Tensor x = gpu.allocate(DType.F32, 1, 5, 64);
            gpu.fill(x, 0);
            Tensor out = gpu.allocate(DType.F32, 1, 5, 64);
            assertEquals(Backend.CUDA, mha.forward(x, out, AttentionOptions.defaults()));
            mha.close();
            mha.close();
            assertMessage(assertThrows(IllegalStateException.class, () -> mha.forward(x, out, AttentionOptions.defaults())),
                    "MultiHeadAttention is closed");
        }
    }

    @Test
    void deviceArgumentsCudaCannotTakeAreRefusedByName() {
        assumeGpu();
        try (DeviceArena gpu = DeviceArena.open(); MultiHeadAttention d40 = new MhaReference(64, 64, 2, 2, 40, 3, true).build(true);
             MultiHeadAttention mha = new MhaReference(64, 64, 2, 2, 32, 3, true).build(true)) {
            Tensor x = gpu.allocate(DType.F32, 1, 5, 64);
            gpu.fill(x, 0);
            Tensor out = gpu.allocate(DType.F32, 1, 5, 64);
            assertMessage(assertThrows(AttentionException.class, () -> d40.forward(x, out, AttentionOptions.defaults())), "head dim 40");
            Tensor probs = gpu.allocate(DType.F32, 1, 2, 5, 6).narrow(3, 0, 5);
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> mha.forward(x, x, out, AttentionOptions.defaults(), probs)), "probsOut: on a device it must be contiguous");
            try (Arena arena = Arena.ofConfined()) {
                Tensor hostMask = Tensor.allocate(arena, DType.F32, 1, 2, 5, 5);
                assertThrows(AttentionException.class, () -> mha.forward(x, out, AttentionOptions.builder().mask(hostMask).build()));
            }
        }
    }

    // ---- everywhere, GPU or not ----

    @Test
    void withoutAGpuForcingCudaThrowsWithTheReason() {
        BackendStatus s = CudaBackendOffTest.cudaStatus();
        assumeFalse(s.available() && CudaAttention.unfusedUnavailable() == null, "CUDA and cuBLAS are on here; the GPU tests cover it");
        String reason = s.available() ? CudaAttention.unfusedUnavailable() : s.detail();
        try (Arena arena = Arena.ofConfined(); MultiHeadAttention mha = new MhaReference(64, 64, 2, 2, 32, 3, true).build(true)) {
            assertTrue(mha.projections(Device.cuda(0)).startsWith("unavailable on cuda:0: "), mha.projections(Device.cuda(0)));
            assertTrue(mha.projections(Device.cuda(0)).contains(reason), mha.projections(Device.cuda(0)));
            assertEquals(mha.projections(), mha.projections(Device.CPU));
            Tensor x = Tensor.allocate(arena, DType.F32, 1, 5, 64);
            AttentionException e = assertThrows(AttentionException.class,
                    () -> mha.forward(x, x, AttentionOptions.builder().backend(Backend.CUDA).build()));
            assertMessage(e, "MultiHeadAttention cannot run on CUDA");
            assertMessage(e, reason);
            // AUTO with host tensors stays on the CPU
            assertTrue(mha.forward(x, x, AttentionOptions.defaults()) != Backend.CUDA);
        }
    }

    /** Device tensors at fake addresses: every refusal comes before any native call, nothing is dereferenced. */
    @Test
    void deviceTensorsAreCheckedBeforeAnyNativeCall() {
        MemorySegment fake = MemorySegment.ofAddress(0x10000);
        Tensor dx = Tensor.onDevice(fake, 4L * 2 * 5 * 64, DType.F32, new long[] {2, 5, 64}, Device.cuda(0), null);
        Tensor dout = Tensor.onDevice(MemorySegment.ofAddress(0x90000), 4L * 2 * 5 * 64, DType.F32, new long[] {2, 5, 64},
                Device.cuda(0), null);
        try (Arena arena = Arena.ofConfined(); MultiHeadAttention mha = new MhaReference(64, 64, 2, 2, 32, 3, true).build(true)) {
            Tensor hostOut = Tensor.allocate(arena, DType.F32, 2, 5, 64);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> mha.forward(dx, hostOut, AttentionOptions.defaults())),
                    "out: lives on cpu but x on cuda:0");
            assertMessage(assertThrows(AttentionException.class,
                    () -> mha.forward(dx, dout, AttentionOptions.builder().backend(Backend.NATIVE_CPU).build())),
                    "only the CUDA backend runs on device memory");
            Tensor columns = dx.view(new long[] {2, 5, 64}, new long[] {320, 1, 5});
            assertMessage(assertThrows(IllegalArgumentException.class, () -> mha.forward(columns, dout, AttentionOptions.defaults())),
                    "x: dimension 2 must be contiguous");
            Tensor overlapping = dout.view(new long[] {2, 5, 64}, new long[] {64, 64, 1});
            assertMessage(assertThrows(IllegalArgumentException.class, () -> mha.forward(dx, overlapping, AttentionOptions.defaults())),
                    "out: strides 64, 64, 1 make two elements share memory");
            try (KvCache cache = KvCache.create(2, 2, 16, 32, KvCache.Layout.BHSD)) {
                assertMessage(assertThrows(IllegalArgumentException.class,
                        () -> mha.forward(dx, cache, dout, AttentionOptions.defaults())), "a KvCache holds host memory");
            }
            if (CudaAttention.unfusedUnavailable() != null) {
                assertMessage(assertThrows(AttentionException.class, () -> mha.forward(dx, dout, AttentionOptions.defaults())),
                        "MultiHeadAttention cannot run on cuda:0");
            }
        }
    }

    /** Elements off by more than TOL of the largest |want| (or NaN): where a failure sits. */
    static boolean[] badElements(float[] got, float[] want) {
        double scale = 1e-30;
        for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        boolean[] bad = new boolean[got.length];
        for (int i = 0; i < got.length; i++) {
            bad[i] = !(Math.abs((double) got[i] - want[i]) <= TOL * scale);
        }
        return bad;
    }

    /**
     * The calls that chain cuBLAS and our kernels on the calling thread's stream refuse a virtual
     * thread, before anything else (so this runs without a GPU): it may change carrier, and so
     * stream, between two of those calls.
     */
    @Test
    void virtualThreadsAreRefusedByTheMultiCallGpuPaths() throws Exception {
        MemorySegment fake = MemorySegment.ofAddress(0x10000);
        Tensor dx = Tensor.onDevice(fake, 4L * 2 * 5 * 64, DType.F32, new long[] {2, 5, 64}, Device.cuda(0), null);
        Tensor dout = Tensor.onDevice(MemorySegment.ofAddress(0x90000), 4L * 2 * 5 * 64, DType.F32, new long[] {2, 5, 64},
                Device.cuda(0), null);
        List<Throwable> thrown = new ArrayList<>();
        try (Arena arena = Arena.ofShared(); MultiHeadAttention mha = new MhaReference(64, 64, 2, 2, 32, 3, true).build(true)) {
            Tensor q = Tensor.allocate(arena, DType.F32, 1, 2, 8, 32);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 2, 8, 32);
            Tensor hx = Tensor.allocate(arena, DType.F32, 2, 5, 64);
            Thread t = Thread.ofVirtual().start(() -> {
                for (Runnable call : List.<Runnable>of(
                        () -> mha.forward(dx, dout, AttentionOptions.defaults()),
                        () -> mha.forward(hx, hx, AttentionOptions.builder().backend(Backend.CUDA).build()),
                        () -> CudaAttention.unfused(q, q, q, out, AttentionOptions.defaults(), null))) {
                    try {
                        call.run();
                        thrown.add(null);
                    } catch (Throwable e) {
                        thrown.add(e);
                    }
                }
            });
            t.join();
        }
        assertEquals(3, thrown.size());
        for (Throwable e : thrown) {
            assertTrue(e instanceof IllegalStateException, () -> "expected IllegalStateException, got " + e);
            assertMessage((IllegalStateException) e, "cannot run on a virtual thread");
        }
    }

    /** Host rows, contiguous or with a padded row stride. */
    static Tensor input(Arena arena, float[] values, int batch, int seq, int width, boolean padded) {
        return padded ? MultiHeadAttentionTest.strided(arena, values, batch, seq, width)
                : Tensor.fromFloats(arena, DType.F32, values, batch, seq, width);
    }

    /** Device rows: contiguous, or padded to a row stride of width + 3 (a narrowed view). */
    static Tensor deviceInput(DeviceArena gpu, Arena arena, float[] values, int batch, int seq, int width, boolean padded) {
        if (!padded) {
            return gpu.copyOf(Tensor.fromFloats(arena, DType.F32, values, batch, seq, width));
        }
        Tensor host = Tensor.allocate(arena, DType.F32, batch, seq, width + 3);
        host.segment().fill((byte) 0xff); // NaN padding: read it and the result is NaN
        int i = 0;
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                for (int c = 0; c < width; c++) {
                    host.set(values[i++], b, s, c);
                }
            }
        }
        return gpu.copyOf(host).narrow(2, 0, width);
    }
}
