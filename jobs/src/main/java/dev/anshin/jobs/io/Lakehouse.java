package dev.anshin.jobs.io;

import dev.anshin.errors.AnshinException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lakehouse folder: every table is a Delta table at {@code <root>/<name>}. Writes are single
 * Delta transactions (replace a date range, MERGE by key, or overwrite), so a failed run leaves the
 * previous state and a re-run of the same dates replaces rows instead of adding them.
 */
public final class Lakehouse {
  private static final Logger LOG = LoggerFactory.getLogger(Lakehouse.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final Path root;

  public Lakehouse(SparkSession spark, Path root) {
    this.spark = spark;
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public SparkSession spark() {
    return spark;
  }

  public String path(String table) {
    return root.resolve(table).toString();
  }

  /**
   * Whether the table has at least one commit. A run killed while creating a table can leave its
   * folder, even an empty {@code _delta_log}, without one: that table does not exist yet.
   */
  public boolean exists(String table) {
    return Files.isDirectory(root.resolve(table).resolve("_delta_log")) && version(table) >= 0;
  }

  /** Reads a table; a missing one is a clear error naming the step that writes it. */
  public Dataset<Row> read(String table) {
    if (!exists(table)) {
      throw AnshinException.missingInput(
          "table " + table + " does not exist in " + root + "; run the step that writes it first (see `anshin --help`)");
    }
    return spark.read().format("delta").load(path(table));
  }

  /** The names of every Delta table in the lakehouse. */
  public List<String> tables() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(root)) {
      return children
          .filter(p -> exists(p.getFileName().toString()))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw AnshinException.missingInput("cannot list lakehouse " + root + ": " + e.getMessage());
    }
  }

  /**
   * Registers every table as a temporary view of its own name, for SQL ({@code anshin sql}, the
   * notebooks), and returns their names. Fails (exit 66) when the lakehouse holds no table.
   */
  public List<String> registerViews() {
    List<String> tables = tables();
    if (tables.isEmpty()) {
      throw AnshinException.missingInput("no Delta tables in " + root + "; run `anshin demo` or `anshin nightly` first");
    }
    for (String table : tables) {
      read(table).createOrReplaceTempView(table);
    }
    return tables;
  }

