package panama.attention.springai;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.AbstractEmbeddingModel;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;
import panama.attention.Backend;
import panama.attention.examples.minilm.MiniLm;
import panama.attention.examples.minilm.SentenceEmbedder;

/**
 * A Spring AI {@link org.springframework.ai.embedding.EmbeddingModel} computing all-MiniLM-L6-v2
 * sentence embeddings (384 dimensions, mean-pooled, L2-normalised, as sentence-transformers does)
 * with panama-attention, in process. A request's texts run as padded batches sorted by length;
 * texts over 510 tokens are split and their runs averaged, as LangChain4j's all-MiniLM model does.
 * The weights load once per JVM, on first use; the model is thread-safe. Request options are not
 * used: the model has a single configuration.
 */
public class PanamaMiniLmEmbeddingModel extends AbstractEmbeddingModel {
    private static final Log log = LogFactory.getLog(PanamaMiniLmEmbeddingModel.class);
    public static final String MODEL_NAME = "all-MiniLM-L6-v2";
    public static final int DIMENSIONS = 384;

    private final Backend backend;
    private final SentenceEmbedder embedder;

    public PanamaMiniLmEmbeddingModel() {
        this(Backend.AUTO);
    }

    public PanamaMiniLmEmbeddingModel(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend must not be null");
        this.embedder = SentenceEmbedder.of(SharedModel.MODEL, backend);
    }

    /** The attention backend this model asks for. */
    public Backend backend() {
        return backend;
    }

    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        List<String> texts = request.getInstructions();
        if (texts == null || texts.isEmpty()) {
            throw new IllegalArgumentException("the request has no texts to embed");
        }
        List<SentenceEmbedder.Embedded> embedded = embedder.embedAll(texts);
        List<Embedding> results = new ArrayList<>(embedded.size());
        int tokens = 0;
        for (int i = 0; i < embedded.size(); i++) {
            results.add(new Embedding(embedded.get(i).vector(), i));
            tokens += embedded.get(i).tokens();
        }
        if (log.isDebugEnabled()) {
            log.debug("embedded " + texts.size() + " texts (" + tokens + " tokens)");
        }
        return new EmbeddingResponse(results, new EmbeddingResponseMetadata(MODEL_NAME, new DefaultUsage(tokens, 0, tokens)));
    }

    @Override
    public float[] embed(Document document) {
        return embed(getEmbeddingContent(document));
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    /** The weights, read once from the class path. */
    private static final class SharedModel {
        static final MiniLm MODEL;

        static {
            long start = System.nanoTime();
            try {
                MODEL = MiniLm.load();
            } catch (IOException e) {
                throw new UncheckedIOException("all-MiniLM-L6-v2 could not be loaded", e);
            }
            log.info("all-MiniLM-L6-v2 loaded in " + (System.nanoTime() - start) / 1_000_000 + " ms; projections: "
                    + MODEL.projections());
        }
    }
}
