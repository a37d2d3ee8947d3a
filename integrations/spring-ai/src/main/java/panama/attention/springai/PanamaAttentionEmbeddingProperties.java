package panama.attention.springai;

import org.springframework.boot.context.properties.ConfigurationProperties;
import panama.attention.Backend;

/**
 * {@code spring.ai.panama-attention.embedding.*}: the all-MiniLM-L6-v2 embedding model's settings.
 * Worker threads are the library's own setting, {@code -Dpanattn.threads=N}.
 */
@ConfigurationProperties(PanamaAttentionEmbeddingProperties.PREFIX)
public class PanamaAttentionEmbeddingProperties {
    public static final String PREFIX = "spring.ai.panama-attention.embedding";

    /** The attention backend: AUTO (the fastest available per call), NATIVE_CPU, JAVA_VECTOR, BLAS, CUDA... */
    private Backend backend = Backend.AUTO;

    public Backend getBackend() {
        return backend;
    }

    public void setBackend(Backend backend) {
        this.backend = backend;
    }
}
