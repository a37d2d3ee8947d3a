package panama.attention.examples.spark;

import java.io.Serializable;

/** One input row: a sentence and its id (a Java bean, so {@code Encoders.bean} maps it to columns). */
public class Sentence implements Serializable {
    private static final long serialVersionUID = 1L;
    private long id;
    private String text;

    public Sentence() {
    }

    public Sentence(long id, String text) {
        this.id = id;
        this.text = text;
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
}
