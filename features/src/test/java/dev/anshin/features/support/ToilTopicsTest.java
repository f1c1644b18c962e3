package dev.anshin.features.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.support.ToilTopics.Columns;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class ToilTopicsTest extends SparkTestBase {

  private static final double EPS = 1e-9;

  private Row ticket(String id, String account, String created, String category, Double minutes) {
    return SupportMetricsTest.ticket(
        id, account, created, null, null, "normal", category, null, 0, 1, minutes);
  }

  @Test
  void ranksCategoriesByRepeatedHandlingPerIsoWeek() {
    Dataset<Row> tickets =
        dataset(
            SupportMetricsTest.TICKETS,
            ticket("k1", "a", "2024-02-06T10:00:00Z", "billing", 10.0),
            // 27 days after k1 from the same account: a repeat
            ticket("k2", "a", "2024-03-04T09:00:00Z", "billing", 20.0),
            ticket("k3", "b", "2024-03-05T09:00:00Z", "billing", 30.0),
            ticket("k4", "b", "2024-03-06T09:00:00Z", "billing", 40.0),
            ticket("k5", "c", "2024-01-20T00:00:00Z", "how_to", 5.0),
            // 31 days after k5: not a repeat in a 30-day window
            ticket("k6", "c", "2024-02-20T00:00:00Z", "how_to", 5.0),
            ticket("k7", "c", "2024-03-07T00:00:00Z", "how_to", 100.0),
            // Sunday 23:59:59 UTC closes the week of 03-04; the next second starts the week of 03-11
            ticket("k8", "d", "2024-03-10T23:59:59Z", "how_to", null),
            ticket("k9", "d", "2024-03-11T00:00:00Z", "how_to", 7.0));
    Dataset<Row> toil =
        ToilTopics.weekly(tickets, LocalDate.parse("2024-03-04"), LocalDate.parse("2024-03-11"), 30);
    assertThat(toil.columns()).containsExactlyElementsOf(Columns.ALL);
    Map<String, Row> rows =
        toil.collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getDate(0) + " " + r.getString(1), r -> r));
    assertThat(rows.keySet())
        .containsExactlyInAnyOrder(
            "2024-03-04 billing", "2024-03-04 how_to", "2024-03-11 how_to");

    Row billing = rows.get("2024-03-04 billing");
    // k2, k3, k4: 20 + 30 + 40 = 90 minutes, mean 30, accounts a and b, repeats k2 and k4
    assertThat(billing.getLong(billing.fieldIndex(Columns.TICKETS))).isEqualTo(3);
    assertThat(billing.getDouble(billing.fieldIndex(Columns.TOTAL_HANDLE_MINUTES))).isEqualTo(90.0);
    assertThat(billing.getDouble(billing.fieldIndex(Columns.MEAN_HANDLE_MINUTES))).isEqualTo(30.0);
    assertThat(billing.getLong(billing.fieldIndex(Columns.ACCOUNTS_AFFECTED))).isEqualTo(2);
    assertThat(billing.getLong(billing.fieldIndex(Columns.REPEAT_TICKETS))).isEqualTo(2);
    assertThat(billing.getDouble(billing.fieldIndex(Columns.REPEAT_RATE))).isCloseTo(2.0 / 3, within(EPS));
    // toil 90 x 2/3 = 60; previous four weeks (02-05..02-26) had k1 only: mean 1/4, trend 3 / 0.25
    assertThat(billing.getDouble(billing.fieldIndex(Columns.TOIL_SCORE))).isCloseTo(60.0, within(EPS));
    assertThat(billing.getDouble(billing.fieldIndex(Columns.PREVIOUS_4_WEEK_MEAN_TICKETS))).isEqualTo(0.25);
    assertThat(billing.getDouble(billing.fieldIndex(Columns.TICKET_TREND))).isCloseTo(12.0, within(EPS));
    assertThat(billing.getInt(billing.fieldIndex(Columns.TOIL_RANK))).isEqualTo(1);
    assertThat(billing.getBoolean(billing.fieldIndex(Columns.WEEK_COMPLETE))).isTrue();

    Row howTo = rows.get("2024-03-04 how_to");
    // k7 (repeat of k6, 16 days) and k8 (no minutes recorded): total 100, mean over k7 only
    assertThat(howTo.getLong(howTo.fieldIndex(Columns.TICKETS))).isEqualTo(2);
    assertThat(howTo.getDouble(howTo.fieldIndex(Columns.MEAN_HANDLE_MINUTES))).isEqualTo(100.0);
    assertThat(howTo.getDouble(howTo.fieldIndex(Columns.REPEAT_RATE))).isEqualTo(0.5);
    assertThat(howTo.getDouble(howTo.fieldIndex(Columns.TOIL_SCORE))).isCloseTo(50.0, within(EPS));
    // previous weeks: k6 in the week of 02-19 (k5 is older than four weeks): trend 2 / 0.25
    assertThat(howTo.getDouble(howTo.fieldIndex(Columns.TICKET_TREND))).isCloseTo(8.0, within(EPS));
    assertThat(howTo.getInt(howTo.fieldIndex(Columns.TOIL_RANK))).isEqualTo(2);

    Row nextWeek = rows.get("2024-03-11 how_to");
    // k9, one second after k8 from the same account: a repeat; previous weeks 02-12..03-04 hold
    // k6 and k7, k8: mean 3/4
    assertThat(nextWeek.getDouble(nextWeek.fieldIndex(Columns.REPEAT_RATE))).isEqualTo(1.0);
    assertThat(nextWeek.getDouble(nextWeek.fieldIndex(Columns.TICKET_TREND)))
        .isCloseTo(1 / 0.75, within(EPS));
    assertThat(nextWeek.getBoolean(nextWeek.fieldIndex(Columns.WEEK_COMPLETE))).isFalse();
  }

  @Test
  void aWeekIsComputedFromTheTicketsAsDeliveredByItsSunday() {
    // k1 opened Monday 03-04 with 10 handle minutes; 50 more are delivered on Tuesday 03-12
    Dataset<Row> versions =
        dataset(SupportMetricsTest.TICKETS, ticket("k1", "a", "2024-03-04T09:00:00Z", "billing", 10.0))
            .withColumn("delivered_on", org.apache.spark.sql.functions.lit(date("2024-03-04")))
            .unionByName(
                dataset(SupportMetricsTest.TICKETS, ticket("k1", "a", "2024-03-04T09:00:00Z", "billing", 60.0))
                    .withColumn("delivered_on", org.apache.spark.sql.functions.lit(date("2024-03-12"))));
    Row backfilled =
        ToilTopics.weekly(versions, LocalDate.parse("2024-03-04"), LocalDate.parse("2024-03-13"), 30)
            .filter("week_start = DATE'2024-03-04'").first();
    Row onItsSunday =
        ToilTopics.weekly(versions, LocalDate.parse("2024-03-10"), LocalDate.parse("2024-03-10"), 30).first();
    assertThat(backfilled.<Double>getAs(Columns.TOTAL_HANDLE_MINUTES)).isEqualTo(10.0);
    assertThat(backfilled).isEqualTo(onItsSunday);
    // Mid-week, the week in progress is computed as known that day.
    Row midWeek = ToilTopics.weekly(versions, LocalDate.parse("2024-03-06"), LocalDate.parse("2024-03-06"), 30).first();
    assertThat(midWeek.<Boolean>getAs(Columns.WEEK_COMPLETE)).isFalse();
  }
}
