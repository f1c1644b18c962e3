package dev.anshin.features.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.revenue.RevenueMovements.Columns;
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
  void classifiesEachAccountMonth() {
    Dataset<Row> movements = RevenueMovements.monthly(subscriptions, YearMonth.of(2024, 5));
    assertThat(movements.columns()).containsExactlyElementsOf(Columns.ALL);
    Map<String, Row> rows =
        movements.collectAsList().stream().collect(Collectors.toMap(r -> key(r), r -> r));

    assertMovement(rows.get("a 2024-01"), Columns.NEW_MRR, "100", RevenueMovements.NEW);
    assertMovement(rows.get("a 2024-02"), null, null, RevenueMovements.NONE);
    // the seat change ends s1 and starts s2 on the same day: 150 - 100, never 250
    assertMovement(rows.get("a 2024-03"), Columns.EXPANSION_MRR, "50", RevenueMovements.EXPANSION);
    // ending one of two subscriptions is contraction, not churn: 250 - 200
    assertMovement(rows.get("b 2024-04"), Columns.CONTRACTION_MRR, "50", RevenueMovements.CONTRACTION);
    assertMovement(rows.get("c 2024-03"), Columns.CHURNED_MRR, "80", RevenueMovements.CHURN);
    assertThat(rows.get("c 2024-03").getString(rows.get("c 2024-03").fieldIndex(Columns.CHURN_TYPE)))
        .isEqualTo(RevenueMovements.INVOLUNTARY);
    assertThat(rows).doesNotContainKey("c 2024-04");
    assertMovement(
        rows.get("c 2024-05"), Columns.REACTIVATION_MRR, "90", RevenueMovements.REACTIVATION);
    assertMovement(rows.get("d 2024-02"), Columns.NEW_MRR, "60", RevenueMovements.NEW);
    assertMovement(rows.get("d 2024-05"), Columns.CHURNED_MRR, "60", RevenueMovements.CHURN);
    // no cancel reason counts as the customer's choice
    assertThat(rows.get("d 2024-05").getString(rows.get("d 2024-05").fieldIndex(Columns.CHURN_TYPE)))
        .isEqualTo(RevenueMovements.VOLUNTARY);
    assertThat(rows.keySet()).noneMatch(k -> k.startsWith("e "));
    assertThat(rows.get("a 2024-03").isNullAt(rows.get("a 2024-03").fieldIndex(Columns.CHURN_TYPE)))
        .isTrue();
  }

  private static void assertMovement(Row r, String amountColumn, String amount, String type) {
    assertThat(r).as("movement row").isNotNull();
    assertThat(r.getString(r.fieldIndex(Columns.MOVEMENT_TYPE))).as(key(r)).isEqualTo(type);
    for (String column :
        List.of(
            Columns.NEW_MRR, Columns.EXPANSION_MRR, Columns.CONTRACTION_MRR, Columns.CHURNED_MRR,
            Columns.REACTIVATION_MRR)) {
      BigDecimal expected = column.equals(amountColumn) ? new BigDecimal(amount) : BigDecimal.ZERO;
      assertThat(money(r, column)).as(key(r) + " " + column).isEqualByComparingTo(expected);
    }
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
      {"2024-04-01", "460", "0", "0", "50", "0", "0", "410"}, // b -50
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
    // starting customers a, b, d (c had none at the end of April); reactivated c is outside NRR
    assertThat(may.getLong(may.fieldIndex(SummaryColumns.STARTING_CUSTOMERS))).isEqualTo(3);
    assertThat(may.getLong(may.fieldIndex(SummaryColumns.REACTIVATED_CUSTOMERS))).isEqualTo(1);
    assertThat(may.getLong(may.fieldIndex(SummaryColumns.ENDING_CUSTOMERS))).isEqualTo(4);
    assertThat(may.getDouble(may.fieldIndex(SummaryColumns.NET_REVENUE_RETENTION)))
        .isCloseTo(350.0 / 410, within(1e-12));
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
    assertMovement(may.get("d"), null, null, RevenueMovements.NONE);
    assertThat(money(may.get("d"), Columns.ENDING_MRR)).isEqualByComparingTo("60");
    assertMovement(may.get("c"), Columns.REACTIVATION_MRR, "90", RevenueMovements.REACTIVATION);
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
