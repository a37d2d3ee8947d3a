package panama.attention.examples.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * One SparkSession for every test class of the run (starting one costs seconds): two worker
 * threads, and a task may fail twice before its job fails ({@code local[2,2]}), so the retry tests
 * can fail a task once on purpose. Spark's own shutdown hook stops it when the test JVM exits.
 */
final class SharedSpark {
    static final String MASTER = "local[2,2]";
    private static SparkSession session;

    private SharedSpark() {
    }

    static synchronized SparkSession get() {
        if (session == null || session.sparkContext().isStopped()) { // SparkExampleTest's main stops it
            session = SparkSessions.start("panama-attention-spark-tests", MASTER);
        }
        return session;
    }

    /** A fresh folder under target/spark-test (the surefire property) or the temp dir. */
    static Path dir(String name) {
        String root = System.getProperty("spark.test.dir", System.getProperty("java.io.tmpdir"));
        try {
            Files.createDirectories(Path.of(root));
            return Files.createTempDirectory(Path.of(root), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
