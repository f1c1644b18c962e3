package dev.anshin.features.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.health.HealthScore.Columns;
import dev.anshin.features.sources.Money;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HealthScoreTest extends SparkTestBase {

  private static final StructType FEATURES =
      new StructType()
          .add("as_of_date", DataTypes.DateType)
          .add("account_id", DataTypes.StringType)
          .add("segment", DataTypes.StringType)
          .add("plan", DataTypes.StringType)
          .add("seats", DataTypes.IntegerType)
          .add("mrr", Money.TYPE)
          .add("tenure_days", DataTypes.IntegerType)
          .add("events_7d", DataTypes.LongType)
          .add("events_28d", DataTypes.LongType)
          .add("events_prev_28d", DataTypes.LongType)
          .add("active_days_28d", DataTypes.IntegerType)
          .add("active_users_28d", DataTypes.LongType)
          .add("seat_utilization", DataTypes.DoubleType)
          .add("usage_trend", DataTypes.DoubleType)
          .add("error_rate_28d", DataTypes.DoubleType)
          .add("tickets_28d", DataTypes.LongType)
          .add("tickets_90d", DataTypes.LongType)
          .add("high_priority_tickets_90d", DataTypes.LongType)
          .add("open_tickets", DataTypes.LongType)
          .add("bad_csat_90d", DataTypes.LongType)
          .add("failed_payments_90d", DataTypes.LongType)
          .add("past_due_invoices", DataTypes.LongType)
          .add("billing_issue_invoices", DataTypes.LongType);

  private static final StructType SLO =
      new StructType()
          .add("account_id", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("sli_window_days", DataTypes.IntegerType)
          .add("availability_sli", DataTypes.DoubleType)
          .add("availability_target", DataTypes.DoubleType)
          .add("error_budget_remaining", DataTypes.DoubleType);

  private Dataset<Row> features;
  private Dataset<Row> slo;

  private static Row features(
      String asOf, String account, Integer seats, long activeUsers, int activeDays, long events28,
      long eventsPrevious28, double errorRate, long highPriority, long open, long badRatings,
      long failedPayments, long pastDue, long billingIssues) {
    Double utilization = seats == null ? null : (double) activeUsers / seats;
    Double trend = eventsPrevious28 == 0 ? null : (double) events28 / eventsPrevious28;
    return row(
        date(asOf), account, "smb", "pro", seats, new BigDecimal("100.00"), 400, events28 / 4,
        events28, eventsPrevious28, activeDays, activeUsers, utilization, trend, errorRate, 3L, 5L,
        highPriority, open, badRatings, failedPayments, pastDue, billingIssues);
  }

  @BeforeAll
  void data() {
    features =
        dataset(
            FEATURES,
            features("2024-03-31", "a", 40, 12, 20, 600, 1000, 0.0003, 1, 1, 1, 1, 0, 1),
            features("2024-03-24", "a", 40, 40, 28, 1200, 1000, 0.0, 0, 0, 0, 0, 0, 0),
            features("2024-03-31", "b", null, 0, 25, 500, 0, 0.0255, 0, 0, 0, 0, 2, 2),
            // c: 2 failed payments in 90 days, 1 invoice past due from before them: 3 invoices
            features("2024-03-31", "c", 40, 2, 3, 400, 1000, 0.002, 4, 2, 1, 2, 1, 3),
            // d: one invoice whose payment failed and that is still unpaid: one problem, not two
            features("2024-03-31", "d", 40, 40, 28, 1000, 1000, 0.0, 0, 0, 0, 1, 1, 1));
    slo =
        dataset(
            SLO,
            row("a", date("2024-03-31"), 28, 0.9997, 0.999, 0.7),
            row("c", date("2024-03-31"), 28, 0.998, 0.9995, -3.0),
            row("a", date("2024-03-30"), 28, 0.9, 0.999, -99.0));
  }

  private Map<String, Row> scored(HealthSettings settings) {
    Dataset<Row> health = HealthScore.score(features, slo, settings);
    assertThat(health.columns()).containsExactlyElementsOf(Columns.ALL);
    return health.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0) + " " + r.getDate(1), r -> r));
  }

  private static double dbl(Row r, String column) {
    return r.getDouble(r.fieldIndex(column));
  }

  private static String text(Row r, String column) {
    return r.getString(r.fieldIndex(column));
  }

  @Test
  void scoresEachComponentBetweenItsThresholdsAndExplainsIt() {
    Row a = scored(HealthSettings.defaults()).get("a 2024-03-31");
    // usage: 12 / 40 = 0.3 seats active; (0.3 - 0.1) / (0.8 - 0.1) x 100 = 28.571...
    double usage = (0.3 - 0.1) / 0.7 * 100;
    assertThat(dbl(a, Columns.USAGE_SCORE)).isEqualTo(28.6);
    assertThat(text(a, Columns.USAGE_REASON)).isEqualTo("12 of 40 seats active in the last 28 days");
    // reliability: 70% of the error budget left scores 70 (0 -> 0, 1 -> 100)
    assertThat(dbl(a, Columns.RELIABILITY_SCORE)).isEqualTo(70.0);
    assertThat(text(a, Columns.RELIABILITY_REASON))
        .isEqualTo("70% of the error budget left: availability 99.97% vs target 99.90% over 28 days");
    // support: 1 high-priority + 1 bad rating + 1 open = 3 issues of 6: 50
    assertThat(dbl(a, Columns.SUPPORT_SCORE)).isEqualTo(50.0);
    assertThat(text(a, Columns.SUPPORT_REASON))
        .isEqualTo("1 high-priority ticket and 1 bad rating in 90 days, 1 ticket open");
    // billing: 1 failed payment of 3: (1 - 1/3) x 100
    assertThat(dbl(a, Columns.BILLING_SCORE)).isEqualTo(66.7);
    assertThat(text(a, Columns.BILLING_REASON))
        .isEqualTo("1 failed payment in 90 days, 0 invoices past due");
    // trend: 600 / 1000 = 0.6; (0.6 - 0.5) / (1.0 - 0.5) x 100 = 20
    assertThat(dbl(a, Columns.TREND_SCORE)).isCloseTo(20.0, within(1e-9));
    assertThat(text(a, Columns.TREND_REASON))
        .isEqualTo("usage down 40% vs the previous 28 days (600 vs 1000 events)");
    // 0.30 x 28.571 + 0.25 x 70 + 0.20 x 50 + 0.15 x 66.667 + 0.10 x 20 = 48.071
    double expected = 0.30 * usage + 0.25 * 70 + 0.20 * 50 + 0.15 * (200.0 / 3) + 0.10 * 20;
    assertThat(dbl(a, Columns.HEALTH_SCORE)).isEqualTo(Math.round(expected * 10) / 10.0);
    assertThat(text(a, Columns.HEALTH_BAND)).isEqualTo(HealthScore.YELLOW);
  }

  @Test
  void fallsBackWhenDataIsMissingAndLeavesOutComponentsWithoutData() {
    Map<String, Row> rows = scored(HealthSettings.defaults());
    Row b = rows.get("b 2024-03-31");
    // no seats: 25 active days of 20 needed for full marks
    assertThat(dbl(b, Columns.USAGE_SCORE)).isEqualTo(100.0);
    assertThat(text(b, Columns.USAGE_REASON))
        .isEqualTo("active on 25 of the last 28 days (seat count unknown)");
    // no SLO row: error rate 2.55% halfway between 5% (0) and 0.1% (100)
    assertThat(dbl(b, Columns.RELIABILITY_SCORE)).isEqualTo(50.0);
    assertThat(text(b, Columns.RELIABILITY_REASON))
        .isEqualTo("2.55% of API requests failed in the last 28 days");
    assertThat(dbl(b, Columns.BILLING_SCORE)).isEqualTo(33.3);
    assertThat(text(b, Columns.BILLING_REASON)).isEqualTo("0 failed payments in 90 days, 2 invoices past due");
    // no previous usage: no trend, and its weight is left out
    assertThat(b.isNullAt(b.fieldIndex(Columns.TREND_SCORE))).isTrue();
    assertThat(text(b, Columns.TREND_REASON))
        .isEqualTo("no usage in the previous 28 days to compare with");
    // (0.30 x 100 + 0.25 x 50 + 0.20 x 100 + 0.15 x 33.33) / 0.90 = 67.5 / 0.9 = 75
    assertThat(dbl(b, Columns.HEALTH_SCORE)).isCloseTo(75.0, within(1e-9));
    assertThat(text(b, Columns.HEALTH_BAND)).isEqualTo(HealthScore.GREEN);

    Row c = rows.get("c 2024-03-31");
    assertThat(text(c, Columns.RELIABILITY_REASON))
        .isEqualTo("error budget used up: availability 99.80% vs target 99.95% over 28 days");
    assertThat(text(c, Columns.SUPPORT_REASON))
        .isEqualTo("4 high-priority tickets and 1 bad rating in 90 days, 2 tickets open");
    // every component at or below its zero threshold
    assertThat(dbl(c, Columns.HEALTH_SCORE)).isZero();
    assertThat(text(c, Columns.HEALTH_BAND)).isEqualTo(HealthScore.RED);
  }

  @Test
  void aYoungAccountsMissingTrendSaysWhy() {
    // 30 days old, with usage on both sides of day 28: no trend (features leave it null under 56
    // days), and the reason says so instead of "no usage in the previous 28 days"
    Dataset<Row> young =
        dataset(FEATURES, features("2024-03-31", "y", 10, 5, 10, 100, 50, 0.0, 0, 0, 0, 0, 0, 0))
            .withColumn("tenure_days", org.apache.spark.sql.functions.lit(30))
            .withColumn("usage_trend", org.apache.spark.sql.functions.lit(null).cast("double"));
    Row y = HealthScore.score(young, slo, HealthSettings.defaults()).first();
    assertThat(y.isNullAt(y.fieldIndex(Columns.TREND_SCORE))).isTrue();
    assertThat(text(y, Columns.TREND_REASON)).isEqualTo("too young to compare: 30 days old, the trend needs 56");
  }

  @Test
  void anUnpaidInvoiceWhosePaymentFailedCountsOnce() {
    Row d = scored(HealthSettings.defaults()).get("d 2024-03-31");
    // 1 billing issue of 3: (1 - 1/3) x 100 = 66.7, where counting it twice gave 33.3
    assertThat(dbl(d, Columns.BILLING_SCORE)).isEqualTo(66.7);
    assertThat(text(d, Columns.BILLING_REASON))
        .isEqualTo("1 failed payment in 90 days, 1 invoice past due (1 invoice in all)");
  }

  @Test
  void changesCompareWithTheSameAccountsEarlierScore() {
    Map<String, Row> rows = scored(HealthSettings.defaults());
    Row earlier = rows.get("a 2024-03-24");
    // 40 of 40 seats, 0% errors, no issues, usage up 20%: every component 100
    assertThat(dbl(earlier, Columns.HEALTH_SCORE)).isEqualTo(100.0);
    assertThat(text(earlier, Columns.TREND_REASON))
        .isEqualTo("usage up 20% vs the previous 28 days (1200 vs 1000 events)");
    Row a = rows.get("a 2024-03-31");
    assertThat(dbl(a, Columns.SCORE_CHANGE_7D))
        .isCloseTo(dbl(a, Columns.HEALTH_SCORE) - 100.0, within(1e-9));
    assertThat(a.isNullAt(a.fieldIndex(Columns.SCORE_CHANGE_28D))).isTrue();
    assertThat(earlier.isNullAt(earlier.fieldIndex(Columns.SCORE_CHANGE_7D))).isTrue();
  }

  @Test
  void weightsAreProportionsAndAreValidated() {
    HealthSettings usageOnly =
        new HealthSettings(
            new HealthSettings.Weights(2, 0, 0, 0, 0),
            HealthSettings.defaults().bands(),
            HealthSettings.defaults().thresholds());
    Row a = scored(usageOnly).get("a 2024-03-31");
    assertThat(dbl(a, Columns.HEALTH_SCORE)).isEqualTo(28.6);
    assertThat(text(a, Columns.HEALTH_BAND)).isEqualTo(HealthScore.RED);
    assertThat(new HealthSettings.Weights(2, 1, 1, 0, 0).normalised().usage()).isEqualTo(0.5);

    assertThatThrownBy(() -> new HealthSettings.Weights(-1, 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("usage weight is -1.0");
    assertThatThrownBy(() -> new HealthSettings.Weights(0, 0, 0, 0, 0))
        .hasMessageContaining("sum to 0");
    assertThatThrownBy(() -> new HealthSettings.Bands(40, 70))
        .hasMessageContaining("yellow 70.0 and green 40.0");
  }
}
