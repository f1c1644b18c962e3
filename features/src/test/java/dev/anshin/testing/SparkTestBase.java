package dev.anshin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base class for tests that need Spark: one local SparkSession per test JVM (Delta enabled, UI off,
 * few shuffle partitions, UTC session time zone) and a scratch folder per test class.
 *
 * <p>Surefire runs every test class of a module in one JVM, so sharing the session saves its
 * start-up time in each class; classes must not change session configuration they do not restore.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SparkTestBase {

  private static SparkSession session;

  protected SparkSession spark;
  protected Path scratch;

  @BeforeAll
  final void startSpark() throws IOException {
    spark = sharedSession();
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(tmp);
    scratch = Files.createTempDirectory(tmp, getClass().getSimpleName() + "-");
  }

  /** The JVM-wide test session, created on first use and stopped when the JVM exits. */
  public static synchronized SparkSession sharedSession() {
    if (session == null) {
      try {
        Path warehouse = Files.createTempDirectory("spark-warehouse");
        session =
            SparkSession.builder()
                .master("local[2]")
                .appName("anshin-tests")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config(
                    "spark.sql.catalog.spark_catalog",
                    "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.databricks.delta.snapshotPartitions", "2")
                // As the jobs set it for local runs (SparkSessions): Delta VACUUM lists with this many tasks.
                .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "4")
                .config("spark.sql.warehouse.dir", warehouse.toString())
                .getOrCreate();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }

  /** A Dataset from inline rows, e.g. {@code dataset(schema, row("a", 1), row("b", 2))}. */
  protected Dataset<Row> dataset(StructType schema, Row... rows) {
    return spark.createDataFrame(Arrays.asList(rows), schema);
  }

  protected static Row row(Object... values) {
    return RowFactory.create(values);
  }

  protected static Date date(String isoDate) {
    return Date.valueOf(LocalDate.parse(isoDate));
  }

  /** A timestamp from ISO-8601 UTC text such as {@code 2024-03-01T23:59:59Z}. */
  protected static Timestamp ts(String isoInstant) {
    return Timestamp.from(Instant.parse(isoInstant));
  }

  protected static List<Row> rows(Dataset<Row> dataset) {
    return dataset.collectAsList();
  }

  /** The shared reference data folder ({@code ../shared/data}), where the published data sets live. */
  protected static Path sharedData() {
    return Path.of(System.getProperty("anshin.shared.dir", "../shared")).resolve("data");
  }
}
