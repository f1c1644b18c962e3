package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;

import com.typesafe.config.Config;
import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.health.HealthScore;
import dev.anshin.features.revenue.CohortRetention;
import dev.anshin.features.revenue.RevenueMovements;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.slo.CustomerSlo;
import dev.anshin.features.slo.SloSettings;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.support.SupportMetrics;
import dev.anshin.features.support.ToilTopics;
import dev.anshin.jobs.config.AnalyticsConfig;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import java.sql.Date;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The CRE analytics tables for [from, to]: customer SLOs and error budgets, support and toil,
 * revenue movements, cohort retention and its sBG forecast, and the health score.
 *
 * <p>Per-day tables replace the run's dates; the monthly revenue tables are recomputed whole from
 * the small subscriptions table each run (months are closed by later data, e.g. a cancellation
 * that lands in the export after the month ended), which is cheap and idempotent.
 */
public final class AnalyticsStep {
  /** The health score's change over 28 days needs that much history before the first date. */
  static final int HEALTH_HISTORY_DAYS = 28;

  public static final String COHORT_RETENTION_FORECAST = "cohort_retention_forecast";
  /** Periods (months) the cohort forecast projects past each cohort's last observed one. */
  static final int FORECAST_PERIODS = 12;

  private AnalyticsStep() {}

  public static void run(PipelineContext context, LocalDate from, LocalDate to) {
    Lakehouse lakehouse = context.lakehouse();
    Config anshin = context.config().raw().getConfig(AnshinConfig.ROOT);
    SloSettings sloSettings = AnalyticsConfig.slo(anshin);

    context.step("slo", to, () -> {
      Dataset<Row> rollups =
          lakehouse.read(AccountDaily.TABLE)
              .filter(col(AccountDaily.ACTIVITY_DATE).between(
                  lit(Date.valueOf(from.minusDays(CustomerFeatures.LOOKBACK_DAYS - 1))), lit(Date.valueOf(to))));
      Lakehouse.WriteResult written =
          lakehouse.replaceDates(CustomerSlo.TABLE, CustomerSlo.daily(rollups, accountPlans(lakehouse, from, to), from, to, sloSettings),
              CustomerSlo.Columns.AS_OF_DATE, from, to, null, CustomerSlo.Columns.AS_OF_DATE);
      return new PipelineContext.StepReport(written.rowsWritten(), 0, null);
    });

    Dataset<Row> tickets = lakehouse.read(SourceTable.TICKETS.tableName());
    context.step("support", to, () -> {
      Lakehouse.WriteResult daily =
          lakehouse.replaceDates(SupportMetrics.DAILY_TABLE, SupportMetrics.daily(tickets, from, to),
              SupportMetrics.DailyColumns.DATE, from, to, null);
      LocalDate firstWeek = from.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      Lakehouse.WriteResult toil =
          lakehouse.replaceDates(ToilTopics.TABLE, ToilTopics.weekly(tickets, from, to, ToilTopics.DEFAULT_REPEAT_WINDOW_DAYS),
              ToilTopics.Columns.WEEK_START, firstWeek, to, null);
      return new PipelineContext.StepReport(daily.rowsWritten() + toil.rowsWritten(), 0, null);
    });

    context.step("revenue", to, () -> {
      Dataset<Row> subscriptions = lakehouse.read(SourceTable.SUBSCRIPTIONS.tableName());
      Dataset<Row> movements = RevenueMovements.monthly(subscriptions, to).cache();
      try {
        long rows = lakehouse.overwrite(RevenueMovements.MOVEMENTS_TABLE, movements).rowsWritten();
        rows += lakehouse.overwrite(RevenueMovements.SUMMARY_TABLE, RevenueMovements.summary(movements)).rowsWritten();
        rows += lakehouse.overwrite(CohortRetention.TABLE, CohortRetention.monthly(subscriptions, to)).rowsWritten();
        // Shifted-beta-geometric fit per signup cohort (monthly periods), projected a year ahead.
        Dataset<Row> survivors = dev.anshin.models.retention.CohortRetention.survivors(subscriptions, to);
        rows += lakehouse.overwrite(COHORT_RETENTION_FORECAST,
            dev.anshin.models.retention.CohortRetention.forecast(survivors, FORECAST_PERIODS)).rowsWritten();
        return new PipelineContext.StepReport(rows, 0, null);
      } finally {
        movements.unpersist();
      }
    });

    context.step("health", to, () -> {
      Date historyFrom = Date.valueOf(from.minusDays(HEALTH_HISTORY_DAYS));
      Dataset<Row> features =
          lakehouse.read(CustomerFeatures.TABLE)
              .filter(col(CustomerFeatures.AS_OF_DATE).between(lit(historyFrom), lit(Date.valueOf(to))));
      Dataset<Row> slo =
          lakehouse.read(CustomerSlo.TABLE)
              .filter(col(CustomerSlo.Columns.AS_OF_DATE).between(lit(historyFrom), lit(Date.valueOf(to))));
      Dataset<Row> health =
          HealthScore.score(features, slo, AnalyticsConfig.health(anshin))
              .filter(col(HealthScore.Columns.AS_OF_DATE).geq(lit(Date.valueOf(from))));
      Lakehouse.WriteResult written =
          lakehouse.replaceDates(HealthScore.TABLE, health, HealthScore.Columns.AS_OF_DATE, from, to, null, HealthScore.Columns.AS_OF_DATE);
      return new PipelineContext.StepReport(written.rowsWritten(), 0, null);
    });
  }

  /** Each account's segment and its latest plan in the range, which pick its SLO targets. */
  static Dataset<Row> accountPlans(Lakehouse lakehouse, LocalDate from, LocalDate to) {
    Dataset<Row> plans =
        lakehouse.read(CustomerFeatures.TABLE)
            .filter(col(CustomerFeatures.AS_OF_DATE).between(lit(Date.valueOf(from)), lit(Date.valueOf(to))))
            .groupBy(col(CustomerFeatures.ACCOUNT_ID).as("_plan_account"))
            .agg(max_by(col(CustomerFeatures.PLAN), col(CustomerFeatures.AS_OF_DATE)).as(CustomerSlo.Input.PLAN));
    return lakehouse.read(SourceTable.ACCOUNTS.tableName())
        .select(col("account_id"), col("segment").as(CustomerSlo.Input.SEGMENT))
        .join(plans, col("account_id").equalTo(col("_plan_account")), "left")
        .select(col("account_id"), col(CustomerSlo.Input.PLAN), col(CustomerSlo.Input.SEGMENT));
  }
}
