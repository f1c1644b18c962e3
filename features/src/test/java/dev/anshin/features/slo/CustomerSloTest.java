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
import org.apache.spark.sql.functions;
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

  private static final StructType ACCOUNT_HOURLY =
      new StructType()
          .add("account_id", DataTypes.StringType)
          .add("activity_hour", DataTypes.TimestampType)
          .add("valid_requests", DataTypes.LongType)
          .add("good_requests", DataTypes.LongType)
          .add("valid_le_100ms", DataTypes.LongType)
          .add("valid_le_250ms", DataTypes.LongType)
          .add("valid_le_500ms", DataTypes.LongType)
          .add("valid_le_1000ms", DataTypes.LongType)
          .add("valid_le_2000ms", DataTypes.LongType);

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
          1.0,
          90,
          0.25,
          SloSettings.workbookAlerts(),
          10,
          SloSettings.CallerErrors.allClientErrors());

  private Dataset<Row> accountDaily;
  private Dataset<Row> noHours;
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

  /** An hour of the hourly rollup, {@code fast} of the valid requests within 500 ms (all within 1000). */
  private static Row hour(String account, String hourStart, long valid, long good, long fast) {
    return row(account, ts(hourStart), valid, good, 0L, 0L, fast, valid, valid);
  }

  @BeforeAll
  void data() {
    noHours = dataset(ACCOUNT_HOURLY);
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
            // c: plan pro, segment mid_market: 99.5% / 95% within 1000 ms; low traffic (its budget
            // needs 1 / 0.005 = 200 valid requests)
            day("c", "2024-03-26", 150, 149, 145, 1000),
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
        dataset(PLANS, row("b", "pro", "smb")).withColumn("as_of_date", functions.lit(date("2024-03-30")))
            .unionByName(dataset(PLANS, row("b", "enterprise", "smb")).withColumn("as_of_date", functions.lit(date("2024-03-31"))));
    // 03-30's traffic of b, plus a day of 5xx for 03-29 that was delivered on 03-31.
    Dataset<Row> rollups =
        accountDaily.filter("account_id = 'b'").withColumn("delivered_on", functions.col("activity_date"))
            .unionByName(
                dataset(ACCOUNT_DAILY, day("b", "2024-03-29", 1000, 900, 900, 250))
                    .withColumn("delivered_on", functions.lit(date("2024-03-31"))));
    Dataset<Row> range = CustomerSlo.daily(rollups, noHours, planChange, D.minusDays(1), D, settings);
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
    Dataset<Row> slo = CustomerSlo.daily(accountDaily, noHours, plans, D, settings);
    assertThat(slo.columns()).containsExactlyElementsOf(Columns.ALL);
  }

  @Test
  void errorBudgetAndBurnRatesMatchAHandComputation() {
    Map<String, Row> rows = byAccount(CustomerSlo.daily(accountDaily, noHours, plans, D, settings), D);
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
  void lowTrafficFallsBackToTheLongerWindowThenIsInsufficientDataNeverItsNeighbours() {
    Map<String, Row> rows = byAccount(CustomerSlo.daily(accountDaily, noHours, plans, D, settings), D);
    Row c = rows.get("c");
    // 150 valid in 28 days: a 99.5% budget of 0.75 failed requests, below 1; over 90 days 150 + 900
    // = 1050 (5.25 failures' budget), good 149 + 897 = 1046
    assertThat(c.getBoolean(c.fieldIndex(Columns.LOW_TRAFFIC))).isTrue();
    assertThat(c.getString(c.fieldIndex(Columns.SLI_SOURCE)))
        .isEqualTo(CustomerSlo.SOURCE_FALLBACK_WINDOW);
    assertThat(c.getInt(c.fieldIndex(Columns.SLI_WINDOW_DAYS))).isEqualTo(90);
    assertThat(c.getLong(c.fieldIndex(Columns.VALID_REQUESTS))).isEqualTo(150L);
    assertThat(dbl(c, Columns.AVAILABILITY_SLI)).isCloseTo(1046.0 / 1050, within(EPS));
    // segment target 99.5%: budget 1 - (4 / 1050) / 0.005 = 1 - 16/21 = 5/21
    assertThat(dbl(c, Columns.AVAILABILITY_TARGET)).isEqualTo(0.995);
    assertThat(dbl(c, Columns.ERROR_BUDGET_REMAINING)).isCloseTo(5.0 / 21, within(EPS));
    // latency within 1000 ms: (145 + 880) / 1050; budget 1 - (25 / 1050) / 0.05 = 1 - 10/21 = 11/21
    assertThat(dbl(c, Columns.LATENCY_SLI)).isCloseTo(1025.0 / 1050, within(EPS));
    assertThat(dbl(c, Columns.LATENCY_BUDGET_REMAINING)).isCloseTo(11.0 / 21, within(EPS));
    // no requests on D itself: no 1-day burn rate
    assertThat(c.isNullAt(c.fieldIndex(Columns.BURN_RATE_1D))).isTrue();
    // 5/21 = 0.238 of the budget left is below the at-risk line of 0.25
    assertThat(c.getString(c.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.AT_RISK);

    Row d = rows.get("d");
    // 10 valid even over 90 days: no SLI, no budget and no verdict of its own, with its count; the
    // pooled SLI of plan pro at 500 ms (a: 10000 valid, 9997 good; d: 10, 10; c is pro too but
    // measured at 1000 ms) is context only
    assertThat(d.getString(d.fieldIndex(Columns.SLI_SOURCE))).isEqualTo(CustomerSlo.SOURCE_NONE);
    assertThat(d.getBoolean(d.fieldIndex(Columns.LOW_TRAFFIC))).isTrue();
    assertThat(d.getLong(d.fieldIndex(Columns.VALID_REQUESTS))).isEqualTo(10L);
    assertThat(d.isNullAt(d.fieldIndex(Columns.AVAILABILITY_SLI))).isTrue();
    assertThat(d.isNullAt(d.fieldIndex(Columns.ERROR_BUDGET_REMAINING))).isTrue();
    assertThat(d.getString(d.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.INSUFFICIENT_DATA);
    assertThat(dbl(d, Columns.PLAN_POOL_AVAILABILITY_SLI)).isCloseTo(10007.0 / 10010, within(EPS));
    // its own 7-day burn rate is still measured: no errors in 10 requests
    assertThat(dbl(d, Columns.BURN_RATE_7D)).isZero();
  }

  @Test
  void aSmallAccountIsNeverExhaustedByItsPlansFailures() {
    // The plan's big account fails a lot; the small one never does.
    Dataset<Row> rollups =
        dataset(
            ACCOUNT_DAILY,
            day("big", "2024-03-31", 100000, 90000, 100000, 500),
            day("small", "2024-03-31", 50, 50, 50, 500));
    Dataset<Row> samePlan =
        plans.filter("account_id = 'a'").withColumn("account_id", functions.explode(functions.array(
            functions.lit("big"), functions.lit("small"))));
    Map<String, Row> rows = byAccount(CustomerSlo.daily(rollups, noHours, samePlan, D, settings), D);
    assertThat(rows.get("big").getString(rows.get("big").fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.EXHAUSTED);
    Row small = rows.get("small");
    assertThat(small.getString(small.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.INSUFFICIENT_DATA);
    assertThat(dbl(small, Columns.PLAN_POOL_AVAILABILITY_SLI)).isCloseTo(90050.0 / 100050, within(EPS));
  }

  @Test
  void reliabilityGapIsAgainstThePlatformOverTheSameWindow() {
    Map<String, Row> rows = byAccount(CustomerSlo.daily(accountDaily, noHours, plans, D, settings), D);
    // platform over 28 days: valid 10000 + 5000 + 150 + 10 = 15160, good 9997 + 4990 + 149 + 10
    double platform28 = 15146.0 / 15160;
    Row a = rows.get("a");
    assertThat(dbl(a, Columns.PLATFORM_AVAILABILITY_SLI)).isCloseTo(platform28, within(EPS));
    assertThat(dbl(a, Columns.RELIABILITY_GAP)).isCloseTo(0.9997 - platform28, within(EPS));
    // c's SLI is over 90 days, so is its comparison: valid 14000 + 5000 + 1050 + 10 = 20060,
    // good 12997 + 4990 + 1046 + 10 = 19043
    Row c = rows.get("c");
    assertThat(dbl(c, Columns.RELIABILITY_GAP))
        .isCloseTo(1046.0 / 1050 - 19043.0 / 20060, within(EPS));
  }

  @Test
  void backfillOverARangeEqualsOneDateAtATimeAndRespectsTheWindowEdge() {
    Dataset<Row> range = CustomerSlo.daily(accountDaily, noHours, plans, D.minusDays(1), D, settings);
    assertThat(range.count()).isEqualTo(8);
    Map<String, Row> atD = byAccount(range, D);
    Map<String, Row> single = byAccount(CustomerSlo.daily(accountDaily, noHours, plans, D, settings), D);
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

  /** Account e: 99,000 good requests on 03-10 and 1,000 on D, so that its 28-day budget stays healthy. */
  private Dataset<Row> busyMonth(long goodOnD) {
    return dataset(
        ACCOUNT_DAILY,
        day("e", "2024-03-31", 1000, goodOnD, 1000, 500),
        day("e", "2024-03-10", 99000, 99000, 99000, 500));
  }

  private Row alertsOf(Dataset<Row> daily, Dataset<Row> hourly) {
    Dataset<Row> planOfE = plans.filter("account_id = 'a'").withColumn("account_id", functions.lit("e"));
    return CustomerSlo.daily(daily, hourly, planOfE, D, settings).collectAsList().get(0);
  }

  @Test
  void aFastBurnPagesWhileTheBudgetIsStillHealthy() {
    // The last hour of D: 20 bad of 1000. A 1-hour burn of (20 / 1000) / 0.001 = 20 >= 13.44 (2% of
    // a 28-day budget in an hour), and 20 >= 5.6 over 6 hours: a page. Over 28 days 20 of 100,000
    // spends 20 / (0.001 x 100,000) = 0.2 of the budget. A row for 22:00 delivered the next day is
    // not known at the end of D.
    Dataset<Row> hourly =
        dataset(ACCOUNT_HOURLY, hour("e", "2024-03-31T23:00:00Z", 1000, 980, 1000))
            .withColumn("delivered_on", functions.lit(date("2024-03-31")))
            .unionByName(
                dataset(ACCOUNT_HOURLY, hour("e", "2024-03-31T22:00:00Z", 1000, 0, 0))
                    .withColumn("delivered_on", functions.lit(date("2024-04-01"))));
    Row e = alertsOf(busyMonth(980), hourly);
    assertThat(dbl(e, Columns.ERROR_BUDGET_REMAINING)).isCloseTo(0.8, within(EPS));
    assertThat(dbl(e, Columns.BURN_RATE_1H)).isCloseTo(20.0, within(EPS));
    assertThat(dbl(e, Columns.BURN_RATE_6H)).isCloseTo(20.0, within(EPS));
    assertThat(dbl(e, Columns.BURN_RATE_3D)).isCloseTo(20.0, within(EPS));
    assertThat(dbl(e, Columns.LATENCY_BURN_RATE_1H)).isZero();
    assertThat(e.getString(e.fieldIndex(Columns.ALERT))).isEqualTo(SloSettings.PAGE);
    // Only the last hour had requests, so only it fired (page and ticket alike).
    assertThat(e.getInt(e.fieldIndex(Columns.PAGE_ALERT_HOURS))).isEqualTo(1);
    assertThat(e.getInt(e.fieldIndex(Columns.TICKET_ALERT_HOURS))).isEqualTo(1);
    assertThat(e.getString(e.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.AT_RISK);
  }

  @Test
  void theShortWindowEndsTheAlertSoonAfterTheErrorsStop() {
    // 20 bad of 1000 at 10:00, then 1000 good requests in each hour 11:00..23:00.
    List<Row> hours = new ArrayList<>();
    hours.add(hour("e", "2024-03-31T10:00:00Z", 1000, 980, 1000));
    for (int h = 11; h <= 23; h++) {
      hours.add(hour("e", String.format("2024-03-31T%02d:00:00Z", h), 1000, 1000, 1000));
    }
    Row e = alertsOf(busyMonth(1000), dataset(ACCOUNT_HOURLY, hours.toArray(Row[]::new)));
    // Page: at 10:00 the hour burns 20 >= 13.44. At 11:00 the 6-hour window burns 20 / 2000 / 0.001
    // = 10 >= 5.6, but the short window (11:00 alone) burns 0: no page. One page hour.
    assertThat(e.getInt(e.fieldIndex(Columns.PAGE_ALERT_HOURS))).isEqualTo(1);
    // Ticket (0.933 over 3 days and over 6 hours): at hour h the errors are in both windows while
    // h <= 15, each burning 20 / ((h - 9) x 1000) / 0.001 >= 3.3; from 16:00 the 6-hour window is
    // clean. Six ticket hours, 10:00 to 15:00.
    assertThat(e.getInt(e.fieldIndex(Columns.TICKET_ALERT_HOURS))).isEqualTo(6);
    // At the end of the day nothing fires: the 3-day burn is still 20 / 14000 / 0.001 = 1.43, the
    // 6-hour one 0. The day is ok, not at risk for the week the old 7-day rule kept it there.
    assertThat(dbl(e, Columns.BURN_RATE_3D)).isCloseTo(20.0 / 14000 / 0.001, within(EPS));
    assertThat(dbl(e, Columns.BURN_RATE_6H)).isZero();
    assertThat(e.isNullAt(e.fieldIndex(Columns.ALERT))).isTrue();
    assertThat(e.getString(e.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.OK);
  }

  @Test
  void aFewFailuresAmongFewRequestsDoNotAlert() {
    // One failure of 3 requests in the last hour burns 333x, but fewer than 10 bad requests never alert.
    Row e = alertsOf(busyMonth(1000), dataset(ACCOUNT_HOURLY, hour("e", "2024-03-31T23:00:00Z", 3, 2, 3)));
    assertThat(dbl(e, Columns.BURN_RATE_1H)).isCloseTo(1.0 / 3 / 0.001, within(1e-6));
    assertThat(e.isNullAt(e.fieldIndex(Columns.ALERT))).isTrue();
    assertThat(e.getInt(e.fieldIndex(Columns.PAGE_ALERT_HOURS))).isZero();
    assertThat(e.getString(e.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.OK);
  }

  @Test
  void slowRequestsBurnTheLatencyBudget() {
    // 50 of 1000 requests slower than 500 ms against 99%: (50 / 1000) / 0.01 = 5, below both page
    // thresholds (13.44, 5.6) and above the ticket's 0.933 in both its windows.
    Row e = alertsOf(busyMonth(1000), dataset(ACCOUNT_HOURLY, hour("e", "2024-03-31T23:00:00Z", 1000, 1000, 950)));
    assertThat(dbl(e, Columns.LATENCY_BURN_RATE_1H)).isCloseTo(5.0, within(EPS));
    assertThat(dbl(e, Columns.BURN_RATE_1H)).isZero();
    assertThat(e.getString(e.fieldIndex(Columns.ALERT))).isEqualTo(SloSettings.TICKET);
    assertThat(e.getInt(e.fieldIndex(Columns.TICKET_ALERT_HOURS))).isEqualTo(1);
    assertThat(e.getString(e.fieldIndex(Columns.STATUS))).isEqualTo(CustomerSlo.AT_RISK);
  }

  @Test
  void errorsLateTheDayBeforeKeepTheTicketFiringThroughTheQuietFirstHours() {
    // 20 bad of 1000 at 22:00 on 03-30, then no requests at all. On 03-31 the ticket rule's 6-hour
    // window still holds them at the end of hours 0..3 (22:00 is hour -2): four ticket hours in
    // hours without a single request. The page rules' 1-hour short windows are empty all day.
    Dataset<Row> hourly = dataset(ACCOUNT_HOURLY, hour("e", "2024-03-30T22:00:00Z", 1000, 980, 1000));
    Dataset<Row> daily =
        dataset(ACCOUNT_DAILY, day("e", "2024-03-30", 1000, 980, 1000, 500), day("e", "2024-03-10", 99000, 99000, 99000, 500));
    Dataset<Row> planOfE = plans.filter("account_id = 'a'").withColumn("account_id", functions.lit("e"));
    Dataset<Row> range = CustomerSlo.daily(daily, hourly, planOfE, D.minusDays(1), D, settings);
    Row e = byAccount(range, D).get("e");
    assertThat(e.getInt(e.fieldIndex(Columns.TICKET_ALERT_HOURS))).isEqualTo(4);
    assertThat(e.getInt(e.fieldIndex(Columns.PAGE_ALERT_HOURS))).isZero();
    // at the end of the day: the 3-day window still holds them, the 6-hour one has no requests
    assertThat(dbl(e, Columns.BURN_RATE_3D)).isCloseTo(20.0, within(EPS));
    assertThat(e.isNullAt(e.fieldIndex(Columns.BURN_RATE_6H))).isTrue();
    assertThat(e.isNullAt(e.fieldIndex(Columns.ALERT))).isTrue();
    // 03-30 itself: the errors fall in hour 22; the page fires there (1 hour), the ticket at hours 22 and 23
    Row before = byAccount(range, D.minusDays(1)).get("e");
    assertThat(before.getInt(before.fieldIndex(Columns.PAGE_ALERT_HOURS))).isEqualTo(1);
    assertThat(before.getInt(before.fieldIndex(Columns.TICKET_ALERT_HOURS))).isEqualTo(2);
    assertThat(before.getString(before.fieldIndex(Columns.ALERT))).isEqualTo(SloSettings.TICKET);
    // the backfill over both days gives 03-31 the row a run for 03-31 alone gives
    assertThat(CustomerSlo.daily(daily, hourly, planOfE, D, settings).collectAsList()).containsExactly(e);
  }

  @Test
  void theLongestWindowReachesBackExactly72Hours() {
    // One rule whose both windows are 72 hours. 03-28 01:00 is 71 hours before 03-31 00:00: inside the
    // window that ends with hour 0 of 03-31, and no later one. 03-28 00:00 (72 hours back) is inside none.
    SloSettings oneRule =
        new SloSettings(28, settings.defaultTarget(), Map.of(), Map.of(), 1.0, 90, 0.25,
            List.of(new SloSettings.BurnAlert(SloSettings.TICKET, 0.10, 72, 72)), 10,
            SloSettings.CallerErrors.allClientErrors());
    Dataset<Row> hourly =
        dataset(ACCOUNT_HOURLY,
            hour("in", "2024-03-28T01:00:00Z", 1000, 980, 1000),
            hour("out", "2024-03-28T00:00:00Z", 1000, 980, 1000));
    Dataset<Row> daily =
        dataset(ACCOUNT_DAILY, day("in", "2024-03-28", 1000, 980, 1000, 500), day("out", "2024-03-28", 1000, 980, 1000, 500));
    Dataset<Row> planned =
        plans.filter("account_id = 'a'").withColumn("account_id",
            functions.explode(functions.array(functions.lit("in"), functions.lit("out"))));
    Map<String, Row> rows = byAccount(CustomerSlo.daily(daily, hourly, planned, D, oneRule), D);
    assertThat(rows.get("in").getInt(rows.get("in").fieldIndex(Columns.TICKET_ALERT_HOURS))).isEqualTo(1);
    // no request in any window of the day: nothing was evaluated, so the alert hours are null, not 0
    assertThat(rows.get("out").isNullAt(rows.get("out").fieldIndex(Columns.TICKET_ALERT_HOURS))).isTrue();
  }

  @Test
  void theStricterTargetDecidesWhetherThereAreEnoughRequests() {
    // 99% availability needs 100 valid requests for a budget of one failure, 99.9% latency needs 1000:
    // 500 requests are too few, and the SLIs come from the 90-day window.
    SloSettings latencyStrict =
        settings.withPlanTargets(Map.of("pro", new SloSettings.Target(0.99, 0.999, 500)));
    Dataset<Row> daily =
        dataset(ACCOUNT_DAILY, day("a", "2024-03-31", 500, 500, 500, 500), day("a", "2024-02-01", 600, 600, 600, 500));
    Row a = byAccount(CustomerSlo.daily(daily, noHours, plans, D, latencyStrict), D).get("a");
    assertThat(a.getBoolean(a.fieldIndex(Columns.LOW_TRAFFIC))).isTrue();
    assertThat(a.getString(a.fieldIndex(Columns.SLI_SOURCE))).isEqualTo(CustomerSlo.SOURCE_FALLBACK_WINDOW);
  }

  @Test
  void theWorkbookThresholdsForA28DayWindow() {
    // sloth's fixtures for 28 days: 13.44, 5.6 and 0.933 (REFERENCES.md); 14.4, 6 and 1 for 30 days.
    List<SloSettings.BurnAlert> alerts = SloSettings.workbookAlerts();
    assertThat(alerts.get(0).burnRate(28)).isCloseTo(13.44, within(EPS));
    assertThat(alerts.get(1).burnRate(28)).isCloseTo(5.6, within(EPS));
    assertThat(alerts.get(2).burnRate(28)).isCloseTo(0.9333, within(1e-4));
    assertThat(alerts.get(0).burnRate(30)).isCloseTo(14.4, within(EPS));
    assertThat(alerts.get(1).burnRate(30)).isCloseTo(6.0, within(EPS));
    assertThat(alerts.get(2).burnRate(30)).isCloseTo(1.0, within(EPS));
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
