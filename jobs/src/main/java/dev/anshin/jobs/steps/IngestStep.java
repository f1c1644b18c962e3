package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;

import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.rollup.AccountHourly;
import dev.anshin.features.sources.HeldRows;
import dev.anshin.features.sources.Quarantine;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.SourceValidation;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.io.SourceReader;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Ingest: reads every source delivered in [from, to], validates it, and writes the typed source
 * tables, the rows held for an account not delivered yet ({@code held_rows}), the rejected rows
 * ({@code quarantine}), then rolls the new deliveries up into {@code account_daily}.
 *
 * <p>Every table is keyed by the day its rows were delivered, and a run replaces exactly the days
 * [from, to]: running a date again changes nothing, and a backfill writes the rows that one run per
 * day writes. Every source is checked for presence before anything is written, so a missing export
 * stops the run with the previous tables intact. The optional sources are read only when enabled. The accounts come first: every other row is checked
 * against the accounts the CRM had delivered by the day that row was delivered.
 */
public final class IngestStep implements Step {
  public static final IngestStep INSTANCE = new IngestStep();

  private IngestStep() {}

  /** Rows kept, held and rejected per source. */
  public record Summary(Map<String, Long> written, Map<String, Long> rejected) {
    long totalWritten() {
      return written.values().stream().mapToLong(Long::longValue).sum();
    }

