package panama.attention.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import panama.attention.Backend;
import panama.attention.examples.minilm.MiniLm;

/**
 * A Spring context with only the auto-configuration (found through its imports file, as Spring
 * Boot finds it) gets an EmbeddingModel that embeds; the properties reach it; another provider
 * selected by spring.ai.model.embedding turns it off.
 */
class PanamaAttentionEmbeddingAutoConfigurationTest {
    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PanamaAttentionEmbeddingAutoConfiguration.class));

    @Test
    void addingTheDependencyIsEnough() throws Exception {
        String imports = new String(getClass().getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports").readAllBytes());
        assertTrue(imports.contains(PanamaAttentionEmbeddingAutoConfiguration.class.getName()), imports);
        runner.run(context -> {
            EmbeddingModel model = context.getBean(EmbeddingModel.class);
            assertInstanceOf(PanamaMiniLmEmbeddingModel.class, model);
            assertEquals(384, model.dimensions());
            EmbeddingResponse r = model.embedForResponse(List.of("A man is playing a guitar.", "Hello world"));
            assertEquals(2, r.getResults().size());
            assertEquals(1, r.getResults().get(1).getIndex());
            float[] v = r.getResults().get(0).getOutput();
            assertEquals(384, v.length);
            assertEquals(1.0, norm(v), 1e-5);
            assertEquals("all-MiniLM-L6-v2", r.getMetadata().getModel());
            // The same vector as the model run directly, unbatched.
            try (MiniLm direct = MiniLm.load()) {
                float[] expected = direct.run(new long[][] {direct.tokenize("A man is playing a guitar.").ids()},
                        Backend.AUTO, false).embeddings()[0];
                double diff = 0;
                for (int i = 0; i < 384; i++) {
                    diff += (expected[i] - v[i]) * (double) (expected[i] - v[i]);
                }
                assertTrue(Math.sqrt(diff) <= 1e-5, "difference " + Math.sqrt(diff));
            }
            assertEquals(r.getResults().get(0).getOutput().length, model.embed("one more").length);
            assertThrows(IllegalArgumentException.class, () -> model.embed(List.<String>of()));
        });
    }

    @Test
    void propertiesReachTheModel() {
        runner.withPropertyValues("spring.ai.panama-attention.embedding.backend=JAVA_REFERENCE").run(context -> {
            assertEquals(Backend.JAVA_REFERENCE, context.getBean(PanamaAttentionEmbeddingProperties.class).getBackend());
            assertEquals(Backend.JAVA_REFERENCE, context.getBean(PanamaMiniLmEmbeddingModel.class).backend());
            assertEquals(384, context.getBean(EmbeddingModel.class).embed("reference backend").length);
        });
    }

    @Test
    void anotherProviderSelectedTurnsItOff() {
        runner.withPropertyValues("spring.ai.model.embedding=openai")
                .run(context -> assertTrue(context.getBeansOfType(EmbeddingModel.class).isEmpty()));
        runner.withPropertyValues("spring.ai.model.embedding=panama-attention")
                .run(context -> assertEquals(1, context.getBeansOfType(EmbeddingModel.class).size()));
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
