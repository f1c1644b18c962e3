package dev.anshin.features.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.slo.CustomerSlo.Columns;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomerSloTest extends SparkTestBase {

  private static final StructType ACCOUNT_DAILY =
      new StructType()
          .add("account_id", DataTypes.StringType)
          .add("activity_date", DataTypes.DateType)
          .add("requests", DataTypes.LongType)
          .add("valid_requests", DataTypes.LongType)
          .add("good_requests", DataTypes.LongType)
          .add("valid_le_100ms", DataTypes.LongType)
          .add("valid_le_250ms", DataTypes.LongType)
          .add("valid_le_500ms", DataTypes.LongType)
          .add("valid_le_1000ms", DataTypes.LongType)
          .add("valid_le_2000ms", DataTypes.LongType)
          .add("events", DataTypes.LongType);

  private static final StructType PLANS =
      new StructType()
          .add("account_id", DataTypes.StringType)
          .add("plan", DataTypes.StringType)
          .add("segment", DataTypes.StringType);

  private static final double EPS = 1e-9;
  private static final LocalDate D = LocalDate.parse("2024-03-31");

  private final SloSettings settings =
      new SloSettings(
          28,
          new SloSettings.Target(0.999, 0.99, 500),
          Map.of("enterprise", new SloSettings.Target(0.9995, 0.99, 250)),
          Map.of("mid_market", new SloSettings.Target(0.995, 0.95, 1000)),
          1000,
          90,
          true,
          0.25,
          6.0,
          2.0);

  private Dataset<Row> accountDaily;
  private Dataset<Row> plans;

  /**
   * A row of the rollup where {@code withinThreshold} of the valid requests were answered within
   * {@code thresholdMs}: none within the smaller bounds, all within the larger ones.
   */
  private static Row day(
      String account, String date, long valid, long good, long withinThreshold, int thresholdMs) {
    List<Object> values = new ArrayList<>(List.of(account, date(date), valid + 7, valid, good));
    for (int bound : SloSettings.LATENCY_BOUNDS_MS) {
      values.add(bound < thresholdMs ? 0L : bound == thresholdMs ? withinThreshold : valid);
    }
    values.add(123L);
    return row(values.toArray());
  }

  @BeforeAll
  void data() {
    accountDaily =
        dataset(
            ACCOUNT_DAILY,
            // a: plan pro, no segment target: default 99.9% / 99% within 500 ms
            day("a", "2024-03-31", 1000, 999, 995, 500),
            day("a", "2024-03-28", 2000, 2000, 1990, 500),
            day("a", "2024-03-21", 7000, 6998, 6950, 500),
            day("a", "2024-03-03", 4000, 3000, 3000, 500), // 28 days before D: outside the window
            day("a", "2024-04-01", 500, 0, 0, 500), // after D: not observable at D
            // b: plan enterprise (its plan target wins over its segment's): 99.95% / 99% in 250 ms
            day("b", "2024-03-31", 2000, 1990, 1985, 250),
            day("b", "2024-03-30", 3000, 3000, 2990, 250),
            // c: plan pro, segment mid_market: 99.5% / 95% within 1000 ms; low traffic
            day("c", "2024-03-26", 300, 299, 290, 1000),
            day("c", "2024-02-20", 900, 897, 880, 1000),
            // d: plan pro, tiny
            day("d", "2024-03-29", 10, 10, 10, 500));
    // The same plan on each as-of date the tests use.
    plans =
        dataset(
                PLANS,
                row("a", "pro", "smb"),
                row("b", "enterprise", "mid_market"),
                row("c", "pro", "mid_market"),
                row("d", "pro", "smb"))
            .crossJoin(spark.sql("SELECT explode(sequence(DATE'2024-03-30', DATE'2024-03-31')) AS as_of_date"));
  }

  @Test
  void targetsFollowThePlanOfEachDateAndLateRowsCountFromTheirDelivery() {
    // b moves from pro to enterprise on 03-31: 03-30 gets the default target, 03-31 the plan's.
    Dataset<Row> planChange =
        dataset(PLANS, row("b", "pro", "smb")).withColumn("as_of_date", org.apache.spark.sql.functions.lit(date("2024-03-30")))
            .unionByName(dataset(PLANS, row("b", "enterprise", "smb")).withColumn("as_of_date", org.apache.spark.sql.functions.lit(date("2024-03-31"))));
    // 03-30's traffic of b, plus a day of 5xx for 03-29 that was delivered on 03-31.
    Dataset<Row> rollups =
        accountDaily.filter("account_id = 'b'").withColumn("delivered_on", org.apache.spark.sql.functions.col("activity_date"))
            .unionByName(
                dataset(ACCOUNT_DAILY, day("b", "2024-03-29", 1000, 900, 900, 250))
                    .withColumn("delivered_on", org.apache.spark.sql.functions.lit(date("2024-03-31"))));
    Dataset<Row> range = CustomerSlo.daily(rollups, planChange, D.minusDays(1), D, settings);
    Row before = byAccount(range, D.minusDays(1)).get("b");
    Row after = byAccount(range, D).get("b");
    assertThat(dbl(before, Columns.AVAILABILITY_TARGET)).isEqualTo(0.999);
    assertThat(dbl(after, Columns.AVAILABILITY_TARGET)).isEqualTo(0.9995);
    // As of 03-30 only 03-30's 3000 requests are known; as of 03-31 also 03-31's 2000 and the late 1000.
    assertThat(before.getLong(before.fieldIndex(Columns.VALID_REQUESTS))).isEqualTo(3000L);
    assertThat(after.getLong(after.fieldIndex(Columns.VALID_REQUESTS))).isEqualTo(6000L);
    assertThat(after.getLong(after.fieldIndex(Columns.GOOD_REQUESTS))).isEqualTo(3000L + 1990L + 900L);
  }

  private Map<String, Row> byAccount(Dataset<Row> slo, LocalDate asOf) {
    return slo.collectAsList().stream()
        .filter(r -> r.getDate(r.fieldIndex(Columns.AS_OF_DATE)).toLocalDate().equals(asOf))
        .collect(Collectors.toMap(r -> r.getString(0), r -> r));
  }

  private static double dbl(Row r, String column) {
    return r.getDouble(r.fieldIndex(column));
  }

  @Test
  void outputHasTheDocumentedColumns() {
    Dataset<Row> slo = CustomerSlo.daily(accountDaily, plans, D, settings);
    assertThat(slo.columns()).containsExactlyElementsOf(Columns.ALL);
  }

  @Test
  void errorBudgetAndBurnRatesMatchAHandComputation() {
    Map<String, Row> rows = byAccount(CustomerSlo.daily(accountDaily, plans, D, settings), D);
    Row a = rows.get("a");
    // window 03-04..03-31: valid 1000 + 2000 + 7000 = 10000, good 999 + 2000 + 6998 = 9997, bad 3
    assertThat(a.getLong(a.fieldIndex(Columns.VALID_REQUESTS))).isEqualTo(10000L);
    assertThat(a.getLong(a.fieldIndex(Columns.GOOD_REQUESTS))).isEqualTo(9997L);
    assertThat(dbl(a, Columns.AVAILABILITY_SLI)).isCloseTo(9997.0 / 10000, within(EPS));
    assertThat(dbl(a, Columns.AVAILABILITY_TARGET)).isEqualTo(0.999);
    // budget: 1 - 3 / (0.001 x 10000) = 1 - 0.3 = 0.7
    assertThat(dbl(a, Columns.ERROR_BUDGET_REMAINING)).isCloseTo(0.7, within(EPS));
    // latency: (995 + 1990 + 6950) / 10000 = 0.9935; budget 1 - 0.0065 / 0.01 = 0.35
    assertThat(a.getInt(a.fieldIndex(Columns.LATENCY_THRESHOLD_MS))).isEqualTo(500);
    assertThat(dbl(a, Columns.LATENCY_SLI)).isCloseTo(0.9935, within(EPS));
    assertThat(dbl(a, Columns.LATENCY_BUDGET_REMAINING)).isCloseTo(0.35, within(EPS));
    // burn 1d: (1 / 1000) / 0.001 = 1; 7d (03-25..03-31): (1 / 3000) / 0.001; 28d: 0.0003 / 0.001
    assertThat(dbl(a, Columns.BURN_RATE_1D)).isCloseTo(1.0, within(EPS));
    assertThat(dbl(a, Columns.BURN_RATE_7D)).isCloseTo(1.0 / 3, within(EPS));
    assertThat(dbl(a, Columns.BURN_RATE_28D)).isCloseTo(0.3, within(EPS));
    assertThat(a.getBoolean(a.fieldIndex(Columns.LOW_TRAFFIC))).isFalse();
    assertThat(a.getString(a.fieldIndex(Columns.SLI_SOURCE))).isEqualTo(CustomerSlo.SOURCE_WINDOW);
    assertThat(a.getString(a.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.OK);

    Row b = rows.get("b");
    // plan target 99.95%: valid 5000, bad 10: budget 1 - 10 / (0.0005 x 5000) = 1 - 4 = -3
    assertThat(dbl(b, Columns.AVAILABILITY_TARGET)).isEqualTo(0.9995);
    assertThat(dbl(b, Columns.ERROR_BUDGET_REMAINING)).isCloseTo(-3.0, within(EPS));
    // latency within 250 ms: (1985 + 2990) / 5000 = 0.995
    assertThat(b.getInt(b.fieldIndex(Columns.LATENCY_THRESHOLD_MS))).isEqualTo(250);
    assertThat(dbl(b, Columns.LATENCY_SLI)).isCloseTo(0.995, within(EPS));
    // burn 1d: (10 / 2000) / 0.0005 = 10; 7d: (10 / 5000) / 0.0005 = 4
    assertThat(dbl(b, Columns.BURN_RATE_1D)).isCloseTo(10.0, within(EPS));
    assertThat(dbl(b, Columns.BURN_RATE_7D)).isCloseTo(4.0, within(EPS));
    assertThat(b.getString(b.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.EXHAUSTED);
  }

  @Test
  void lowTrafficFallsBackToTheLongerWindowThenToThePlanPool() {
    Map<String, Row> rows = byAccount(CustomerSlo.daily(accountDaily, plans, D, settings), D);
    Row c = rows.get("c");
    // 300 valid in 28 days < 1000; over 90 days 300 + 900 = 1200, good 299 + 897 = 1196
    assertThat(c.getBoolean(c.fieldIndex(Columns.LOW_TRAFFIC))).isTrue();
    assertThat(c.getString(c.fieldIndex(Columns.SLI_SOURCE)))
        .isEqualTo(CustomerSlo.SOURCE_FALLBACK_WINDOW);
    assertThat(c.getInt(c.fieldIndex(Columns.SLI_WINDOW_DAYS))).isEqualTo(90);
    assertThat(c.getLong(c.fieldIndex(Columns.VALID_REQUESTS))).isEqualTo(300L);
    assertThat(dbl(c, Columns.AVAILABILITY_SLI)).isCloseTo(1196.0 / 1200, within(EPS));
    // segment target 99.5%: budget 1 - (4 / 1200) / 0.005 = 1 - 2/3
    assertThat(dbl(c, Columns.AVAILABILITY_TARGET)).isEqualTo(0.995);
    assertThat(dbl(c, Columns.ERROR_BUDGET_REMAINING)).isCloseTo(1.0 / 3, within(EPS));
    // latency within 1000 ms: (290 + 880) / 1200 = 0.975; budget 1 - 0.025 / 0.05 = 0.5
    assertThat(dbl(c, Columns.LATENCY_SLI)).isCloseTo(0.975, within(EPS));
    assertThat(dbl(c, Columns.LATENCY_BUDGET_REMAINING)).isCloseTo(0.5, within(EPS));
    // no requests on D itself: no 1-day burn rate
    assertThat(c.isNullAt(c.fieldIndex(Columns.BURN_RATE_1D))).isTrue();
    assertThat(c.getString(c.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.OK);

    Row d = rows.get("d");
    // 10 valid even over 90 days: the pool of plan pro at 500 ms is a (10000, 9997, 9935) + d
    // (10, 10, 10); c is pro too but measured at 1000 ms
    assertThat(d.getString(d.fieldIndex(Columns.SLI_SOURCE))).isEqualTo(CustomerSlo.SOURCE_PLAN_POOL);
    assertThat(dbl(d, Columns.AVAILABILITY_SLI)).isCloseTo(10007.0 / 10010, within(EPS));
    assertThat(dbl(d, Columns.LATENCY_SLI)).isCloseTo(9945.0 / 10010, within(EPS));
  }

  @Test
  void withoutThePlanPoolATooSmallAccountHasNoSli() {
    SloSettings noPool =
        new SloSettings(
            28, settings.defaultTarget(), settings.planTargets(), settings.segmentTargets(), 1000,
            90, false, 0.25, 6.0, 2.0);
    Row d = byAccount(CustomerSlo.daily(accountDaily, plans, D, noPool), D).get("d");
    assertThat(d.getString(d.fieldIndex(Columns.SLI_SOURCE))).isEqualTo(CustomerSlo.SOURCE_NONE);
    assertThat(d.getBoolean(d.fieldIndex(Columns.LOW_TRAFFIC))).isTrue();
    assertThat(d.isNullAt(d.fieldIndex(Columns.AVAILABILITY_SLI))).isTrue();
    assertThat(d.isNullAt(d.fieldIndex(Columns.ERROR_BUDGET_REMAINING))).isTrue();
    assertThat(d.isNullAt(d.fieldIndex(Columns.STATUS))).isTrue();
    // its own 7-day burn rate is still measured: no errors in 10 requests
    assertThat(dbl(d, Columns.BURN_RATE_7D)).isZero();
  }

  @Test
  void reliabilityGapIsAgainstThePlatformOverTheSameWindow() {
    Map<String, Row> rows = byAccount(CustomerSlo.daily(accountDaily, plans, D, settings), D);
    // platform over 28 days: valid 10000 + 5000 + 300 + 10 = 15310, good 9997 + 4990 + 299 + 10
    double platform28 = 15296.0 / 15310;
    Row a = rows.get("a");
    assertThat(dbl(a, Columns.PLATFORM_AVAILABILITY_SLI)).isCloseTo(platform28, within(EPS));
    assertThat(dbl(a, Columns.RELIABILITY_GAP)).isCloseTo(0.9997 - platform28, within(EPS));
    // c's SLI is over 90 days, so is its comparison: valid 14000 + 5000 + 1200 + 10 = 20210,
    // good 12997 + 4990 + 1196 + 10 = 19193
    Row c = rows.get("c");
    assertThat(dbl(c, Columns.RELIABILITY_GAP))
        .isCloseTo(1196.0 / 1200 - 19193.0 / 20210, within(EPS));
  }

  @Test
  void backfillOverARangeEqualsOneDateAtATimeAndRespectsTheWindowEdge() {
    Dataset<Row> range = CustomerSlo.daily(accountDaily, plans, D.minusDays(1), D, settings);
    assertThat(range.count()).isEqualTo(8);
    Map<String, Row> atD = byAccount(range, D);
    Map<String, Row> single = byAccount(CustomerSlo.daily(accountDaily, plans, D, settings), D);
    assertThat(atD).isEqualTo(single);

    // as of 03-30 the window is 03-03..03-30: 03-03 is inside, 03-31 not yet observable:
    // valid 2000 + 7000 + 4000 = 13000, good 2000 + 6998 + 3000 = 11998
    Row a = byAccount(range, D.minusDays(1)).get("a");
    assertThat(a.getLong(a.fieldIndex(Columns.VALID_REQUESTS))).isEqualTo(13000L);
    assertThat(a.getLong(a.fieldIndex(Columns.GOOD_REQUESTS))).isEqualTo(11998L);
    assertThat(dbl(a, Columns.ERROR_BUDGET_REMAINING))
        .isCloseTo(1 - 1002 / (0.001 * 13000), within(EPS));
    assertThat(a.isNullAt(a.fieldIndex(Columns.BURN_RATE_1D))).isTrue();
    assertThat(a.getString(a.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.EXHAUSTED);
  }

  @Test
  void fastBurnMarksAnSloAtRiskBeforeTheBudgetIsLow() {
    // one bad day on D: 8 bad of 1000 is a 1-day burn rate of 8 >= 6, yet over 28 days
    // 8 / (0.001 x 20000) = 0.4 of the budget is spent, leaving 0.6 (>= 0.25)
    Dataset<Row> burning =
        dataset(
            ACCOUNT_DAILY,
            day("e", "2024-03-31", 1000, 992, 1000, 500),
            day("e", "2024-03-10", 19000, 19000, 19000, 500));
    Row e = CustomerSlo.daily(burning, plans, D, settings).collectAsList().get(0);
    assertThat(dbl(e, Columns.BURN_RATE_1D)).isCloseTo(8.0, within(EPS));
    assertThat(dbl(e, Columns.ERROR_BUDGET_REMAINING)).isCloseTo(0.6, within(EPS));
    assertThat(e.isNullAt(e.fieldIndex(Columns.PLAN))).isTrue();
    assertThat(e.getString(e.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.AT_RISK);
  }

  @Test
  void aLatencyThresholdMustBeOneOfTheRollupBounds() {
    assertThatThrownBy(() -> new SloSettings.Target(0.999, 0.99, 300))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("latency threshold 300 ms")
        .hasMessageContaining("[100, 250, 500, 1000, 2000]");
    assertThatThrownBy(() -> new SloSettings.Target(1.0, 0.99, 500))
        .hasMessageContaining("availability target is 1.0");
  }
}