    long totalRejected() {
      return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public StepReport run(PipelineContext context, LocalDate from, LocalDate to) {
    Summary summary = ingest(context, from, to);
    return new StepReport(summary.totalWritten(), summary.totalRejected(), null);
  }

  public static Summary ingest(PipelineContext context, LocalDate from, LocalDate to) {
    SourceReader reader = new SourceReader(context.spark(), context.config());
    List<SourceTable> sources = context.config().enabledSources();
    for (SourceTable source : sources) {
      reader.checkPresent(source, from, to);
    }
    Lakehouse lakehouse = context.lakehouse();
    AnshinConfig.IngestSettings settings = context.config().ingest();
    int lateness = settings.latenessDays();
    SourceValidation.Rules rules = new SourceValidation.Rules(settings.minValidDate(), settings.maxFutureDays(), lateness);
    Map<String, Long> written = new LinkedHashMap<>();
    Map<String, Long> rejected = new LinkedHashMap<>();
    List<Dataset<Row>> quarantined = new ArrayList<>();
    List<Dataset<Row>> held = new ArrayList<>();
    // Each account's first delivery day, known once the accounts are ingested (they come first).
    AtomicReference<Dataset<Row>> knownAccounts = new AtomicReference<>();
    // Rows held before this run that may still enter (or expire) in it.
    Dataset<Row> heldBefore =
        lakehouse.exists(HeldRows.TABLE)
            ? lakehouse.read(HeldRows.TABLE)
                .filter(col(HeldRows.HELD_ON).between(lit(Date.valueOf(from.minusDays(lateness))), lit(Date.valueOf(from.minusDays(1)))))
                .localCheckpoint()
            : context.spark().createDataFrame(List.of(), HeldRows.SCHEMA);

    // The sources whose rejections are in `quarantined`: kept even when a later source fails.
    List<String> finished = new ArrayList<>();
    try {
      for (SourceTable source : sources) {
        context.step("ingest " + source.tableName(), to, () -> {
          Dataset<Row> known =
              source.referencesAccounts()
                  ? knownAccounts.get()
                  : context.spark().createDataFrame(List.of(), new StructType()
                      .add("account_id", DataTypes.StringType).add(SourceValidation.FIRST_KNOWN_ON, DataTypes.DateType));
          SourceValidation.Classified classified =
              SourceValidation.validate(source, reader.read(source, from, to), known, rules);
          Dataset<Row> records = classified.records().persist();
          try {
            SourceValidation.Classified cached = new SourceValidation.Classified(source, records);
            Dataset<Row> newlyHeld = HeldRows.hold(cached).localCheckpoint();
            Dataset<Row> rows = cached.valid();
            if (source.referencesAccounts()) {
              Dataset<Row> entering =
                  HeldRows.released(heldBefore.unionByName(newlyHeld), source, known, lateness, from, to);
              rows = withEntered(source, rows, entering);
            }
            Lakehouse.WriteResult kept =
                lakehouse.replaceDates(source.tableName(), rows, SourceTable.DELIVERED_ON, from, to, null, SourceTable.DELIVERED_ON);
            // The rejected and held rows are few: keep them (not the whole delivery) for one write each.
            Dataset<Row> bad = cached.rejected().localCheckpoint();
            long badCount = bad.count();
            quarantined.add(bad);
            held.add(newlyHeld);
            written.put(source.tableName(), kept.rowsWritten());
            rejected.put(source.tableName(), badCount);
            if (source == SourceTable.ACCOUNTS) {
              knownAccounts.set(firstDeliveries(lakehouse, to).localCheckpoint());
            }
            finished.add(source.tableName());
            return new StepReport(kept.rowsWritten(), badCount, null);
          } finally {
            records.unpersist();
          }
        });
      }
    } catch (Throwable e) { // Scala code throws checked exceptions (SparkException) undeclared.
      keepQuarantined(lakehouse, quarantined, finished, from, to);
      throw e;
    }
    context.step("held rows", to, () -> {
      Dataset<Row> all = held.stream().reduce(Dataset::unionByName).orElseThrow();
      Lakehouse.WriteResult result = lakehouse.replaceDates(HeldRows.TABLE, all, HeldRows.HELD_ON, from, to, null, HeldRows.HELD_ON);
      // Rows whose account never came within the lateness: held before or during this run.
      Dataset<Row> expired =
          HeldRows.expired(heldBefore.unionByName(all), knownAccounts.get(), lateness, from, to).localCheckpoint();
      quarantined.add(expired);
      // rows_written: rows held on the run's days; rows_rejected: held rows whose wait ended in it.
      return new StepReport(result.rowsWritten(), expired.count(), null);
    });
    // One transaction replaces every rejection of the run's days, whatever source it came from.
    context.step("quarantine", to, () -> {
      Dataset<Row> all = quarantined.stream().reduce(Dataset::unionByName).orElseThrow();
      Lakehouse.WriteResult result = lakehouse.replaceDates(Quarantine.TABLE, all, Quarantine.RUN_DATE, from, to, null);
      return new StepReport(result.rowsWritten(), 0, null);
    });
    context.step("rollup " + AccountDaily.TABLE, to, () -> {
      Dataset<Row> daily =
          AccountDaily.rollup(
              delivered(lakehouse, SourceTable.USAGE_EVENTS, from, to),
              delivered(lakehouse, SourceTable.API_REQUESTS, from, to),
              newTickets(lakehouse, from, to),
              context.config().slo().callerErrors());
      Lakehouse.WriteResult result =
          lakehouse.replaceDates(AccountDaily.TABLE, daily, AccountDaily.DELIVERED_ON, from, to, null, AccountDaily.DELIVERED_ON);
      return new StepReport(result.rowsWritten(), 0, null);
    });
    context.step("rollup " + AccountHourly.TABLE, to, () -> {
      Dataset<Row> hourly =
          AccountHourly.rollup(delivered(lakehouse, SourceTable.API_REQUESTS, from, to), context.config().slo().callerErrors());
      Lakehouse.WriteResult result =
          lakehouse.replaceDates(AccountHourly.TABLE, hourly, AccountHourly.DELIVERED_ON, from, to, null, AccountHourly.DELIVERED_ON);
      return new StepReport(result.rowsWritten(), 0, null);
    });
    return new Summary(written, rejected);
  }

  /**
   * Writes the rejections found before a failure, replacing the run's days of those sources only: a
   * rerun finds them again and replaces them with the whole run's.
   */
  private static void keepQuarantined(
      Lakehouse lakehouse, List<Dataset<Row>> quarantined, List<String> sources, LocalDate from, LocalDate to) {
    if (sources.isEmpty()) {
      return;
    }
    try {
      // Not the unknown_account rows of those sources: only the held-rows step, which did not run, rewrites them.
      lakehouse.replaceDates(Quarantine.TABLE, quarantined.stream().reduce(Dataset::unionByName).orElseThrow(),
          Quarantine.RUN_DATE, from, to,
          Quarantine.SOURCE + " IN ('" + String.join("', '", sources) + "') AND " + Quarantine.REASON_CODE + " <> '"
              + Quarantine.ReasonCode.UNKNOWN_ACCOUNT.code() + "'");
    } catch (Exception e) { // Scala code throws checked exceptions (SparkException) undeclared.
      // The run fails anyway; its own error is the one to report.
      org.slf4j.LoggerFactory.getLogger(IngestStep.class).warn("could not keep the quarantined rows: {}", e.toString());
    }
  }

  /**
   * The delivered rows plus the held rows that enter on a day of the run. For versioned sources a
   * record delivered again on the day its held version enters keeps the newer delivery: of the rows
   * with one id and one delivery day, the one delivered last wins.
   */
  private static Dataset<Row> withEntered(SourceTable source, Dataset<Row> delivered, Dataset<Row> entering) {
    Dataset<Row> all =
        delivered.withColumn(HeldRows.HELD_ON, col(SourceTable.DELIVERED_ON)).unionByName(entering);
    if (source.kind() == SourceTable.Kind.VERSIONED) {
      all =
          all.withColumn("_newest", row_number().over(
                  Window.partitionBy(col(source.idColumn()), col(SourceTable.DELIVERED_ON)).orderBy(col(HeldRows.HELD_ON).desc())))
              .filter(col("_newest").equalTo(1))
              .drop("_newest");
    }
    return all.drop(HeldRows.HELD_ON);
  }

  /** Each account and the first day the CRM export delivered it, through {@code to}. */
  static Dataset<Row> firstDeliveries(Lakehouse lakehouse, LocalDate to) {
    return lakehouse.read(SourceTable.ACCOUNTS.tableName())
        .filter(col(SourceTable.DELIVERED_ON).leq(lit(Date.valueOf(to))))
        .groupBy(col("account_id"))
        .agg(min(col(SourceTable.DELIVERED_ON)).as(SourceValidation.FIRST_KNOWN_ON));
  }

  /** The rows of an event source delivered in [from, to]: only the new data, never the whole history. */
  static Dataset<Row> delivered(Lakehouse lakehouse, SourceTable source, LocalDate from, LocalDate to) {
    return lakehouse
        .read(source.tableName())
        .filter(col(SourceTable.DELIVERED_ON).between(lit(Date.valueOf(from)), lit(Date.valueOf(to))));
  }

  /** The first delivered version of each ticket first delivered in [from, to]: a ticket opens once. */
  static Dataset<Row> newTickets(Lakehouse lakehouse, LocalDate from, LocalDate to) {
    Column first = col(SourceTable.DELIVERED_ON);
    return lakehouse.read(SourceTable.TICKETS.tableName())
        .filter(first.leq(lit(Date.valueOf(to))))
        .groupBy(col("ticket_id"))
        .agg(
            min_by(struct(col("account_id"), col("created_at"), col("priority")), first).as("_first"),
            min(first).as(SourceTable.DELIVERED_ON))
        .filter(col(SourceTable.DELIVERED_ON).geq(lit(Date.valueOf(from))))
        .select(col("_first.account_id").as("account_id"), col("_first.created_at").as("created_at"),
            col("_first.priority").as("priority"), col(SourceTable.DELIVERED_ON));
  }
}
