package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;

/**
 * {@code sdpa --window L,R --softcap C --alibi-slopes F}: the files reach the library as those
 * options (the output equals JAVA_REFERENCE's with them, and differs from the call without), and
 * malformed values give one error line.
 */
class SdpaServingOptionsTest {
    static final int B = 1, H = 3, LQ = 9, LK = 13, D = 8;

    @TempDir
    static Path dir;

    @Test
    void optionsReachTheLibrary() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] q = random(rnd, B * H * LQ * D), k = random(rnd, B * H * LK * D), v = random(rnd, B * H * LK * D);
        float[] slopes = {0.5f, 0.25f, 0.125f};
        Path qp = dir.resolve("q.npy"), kp = dir.resolve("k.npy"), vp = dir.resolve("v.npy");
        Path sp = dir.resolve("slopes.npy"), out = dir.resolve("out.npy"), plain = dir.resolve("plain.npy");
        MainTest.writeFloats(qp, q, false, B, H, LQ, D);
        MainTest.writeFloats(kp, k, false, B, H, LK, D);
        MainTest.writeFloats(vp, v, false, B, H, LK, D);
        MainTest.writeFloats(sp, slopes, false, H);
        String[] base = {"sdpa", "--q", qp.toString(), "--k", kp.toString(), "--v", vp.toString(), "--causal",
                "bottom-right"};
        MainTest.Run r = MainTest.run(concat(base, "--out", out.toString(), "--window", "3,-1", "--softcap", "2.5",
                "--alibi-slopes", sp.toString()));
        assertEquals(0, r.code(), r.err());
        MainTest.Run p = MainTest.run(concat(base, "--out", plain.toString()));
        assertEquals(0, p.code(), p.err());

        try (Arena arena = Arena.ofConfined()) {
            float[] got = MainTest.toFloats(Npy.read(out, arena));
            float[] without = MainTest.toFloats(Npy.read(plain, arena));
            Tensor tq = tensor(arena, q, B, H, LQ, D), tk = tensor(arena, k, B, H, LK, D), tv = tensor(arena, v, B, H, LK, D);
            Tensor ts = tensor(arena, slopes, H);
            Tensor want = Tensor.allocate(arena, DType.F32, B, H, LQ, D);
            Attention.sdpa(tq, tk, tv, want, AttentionOptions.builder().backend(Backend.JAVA_REFERENCE)
                    .causal(CausalMode.BOTTOM_RIGHT).window(3, -1).softcap(2.5f).alibiSlopes(ts).build());
            float[] w = want.toFloatArray();
            double maxDiff = 0, changed = 0;
            for (int i = 0; i < w.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(w[i] - got[i]));
                changed = Math.max(changed, Math.abs(without[i] - got[i]));
            }
            assertTrue(maxDiff <= 1e-5, "sdpa with the options differs from the reference by " + maxDiff);
            assertTrue(changed > 1e-3, "the options changed nothing: " + changed);
        }
    }

    @Test
    void malformedValuesGiveOneErrorLine() throws Exception {
        Path qp = dir.resolve("bad-q.npy");
        MainTest.writeFloats(qp, new float[B * H * LQ * D], false, B, H, LQ, D);
        String[] base = {"sdpa", "--q", qp.toString(), "--k", qp.toString(), "--v", qp.toString(), "--out",
                dir.resolve("bad-out.npy").toString()};
        for (String[] extra : new String[][] {{"--window", "3"}, {"--window", "a,b"}, {"--window", "-2,0"},
                {"--softcap", "-1"}, {"--softcap", "inf"}, {"--alibi-slopes", qp.toString()}}) {
            MainTest.Run r = MainTest.run(concat(base, extra));
            assertTrue(r.code() != 0, String.join(" ", extra) + " was accepted: " + r.out());
            MainTest.assertOneErrorLine(r);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 3 - 1.5);
        }
        return a;
    }

    private static Tensor tensor(Arena arena, float[] values, long... shape) {
        Tensor t = Tensor.allocate(arena, DType.F32, shape);
        t.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(values));
        return t;
    }
}
