package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.features.health.HealthScore;
import dev.anshin.features.revenue.RevenueMovements;
import dev.anshin.features.slo.CustomerSlo;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.success.AccountTimeline;
import dev.anshin.features.success.ActivityEffects;
import dev.anshin.features.support.HelpCenterDeflection;
import dev.anshin.jobs.config.AnalyticsConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.churn.ChurnScores;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Traceability: {@code account_timeline} for [from, to] (activities, tickets and changes of health,
 * SLO status and risk tier, each next to the account's state), and, from the optional sources when
 * they are enabled, {@code activity_effects} and {@code help_center_deflection}.
 *
 * <p>The timeline is a per-day table, keyed by the day each row became known. The two analyses are
 * recomputed whole as of the run date, like the month tables, and carry it in {@code as_of_date}; a
 * run for an older date than the one they hold leaves them as they are. It runs after scoring, so
 * that the timeline sees the day's risk tier; without a model yet it runs all the same.
 */
public final class TraceabilityStep implements Step {
  public static final TraceabilityStep INSTANCE = new TraceabilityStep();

  private TraceabilityStep() {}

  @Override
  public String name() {
    return "traceability";
  }

  @Override
  public StepReport run(PipelineContext context, LocalDate from, LocalDate to) {
    Lakehouse lakehouse = context.lakehouse();
    boolean activitiesEnabled = context.config().enabled(SourceTable.CS_ACTIVITIES)
        && lakehouse.exists(SourceTable.CS_ACTIVITIES.tableName());
    boolean viewsEnabled = context.config().enabled(SourceTable.HELP_CENTER_VIEWS)
        && lakehouse.exists(SourceTable.HELP_CENTER_VIEWS.tableName());
    AnalyticsConfig.Traceability settings = context.config().traceability();
    long total = 0;

    total += context.step("timeline", to, () -> {
      // States back to the oldest day a late activity delivered in the run can have happened on; an
      // activity's earlier deliveries lie within the lateness too (each is at most that late).
      int lateDays = 1 + context.config().ingest().latenessDays();
      LocalDate statesFrom = from.minusDays(lateDays);
      AccountTimeline.States states = new AccountTimeline.States(
          daily(lakehouse, HealthScore.TABLE, statesFrom, to, HealthScore.Columns.HEALTH_SCORE, HealthScore.Columns.HEALTH_BAND),
          daily(lakehouse, CustomerSlo.TABLE, statesFrom, to, CustomerSlo.Columns.STATUS),
          daily(lakehouse, ChurnScores.TABLE, statesFrom, to, ChurnScores.CHURN_PROBABILITY, ChurnScores.RISK_TIER));
      Dataset<Row> rows = AccountTimeline.rows(
          activitiesEnabled ? IngestStep.delivered(lakehouse, SourceTable.CS_ACTIVITIES, statesFrom, to) : null,
          lakehouse.read(SourceTable.TICKETS.tableName()).filter(col(SourceTable.DELIVERED_ON).leq(lit(Date.valueOf(to)))),
          states, from, to, lateDays);
      Lakehouse.WriteResult written = lakehouse.replaceDates(AccountTimeline.TABLE, rows,
          AccountTimeline.Columns.KNOWN_ON, from, to, null, AccountTimeline.Columns.KNOWN_ON);
      return new StepReport(written.rowsWritten(), 0, null);
    }).rowsWritten();

    if (activitiesEnabled) {
      total += context.step("activity effects", to, () -> {
        LocalDate newest = AnalyticsStep.newestAsOf(lakehouse, ActivityEffects.TABLE);
        if (newest != null && newest.isAfter(to)) {
          return new StepReport(0, 0, "kept " + ActivityEffects.TABLE + " as of " + newest + ", newer than " + to);
        }
        // Churn comes from mrr_movements, which the analytics step writes as of its run date: only that
        // date's knowledge will do (an older run keeps the newer table; a later one has not run yet).
        LocalDate movementsAsOf = AnalyticsStep.newestAsOf(lakehouse, RevenueMovements.EVENTS_TABLE);
        if (movementsAsOf == null || !movementsAsOf.equals(to)) {
          return new StepReport(0, 0, "left " + ActivityEffects.TABLE + " as it is: " + RevenueMovements.EVENTS_TABLE
              + " holds " + (movementsAsOf == null ? "nothing" : "the churn known on " + movementsAsOf) + ", not on " + to
              + " (run analytics for " + to + " first)");
        }
        ActivityEffects.Settings effects = settings.activityEffects();
        LocalDate first = to.minusDays(effects.lookbackDays());
        Dataset<Row> health = lakehouse.read(HealthScore.TABLE)
            .filter(col(HealthScore.Columns.AS_OF_DATE).between(lit(Date.valueOf(first)), lit(Date.valueOf(to))));
        Dataset<Row> churns = lakehouse.read(RevenueMovements.EVENTS_TABLE)
            .filter(col(RevenueMovements.EventColumns.MOVEMENT_TYPE).equalTo(RevenueMovements.CHURN)
                .and(col(RevenueMovements.EventColumns.MOVEMENT_DATE).leq(lit(Date.valueOf(to)))))
            .select(col(RevenueMovements.EventColumns.ACCOUNT_ID).as("account_id"),
                col(RevenueMovements.EventColumns.MOVEMENT_DATE).as("churn_date"));
        // An activity is delivered on or after its day: the delivery day prunes the partitions.
        Dataset<Row> activities = lakehouse.read(SourceTable.CS_ACTIVITIES.tableName())
            .filter(col(SourceTable.DELIVERED_ON).geq(lit(Date.valueOf(first))).and(col("activity_date").geq(lit(Date.valueOf(first)))));
        return new StepReport(lakehouse.overwrite(ActivityEffects.TABLE,
            ActivityEffects.effects(activities, health, churns, to, effects)).rowsWritten(), 0, null);
      }).rowsWritten();
    }

    if (viewsEnabled) {
      total += context.step("help center deflection", to, () -> {
        LocalDate newest = AnalyticsStep.newestAsOf(lakehouse, HelpCenterDeflection.TABLE);
        if (newest != null && newest.isAfter(to)) {
          return new StepReport(0, 0, "kept " + HelpCenterDeflection.TABLE + " as of " + newest + ", newer than " + to);
        }
        HelpCenterDeflection.Settings helpCenter = settings.helpCenter();
        // Views are delivered on or after their day: the window's deliveries start with its first day.
        Dataset<Row> views = lakehouse.read(SourceTable.HELP_CENTER_VIEWS.tableName())
            .filter(col(SourceTable.DELIVERED_ON).geq(lit(Date.valueOf(HelpCenterDeflection.windowStart(to, helpCenter)))));
        return new StepReport(lakehouse.overwrite(HelpCenterDeflection.TABLE,
            HelpCenterDeflection.deflection(views, lakehouse.read(SourceTable.TICKETS.tableName()), to, helpCenter))
            .rowsWritten(), 0, null);
      }).rowsWritten();
    }
    return new StepReport(total, 0, null);
  }

  /** A day-level table's rows of [from, to] with the given columns, or null when it does not exist yet. */
  private static Dataset<Row> daily(Lakehouse lakehouse, String table, LocalDate from, LocalDate to, String... values) {
    if (!lakehouse.exists(table)) {
      return null;
    }
    org.apache.spark.sql.Column[] columns = new org.apache.spark.sql.Column[values.length + 2];
    columns[0] = col("account_id");
    columns[1] = col("as_of_date");
    for (int i = 0; i < values.length; i++) {
      columns[i + 2] = col(values[i]);
    }
    return lakehouse.read(table)
        .filter(col("as_of_date").between(lit(Date.valueOf(from)), lit(Date.valueOf(to))))
        .select(columns);
  }
}
