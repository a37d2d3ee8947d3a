package panama.attention.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The drop-in promise, checked against LangChain4j's own AllMiniLmL6V2EmbeddingModel (ONNX
 * Runtime): the same vectors to 1e-5 relative on short and long texts (over 128, 256, 510 and 1000
 * tokens: LangChain4j's tokenizer cuts every text at 128), the same token usage, dimension and
 * refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PanamaAllMiniLmL6V2EmbeddingModelTest {
    static final double TOL = 1e-5;

    EmbeddingModel ours;
    EmbeddingModel theirs;
    List<TextSegment> segments;

    @BeforeAll
    void load() {
        ours = new PanamaAllMiniLmL6V2EmbeddingModel();
        theirs = new AllMiniLmL6V2EmbeddingModel();
        segments = new ArrayList<>();
        for (String t : Texts.mixed()) {
            segments.add(TextSegment.from(t));
        }
    }

    @Test
    void sameVectorsAsLangChain4j() {
        Response<List<Embedding>> a = ours.embedAll(segments);
        Response<List<Embedding>> b = theirs.embedAll(segments);
        assertEquals(segments.size(), a.content().size());
        for (int i = 0; i < segments.size(); i++) {
            double rel = relativeDifference(b.content().get(i).vector(), a.content().get(i).vector());
            assertTrue(rel <= TOL, "text " + i + " (" + ((PanamaAllMiniLmL6V2EmbeddingModel) ours)
                    .estimateTokenCount(segments.get(i).text()) + " tokens): relative difference " + rel);
        }
        assertEquals(b.tokenUsage().inputTokenCount(), a.tokenUsage().inputTokenCount(), "token usage");
    }

    @Test
    void longTextsAreCutAtTheTokenizersLimit() throws Exception {
        PanamaAllMiniLmL6V2EmbeddingModel m = (PanamaAllMiniLmL6V2EmbeddingModel) ours;
        try (panama.attention.examples.minilm.MiniLm raw = panama.attention.examples.minilm.MiniLm.load()) {
            long over510 = Texts.mixed().stream().filter(t -> raw.tokenizeWhole(t).ids().length > 512).count();
            long over128 = Texts.mixed().stream().filter(t -> raw.tokenizeWhole(t).ids().length > 130).count();
            assertTrue(over510 >= 2, "texts over 510 tokens: " + over510);
            assertTrue(over128 >= 4, "texts over 128 tokens: " + over128);
        }
        String longest = Texts.mixed().get(Texts.mixed().size() - 1);
        assertEquals(128, m.estimateTokenCount(longest));
        assertEquals(126, ours.embed(longest).tokenUsage().inputTokenCount());
    }

    @Test
    void dimensionIsKnownAndMatches() {
        assertEquals(theirs.dimension(), ours.dimension());
        assertEquals(384, ours.dimension());
        assertEquals(384, ours.embed("dimension").content().dimension());
    }

    @Test
    void singleEqualsBatchedAndOrderIsKept() {
        List<Embedding> batch = ours.embedAll(segments).content();
        for (int i : new int[] {0, 5, segments.size() - 1}) {
            Embedding one = ours.embed(segments.get(i)).content();
            assertTrue(relativeDifference(one.vector(), batch.get(i).vector()) <= TOL, "text " + i);
        }
        List<TextSegment> reversed = new ArrayList<>(segments).reversed();
        List<Embedding> back = ours.embedAll(reversed).content();
        for (int i = 0; i < segments.size(); i++) {
            assertTrue(relativeDifference(batch.get(i).vector(), back.get(segments.size() - 1 - i).vector()) <= TOL,
                    "reversed text " + i);
        }
    }

    @Test
    void refusesWhatLangChain4jRefuses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ours.embedAll(List.of()));
        assertThrows(IllegalArgumentException.class, () -> theirs.embedAll(List.of()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ours.embedAll(null));
    }

    @Test
    void builderAndName() {
        PanamaAllMiniLmL6V2EmbeddingModel m = PanamaAllMiniLmL6V2EmbeddingModel.builder()
                .backend(panama.attention.Backend.JAVA_REFERENCE).build();
        assertEquals(panama.attention.Backend.JAVA_REFERENCE, m.backend());
        assertEquals("all-MiniLM-L6-v2", m.modelName());
        // The float64 reference attention agrees with the default one to fp32 rounding.
        double rel = relativeDifference(ours.embed("A man is playing a guitar.").content().vector(),
                m.embed("A man is playing a guitar.").content().vector());
        assertTrue(rel <= TOL, "reference backend: " + rel);
    }

    static double relativeDifference(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double d = 0;
        double n = 0;
        for (int i = 0; i < expected.length; i++) {
            d += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            n += expected[i] * (double) expected[i];
        }
        return Math.sqrt(d / n);
    }
}
