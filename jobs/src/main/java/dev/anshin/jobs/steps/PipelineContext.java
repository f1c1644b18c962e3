package dev.anshin.jobs.steps;

import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * says what each step wrote and rejected, how long it took and how it ended (the {@code run_log}
 * table). Every command runs its steps through {@link #run}, so a step behaves the same whether it
 * runs alone or in the nightly.
 */
public final class PipelineContext {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineContext.class);

  public static final String RUN_LOG = "run_log";
  static final StructType RUN_LOG_SCHEMA =
      new StructType()
          .add("run_date", DataTypes.DateType, false)
          .add("step", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("finished_at", DataTypes.TimestampType, false)
          .add("seconds", DataTypes.DoubleType, false)
          .add("rows_written", DataTypes.LongType, false)
          .add("rows_rejected", DataTypes.LongType, false)
          .add("outcome", DataTypes.StringType, false)
          .add("details", DataTypes.StringType, true)
          .add("error", DataTypes.StringType, true);

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

  /** Runs the steps in order for [from, to]; the first that fails stops the run. */
  public List<StepReport> run(List<Step> steps, LocalDate from, LocalDate to) {
    List<StepReport> reports = new ArrayList<>();
    for (Step step : steps) {
      reports.add(step(step.name(), to, () -> step.run(this, from, to)));
    }
    return reports;
  }

  /**
   * Runs a step (or a part of one) under a Spark job group named after it, so the Spark UI and logs
   * show which step runs; logs its timing; and records its outcome for the run log, a failure with
   * its error.
   */
  public StepReport step(String name, LocalDate runDate, Supplier<StepReport> body) {
    Instant started = Instant.now();
    LOG.info("{} {}: started", name, runDate);
    spark.sparkContext().setJobGroup("anshin-" + name, "anshin " + name + " " + runDate, false);
    try {
      StepReport report = body.get();
      double seconds = secondsSince(started);
      LOG.info("{} {}: {} in {} s ({} rows written, {} rejected){}", name, runDate, report.outcome().code(),
          String.format(Locale.ROOT, "%.1f", seconds), report.rowsWritten(), report.rowsRejected(),
          report.details() == null ? "" : "; " + report.details());
      record(runDate, name, started, report, null);
      return report;
    } catch (Throwable e) { // Scala code throws checked exceptions (SparkException) undeclared.
      LOG.error("{} {}: failed after {} s: {}", name, runDate,
          String.format(Locale.ROOT, "%.1f", secondsSince(started)), e.toString());
      record(runDate, name, started, new StepReport(0, 0, null, StepReport.Outcome.FAILED), e.toString());
      throw e;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private void record(LocalDate runDate, String name, Instant started, StepReport report, String error) {
    Instant finished = Instant.now();
    runLog.add(RowFactory.create(java.sql.Date.valueOf(runDate), name, Timestamp.from(started), Timestamp.from(finished),
        Duration.between(started, finished).toMillis() / 1000.0, report.rowsWritten(), report.rowsRejected(),
        report.outcome().code(), report.details(), error));
  }

  private static double secondsSince(Instant started) {
    return Duration.between(started, Instant.now()).toMillis() / 1000.0;
  }

  /**
   * Writes the steps recorded so far to {@code run_log}, one row per run date and step: a rerun
   * replaces the earlier record of the same step, so reruns do not grow the table. Called in a
   * {@code finally}, so a failed run leaves its record too.
   */
  public void flushRunLog() {
    if (runLog.isEmpty()) {
      return;
    }
    lakehouse.merge(RUN_LOG, spark.createDataFrame(List.copyOf(runLog), RUN_LOG_SCHEMA), List.of("run_date", "step"));
    runLog.clear();
  }
}
