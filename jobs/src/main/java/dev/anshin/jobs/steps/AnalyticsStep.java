package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.health.HealthScore;
import dev.anshin.features.revenue.CohortRetention;
import dev.anshin.features.revenue.MrrInvoiceCheck;
import dev.anshin.features.revenue.RevenueMovements;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.rollup.AccountHourly;
import dev.anshin.features.slo.CustomerSlo;
import dev.anshin.features.slo.SloSettings;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import dev.anshin.features.support.SupportMetrics;
import dev.anshin.features.support.ToilTopics;
import dev.anshin.jobs.io.Lakehouse;
import java.sql.Date;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The CRE analytics tables for [from, to]: customer SLOs and error budgets, support and toil,
 * revenue movements, cohort retention and its sBG forecast, and the health score.
 *
 * <p>Per-day tables replace the run's dates, each date computed from what was delivered by its end.
 * The month tables (revenue movements and summary, cohort retention and its forecast) are
 * recomputed whole from the small subscriptions table as known on the run date (months are closed
 * by later data, e.g. a cancellation delivered after the month ended), and carry that date in
 * {@code as_of_date}; a run for a date older than the one they hold leaves them as they are, so
 * rerunning an old date never rolls them back.
 */
public final class AnalyticsStep implements Step {
  public static final AnalyticsStep INSTANCE = new AnalyticsStep();

  /** The health score's change over 28 days needs that much history before the first date. */
  static final int HEALTH_HISTORY_DAYS = 28;

  public static final String COHORT_RETENTION_FORECAST = "cohort_retention_forecast";
  /** Periods (months) the cohort forecast projects past each cohort's last observed one. */
  static final int FORECAST_PERIODS = 12;

  private AnalyticsStep() {}

  @Override
  public String name() {
    return "analytics";
  }

