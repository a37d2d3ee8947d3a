package panama.attention.langchain4j;

import java.util.ArrayList;
import java.util.List;

/** Test texts: one word to over 1000 tokens, with punctuation, digits, accents and word pieces. */
final class Texts {
    private Texts() {
    }

    static List<String> mixed() {
        List<String> t = new ArrayList<>();
        t.add("Hello");
        t.add("A man is playing a guitar.");
        t.add("The quick brown fox jumps over the lazy dog, 42 times in 2024!");
        t.add("Café au lait, naïve résumé, Zürich: accents survive lower-casing.");
        t.add("Uncharacteristically, antidisestablishmentarianism tokenizes into many word pieces.");
        String paragraph = "Panama brings the foreign function and memory API to Java, so attention kernels "
                + "written in C run on off-heap tensors without JNI; batching many sentences into one "
                + "matrix product keeps the cores busy. ";
        t.add(paragraph.repeat(3)); // about 120 tokens
        t.add(paragraph.repeat(5)); // over 128 tokens
        t.add(paragraph.repeat(12)); // over 256 tokens
        t.add("Unbelievably, the tokenizer splits uncharacteristically long words. ".repeat(50)); // over 510
        t.add(paragraph.repeat(30)); // over 1000
        return t;
    }
}
