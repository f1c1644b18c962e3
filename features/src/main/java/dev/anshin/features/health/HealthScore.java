package dev.anshin.features.health;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.slo.CustomerSlo;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A configurable customer health scorecard in the style of Gainsight and Vitally: five components
 * scored 0-100, a weighted score, a colour, and a plain-words reason per component.
 *
 * <p>Each component is linear between the configured value that scores 0 and the one that scores
 * 100, and clamped outside them, so every score can be recomputed by hand from its reason. A
 * component without data (no seats and no activity count, no SLO and no error rate, no previous
 * usage to compare with) is null and left out: the health score is the weighted mean of the
 * components that have data, with their weights rescaled to sum to 1.
 */
public final class HealthScore {

  public static final String TABLE = "customer_health";

  /** Values of {@code health_band}. */
  public static final String GREEN = "green";
  public static final String YELLOW = "yellow";
  public static final String RED = "red";

  /** The columns read from {@code customer_features}. */
  public static final class Input {
    public static final String AS_OF_DATE = "as_of_date";
    public static final String ACCOUNT_ID = "account_id";
    public static final String SEGMENT = "segment";
    public static final String PLAN = "plan";
    public static final String SEATS = "seats";
    public static final String TENURE_DAYS = "tenure_days";
    public static final String EVENTS_28D = "events_28d";
    public static final String EVENTS_PREV_28D = "events_prev_28d";
    public static final String ACTIVE_DAYS_28D = "active_days_28d";
    public static final String ACTIVE_USERS_28D = "active_users_28d";
    public static final String SEAT_UTILIZATION = "seat_utilization";
    public static final String USAGE_TREND = "usage_trend";
    public static final String ERROR_RATE_28D = "error_rate_28d";
    public static final String HIGH_PRIORITY_TICKETS_90D = "high_priority_tickets_90d";
    public static final String OPEN_TICKETS = "open_tickets";
    public static final String BAD_CSAT_90D = "bad_csat_90d";
    public static final String FAILED_PAYMENTS_90D = "failed_payments_90d";
    public static final String PAST_DUE_INVOICES = "past_due_invoices";
    public static final String BILLING_ISSUE_INVOICES = "billing_issue_invoices";

    private Input() {}
  }

  /** The columns of {@code customer_health}. */
  public static final class Columns {
    public static final String ACCOUNT_ID = "account_id";
    public static final String AS_OF_DATE = "as_of_date";
    public static final String SEGMENT = "segment";
    public static final String PLAN = "plan";
    public static final String HEALTH_SCORE = "health_score";
    public static final String HEALTH_BAND = "health_band";
    public static final String USAGE_SCORE = "usage_score";
    public static final String USAGE_REASON = "usage_reason";
    public static final String RELIABILITY_SCORE = "reliability_score";
    public static final String RELIABILITY_REASON = "reliability_reason";
    public static final String SUPPORT_SCORE = "support_score";
    public static final String SUPPORT_REASON = "support_reason";
    public static final String BILLING_SCORE = "billing_score";
    public static final String BILLING_REASON = "billing_reason";
    public static final String TREND_SCORE = "trend_score";
    public static final String TREND_REASON = "trend_reason";
    public static final String SCORE_CHANGE_7D = "score_change_7d";
    public static final String SCORE_CHANGE_28D = "score_change_28d";

    public static final List<String> ALL =
        List.of(
            ACCOUNT_ID, AS_OF_DATE, SEGMENT, PLAN, HEALTH_SCORE, HEALTH_BAND, USAGE_SCORE,
            USAGE_REASON, RELIABILITY_SCORE, RELIABILITY_REASON, SUPPORT_SCORE, SUPPORT_REASON,
            BILLING_SCORE, BILLING_REASON, TREND_SCORE, TREND_REASON, SCORE_CHANGE_7D,
            SCORE_CHANGE_28D);

    private Columns() {}
  }

