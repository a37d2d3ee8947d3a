package panama.attention.examples.minilm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import panama.attention.Backend;

/**
 * SentenceEmbedder: batched, sorted and padded texts give what each text gives alone; long texts
 * are cut at 128 tokens by default, or split into runs that cover every token once, never inside a
 * word; bad input is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SentenceEmbedderTest {
    static final double TOL = 1e-5;
    /** A text of about 700 tokens, with word pieces ("unbelievably" and friends) near the cuts. */
    static final String LONG = "Unbelievably, the tokenizer splits uncharacteristically long words into pieces. ".repeat(60);
    static final List<String> TEXTS = List.of(
            "A man is playing a guitar.",
            "x",
            LONG,
            "The cat, which was hungry, ate the fish, then slept on the warm windowsill all afternoon.",
            "Hello world",
            "Panama brings the foreign function and memory API to Java, so attention kernels run off-heap. ".repeat(3));

    MiniLm model;
    SentenceEmbedder embedder;

    @BeforeAll
    void load() throws Exception {
        model = MiniLm.load();
        embedder = SentenceEmbedder.of(model, Backend.AUTO);
    }

    @AfterAll
    void close() {
        model.close();
    }

    @Test
    void batchedEqualsOneByOne() {
        List<SentenceEmbedder.Embedded> all = embedder.embedAll(TEXTS);
        assertEquals(TEXTS.size(), all.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] v = all.get(i).vector();
            assertEquals(384, v.length);
            assertEquals(1.0, norm(v), 1e-5, "unit length, text " + i);
            // Alone, unpadded, cut at 128 tokens, through the model: sentence-transformers' pooling.
            long[] ids = MiniLm.truncate(model.tokenizeWhole(TEXTS.get(i)), 128).ids();
            MiniLm.Result alone = model.run(new long[][] {ids}, Backend.AUTO, false);
            assertClose(alone.embeddings()[0], v, "text " + i);
            assertEquals(ids.length - 2, all.get(i).tokens());
            assertEquals(ids.length, embedder.countTokens(TEXTS.get(i)));
        }
    }

    @Test
    void longTextIsTheWeightedMeanOfItsRuns() {
        MiniLm.Tokens t = model.tokenizeWhole(LONG);
        assertTrue(t.ids().length > 600, "the text must need more than one run: " + t.ids().length);
        List<long[]> runs = SentenceEmbedder.split(t, 510, model.clsId(), model.sepId());
        assertTrue(runs.size() >= 2);
        double[] sum = new double[384];
        int total = 0;
        int covered = 1;
        for (long[] run : runs) {
            assertTrue(run.length <= 512, "run of " + run.length);
            assertEquals(model.clsId(), run[0]);
            assertEquals(model.sepId(), run[run.length - 1]);
            for (int j = 1; j < run.length - 1; j++) {
                assertEquals(t.ids()[covered + j - 1], run[j], "every token once, in order");
            }
            assertFalse(t.tokens()[covered].startsWith("##"), "a run starts at a word's start");
            covered += run.length - 2;
            MiniLm.Result r = model.run(new long[][] {run}, Backend.AUTO, false);
            int w = run.length - 2;
            for (int c = 0; c < 384; c++) {
                double mean = 0;
                for (int s = 0; s < run.length; s++) {
                    mean += r.hiddenStates()[s * 384 + c];
                }
                sum[c] += mean / run.length * w;
            }
            total += w;
        }
        assertEquals(t.ids().length - 1, covered, "runs end at [SEP]");
        float[] expected = new float[384];
        double n = 0;
        for (int c = 0; c < 384; c++) {
            n += (sum[c] / total) * (sum[c] / total);
        }
        for (int c = 0; c < 384; c++) {
            expected[c] = (float) (sum[c] / total / Math.sqrt(n));
        }
        try (SentenceEmbedder splitting = SentenceEmbedder.of(model, Backend.AUTO, 512, true)) {
            SentenceEmbedder.Embedded e = splitting.embed(LONG);
            assertClose(expected, e.vector(), "long text");
            assertEquals(t.ids().length - 2, e.tokens());
            // Cutting at 128 gives another vector: the modes differ where they should.
            double rel = relativeDifference(e.vector(), embedder.embed(LONG).vector());
            assertTrue(rel > 1e-3, "split and cut agree too closely: " + rel);
        }
    }

    @Test
    void fusedPathMatchesTheAttentionLayerPath() {
        // Without probabilities the model projects Q, K, V itself and calls sdpa; with them it runs
        // MultiHeadAttention, the path MiniLmOrtTest checks against ONNX Runtime.
        long[][] ids = new long[TEXTS.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = MiniLm.truncate(model.tokenizeWhole(TEXTS.get(i)), 128).ids();
        }
        MiniLm.Result fused = model.run(ids, Backend.AUTO, false);
        MiniLm.Result layer = model.run(ids, Backend.AUTO, true);
        assertClose(layer.hiddenStates(), fused.hiddenStates(), "last hidden states");
        for (int b = 0; b < ids.length; b++) {
            assertClose(layer.embeddings()[b], fused.embeddings()[b], "embedding " + b);
        }
    }

    @Test
    void truncatedTokensKeepTheirEnds() {
        MiniLm.Tokens whole = model.tokenizeWhole(LONG);
        MiniLm.Tokens cut = MiniLm.truncate(whole, 128);
        assertEquals(128, cut.ids().length);
        assertEquals(model.clsId(), cut.ids()[0]);
        assertEquals(model.sepId(), cut.ids()[127]);
        assertEquals(whole.ids()[126], cut.ids()[126]);
        assertEquals(512, model.tokenize(LONG).ids().length);
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.of(model, Backend.AUTO, 513, false));
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.of(model, Backend.AUTO, 2, false));
    }

    @Test
    void refusesEmptyInput() {
        assertThrows(IllegalArgumentException.class, () -> embedder.embedAll(List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> embedder.embedAll(List.of("fine", "   ")));
        assertTrue(e.getMessage().contains("texts[1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> embedder.embed(""));
        assertThrows(NullPointerException.class, () -> embedder.embedAll(null));
    }

    @Test
    void threadsShareOneModel() throws Exception {
        List<SentenceEmbedder.Embedded> expected = embedder.embedAll(TEXTS);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<SentenceEmbedder.Embedded>>> futures = new ArrayList<>();
            for (int k = 0; k < 8; k++) {
                futures.add(pool.submit(() -> embedder.embedAll(TEXTS)));
            }
            for (Future<List<SentenceEmbedder.Embedded>> f : futures) {
                List<SentenceEmbedder.Embedded> got = f.get();
                for (int i = 0; i < TEXTS.size(); i++) {
                    assertClose(expected.get(i).vector(), got.get(i).vector(), "concurrent text " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double relativeDifference(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double diff = 0;
        for (int c = 0; c < expected.length; c++) {
            diff += (expected[c] - actual[c]) * (double) (expected[c] - actual[c]);
        }
        return Math.sqrt(diff) / norm(expected);
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        double rel = relativeDifference(expected, actual);
        assertTrue(rel <= TOL, what + ": relative difference " + rel);
    }
}
