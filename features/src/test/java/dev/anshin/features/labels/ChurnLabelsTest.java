package dev.anshin.features.labels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.SourceRows;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ChurnLabelsTest extends SparkTestBase {

  private static final LocalDate OBSERVED_THROUGH = LocalDate.parse("2025-04-15");

  private static Row subscription(String id, String account, String started, String ended) {
    return row(id, account, "team", 10, new BigDecimal("100.00"), "USD", "monthly",
        date(started), ended == null ? null : date(ended), ended == null ? null : "voluntary");
  }

  private Dataset<Row> subscriptions() {
    return SourceRows.of(spark, SourceTable.SUBSCRIPTIONS, List.of(
        // x: replaced the same day (no churn), then ends 03-01, then comes back 04-01
        subscription("x1", "x", "2025-01-01", "2025-02-01"),
        subscription("x2", "x", "2025-02-01", "2025-03-01"),
        subscription("x3", "x", "2025-04-01", null),
        // y: cancels an add-on while the main subscription goes on: not churn
        subscription("y1", "y", "2025-01-01", null),
        subscription("y2", "y", "2025-01-10", "2025-02-10"),
        // z: ends after the last observed day: not known yet
        subscription("z1", "z", "2025-01-01", "2025-05-01")));
  }

  @Test
  void churnIsTheEndOfCoverageNotOfOneSubscription() {
    List<Row> churns = ChurnLabels.churnDates(subscriptions(), OBSERVED_THROUGH).collectAsList();
    assertThat(churns).hasSize(1);
    assertThat(churns.get(0).<String>getAs("account_id")).isEqualTo("x");
    assertThat(churns.get(0).<java.sql.Date>getAs(ChurnLabels.CHURN_DATE)).isEqualTo(date("2025-03-01"));
  }

  @Test
  void labelsCountChurnsInsideTheHorizonAndDropUnobservedHorizons() {
    StructType schema =
        new StructType().add("account_id", DataTypes.StringType).add("as_of_date", DataTypes.DateType);
    Dataset<Row> examples =
        dataset(schema,
            row("x", date("2025-01-29")), // 01-29 + 30 = 02-28 < churn 03-01: 0
            row("x", date("2025-01-30")), // 01-30 + 30 = 03-01 = churn day: 1 (horizon end included)
            row("x", date("2025-02-28")), // last active day, churns the next day: 1
            row("x", date("2025-03-10")), // after the churn, no later churn: 0
            row("y", date("2025-01-15")), // add-on cancelled: 0
            row("x", date("2025-03-20"))); // 03-20 + 30 = 04-19 > 04-15: not observable yet

    Dataset<Row> labelled =
        ChurnLabels.label(examples, ChurnLabels.churnDates(subscriptions(), OBSERVED_THROUGH), 30, OBSERVED_THROUGH);

    Map<String, Double> labels =
        labelled.collectAsList().stream()
            .collect(Collectors.toMap(
                r -> r.getAs("account_id") + "@" + r.getAs("as_of_date"), r -> r.<Double>getAs(ChurnLabels.LABEL)));
    assertThat(labels)
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "x@2025-01-29", 0.0,
            "x@2025-01-30", 1.0,
            "x@2025-02-28", 1.0,
            "x@2025-03-10", 0.0,
            "y@2025-01-15", 0.0));
  }
}
