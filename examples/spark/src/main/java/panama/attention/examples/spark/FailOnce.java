package panama.attention.examples.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.TaskContext;

/**
 * Failure injection for the retry tests: the first attempt of one partition throws (after leaving
 * a marker file, so a test can tell the failure really happened); Spark's retry (attempt 1) then
 * runs normally. Deciding by {@code TaskContext.attemptNumber()} needs no shared state between
 * attempts, so it works the same in local mode and on a cluster (where the retry may run on
 * another executor). Needs a master that retries: {@code local[N,F]} with F ≥ 2 locally, or
 * {@code spark.task.maxFailures} ≥ 2 (the default, 4) on a cluster.
 *
 * @param partition the partition whose first attempt fails, or −1 for none
 * @param marker the file written just before the injected failure
 */
public record FailOnce(int partition, String marker) implements Serializable {
    public static final FailOnce NEVER = new FailOnce(-1, null);

    /** Throws in the first attempt of the chosen partition; does nothing otherwise. */
    public void maybeFail() {
        TaskContext ctx = TaskContext.get();
        if (partition < 0 || ctx == null || ctx.partitionId() != partition || ctx.attemptNumber() != 0) {
            return;
        }
        try {
            Files.writeString(Path.of(marker), "stage " + ctx.stageId() + " partition " + partition + " attempt 0\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("injected failure: partition " + partition + ", attempt 0");
    }
}
