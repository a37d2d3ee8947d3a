package panama.attention.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What {@code ./panama-attention spark} prints last, through the same main, with --sentences. */
class SparkExampleTest {
    static final Pattern EMB = Pattern.compile("spark embeddings: max rel err (\\d\\.\\d{3}e[+-]\\d{2}) over (\\d+) sentences");
    static final Pattern ATT = Pattern.compile("spark sharded attention: max rel err (\\d\\.\\d{3}e[+-]\\d{2}) over (\\d+) partitions");

    @Test
    void lastTwoLinesAreTheVerdicts() throws Exception {
        Path dir = SharedSpark.dir("main");
        Path sentences = dir.resolve("sentences.txt");
        Files.writeString(sentences, "Hello world\n\nA man is playing a guitar.\nAttention is all you need.\n");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            SparkExample.main(new String[] {"--master", SharedSpark.MASTER, "--partitions", "2", "--throughput", "0",
                    "--sentences", sentences.toString(), "--out", dir.resolve("out.parquet").toString()});
        } finally {
            System.setOut(old);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        System.out.println(String.join("\n", lines));
        Matcher e = EMB.matcher(lines.get(lines.size() - 2));
        Matcher a = ATT.matcher(lines.get(lines.size() - 1));
        assertTrue(e.matches(), "second last line: " + lines.get(lines.size() - 2));
        assertTrue(a.matches(), "last line: " + lines.get(lines.size() - 1));
        assertEquals("3", e.group(2), "blank lines are skipped");
        assertTrue(Double.parseDouble(e.group(1)) <= 1e-6, e.group());
        assertEquals("2", a.group(2));
        assertTrue(Double.parseDouble(a.group(1)) <= 1e-5, a.group());
    }
}
