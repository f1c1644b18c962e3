package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.Quarantine;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.SourceValidation;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.io.SourceReader;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Ingest: reads every source for [from, to], validates it, writes the typed source tables and the
 * rejected rows to {@code quarantine}, then rolls the new days up into {@code account_daily}.
 *
 * <p>Every source is checked for presence before anything is written, so a missing export stops
 * the run with the previous tables intact. Snapshot sources are full exports and replace their table
 * in one transaction; daily sources and the quarantine replace exactly the run's days, so running a
 * date again changes nothing.
 */
public final class IngestStep {
  private IngestStep() {}

  /** Rows kept and rejected per source. */
  public record Summary(Map<String, Long> written, Map<String, Long> rejected) {}

  public static Summary run(PipelineContext context, LocalDate from, LocalDate to) {
    SourceReader reader = new SourceReader(context.spark(), context.config());
    for (SourceTable source : SourceTable.values()) {
      reader.checkPresent(source, from, to);
    }
    Lakehouse lakehouse = context.lakehouse();
    SourceValidation.Rules rules =
        new SourceValidation.Rules(to, context.config().ingest().minValidDate(), context.config().ingest().maxFutureDays());
    Map<String, Long> written = new LinkedHashMap<>();
    Map<String, Long> rejected = new LinkedHashMap<>();
    List<Dataset<Row>> quarantined = new ArrayList<>();
    for (SourceTable source : SourceTable.values()) {
      context.step("ingest " + source.tableName(), to, () -> {
        Dataset<Row> known =
            source.referencesAccounts()
                ? lakehouse.read(SourceTable.ACCOUNTS.tableName()).select(col("account_id"))
                : context.spark().createDataFrame(List.of(), new StructType().add("account_id", DataTypes.StringType));
        SourceValidation.Classified classified =
            SourceValidation.validate(source, reader.read(source, from, to), known, rules);
        Dataset<Row> records = classified.records().persist();
        try {
          SourceValidation.Classified cached = new SourceValidation.Classified(source, records);
          Lakehouse.WriteResult kept =
              source.kind() == SourceTable.Kind.DAILY
                  ? lakehouse.replaceDates(source.tableName(), cached.valid(), source.partitionColumn().orElseThrow(),
                      from, to, null, source.partitionColumn().orElseThrow())
                  : lakehouse.overwrite(source.tableName(), cached.valid());
          // The rejected rows are few: keep them (not the whole delivery) for one quarantine write.
          Dataset<Row> bad = cached.rejected().localCheckpoint();
          long badCount = bad.count();
          quarantined.add(bad);
          written.put(source.tableName(), kept.rowsWritten());
          rejected.put(source.tableName(), badCount);
          return new PipelineContext.StepReport(kept.rowsWritten(), badCount, null);
        } finally {
          records.unpersist();
        }
      });
    }
    // One transaction replaces every rejection of the run's days, whatever source it came from.
    context.step("quarantine", to, () -> {
      Dataset<Row> all = quarantined.stream().reduce(Dataset::unionByName).orElseThrow();
      Lakehouse.WriteResult result = lakehouse.replaceDates(Quarantine.TABLE, all, Quarantine.RUN_DATE, from, to, null);
      return new PipelineContext.StepReport(result.rowsWritten(), 0, null);
    });
    context.step("rollup " + AccountDaily.TABLE, to, () -> {
      Dataset<Row> daily =
          AccountDaily.rollup(
              newDays(lakehouse, SourceTable.USAGE_EVENTS, from, to),
              newDays(lakehouse, SourceTable.API_REQUESTS, from, to),
              newDays(lakehouse, SourceTable.TICKETS, from, to));
      Lakehouse.WriteResult result =
          lakehouse.replaceDates(AccountDaily.TABLE, daily, AccountDaily.ACTIVITY_DATE, from, to, null, AccountDaily.ACTIVITY_DATE);
      return new PipelineContext.StepReport(result.rowsWritten(), 0, null);
    });
    return new Summary(written, rejected);
  }

  /** The days [from, to] of a daily source table: only the new data, never the whole history. */
  static Dataset<Row> newDays(Lakehouse lakehouse, SourceTable source, LocalDate from, LocalDate to) {
    String partition = source.partitionColumn().orElseThrow();
    return lakehouse
        .read(source.tableName())
        .filter(col(partition).between(lit(Date.valueOf(from)), lit(Date.valueOf(to))));
  }
}
