package dev.anshin.jobs.steps;

import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every step needs: the session, the configuration, the lakehouse, and the run record that
 * says what each step read, wrote, rejected and how long it took (the {@code run_log} table).
 */
public final class PipelineContext {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineContext.class);

  public static final String RUN_LOG = "run_log";
  static final StructType RUN_LOG_SCHEMA =
      new StructType()
          .add("run_date", DataTypes.DateType, false)
          .add("step", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("seconds", DataTypes.DoubleType, false)
          .add("rows_written", DataTypes.LongType, false)
          .add("rows_rejected", DataTypes.LongType, false)
          .add("details", DataTypes.StringType, true);

  private final SparkSession spark;
  private final AnshinConfig config;
  private final Lakehouse lakehouse;
  private final List<Row> runLog = new ArrayList<>();

  public PipelineContext(SparkSession spark, AnshinConfig config) {
    this.spark = spark;
    this.config = config;
    this.lakehouse = new Lakehouse(spark, config.lakehouse());
  }

  public SparkSession spark() {
    return spark;
  }

  public AnshinConfig config() {
    return config;
  }

  public Lakehouse lakehouse() {
    return lakehouse;
  }

  /** What a step reports back for the run log. */
  public record StepReport(long rowsWritten, long rowsRejected, String details) {}

  /**
   * Runs a step under a Spark job group named after it (so the Spark UI and logs show which step
   * runs), logs its timing, and records it for the run log.
   */
  public StepReport step(String name, LocalDate runDate, Supplier<StepReport> body) {
    Instant started = Instant.now();
    LOG.info("{} {}: started", name, runDate);
    spark.sparkContext().setJobGroup("anshin-" + name, "anshin " + name + " " + runDate, false);
    try {
      StepReport report = body.get();
      double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
      LOG.info("{} {}: done in {} s ({} rows written, {} rejected){}", name, runDate, String.format("%.1f", seconds),
          report.rowsWritten(), report.rowsRejected(), report.details() == null ? "" : "; " + report.details());
      runLog.add(RowFactory.create(java.sql.Date.valueOf(runDate), name, Timestamp.from(started), seconds,
          report.rowsWritten(), report.rowsRejected(), report.details()));
      return report;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * Writes the steps recorded so far to {@code run_log}, one row per run date and step: a re-run
   * replaces the earlier record of the same step, so reruns do not grow the table.
   */
  public void flushRunLog() {
    if (runLog.isEmpty()) {
      return;
    }
    lakehouse.merge(RUN_LOG, spark.createDataFrame(List.copyOf(runLog), RUN_LOG_SCHEMA), List.of("run_date", "step"));
    runLog.clear();
  }
}