  /**
   * Replaces the rows of {@code table} whose {@code dateColumn} lies in [from, to] (and that match
   * {@code extraCondition}, if any) with {@code rows}, in one transaction. Tables keyed by day are
   * partitioned by that day, so a nightly run rewrites its own day and never the history.
   */
  public WriteResult replaceDates(
      String table, Dataset<Row> rows, String dateColumn, LocalDate from, LocalDate to,
      String extraCondition, String... partitionBy) {
    String condition = dateColumn + " >= DATE'" + from + "' AND " + dateColumn + " <= DATE'" + to + "'";
    if (extraCondition != null) {
      condition = condition + " AND " + extraCondition;
    }
    // One task per partition value: each day becomes one file instead of one per shuffle partition.
    // A table not partitioned by day holds a few rows a day (support, toil, rejections): one file.
    Dataset<Row> arranged =
        partitionBy.length == 0
            ? rows.coalesce(1)
            : rows.repartition(java.util.Arrays.stream(partitionBy).map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
    long before = version(table);
    var writer = arranged.write().format("delta");
    if (before >= 0) {
      // mergeSchema: a table written by an older version gains the columns added since (its older
      // rows hold null in them) instead of failing the nightly after an upgrade.
      writer.mode(SaveMode.Overwrite).option("replaceWhere", condition).option("mergeSchema", "true").save(path(table));
    } else {
      // Overwrite, not ErrorIfExists: the files of a creation that was killed before its commit are no table.
      writer.mode(SaveMode.Overwrite).partitionBy(partitionBy).save(path(table));
    }
    return commitSince(table, before);
  }

  /**
   * Upserts {@code rows} by {@code keys}: matching rows are updated, new ones inserted. Columns the
   * table lacks are added (a lakehouse written by an older version gains them, old rows null).
   */
  public WriteResult merge(String table, Dataset<Row> rows, List<String> keys) {
    long before = version(table);
    if (before < 0) {
      rows.write().format("delta").mode(SaveMode.Overwrite).save(path(table));
      return commitSince(table, before);
    }
    String on = String.join(" AND ", keys.stream().map(k -> "target." + k + " = source." + k).toList());
    DeltaTable.forPath(spark, path(table))
        .as("target")
        .merge(rows.as("source"), on)
        .withSchemaEvolution()
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
    return commitSince(table, before);
  }

  /** Replaces the whole table. */
  public WriteResult overwrite(String table, Dataset<Row> rows) {
    long before = version(table);
    // The tables written whole are small (one row per month and cohort): one file, not one per shuffle partition.
    rows.coalesce(1).write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true").save(path(table));
    return commitSince(table, before);
  }

  /**
   * Compacts the table's small files: Delta's OPTIMIZE bin-packs the files of each partition into
   * files of up to 1 GB, in one transaction that changes no row. A partition that is already one
   * file is left alone, so a table partitioned by day (one file per day) costs only the look.
   */
  public Compaction compact(String table) {
    long before = version(table);
    FileCount files = files(table);
    if (files.live() <= files.partitions()) {
      return new Compaction(table, files.live(), files.live()); // one file per partition: nothing to merge
    }
    DeltaTable.forPath(spark, path(table)).optimize().executeCompaction();
    if (version(table) == before) {
      return new Compaction(table, files.live(), files.live());
    }
    JsonNode metrics = commitInfo(table, version(table)).path("operationMetrics");
    return new Compaction(table, files.live(),
        files.live() - metric(metrics, "numRemovedFiles") + metric(metrics, "numAddedFiles"));
  }

  /**
   * Deletes the files no version younger than {@code retention} needs (Delta's VACUUM): those
   * versions stay readable by time travel, and a reader that started within the retention finishes.
   * Delta 4 vacuums by the table's own {@code delta.deletedFileRetentionDuration} and ignores any
   * other threshold given to the call, so the retention is set on the table first (one commit, only
   * when it changes). Delta also refuses less than its default of 7 days unless its check is off; the
   * configured retention is the one that counts, so the check is lifted for this call only.
   */
  public Vacuum vacuum(String table, java.time.Duration retention) {
    FileCount before = files(table);
    if (before.onDisk() == before.live()) {
      return new Vacuum(table, 0, 0); // every file on disk is read by the latest version
    }
    String wanted = "interval " + retention.toSeconds() + " seconds";
    String property = "delta.deletedFileRetentionDuration";
    DeltaTable delta = DeltaTable.forPath(spark, path(table));
    Row detail = delta.detail().select("properties").first();
    scala.collection.Map<String, String> properties = detail.getMap(0);
    if (!properties.get(property).contains(wanted)) {
      spark.sql("ALTER TABLE delta.`" + path(table) + "` SET TBLPROPERTIES ('" + property + "' = '" + wanted + "')");
    }
    String check = "spark.databricks.delta.retentionDurationCheck.enabled";
    String previous = spark.conf().get(check, "true");
    spark.conf().set(check, "false");
    try {
      delta.vacuum();
    } finally {
      spark.conf().set(check, previous);
    }
    FileCount after = files(table);
    return new Vacuum(table, before.onDisk() - after.onDisk(), before.bytes() - after.bytes());
  }

  /** The data files of a table: those its latest version reads, and all on disk with their bytes. */
  FileCount files(String table) {
    try {
      org.apache.hadoop.fs.Path tablePath = new org.apache.hadoop.fs.Path(path(table));
      org.apache.hadoop.fs.FileSystem fs = tablePath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      long onDisk = 0;
      long bytes = 0;
      var listing = fs.listFiles(tablePath, true);
      while (listing.hasNext()) {
        org.apache.hadoop.fs.LocatedFileStatus file = listing.next();
        // Not the log's checkpoints, which are Parquet files too.
        if (file.getPath().getName().endsWith(".parquet") && !file.getPath().toUri().getPath().contains("/_delta_log/")) {
          onDisk++;
          bytes += file.getLen();
        }
      }
      String[] live = spark.read().format("delta").load(path(table)).inputFiles();
      long partitions = java.util.Arrays.stream(live).map(f -> f.substring(0, f.lastIndexOf('/'))).distinct().count();
      return new FileCount(live.length, partitions, onDisk, bytes);
    } catch (IOException e) {
      throw AnshinException.missingInput("cannot list the files of " + table + ": " + e.getMessage());
    }
  }

  /** Files the latest version reads, the partition folders they are in, and the data files on disk. */
  record FileCount(long live, long partitions, long onDisk, long bytes) {}

  /** What a compaction did: the table's live data files before and after. */
  public record Compaction(String table, long filesBefore, long filesAfter) {}

  /** What a vacuum did: the files it deleted and the bytes they held. */
  public record Vacuum(String table, long filesDeleted, long bytesDeleted) {}

  /**
   * The table's latest version from its log folder (-1 when the table does not exist), without a
   * Spark job: Delta skips the commit of a write that changes nothing, and then no new version appears.
   */
  long version(String table) {
    try {
      org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(path(table), "_delta_log");
      org.apache.hadoop.fs.FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(log)) {
        return -1;
      }
      long latest = -1;
      for (org.apache.hadoop.fs.FileStatus file : fs.listStatus(log)) {
        String name = file.getPath().getName();
        if (name.matches("\\d{20}\\.json")) {
          latest = Math.max(latest, Long.parseLong(name.substring(0, 20)));
        }
      }
      return latest;
    } catch (IOException e) {
      throw AnshinException.missingInput("cannot read the Delta log of " + table + ": " + e.getMessage());
    }
  }

