package dev.anshin.models.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class CohortRetentionTest extends SparkTestBase {

  private int nextId;

  private Row subscription(String account, String start, String end) {
    return row(
        "s" + (nextId++), account, "basic", 1, new BigDecimal("10.00"), "EUR", "month",
        date(start), end == null ? null : date(end), null);
  }

  private Dataset<Row> subscriptions(Row... rows) {
    return dataset(SourceTable.SUBSCRIPTIONS.schema(), rows);
  }

  private static Map<String, Long> byCohortAndPeriod(Dataset<Row> survivors) {
    Map<String, Long> map = new TreeMap<>();
    for (Row row : survivors.collectAsList()) {
      map.put(row.getDate(0) + "/" + row.getInt(2), row.getLong(3));
    }
    return map;
  }

  @Test
  void countsContinuousCoverageAndIgnoresReactivation() {
    Dataset<Row> subscriptions =
        subscriptions(
            // a: two back-to-back subscriptions (no gap on 2024-02-15), still open.
            subscription("a", "2024-01-15", "2024-02-15"),
            subscription("a", "2024-02-15", null),
            // b: ends 2024-02-10, before its 1-month anniversary (2024-02-20): churns in period 1;
            // its reactivation in April does not count.
            subscription("b", "2024-01-20", "2024-02-10"),
            subscription("b", "2024-04-01", null),
            // c: overlapping subscriptions cover until 2024-04-01 (anniversaries 02-01, 03-01, 04-01).
            subscription("c", "2024-01-01", "2024-03-01"),
            subscription("c", "2024-02-01", "2024-04-01"),
            // d: February cohort, ended on its first anniversary day: covered until 2024-03-10.
            subscription("d", "2024-02-10", "2024-03-10"),
            // e: starts after the as-of date: ignored.
            subscription("e", "2024-06-01", null));
    Map<String, Long> survivors =
        byCohortAndPeriod(CohortRetention.survivors(subscriptions, LocalDate.of(2024, 5, 1)));
    // January cohort (a, b, c): periods 1..3 observed (period 4 needs 2024-06-01).
    // c survives period k while 2024-04-01 >= its k-month anniversary: k = 1, 2, 3.
    assertThat(survivors)
        .containsExactlyEntriesOf(
            new TreeMap<>(
                Map.of(
                    "2024-01-01/0", 3L, "2024-01-01/1", 2L, "2024-01-01/2", 2L, "2024-01-01/3", 2L,
                    "2024-02-01/0", 1L, "2024-02-01/1", 1L, "2024-02-01/2", 0L)));
  }

  @Test
  void forecastsFittableCohortsAndFlagsTheOthers() {
    // A cohort that follows sBG survivor counts closely, and one where nobody churned.
    List<Row> rows = new ArrayList<>();
    ShiftedBetaGeometricModel truth = new ShiftedBetaGeometricModel(0.704, 1.182, 0, true, 0);
    int size = 400;
    LocalDate start = LocalDate.of(2023, 1, 1);
    int periods = 6;
    long[] expected = new long[periods + 1];
    for (int k = 0; k <= periods; k++) {
      expected[k] = Math.round(size * truth.survival(k));
    }
    int account = 0;
    for (int k = 1; k <= periods + 1; k++) {
      long churnedAtK = k <= periods ? expected[k - 1] - expected[k] : expected[periods];
      for (int i = 0; i < churnedAtK; i++) {
        String end = k <= periods ? start.plusMonths(k).minusDays(1).toString() : null;
        rows.add(subscription("r" + (account++), start.toString(), end));
      }
    }
    for (int i = 0; i < 20; i++) {
      rows.add(subscription("loyal" + i, "2023-03-05", null));
    }
    LocalDate asOf = LocalDate.of(2023, 8, 1);
    Dataset<Row> survivors = CohortRetention.survivors(subscriptions(rows.toArray(Row[]::new)), asOf);
    Dataset<Row> forecast = CohortRetention.forecast(survivors, 12);
    assertThat(forecast.schema()).isEqualTo(CohortRetention.FORECAST_SCHEMA);

    List<Row> january = forecast.where("cohort_month = date'2023-01-01'").orderBy("period").collectAsList();
    assertThat(january).hasSize(periods + 1 + 12);
    Row first = january.get(0);
    assertThat(first.getAs("status").toString()).isEqualTo("fitted");
    assertThat((Boolean) first.getAs("converged")).isTrue();
    assertThat((Integer) first.getAs("observed_periods")).isEqualTo(periods);
    // Counts built from the published Regular estimates come back close to them.
    assertThat((Double) first.getAs("alpha")).isCloseTo(0.704, within(0.1));
    assertThat((Double) first.getAs("beta")).isCloseTo(1.182, within(0.2));
    for (int k = 0; k <= periods; k++) {
      assertThat((Long) january.get(k).getAs("survivors_observed")).isEqualTo(expected[k]);
      assertThat((Boolean) january.get(k).getAs("is_projection")).isFalse();
    }
    Row lastProjected = january.get(january.size() - 1);
    assertThat((Boolean) lastProjected.getAs("is_projection")).isTrue();
    assertThat(lastProjected.isNullAt(lastProjected.fieldIndex("survivors_observed"))).isTrue();
    assertThat((Integer) lastProjected.getAs("period")).isEqualTo(periods + 12);

    List<Row> march = forecast.where("cohort_month = date'2023-03-01'").collectAsList();
    assertThat(march).isNotEmpty();
    for (Row row : march) {
      assertThat(row.getAs("status").toString()).isEqualTo("no_churn");
      assertThat((Boolean) row.getAs("converged")).isFalse();
      assertThat(row.isNullAt(row.fieldIndex("alpha"))).isTrue();
      assertThat(row.isNullAt(row.fieldIndex("survivors_expected"))).isTrue();
    }
    Row nanCount =
        forecast.selectExpr(
                "count_if(isnan(alpha) or isnan(beta) or isnan(survivors_expected) or isnan(retention_rate_expected))")
            .first();
    assertThat(nanCount.getLong(0)).isZero();
  }
}
