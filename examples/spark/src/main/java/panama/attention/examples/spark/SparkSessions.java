package panama.attention.examples.spark;

import org.apache.spark.sql.SparkSession;

/** How the example and its tests start Spark. */
public final class SparkSessions {
    private SparkSessions() {
    }

    /**
     * A session for {@code master}. With {@code local[...]} everything runs in this JVM (the
     * driver is its own executor); on a cluster, spark-submit's {@code --master} wins, since a
     * master set by spark-submit is already in the SparkConf and {@code master(...)} is only used
     * when none is. Bound to the loopback address in local mode, no web UI, few shuffle
     * partitions (the jobs shuffle nothing big).
     */
    public static SparkSession start(String appName, String master) {
        SparkSession.Builder b = SparkSession.builder().appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4");
        if (System.getProperty("spark.master") == null) {
            b.master(master);
        }
        if (master.startsWith("local") && System.getProperty("spark.master") == null) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        return b.getOrCreate();
    }
}