  private WriteResult commitSince(String table, long before) {
    long after = version(table);
    if (after == before) {
      LOG.info("{}: nothing to change", table);
      return new WriteResult(table, before, "NONE", 0, 0);
    }
    return commit(table, after);
  }

  /**
   * What one commit did, from the operation metrics Delta writes into the commit file itself: read
   * straight from {@code _delta_log} instead of through the table's history, which costs a Spark
   * job and a snapshot per write.
   */
  private WriteResult commit(String table, long version) {
    JsonNode info = commitInfo(table, version);
    JsonNode metrics = info.path("operationMetrics");
    // A replaceWhere or a MERGE that rewrites a file copies its untouched rows; they are not new data.
    // (A MERGE reports numOutputRows too, copied rows included, under another name: numTargetRowsCopied.)
    long written =
        metrics.has("numTargetRowsInserted")
            ? metric(metrics, "numTargetRowsInserted") + metric(metrics, "numTargetRowsUpdated")
            : metric(metrics, "numOutputRows") - metric(metrics, "numCopiedRows");
    long removed = metrics.has("numDeletedRows") ? metric(metrics, "numDeletedRows") : metric(metrics, "numTargetRowsDeleted");
    WriteResult result = new WriteResult(table, version, info.path("operation").asText(), written, removed);
    LOG.info("{}: {} v{} wrote {} rows", table, result.operation(), result.version(), result.rowsWritten());
    return result;
  }

  private JsonNode commitInfo(String table, long version) {
    org.apache.hadoop.fs.Path file =
        new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(path(table), "_delta_log"), String.format("%020d.json", version));
    try (var in = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(file);
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        JsonNode action = JSON.readTree(line);
        if (action.has("commitInfo")) {
          return action.get("commitInfo");
        }
      }
      throw AnshinException.missingInput("commit " + file + " has no commitInfo");
    } catch (IOException e) {
      throw AnshinException.missingInput("cannot read commit " + file + ": " + e.getMessage());
    }
  }

  /** Delta writes every operation metric as a string. */
  private static long metric(JsonNode metrics, String name) {
    return metrics.has(name) ? Long.parseLong(metrics.get(name).asText()) : 0L;
  }

  /** One Delta commit: table, version, operation and rows written. */
  public record WriteResult(String table, long version, String operation, long rowsWritten, long rowsRemoved) {}
}
