package panama.attention.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.DimensionAwareEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import panama.attention.Backend;
import panama.attention.examples.minilm.MiniLm;
import panama.attention.examples.minilm.SentenceEmbedder;

/**
 * all-MiniLM-L6-v2 sentence embeddings for LangChain4j, computed with panama-attention: a drop-in
 * for {@code dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel}.
 *
 * <p>Same weights and tokenizer (read from that model's own jar), same 384-dimension vectors: mean
 * pooling over all tokens, L2-normalised. Same handling of long texts: LangChain4j's tokenizer
 * (that jar's {@code tokenizer.json}) cuts every text at 128 tokens, [CLS] and [SEP] included, so
 * its split of texts over 510 tokens never comes into play; this model cuts at 128 too. Same token
 * usage (tokens without [CLS] and [SEP]) and the same refusals: an empty list of segments. Unlike
 * LangChain4j's model, which runs ONNX Runtime once per text on an executor, {@link #embedAll}
 * tokenizes every text, sorts them by length and runs them in padded batches, each projection one
 * matrix product over the batch's rows, on panama-attention's worker threads
 * ({@code -Dpanattn.threads=N}, default: every processor).
 *
 * <pre>{@code
 * EmbeddingModel model = new PanamaAllMiniLmL6V2EmbeddingModel();
 * Embedding e = model.embed("Hello world").content();
 * }</pre>
 *
 * <p>The weights are loaded once per JVM, on first use, and shared by every instance; instances are
 * thread-safe. The JVM needs native access: {@code --enable-native-access=ALL-UNNAMED} on the class
 * path (or {@code Enable-Native-Access: ALL-UNNAMED} in an executable jar's manifest).
 */
public class PanamaAllMiniLmL6V2EmbeddingModel extends DimensionAwareEmbeddingModel {
    private static final Logger log = LoggerFactory.getLogger(PanamaAllMiniLmL6V2EmbeddingModel.class);
    /** The vectors' length, known without loading the model. */
    public static final int DIMENSION = 384;

    private final Backend backend;
    private final SentenceEmbedder embedder;

    /** With the attention backend chosen per call (AUTO). */
    public PanamaAllMiniLmL6V2EmbeddingModel() {
        this(builder());
    }

    private PanamaAllMiniLmL6V2EmbeddingModel(Builder builder) {
        this.backend = builder.backend == null ? Backend.AUTO : builder.backend;
        this.embedder = SentenceEmbedder.of(SharedModel.get(), backend);
        this.dimension = DIMENSION;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The attention backend this model asks for. */
    public Backend backend() {
        return backend;
    }

    @Override
    public String modelName() {
        return "all-MiniLM-L6-v2";
    }

    @Override
    protected Integer knownDimension() {
        return DIMENSION;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        if (segments == null || segments.isEmpty()) {
            throw new IllegalArgumentException("segments cannot be null or empty");
        }
        List<String> texts = new ArrayList<>(segments.size());
        for (TextSegment s : segments) {
            texts.add(Objects.requireNonNull(s, "segments must not contain null").text());
        }
        long start = System.nanoTime();
        List<SentenceEmbedder.Embedded> embedded = embedder.embedAll(texts);
        List<Embedding> embeddings = new ArrayList<>(embedded.size());
        int tokens = 0;
        for (SentenceEmbedder.Embedded e : embedded) {
            embeddings.add(Embedding.from(e.vector()));
            tokens += e.tokens();
        }
        if (log.isDebugEnabled()) {
            log.debug("embedded {} segments ({} tokens) in {} ms", segments.size(), tokens,
                    (System.nanoTime() - start) / 1_000_000);
        }
        return Response.from(embeddings, new TokenUsage(tokens));
    }

    /** Tokens of {@code text} as embedded (at most 128), [CLS] and [SEP] included, as LangChain4j counts them. */
    public int estimateTokenCount(String text) {
        return embedder.countTokens(text);
    }

    /** The model's weights, read once from the class path on first use. */
    private static final class SharedModel {
        private static final MiniLm MODEL = load();

        static MiniLm get() {
            return MODEL;
        }

        private static MiniLm load() {
            long start = System.nanoTime();
            try {
                MiniLm m = MiniLm.load();
                log.info("all-MiniLM-L6-v2 loaded in {} ms; projections: {}", (System.nanoTime() - start) / 1_000_000,
                        m.projections());
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException("all-MiniLM-L6-v2 could not be loaded", e);
            }
        }
    }

    public static class Builder {
        private Backend backend;

        /** The attention backend (default AUTO: the fastest available for each call). */
        public Builder backend(Backend backend) {
            this.backend = backend;
            return this;
        }

        public PanamaAllMiniLmL6V2EmbeddingModel build() {
            return new PanamaAllMiniLmL6V2EmbeddingModel(this);
        }
    }
}
