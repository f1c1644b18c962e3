package dev.anshin.features.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.revenue.RevenueMovements.Columns;
import dev.anshin.features.revenue.RevenueMovements.EventColumns;
import dev.anshin.features.revenue.RevenueMovements.SummaryColumns;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RevenueMovementsTest extends SparkTestBase {

  private Dataset<Row> subscriptions;

  private static Row subscription(
      String id, String account, String mrr, String started, String ended, String reason) {
    return row(
        id, account, "pro", 10, new BigDecimal(mrr), "USD", "month", date(started),
        ended == null ? null : date(ended), reason);
  }

  /*
   * Month-end MRR (snapshot on the last day; a subscription is active on d iff started <= d < ended):
   *            Jan   Feb   Mar   Apr   May
   *   a        100   100   150   150   150   seat change on 03-15: one row ends, one starts
   *   b        200   250   250   200   200   a second subscription 02-01 .. 04-10
   *   c         80    80     0     0    90   ends 03-31 on a failed payment, back 05-02
   *   d          -    60    60    60     0   starts 02-29, ends 05-31 (not active on 05-31)
   *   e          -     -     -     0     0   04-10 .. 04-20: never active at a month end
   *   f          -     -     -     -    30   starts 05-25
   *   total    380   490   460   410   470
   */
  @BeforeAll
  void data() {
    subscriptions =
        dataset(
            SourceTable.SUBSCRIPTIONS.schema(),
            subscription("s1", "a", "100.00", "2024-01-10", "2024-03-15", "voluntary"),
            subscription("s2", "a", "150.00", "2024-03-15", null, null),
            subscription("s3", "b", "200.00", "2024-01-05", null, null),
            subscription("s4", "b", "50.00", "2024-02-01", "2024-04-10", "voluntary"),
            subscription("s5", "c", "80.00", "2024-01-20", "2024-03-31", "involuntary"),
            subscription("s6", "c", "90.00", "2024-05-02", null, null),
            subscription("s7", "d", "60.00", "2024-02-29", "2024-05-31", null),
            subscription("s8", "e", "25.00", "2024-04-10", "2024-04-20", "voluntary"),
            subscription("s9", "f", "30.00", "2024-05-25", null, null));
  }

  private static BigDecimal money(Row r, String column) {
    return r.getDecimal(r.fieldIndex(column));
  }

  private static String key(Row r) {
    return r.getString(r.fieldIndex(Columns.ACCOUNT_ID)) + " "
        + YearMonth.from(r.getDate(r.fieldIndex(Columns.MONTH)).toLocalDate());
  }

  @Test
  void eachChangeOfAnAccountsMrrIsOneMovementOnItsDay() {
    Map<String, Row> events =
        RevenueMovements.events(subscriptions, LocalDate.parse("2024-05-31")).collectAsList().stream()
            .collect(
                Collectors.toMap(
                    r -> r.getString(0) + " " + r.getDate(r.fieldIndex(EventColumns.MOVEMENT_DATE)), r -> r));
    // a: new, then the seat change ends s1 and starts s2 on the same day: +50, never +150 and -100
    assertEvent(events.get("a 2024-01-10"), RevenueMovements.NEW, "0", "100");
    assertEvent(events.get("a 2024-03-15"), RevenueMovements.EXPANSION, "100", "150");
    // ending one of two subscriptions is contraction, not churn
    assertEvent(events.get("b 2024-04-10"), RevenueMovements.CONTRACTION, "250", "200");
    assertEvent(events.get("c 2024-03-31"), RevenueMovements.CHURN, "80", "0");
    assertThat(churnType(events.get("c 2024-03-31"))).isEqualTo(RevenueMovements.INVOLUNTARY);
    assertEvent(events.get("c 2024-05-02"), RevenueMovements.REACTIVATION, "0", "90");
    // no cancel reason counts as the customer's choice
    assertThat(churnType(events.get("d 2024-05-31"))).isEqualTo(RevenueMovements.VOLUNTARY);
    // e starts and ends within April: new business and churn, as ChartMogul counts it
    assertEvent(events.get("e 2024-04-10"), RevenueMovements.NEW, "0", "25");
    assertEvent(events.get("e 2024-04-20"), RevenueMovements.CHURN, "25", "0");
    assertThat(churnType(events.get("a 2024-03-15"))).isNull();
    // a 2, b 3, c 3, d 2, e 2, f 1
    assertThat(events).hasSize(13);
  }

  @Test
  void anUpgradeThenAFailedPaymentCancellationInOneMonthIsExpansionAndTheChurnOfTheUpgradedMrr() {
    // The example: 80 -> 100 on July 15th, cancelled for a failed payment on July 29th.
    // Month-end snapshots would show churn of 80; ChartMogul shows +20 expansion and 100 churned.
    Dataset<Row> upgraded =
        dataset(
            SourceTable.SUBSCRIPTIONS.schema(),
            subscription("u1", "u", "80.00", "2024-05-03", "2024-07-15", null),
            subscription("u2", "u", "100.00", "2024-07-15", "2024-07-29", "involuntary"));
    Row july =
        RevenueMovements.monthly(upgraded, YearMonth.of(2024, 7)).collectAsList().stream()
            .filter(r -> key(r).equals("u 2024-07"))
            .findFirst()
            .orElseThrow();
    assertAmounts(july, "0", "20", "0", "100", "0");
    assertThat(money(july, Columns.STARTING_MRR)).isEqualByComparingTo("80");
    assertThat(money(july, Columns.ENDING_MRR)).isEqualByComparingTo("0");
    assertThat(july.getLong(july.fieldIndex(Columns.MOVEMENTS))).isEqualTo(2);
    assertThat(july.getString(july.fieldIndex(Columns.CHURN_TYPE))).isEqualTo(RevenueMovements.INVOLUNTARY);
  }

  @Test
  void monthsSumTheirMovements() {
    Dataset<Row> movements = RevenueMovements.monthly(subscriptions, YearMonth.of(2024, 5));
    assertThat(movements.columns()).containsExactlyElementsOf(Columns.ALL);
    Map<String, Row> rows =
        movements.collectAsList().stream().collect(Collectors.toMap(r -> key(r), r -> r));
    //                                  new   expansion contraction churned reactivation
    assertAmounts(rows.get("a 2024-01"), "100", "0", "0", "0", "0");
    assertAmounts(rows.get("a 2024-02"), "0", "0", "0", "0", "0");
    assertAmounts(rows.get("a 2024-03"), "0", "50", "0", "0", "0");
    assertAmounts(rows.get("b 2024-04"), "0", "0", "50", "0", "0");
    assertAmounts(rows.get("c 2024-03"), "0", "0", "0", "80", "0");
    assertThat(rows).doesNotContainKey("c 2024-04");
    assertAmounts(rows.get("c 2024-05"), "0", "0", "0", "0", "90");
    assertAmounts(rows.get("d 2024-02"), "60", "0", "0", "0", "0");
    assertAmounts(rows.get("d 2024-05"), "0", "0", "0", "60", "0");
    // e had no MRR at either snapshot, yet its month is there with both of its movements
    assertAmounts(rows.get("e 2024-04"), "25", "0", "0", "25", "0");
    assertThat(money(rows.get("e 2024-04"), Columns.ENDING_MRR)).isEqualByComparingTo("0");
    assertThat(rows.keySet().stream().filter(k -> k.startsWith("e "))).containsExactly("e 2024-04");
    assertThat(churnType(rows.get("a 2024-03"))).isNull();
    for (Row r : rows.values()) {
      assertThat(money(r, Columns.STARTING_MRR)
              .add(money(r, Columns.NEW_MRR)).add(money(r, Columns.EXPANSION_MRR))
              .add(money(r, Columns.REACTIVATION_MRR)).subtract(money(r, Columns.CONTRACTION_MRR))
              .subtract(money(r, Columns.CHURNED_MRR)))
          .as(key(r))
          .isEqualByComparingTo(money(r, Columns.ENDING_MRR));
    }
  }

  private static String churnType(Row r) {
    return r.getString(r.fieldIndex(Columns.CHURN_TYPE));
  }

  private static void assertEvent(Row r, String type, String before, String after) {
    assertThat(r).as("movement").isNotNull();
    assertThat(r.getString(r.fieldIndex(EventColumns.MOVEMENT_TYPE))).isEqualTo(type);
    assertThat(money(r, EventColumns.MRR_BEFORE)).isEqualByComparingTo(before);
    assertThat(money(r, EventColumns.MRR_AFTER)).isEqualByComparingTo(after);
    assertThat(money(r, EventColumns.AMOUNT))
        .isEqualByComparingTo(new BigDecimal(after).subtract(new BigDecimal(before)).abs());
  }

  private static void assertAmounts(
      Row r, String newMrr, String expansion, String contraction, String churned, String reactivation) {
    assertThat(r).as("movement row").isNotNull();
    assertThat(money(r, Columns.NEW_MRR)).as(key(r) + " new").isEqualByComparingTo(newMrr);
    assertThat(money(r, Columns.EXPANSION_MRR)).as(key(r) + " expansion").isEqualByComparingTo(expansion);
    assertThat(money(r, Columns.CONTRACTION_MRR)).as(key(r) + " contraction").isEqualByComparingTo(contraction);
    assertThat(money(r, Columns.CHURNED_MRR)).as(key(r) + " churned").isEqualByComparingTo(churned);
    assertThat(money(r, Columns.REACTIVATION_MRR)).as(key(r) + " reactivation").isEqualByComparingTo(reactivation);
  }

  @Test
  void summaryReconcilesEveryMonth() {
    List<Row> summary =
        RevenueMovements.summary(RevenueMovements.monthly(subscriptions, YearMonth.of(2024, 5)))
            .collectAsList();
    assertThat(summary).hasSize(5);
    // month: starting, new, expansion, contraction, churned, reactivation, ending (from the table
    // in the class comment)
    String[][] expected = {
      {"2024-01-01", "0", "380", "0", "0", "0", "0", "380"}, // a, b, c new
      {"2024-02-01", "380", "60", "50", "0", "0", "0", "490"}, // d new, b +50
      {"2024-03-01", "490", "0", "50", "0", "80", "0", "460"}, // a +50, c churns
      {"2024-04-01", "460", "25", "0", "50", "25", "0", "410"}, // b -50, e in and out
      {"2024-05-01", "410", "30", "0", "0", "60", "90", "470"}, // f new, d churns, c is back
    };
    BigDecimal previousEnding = BigDecimal.ZERO;
    for (int i = 0; i < expected.length; i++) {
      Row r = summary.get(i);
      String[] e = expected[i];
      assertThat(r.getDate(r.fieldIndex(SummaryColumns.MONTH))).isEqualTo(date(e[0]));
      BigDecimal starting = money(r, SummaryColumns.STARTING_MRR);
      BigDecimal added =
          money(r, SummaryColumns.NEW_MRR)
              .add(money(r, SummaryColumns.EXPANSION_MRR))
              .add(money(r, SummaryColumns.REACTIVATION_MRR));
      BigDecimal lost =
          money(r, SummaryColumns.CONTRACTION_MRR).add(money(r, SummaryColumns.CHURNED_MRR));
      BigDecimal ending = money(r, SummaryColumns.ENDING_MRR);
      assertThat(starting).as(e[0] + " starting").isEqualByComparingTo(e[1]);
      assertThat(money(r, SummaryColumns.NEW_MRR)).as(e[0] + " new").isEqualByComparingTo(e[2]);
      assertThat(money(r, SummaryColumns.EXPANSION_MRR)).as(e[0]).isEqualByComparingTo(e[3]);
      assertThat(money(r, SummaryColumns.CONTRACTION_MRR)).as(e[0]).isEqualByComparingTo(e[4]);
      assertThat(money(r, SummaryColumns.CHURNED_MRR)).as(e[0]).isEqualByComparingTo(e[5]);
      assertThat(money(r, SummaryColumns.REACTIVATION_MRR)).as(e[0]).isEqualByComparingTo(e[6]);
      assertThat(ending).as(e[0] + " ending").isEqualByComparingTo(e[7]);
      // the reconciliation, and each month starts where the last one ended
      assertThat(starting.add(added).subtract(lost)).as(e[0]).isEqualByComparingTo(ending);
      assertThat(starting).isEqualByComparingTo(previousEnding);
      assertThat(money(r, SummaryColumns.NET_NEW_MRR)).isEqualByComparingTo(ending.subtract(starting));
      assertThat(
              money(r, SummaryColumns.VOLUNTARY_CHURNED_MRR)
                  .add(money(r, SummaryColumns.INVOLUNTARY_CHURNED_MRR)))
          .isEqualByComparingTo(money(r, SummaryColumns.CHURNED_MRR));
      previousEnding = ending;
    }

    Row march = summary.get(2);
    assertThat(money(march, SummaryColumns.INVOLUNTARY_CHURNED_MRR)).isEqualByComparingTo("80");
    // starting customers a, b, c, d; GRR (490 - 0 - 80) / 490; NRR (490 + 50 - 0 - 80) / 490
    assertThat(march.getLong(march.fieldIndex(SummaryColumns.STARTING_CUSTOMERS))).isEqualTo(4);
    assertThat(march.getDouble(march.fieldIndex(SummaryColumns.GROSS_REVENUE_RETENTION)))
        .isCloseTo(410.0 / 490, within(1e-12));
    assertThat(march.getDouble(march.fieldIndex(SummaryColumns.NET_REVENUE_RETENTION)))
        .isCloseTo(460.0 / 490, within(1e-12));
    assertThat(march.getDouble(march.fieldIndex(SummaryColumns.CUSTOMER_CHURN_RATE)))
        .isCloseTo(0.25, within(1e-12));

    Row may = summary.get(4);
    // starting customers a, b, d (c had none at the end of April); net MRR churn counts c's
    // reactivation against d's churn: 1 - (60 + 0 - 0 - 90) / 410
    assertThat(may.getLong(may.fieldIndex(SummaryColumns.STARTING_CUSTOMERS))).isEqualTo(3);
    assertThat(may.getLong(may.fieldIndex(SummaryColumns.REACTIVATED_CUSTOMERS))).isEqualTo(1);
    assertThat(may.getLong(may.fieldIndex(SummaryColumns.ENDING_CUSTOMERS))).isEqualTo(4);
    assertThat(may.getDouble(may.fieldIndex(SummaryColumns.NET_REVENUE_RETENTION)))
        .isCloseTo(440.0 / 410, within(1e-12));
    assertThat(may.getDouble(may.fieldIndex(SummaryColumns.GROSS_REVENUE_RETENTION)))
        .isCloseTo(350.0 / 410, within(1e-12));
    // quick ratio (new 30 + reactivation 90) / churned 60
    assertThat(may.getDouble(may.fieldIndex(SummaryColumns.QUICK_RATIO))).isCloseTo(2.0, within(1e-12));

    Row april = summary.get(3);
    // e joined and left within April: it is a churned customer, but not one of the churn rate's,
    // which counts only the customers April started with
    assertThat(april.getLong(april.fieldIndex(SummaryColumns.CHURNED_CUSTOMERS))).isEqualTo(1);
    assertThat(april.getDouble(april.fieldIndex(SummaryColumns.CUSTOMER_CHURN_RATE))).isZero();
    // (new 25) / (contraction 50 + churned 25)
    assertThat(april.getDouble(april.fieldIndex(SummaryColumns.QUICK_RATIO))).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(summary.get(0).isNullAt(summary.get(0).fieldIndex(SummaryColumns.QUICK_RATIO))).isTrue();
    // a history of five months has no trailing twelve months yet
    assertThat(summary).allMatch(r -> r.isNullAt(r.fieldIndex(SummaryColumns.TRAILING_12M_NRR)));

    assertThat(may.getDouble(may.fieldIndex(SummaryColumns.CUSTOMER_CHURN_RATE)))
        .isCloseTo(1.0 / 3, within(1e-12));
    assertThat(summary.get(0).isNullAt(summary.get(0).fieldIndex(SummaryColumns.NET_REVENUE_RETENTION)))
        .isTrue();
  }

  @Test
  void midMonthAsOfDateSeesOnlyWhatWasKnown() {
    // as of 05-20: d's end on 05-31 is not known yet, f has not started
    Map<String, Row> may =
        RevenueMovements.monthly(subscriptions, LocalDate.parse("2024-05-20")).collectAsList().stream()
            .filter(r -> key(r).endsWith("2024-05"))
            .collect(Collectors.toMap(r -> r.getString(0), r -> r));
    assertThat(may.keySet()).containsExactlyInAnyOrder("a", "b", "c", "d");
    assertThat(may.get("d").getDate(may.get("d").fieldIndex(Columns.SNAPSHOT_DATE)))
        .isEqualTo(date("2024-05-20"));
    assertAmounts(may.get("d"), "0", "0", "0", "0", "0");
    assertThat(money(may.get("d"), Columns.ENDING_MRR)).isEqualByComparingTo("60");
    assertAmounts(may.get("c"), "0", "0", "0", "0", "90");
    assertThat(RevenueMovements.events(subscriptions, LocalDate.parse("2024-05-20")).collectAsList())
        .noneMatch(r -> r.getDate(r.fieldIndex(EventColumns.MOVEMENT_DATE)).toLocalDate().isAfter(LocalDate.parse("2024-05-20")));
  }

  @Test
  void trailingTwelveMonthRetentionFollowsTheAccountsOfAYearAgo() {
    // At the end of January 2023: x 100, y 200, z 50 (350). A year later: x 150 (expanded in June),
    // y gone (September), z 30 (contracted in November); w joined in May and is outside both ratios.
    Dataset<Row> year =
        dataset(
            SourceTable.SUBSCRIPTIONS.schema(),
            subscription("x1", "x", "100.00", "2023-01-05", "2023-06-10", null),
            subscription("x2", "x", "150.00", "2023-06-10", null, null),
            subscription("y1", "y", "200.00", "2023-01-10", "2023-09-01", "voluntary"),
            subscription("z1", "z", "50.00", "2023-01-15", "2023-11-01", null),
            subscription("z2", "z", "30.00", "2023-11-01", null, null),
            subscription("w1", "w", "70.00", "2023-05-20", null, null));
    List<Row> summary =
        RevenueMovements.summary(RevenueMovements.monthly(year, YearMonth.of(2024, 1))).collectAsList();
    assertThat(summary).hasSize(13);
    Row january = summary.get(12);
    assertThat(january.getDate(0)).isEqualTo(date("2024-01-01"));
    assertThat(january.getDouble(january.fieldIndex(SummaryColumns.TRAILING_12M_NRR)))
        .isCloseTo((150.0 + 0 + 30) / 350, within(1e-12));
    // gross caps x at its 100 of a year ago
    assertThat(january.getDouble(january.fieldIndex(SummaryColumns.TRAILING_12M_GRR)))
        .isCloseTo((100.0 + 0 + 30) / 350, within(1e-12));
    assertThat(summary.subList(0, 12)).allMatch(r -> r.isNullAt(r.fieldIndex(SummaryColumns.TRAILING_12M_GRR)));
  }

  @Test
  void cohortsCountLogosAndMrrAgainstTheirFirstMonth() {
    Map<String, Row> rows =
        CohortRetention.monthly(subscriptions, YearMonth.of(2024, 5)).collectAsList().stream()
            .collect(
                Collectors.toMap(
                    r -> YearMonth.from(r.getDate(0).toLocalDate()) + "+"
                        + r.getInt(r.fieldIndex(CohortRetention.Columns.MONTHS_SINCE_START)),
                    r -> r));
    // January cohort a, b, c: MRR 380, 430, 400, 350, 440; active 3, 3, 2, 2, 3
    long[] active = {3, 3, 2, 2, 3};
    String[] mrr = {"380", "430", "400", "350", "440"};
    for (int k = 0; k < 5; k++) {
      Row r = rows.get("2024-01+" + k);
      assertThat(r.getLong(r.fieldIndex(CohortRetention.Columns.COHORT_ACCOUNTS))).isEqualTo(3);
      assertThat(r.getLong(r.fieldIndex(CohortRetention.Columns.ACCOUNTS_ACTIVE))).isEqualTo(active[k]);
      assertThat(r.getDouble(r.fieldIndex(CohortRetention.Columns.LOGO_RETENTION)))
          .isCloseTo(active[k] / 3.0, within(1e-12));
      assertThat(money(r, CohortRetention.Columns.MRR)).isEqualByComparingTo(mrr[k]);
      assertThat(r.getDouble(r.fieldIndex(CohortRetention.Columns.NET_MRR_RETENTION)))
          .isCloseTo(Double.parseDouble(mrr[k]) / 380, within(1e-12));
    }
    // February cohort d churned in May
    Row dMay = rows.get("2024-02+3");
    assertThat(dMay.getLong(dMay.fieldIndex(CohortRetention.Columns.ACCOUNTS_ACTIVE))).isZero();
    assertThat(dMay.getDouble(dMay.fieldIndex(CohortRetention.Columns.NET_MRR_RETENTION))).isZero();
    // April cohort e never had MRR at a month end: no MRR retention to speak of
    Row e = rows.get("2024-04+0");
    assertThat(e.getDouble(e.fieldIndex(CohortRetention.Columns.LOGO_RETENTION))).isZero();
    assertThat(e.isNullAt(e.fieldIndex(CohortRetention.Columns.NET_MRR_RETENTION))).isTrue();
    assertThat(rows).hasSize(5 + 4 + 2 + 1);
  }
}
