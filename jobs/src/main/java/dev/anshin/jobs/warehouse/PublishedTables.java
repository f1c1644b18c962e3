package dev.anshin.jobs.warehouse;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.health.HealthScore;
import dev.anshin.features.revenue.CohortRetention;
import dev.anshin.features.revenue.MrrInvoiceCheck;
import dev.anshin.features.revenue.RevenueMovements;
import dev.anshin.features.slo.CustomerSlo;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import dev.anshin.features.success.AccountTimeline;
import dev.anshin.features.success.ActivityEffects;
import dev.anshin.features.support.HelpCenterDeflection;
import dev.anshin.features.support.SupportMetrics;
import dev.anshin.features.support.ToilTopics;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.steps.AnalyticsStep;
import dev.anshin.jobs.steps.PipelineContext;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.revenue.RevenueForecast;
import dev.anshin.models.health.HealthValidation;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The lakehouse tables the warehouse receives, and how each is replaced there: a table with a row
 * per day has the published dates replaced; a table the lakehouse rewrites whole (month tables,
 * the account list) is replaced whole. Every table gets its primary key and indexes on its date and
 * account columns.
 */
public final class PublishedTables {
  private PublishedTables() {}

  /** How a table is replaced in the warehouse. */
  public enum Replace {
    /** The rows of the published dates (by {@link Published#dateColumn}) are deleted and inserted. */
    DATES,
    /** Every row is replaced: the lakehouse holds the table as of its newest run. */
    WHOLE
  }

  /**
   * One published table: its name (the same in the lakehouse and the warehouse), how it is
   * replaced, its date column (for {@link Replace#DATES}), primary key, indexed columns, the lakehouse
   * table it comes from and how its rows are read there.
   */
  public record Published(
      String name, Replace replace, String dateColumn, List<String> primaryKey, List<String> indexed,
      String lakehouseTable, Function<Lakehouse, Dataset<Row>> rows) {

    static Published byDate(String name, String dateColumn, List<String> primaryKey, List<String> indexed) {
      return new Published(name, Replace.DATES, dateColumn, primaryKey, indexed, name, lakehouse -> lakehouse.read(name));
    }

    static Published whole(String name, List<String> primaryKey, List<String> indexed) {
      return new Published(name, Replace.WHOLE, null, primaryKey, indexed, name, lakehouse -> lakehouse.read(name));
    }
  }

  private static final List<String> DAY_AND_ACCOUNT = List.of("as_of_date", "account_id");

  /** In publishing order; the views read several of them. */
  public static final List<Published> ALL =
      List.of(
          Published.byDate(ChurnScores.TABLE, ChurnScores.AS_OF_DATE, DAY_AND_ACCOUNT, List.of("account_id")),
          Published.byDate(ChurnScores.DRIVERS_TABLE, ChurnScores.AS_OF_DATE,
              List.of("as_of_date", "account_id", ChurnScores.FEATURE), List.of("account_id")),
          Published.byDate(RevenueForecast.TABLE, RevenueForecast.AS_OF_DATE, DAY_AND_ACCOUNT, List.of("account_id")),
          Published.byDate(RevenueForecast.PORTFOLIO_TABLE, RevenueForecast.AS_OF_DATE,
              List.of(RevenueForecast.AS_OF_DATE, RevenueForecast.MONTH), List.of()),
          Published.byDate(RevenueForecast.AT_RISK_TABLE, RevenueForecast.AS_OF_DATE,
              List.of(RevenueForecast.AS_OF_DATE, RevenueForecast.DIMENSION, RevenueForecast.VALUE), List.of()),
          Published.byDate(HealthScore.TABLE, HealthScore.Columns.AS_OF_DATE, DAY_AND_ACCOUNT, List.of("account_id")),
          Published.byDate(CustomerSlo.TABLE, CustomerSlo.Columns.AS_OF_DATE, DAY_AND_ACCOUNT, List.of("account_id")),
          Published.byDate(CustomerFeatures.TABLE, CustomerFeatures.AS_OF_DATE, DAY_AND_ACCOUNT, List.of("account_id")),
          Published.byDate(SupportMetrics.DAILY_TABLE, SupportMetrics.DailyColumns.DATE, List.of("date"), List.of()),
          // Toil topics are per week, and a week's row changes on each of its days: the table is small, sent whole.
          Published.whole(ToilTopics.TABLE, List.of(ToilTopics.Columns.WEEK_START, ToilTopics.Columns.CATEGORY), List.of()),
          Published.whole(RevenueMovements.EVENTS_TABLE, List.of("account_id", "movement_date"), List.of("month")),
          Published.whole(RevenueMovements.MOVEMENTS_TABLE, List.of("account_id", "month"), List.of("month")),
          Published.whole(RevenueMovements.SUMMARY_TABLE, List.of("month"), List.of()),
          Published.whole(MrrInvoiceCheck.TABLE, List.of("subscription_id"), List.of("account_id")),
          Published.whole(CohortRetention.TABLE, List.of("cohort_month", "months_since_start"), List.of()),
          Published.whole(AnalyticsStep.COHORT_RETENTION_FORECAST, List.of("cohort_month", "period"), List.of()),
          // The account list as last delivered (name, segment, CSM owner), one row per account: like the
          // month tables, the newest state the lakehouse knows, so publishing an older date rolls nothing back.
          new Published(SourceTable.ACCOUNTS.tableName(), Replace.WHOLE, null, List.of("account_id"), List.of(),
              SourceTable.ACCOUNTS.tableName(),
              lakehouse -> Versions.latest(lakehouse.read(SourceTable.ACCOUNTS.tableName()), "account_id", LocalDate.of(9999, 12, 31))),
          // Traceability: the timeline by the day its rows became known; the analyses as of the newest run.
          Published.byDate(AccountTimeline.TABLE, AccountTimeline.Columns.KNOWN_ON,
              List.of(AccountTimeline.Columns.KNOWN_ON, AccountTimeline.Columns.EVENT_SOURCE, AccountTimeline.Columns.EVENT_ID),
              List.of("account_id")),
          Published.whole(ActivityEffects.TABLE, List.of(ActivityEffects.Columns.ACTIVITY_TYPE, ActivityEffects.Columns.WINDOW_DAYS), List.of()),
          Published.whole(HelpCenterDeflection.TABLE,
              List.of(HelpCenterDeflection.Columns.CATEGORY, HelpCenterDeflection.Columns.ARTICLE_ID), List.of()),
          // The health scorecard's validation, by the training date that measured it.
          Published.byDate(HealthValidation.COMPONENTS_TABLE, "trained_through", List.of("trained_through", "weights", "component"), List.of()),
          Published.byDate(HealthValidation.BANDS_TABLE, "trained_through", List.of("trained_through", "weights", "health_band"), List.of()),
          Published.byDate(PipelineContext.RUN_LOG, "run_date", List.of("run_date", "step"), List.of()));
}
