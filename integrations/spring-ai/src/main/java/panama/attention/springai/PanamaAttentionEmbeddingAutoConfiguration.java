package panama.attention.springai;

import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Registers {@link PanamaMiniLmEmbeddingModel} as the application's {@link EmbeddingModel}. Like
 * Spring AI's own providers it steps aside when {@code spring.ai.model.embedding} names another
 * provider (it answers to {@value #MODEL_NAME}, and to an unset property), or when the application
 * defines its own bean of this type.
 */
@AutoConfiguration
@ConditionalOnClass(EmbeddingModel.class)
@ConditionalOnProperty(name = "spring.ai.model.embedding", havingValue = PanamaAttentionEmbeddingAutoConfiguration.MODEL_NAME,
        matchIfMissing = true)
@EnableConfigurationProperties(PanamaAttentionEmbeddingProperties.class)
public class PanamaAttentionEmbeddingAutoConfiguration {
    /** The value of {@code spring.ai.model.embedding} that selects this provider. */
    public static final String MODEL_NAME = "panama-attention";

    @Bean
    @ConditionalOnMissingBean
    public PanamaMiniLmEmbeddingModel panamaMiniLmEmbeddingModel(PanamaAttentionEmbeddingProperties properties) {
        return new PanamaMiniLmEmbeddingModel(properties.getBackend());
    }
}