  @Override
  public StepReport run(PipelineContext context, LocalDate from, LocalDate to) {
    Lakehouse lakehouse = context.lakehouse();
    SloSettings sloSettings = context.config().slo();

    long total = 0;
    total += context.step("slo", to, () -> {
      Dataset<Row> rollups = lakehouse.read(AccountDaily.TABLE).filter(FeaturesStep.recentRollups(from, to));
      Dataset<Row> slo =
          CustomerSlo.daily(rollups, recentHours(context, from, to), accountPlans(lakehouse, from, to), from, to, sloSettings);
      Lakehouse.WriteResult written =
          lakehouse.replaceDates(CustomerSlo.TABLE, slo,
              CustomerSlo.Columns.AS_OF_DATE, from, to, null, CustomerSlo.Columns.AS_OF_DATE);
      return new StepReport(written.rowsWritten(), 0, null);
    }).rowsWritten();

    Dataset<Row> tickets = lakehouse.read(SourceTable.TICKETS.tableName());
    total += context.step("support", to, () -> {
      Lakehouse.WriteResult daily =
          lakehouse.replaceDates(SupportMetrics.DAILY_TABLE,
              SupportMetrics.daily(tickets, accountRegions(lakehouse), from, to, context.config().support()),
              SupportMetrics.DailyColumns.DATE, from, to, null);
      LocalDate firstWeek = from.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      // A week already written as known on a later day (a rerun of an older date) keeps that row.
      String newerWeeks = newerWeeks(lakehouse, firstWeek, to);
      Lakehouse.WriteResult toil =
          lakehouse.replaceDates(ToilTopics.TABLE,
              ToilTopics.weekly(tickets, from, to, ToilTopics.DEFAULT_REPEAT_WINDOW_DAYS)
                  .filter(newerWeeks == null ? lit(true) : org.apache.spark.sql.functions.expr("NOT (" + newerWeeks + ")")),
              ToilTopics.Columns.WEEK_START, firstWeek, to, newerWeeks == null ? null : "NOT (" + newerWeeks + ")");
      return new StepReport(daily.rowsWritten() + toil.rowsWritten(), 0, null);
    }).rowsWritten();

    total += context.step("revenue", to, () -> {
      LocalDate newest = newestMonthTables(lakehouse);
      if (newest != null && newest.isAfter(to)) {
        // Month tables hold what was known on the newest run date; an older run must not roll them back.
        return new StepReport(0, 0, "kept the month tables as of " + newest + ", newer than " + to);
      }
      // Read once for the currency check, the movements, the cohorts, the forecast and the invoice check.
      Dataset<Row> billed =
          Versions.latest(lakehouse.read(SourceTable.SUBSCRIPTIONS.tableName()), "subscription_id", to).cache();
      Dataset<Row> events = null;
      Dataset<Row> movements = null;
      try {
        Dataset<Row> subscriptions = ReportingCurrencies.subscriptions(context, billed);
        events = RevenueMovements.events(subscriptions, to).cache();
        movements = RevenueMovements.monthly(subscriptions, events, to).cache();
        long rows = lakehouse.overwrite(RevenueMovements.EVENTS_TABLE, asOf(events, to)).rowsWritten();
        rows += lakehouse.overwrite(RevenueMovements.MOVEMENTS_TABLE, asOf(movements, to)).rowsWritten();
        rows += lakehouse.overwrite(RevenueMovements.SUMMARY_TABLE, asOf(RevenueMovements.summary(movements), to)).rowsWritten();
        rows += lakehouse.overwrite(CohortRetention.TABLE, asOf(CohortRetention.monthly(subscriptions, to), to)).rowsWritten();
        // Shifted-beta-geometric fit per signup cohort (monthly periods), projected a year ahead.
        Dataset<Row> survivors = dev.anshin.models.retention.CohortRetention.survivors(subscriptions, to);
        rows += lakehouse.overwrite(COHORT_RETENTION_FORECAST,
            asOf(dev.anshin.models.retention.CohortRetention.forecast(survivors, FORECAST_PERIODS), to)).rowsWritten();
        // The export's MRR against its invoices, in the billing currency: what differs is worth a look.
        Dataset<Row> invoices = Versions.latest(lakehouse.read(SourceTable.INVOICES.tableName()), "invoice_id", to);
        rows += lakehouse.overwrite(MrrInvoiceCheck.TABLE, asOf(MrrInvoiceCheck.check(billed, invoices, to), to)).rowsWritten();
        return new StepReport(rows, 0, null);
      } finally {
        for (Dataset<Row> cached : java.util.Arrays.asList(movements, events, billed)) {
          if (cached != null) {
            cached.unpersist();
          }
        }
      }
    }).rowsWritten();

    total += context.step("health", to, () -> {
      Date historyFrom = Date.valueOf(from.minusDays(HEALTH_HISTORY_DAYS));
      Dataset<Row> features =
          lakehouse.read(CustomerFeatures.TABLE)
              .filter(col(CustomerFeatures.AS_OF_DATE).between(lit(historyFrom), lit(Date.valueOf(to))));
      Dataset<Row> slo =
          lakehouse.read(CustomerSlo.TABLE)
              .filter(col(CustomerSlo.Columns.AS_OF_DATE).between(lit(historyFrom), lit(Date.valueOf(to))));
      Dataset<Row> health =
          HealthScore.score(features, slo, context.config().health())
              .filter(col(HealthScore.Columns.AS_OF_DATE).geq(lit(Date.valueOf(from))));
      Lakehouse.WriteResult written =
          lakehouse.replaceDates(HealthScore.TABLE, health, HealthScore.Columns.AS_OF_DATE, from, to, null, HealthScore.Columns.AS_OF_DATE);
      return new StepReport(written.rowsWritten(), 0, null);
    }).rowsWritten();
    return new StepReport(total, 0, null);
  }

  /**
   * Each account's region as the CRM first delivered it, which picks its tickets' business schedule:
   * known before any of its tickets (a ticket waits for its account), and the same for a nightly run
   * and a backfill, so a later move of region does not rewrite earlier days.
   */
  static Dataset<Row> accountRegions(Lakehouse lakehouse) {
    return lakehouse.read(SourceTable.ACCOUNTS.tableName())
        .groupBy(col("account_id"))
        .agg(org.apache.spark.sql.functions.min_by(col("region"), col(SourceTable.DELIVERED_ON)).as("region"));
  }

  /**
   * A condition naming the weeks in [firstWeek, to] whose toil rows were computed as known on a day
   * after {@code to} (so after what a run for {@code to} can know), or null when there are none.
   */
  static String newerWeeks(Lakehouse lakehouse, LocalDate firstWeek, LocalDate to) {
    if (!lakehouse.exists(ToilTopics.TABLE)) {
      return null;
    }
    Dataset<Row> toil = lakehouse.read(ToilTopics.TABLE);
    if (!java.util.Arrays.asList(toil.columns()).contains(ToilTopics.Columns.AS_OF_DATE)) {
      return null;
    }
    List<String> weeks =
        toil.filter(col(ToilTopics.Columns.WEEK_START).between(lit(Date.valueOf(firstWeek)), lit(Date.valueOf(to)))
                .and(col(ToilTopics.Columns.AS_OF_DATE).gt(lit(Date.valueOf(to)))))
            .select(ToilTopics.Columns.WEEK_START).distinct().collectAsList().stream()
            .map(r -> "DATE'" + r.getDate(0) + "'")
            .toList();
    return weeks.isEmpty() ? null : ToilTopics.Columns.WEEK_START + " IN (" + String.join(", ", weeks) + ")";
  }