  /** The component scores, in the order of {@link HealthSettings.Weights}' components. */
  public static final List<String> COMPONENT_COLUMNS =
      List.of(Columns.USAGE_SCORE, Columns.RELIABILITY_SCORE, Columns.SUPPORT_SCORE, Columns.BILLING_SCORE, Columns.TREND_SCORE);

  /** The components' names as the configuration spells them ({@code anshin.health.weights}), in the same order. */
  public static final List<String> COMPONENTS = List.of("usage", "reliability", "support", "billing", "trend");

  private HealthScore() {}

  /**
   * Scores every row of {@code features}. Component scores are rounded to one decimal for reading;
   * the health score is computed from the unrounded components and then rounded to one decimal.
   * The changes compare with the same account's score 7 and 28 days earlier in the same input, and
   * are null when that row is absent.
   *
   * @param features {@code customer_features}: one row per account and as-of date
   * @param slo {@code customer_slo_daily} (may hold more dates or accounts than the features)
   */
  public static Dataset<Row> score(Dataset<Row> features, Dataset<Row> slo, HealthSettings settings) {
    HealthSettings.Thresholds t = settings.thresholds();
    HealthSettings.Weights w = settings.weights().normalised();

    Dataset<Row> sloColumns =
        slo.select(
            col(CustomerSlo.Columns.ACCOUNT_ID).as("slo_account_id"),
            col(CustomerSlo.Columns.AS_OF_DATE).as("slo_as_of_date"),
            col(CustomerSlo.Columns.ERROR_BUDGET_REMAINING).as("slo_budget"),
            col(CustomerSlo.Columns.AVAILABILITY_SLI).as("slo_sli"),
            col(CustomerSlo.Columns.AVAILABILITY_TARGET).as("slo_target"),
            col(CustomerSlo.Columns.SLI_WINDOW_DAYS).as("slo_window_days"));
    Dataset<Row> joined =
        features.join(
            sloColumns,
            col(Input.ACCOUNT_ID)
                .equalTo(col("slo_account_id"))
                .and(col(Input.AS_OF_DATE).equalTo(col("slo_as_of_date"))),
            "left");

    // usage: seat utilization, or active days when the seat count is unknown
    Column seatsKnown = col(Input.SEATS).gt(0).and(col(Input.SEAT_UTILIZATION).isNotNull());
    Column usageScore =
        when(seatsKnown, linear(col(Input.SEAT_UTILIZATION), t.seatUtilizationZero(), t.seatUtilizationFull()))
            .when(
                col(Input.ACTIVE_DAYS_28D).isNotNull(),
                linear(col(Input.ACTIVE_DAYS_28D), t.activeDaysZero(), t.activeDaysFull()));
    Column usageReason =
        when(
                seatsKnown,
                format_string(
                    "%d of %d seats active in the last 28 days",
                    coalesce(col(Input.ACTIVE_USERS_28D), lit(0)), col(Input.SEATS)))
            .when(
                col(Input.ACTIVE_DAYS_28D).isNotNull(),
                format_string(
                    "active on %d of the last 28 days (seat count unknown)",
                    col(Input.ACTIVE_DAYS_28D)))
            .otherwise(lit("no usage data"));

    // reliability: the SLO's error budget, or the raw error rate when there is no SLO row
    Column hasBudget = col("slo_budget").isNotNull();
    Column reliabilityScore =
        when(hasBudget, linear(col("slo_budget"), t.budgetZero(), t.budgetFull()))
            .when(
                col(Input.ERROR_RATE_28D).isNotNull(),
                linear(col(Input.ERROR_RATE_28D), t.errorRateZero(), t.errorRateFull()));
    Column availability =
        format_string(
            "availability %.2f%% vs target %.2f%% over %d days",
            col("slo_sli").multiply(100), col("slo_target").multiply(100), col("slo_window_days"));
    Column reliabilityReason =
        when(
                hasBudget.and(col("slo_budget").leq(0)),
                concat(lit("error budget used up: "), availability))
            .when(
                hasBudget,
                concat(
                    format_string("%.0f%% of the error budget left: ", col("slo_budget").multiply(100)),
                    availability))
            .when(
                col(Input.ERROR_RATE_28D).isNotNull(),
                format_string(
                    "%.2f%% of API requests failed in the last 28 days",
                    col(Input.ERROR_RATE_28D).multiply(100)))
            .otherwise(lit("no API traffic measured"));

    // support: high-priority tickets and bad ratings in 90 days, and tickets open now
    Column highPriority = coalesce(col(Input.HIGH_PRIORITY_TICKETS_90D), lit(0));
    Column badRatings = coalesce(col(Input.BAD_CSAT_90D), lit(0));
    Column open = coalesce(col(Input.OPEN_TICKETS), lit(0));
    Column supportIssues = highPriority.plus(badRatings).plus(open);
    Column supportScore = linear(supportIssues, t.supportIssuesZero(), 0);
    Column supportReason =
        when(supportIssues.equalTo(0), lit("no high-priority tickets or bad ratings in 90 days, none open"))
            .otherwise(
                concat(
                    counted(highPriority, "high-priority ticket", "high-priority tickets"),
                    lit(" and "),
                    counted(badRatings, "bad rating", "bad ratings"),
                    lit(" in 90 days, "),
                    counted(open, "ticket", "tickets"),
                    lit(" open")));

    // billing: invoices with a failed payment in 90 days or past due now, each counted once (an
    // unpaid invoice whose payment failed is one problem, not two)
    Column failed = coalesce(col(Input.FAILED_PAYMENTS_90D), lit(0));
    Column pastDue = coalesce(col(Input.PAST_DUE_INVOICES), lit(0));
    // A features row written before billing_issue_invoices existed (null there) keeps the old count,
    // so that the score changes against older rows compare like with like.
    Column billingIssues = coalesce(col(Input.BILLING_ISSUE_INVOICES), failed.plus(pastDue));
    Column billingScore = linear(billingIssues, t.billingIssuesZero(), 0);
    Column billingReason =
        when(billingIssues.equalTo(0), lit("no failed payments in 90 days, nothing past due"))
            .otherwise(
                concat(
                    counted(failed, "failed payment", "failed payments"),
                    lit(" in 90 days, "),
                    counted(pastDue, "invoice", "invoices"),
                    lit(" past due"),
                    when(billingIssues.lt(failed.plus(pastDue)),
                            concat(lit(" ("), counted(billingIssues, "invoice", "invoices"), lit(" in all)")))
                        .otherwise(lit(""))));

    // trend: usage in the last 28 days against the 28 days before
    Column trend = col(Input.USAGE_TREND);
    Column trendScore = when(trend.isNotNull(), linear(trend, t.trendZero(), t.trendFull()));
    Column change = round(abs(trend.minus(1)).multiply(100), 0).cast("long");
    Column events =
        format_string(
            " vs the previous 28 days (%d vs %d events)",
            col(Input.EVENTS_28D), col(Input.EVENTS_PREV_28D));
    Column trendReason =
        when(trend.isNull().and(col(Input.TENURE_DAYS).lt(CustomerFeatures.TREND_MIN_TENURE_DAYS)),
                format_string("too young to compare: %d days old, the trend needs "
                    + CustomerFeatures.TREND_MIN_TENURE_DAYS, col(Input.TENURE_DAYS)))
            .when(trend.isNull(), lit("no usage in the previous 28 days to compare with"))
            .when(change.equalTo(0), concat(lit("usage flat"), events))
            .when(trend.gt(1), concat(format_string("usage up %d%%", change), events))
            .otherwise(concat(format_string("usage down %d%%", change), events));

    Column health = weightedScore(COMPONENT_COLUMNS.stream().map(c -> col(c)).toList(), w);
    Column band = band(col(Columns.HEALTH_SCORE), settings.bands());

    Dataset<Row> scored =
        joined
            .withColumn(Columns.USAGE_SCORE, usageScore)
            .withColumn(Columns.USAGE_REASON, usageReason)
            .withColumn(Columns.RELIABILITY_SCORE, reliabilityScore)
            .withColumn(Columns.RELIABILITY_REASON, reliabilityReason)
            .withColumn(Columns.SUPPORT_SCORE, supportScore)
            .withColumn(Columns.SUPPORT_REASON, supportReason)
            .withColumn(Columns.BILLING_SCORE, billingScore)
            .withColumn(Columns.BILLING_REASON, billingReason)
            .withColumn(Columns.TREND_SCORE, trendScore)
            .withColumn(Columns.TREND_REASON, trendReason)
            .withColumn(Columns.HEALTH_SCORE, health)
            .withColumn(Columns.HEALTH_BAND, band);
    for (String component : COMPONENT_COLUMNS) {
      scored = scored.withColumn(component, round(col(component), 1));
    }

    Dataset<Row> history =
        scored.select(
            col(Columns.ACCOUNT_ID).as("history_account_id"),
            col(Columns.AS_OF_DATE).as("history_as_of_date"),
            col(Columns.HEALTH_SCORE).as("history_score"));
    Dataset<Row> withChanges =
        scored
            .join(
                history.toDF("a7", "d7", "score_7d_ago"),
                col(Columns.ACCOUNT_ID).equalTo(col("a7"))
                    .and(col("d7").equalTo(date_sub(col(Columns.AS_OF_DATE), 7))),
                "left")
            .join(
                history.toDF("a28", "d28", "score_28d_ago"),
                col(Columns.ACCOUNT_ID).equalTo(col("a28"))
                    .and(col("d28").equalTo(date_sub(col(Columns.AS_OF_DATE), 28))),
                "left")
            .withColumn(
                Columns.SCORE_CHANGE_7D,
                round(col(Columns.HEALTH_SCORE).minus(col("score_7d_ago")), 1))
            .withColumn(
                Columns.SCORE_CHANGE_28D,
                round(col(Columns.HEALTH_SCORE).minus(col("score_28d_ago")), 1));
    return withChanges.select(Columns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }

  /**
   * The health score of component scores (in {@link #COMPONENT_COLUMNS}' order): their mean
   * weighted by {@code weights}, over the components that have data, rounded to one decimal; null
   * when none has.
   */
  public static Column weightedScore(List<Column> components, HealthSettings.Weights weights) {
    double[] w = {weights.usage(), weights.reliability(), weights.support(), weights.billing(), weights.trend()};
    Column weighted = lit(0.0);
    Column weightPresent = lit(0.0);
    for (int i = 0; i < w.length; i++) {
      weighted = weighted.plus(coalesce(components.get(i).multiply(w[i]), lit(0.0)));
      weightPresent = weightPresent.plus(when(components.get(i).isNotNull(), lit(w[i])).otherwise(lit(0.0)));
    }
    return when(weightPresent.gt(0), round(weighted.divide(weightPresent), 1));
  }

  /** The colour of a health score: green from {@code bands.green()}, yellow from {@code bands.yellow()}, else red. */
  public static Column band(Column healthScore, HealthSettings.Bands bands) {
    return when(healthScore.geq(bands.green()), lit(GREEN))
        .when(healthScore.geq(bands.yellow()), lit(YELLOW))
        .when(healthScore.isNotNull(), lit(RED));
  }

  /** The colour of a health score, as {@link #band(Column, HealthSettings.Bands)} gives it. */
  public static String band(double healthScore, HealthSettings.Bands bands) {
    return healthScore >= bands.green() ? GREEN : healthScore >= bands.yellow() ? YELLOW : RED;
  }

  /** 0 at {@code zeroAt}, 100 at {@code fullAt}, linear between and clamped outside; null stays null. */
  static Column linear(Column value, double zeroAt, double fullAt) {
    Column fraction = value.cast("double").minus(zeroAt).divide(fullAt - zeroAt);
    // greatest and least skip nulls, so a missing value must be kept null explicitly.
    return when(value.isNotNull(), least(greatest(fraction, lit(0.0)), lit(1.0)).multiply(100));
  }

  private static Column counted(Column count, String singular, String plural) {
    return concat(count.cast("string"), lit(" "), when(count.equalTo(1), lit(singular)).otherwise(lit(plural)));
  }
}
