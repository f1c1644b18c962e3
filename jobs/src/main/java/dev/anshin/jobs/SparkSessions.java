package dev.anshin.jobs;

import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.InProcessLocalFileSystem;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Builds the one SparkSession a command uses, with Delta Lake and the configured settings. */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession create(AnshinConfig.SparkSettings settings, String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            // Every date in Anshin is a UTC day; the JVM's zone must not move day boundaries.
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.showConsoleProgress", "false")
            // Local files written without a chmod or readlink process per file (InProcessLocalFileSystem).
            .config("spark.hadoop.fs.file.impl", InProcessLocalFileSystem.class.getName())
            .config("spark.hadoop.fs.AbstractFileSystem.file.impl", InProcessLocalFileSystem.Fs.class.getName())
            .config("spark.sql.shuffle.partitions", Integer.toString(settings.shufflePartitions()));
    // spark-submit sets the master itself; only set ours when nobody else did.
    if (System.getProperty("spark.master") == null) {
      builder.master(settings.master());
      if (settings.master().startsWith("local")) {
        builder
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            // Delta's default of 50 partitions for reading a table's log is sized for clusters; a
            // local run spends most of a small commit scheduling empty tasks.
            .config("spark.databricks.delta.snapshotPartitions", "2")
            // Likewise Spark's 10,000 tasks for listing files in parallel, which Delta's VACUUM uses:
            // 25 s against 10 s to vacuum a table of 120 daily files.
            .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "8");
      }
    }
    for (Map.Entry<String, String> option : settings.extraOptions().entrySet()) {
      builder.config(option.getKey(), option.getValue());
    }
    return builder.getOrCreate();
  }
}