  /** The column every month table carries: the run date whose knowledge it holds. */
  public static final String MONTH_TABLES_AS_OF = "as_of_date";

  private static Dataset<Row> asOf(Dataset<Row> rows, LocalDate date) {
    return rows.withColumn(MONTH_TABLES_AS_OF, lit(Date.valueOf(date)));
  }

  /** The run date the month tables were last written for, or null. */
  static LocalDate newestMonthTables(Lakehouse lakehouse) {
    return newestAsOf(lakehouse, RevenueMovements.SUMMARY_TABLE);
  }

  /**
   * The run date a table recomputed whole (a month table, an analysis) was last written for, or null
   * when it does not exist or predates its {@code as_of_date} column.
   */
  static LocalDate newestAsOf(Lakehouse lakehouse, String table) {
    if (!lakehouse.exists(table)) {
      return null;
    }
    Dataset<Row> rows = lakehouse.read(table);
    if (!java.util.Arrays.asList(rows.columns()).contains(MONTH_TABLES_AS_OF)) {
      return null;
    }
    Row newest = rows.agg(org.apache.spark.sql.functions.max(col(MONTH_TABLES_AS_OF))).first();
    return newest.isNullAt(0) ? null : newest.getDate(0).toLocalDate();
  }

  /**
   * The hourly rollup rows the burn-rate alerts of [from, to] can use: the alert lookback before
   * {@code from}, delivered by {@code to}. A lakehouse from before the hourly rollup existed has
   * none until ingest runs; its alerts are then empty, and the log says so.
   */
  static Dataset<Row> recentHours(PipelineContext context, LocalDate from, LocalDate to) {
    Lakehouse lakehouse = context.lakehouse();
    int lookbackDays = (SloSettings.MAX_ALERT_WINDOW_HOURS + 23) / 24;
    Date first = Date.valueOf(from.minusDays(lookbackDays));
    if (!lakehouse.exists(AccountHourly.TABLE)) {
      org.slf4j.LoggerFactory.getLogger(AnalyticsStep.class).warn(
          "{} does not exist yet (it is written by ingest): the SLO alerts of {}..{} have no hourly data; "
              + "rerun ingest for these days to compute them", AccountHourly.TABLE, from, to);
      return lakehouse.read(AccountDaily.TABLE).limit(0)
          .select(col(AccountDaily.ACCOUNT_ID), lit(null).cast("timestamp").as(AccountHourly.ACTIVITY_HOUR),
              col(AccountDaily.DELIVERED_ON), col(AccountDaily.VALID_REQUESTS), col(AccountDaily.GOOD_REQUESTS),
              col(AccountDaily.validAtOrBelow(100)), col(AccountDaily.validAtOrBelow(250)),
              col(AccountDaily.validAtOrBelow(500)), col(AccountDaily.validAtOrBelow(1000)),
              col(AccountDaily.validAtOrBelow(2000)));
    }
    // Requests are never delivered before they happen, so the delivery-day bound prunes partitions.
    return lakehouse.read(AccountHourly.TABLE)
        .filter(col(AccountHourly.DELIVERED_ON).between(lit(first), lit(Date.valueOf(to)))
            .and(col(AccountHourly.ACTIVITY_HOUR).geq(lit(java.sql.Timestamp.from(first.toLocalDate().atStartOfDay(java.time.ZoneOffset.UTC).toInstant())))));
  }

  /** Each account's plan and segment on each as-of date of [from, to], from its features. */
  static Dataset<Row> accountPlans(Lakehouse lakehouse, LocalDate from, LocalDate to) {
    return lakehouse.read(CustomerFeatures.TABLE)
        .filter(col(CustomerFeatures.AS_OF_DATE).between(lit(Date.valueOf(from)), lit(Date.valueOf(to))))
        .select(
            col(CustomerFeatures.ACCOUNT_ID).as(CustomerSlo.Input.ACCOUNT_ID),
            col(CustomerFeatures.AS_OF_DATE).as(CustomerSlo.Input.AS_OF_DATE),
            col(CustomerFeatures.PLAN).as(CustomerSlo.Input.PLAN),
            col(CustomerFeatures.SEGMENT).as(CustomerSlo.Input.SEGMENT));
  }
}
