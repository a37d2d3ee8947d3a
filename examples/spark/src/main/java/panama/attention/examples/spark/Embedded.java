package panama.attention.examples.spark;

import java.io.Serializable;

/**
 * One output row: the sentence, its id and its 384-d L2-normalised embedding, which
 * {@code Encoders.bean} stores as an {@code array<float>} column (and Parquet as a list of floats).
 */
public class Embedded implements Serializable {
    private static final long serialVersionUID = 1L;
    private long id;
    private String text;
    private float[] embedding;

    public Embedded() {
    }

    public Embedded(long id, String text, float[] embedding) {
        this.id = id;
        this.text = text;
        this.embedding = embedding;
    }

    public long getId() {
        return id;
    }

    public void setId(long id) {
        this.id = id;
    }

    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    public float[] getEmbedding() {
        return embedding;
    }

    public void setEmbedding(float[] embedding) {
        this.embedding = embedding;
    }
}
