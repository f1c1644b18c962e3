package dev.anshin.models.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.health.HealthScore;
import dev.anshin.features.health.HealthSettings;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class HealthValidationTest extends SparkTestBase {
  private static final StructType SCHEMA =
      new StructType()
          .add(HealthScore.Columns.USAGE_SCORE, DataTypes.DoubleType)
          .add(HealthScore.Columns.RELIABILITY_SCORE, DataTypes.DoubleType)
          .add(HealthScore.Columns.SUPPORT_SCORE, DataTypes.DoubleType)
          .add(HealthScore.Columns.BILLING_SCORE, DataTypes.DoubleType)
          .add(HealthScore.Columns.TREND_SCORE, DataTypes.DoubleType)
          .add("label", DataTypes.DoubleType);

  /** The defaults' weights (0.30/0.25/0.20/0.15/0.10) with bands chosen so that the test rows fall in all three. */
  private static final HealthSettings SETTINGS =
      new HealthSettings(new HealthSettings.Weights(0.30, 0.25, 0.20, 0.15, 0.10), new HealthSettings.Bands(80, 71),
          new HealthSettings.Thresholds(0.1, 0.8, 0, 20, 0, 1, 0.05, 0.001, 6, 3, 0.5, 1.0));

  @Test
  void aucCountsTheChurnedAndRetainedPairsInOrderWithTiesAsHalf() {
    // Churned scores {20, 20, 50}, retained {50, 50, 80, 80, 80}: each 20 lies below all 5 retained,
    // the 50 below the three 80s and level with two 50s: (5 + 5 + 3 + 2 x 0.5) / (3 x 5) = 14/15.
    TreeMap<Double, long[]> counts = new TreeMap<>(Map.of(20.0, new long[] {2, 2}, 50.0, new long[] {3, 1}, 80.0, new long[] {3, 0}));
    HealthValidation.ValueCounts values = new HealthValidation.ValueCounts(counts);
    assertThat(values.aucOfLowScores()).isCloseTo(14.0 / 15.0, within(1e-12));
    assertThat(values.examples()).isEqualTo(8);
    assertThat(values.churned()).isEqualTo(3);
    // One outcome alone ranks nothing.
    assertThat(new HealthValidation.ValueCounts(new TreeMap<>(Map.of(20.0, new long[] {2, 2}))).aucOfLowScores()).isNull();
  }

  /**
   * Training examples where low usage goes with churn (6, 3 and 1 churns of 10 at usage 10, 50 and
   * 90), support goes the wrong way (every churned account scores 100, every retained one 50),
   * reliability and billing are 100 for everyone and the trend is unknown. The only component whose
   * deficit raises the odds of churn is usage: support's coefficient would be negative and stops at
   * its bound 0, the constant ones carry nothing, so usage takes the whole weight.
   */
  @Test
  void fittedWeightsAreNonNegativeAndGoToTheComponentThatPredicts() {
    HealthSettings.Weights fitted = HealthValidation.fitWeights(train(), "label");
    assertThat(fitted).isNotNull();
    assertThat(fitted.usage()).isCloseTo(1.0, within(1e-6));
    assertThat(fitted.support()).isCloseTo(0.0, within(1e-6));
    assertThat(fitted.reliability() + fitted.billing() + fitted.trend()).isCloseTo(0.0, within(1e-6));
    assertThat(HealthValidation.asConfiguration(fitted))
        .isEqualTo("anshin.health.weights { usage = 1.00, reliability = 0.00, support = 0.00, billing = 0.00, trend = 0.00 }");
  }

  /**
   * Six test examples (usage, support; reliability and billing 100, trend unknown; churned?):
   * A (10, 100, yes), B (50, 100, yes), C and D (90, 50, no), E (50, 50, no), F (10, 100, no).
   *
   * <p>Configured: the trend has no data, so the weights present sum to 0.9 and the score is
   * (0.3 usage + 0.2 support + 0.25 x 100 + 0.15 x 100) / 0.9: A and F 70.0, B 83.3, C and D 85.6, E
   * 72.2. Churned {70.0, 83.3} against retained {85.6, 85.6, 72.2, 70.0}: 70.0 lies below three and
   * level with one (3.5), 83.3 below two (2): AUC 5.5 / 8. Bands at 80 and 71: red A, F (1 of 2
   * churned), yellow E (0 of 1), green B, C, D (1 of 3).
   *
   * <p>Fitted (usage alone): the score is usage. Churned {10, 50} against retained {90, 90, 50, 10}:
   * 10 below three and level with one (3.5), 50 below two and level with one (2.5): AUC 6 / 8. Green
   * C, D (0 of 2), no yellow, red A, B, E, F (2 of 4).
   *
   * <p>Components, the same in both sets: usage 6/8; support, churned {100, 100} against {50, 50, 50,
   * 100}, only the tie counts: 2 x 0.5 / 8; reliability and billing all level: 0.5; trend none.
   */
  @Test
  void theConfiguredAndTheFittedScorecardAreMeasuredOnTheTestExamples() {
    Dataset<Row> test = rows(List.of(
        example(10, 100, 1), example(50, 100, 1), example(90, 50, 0), example(90, 50, 0), example(50, 50, 0), example(10, 100, 0)));
    LocalDate through = LocalDate.parse("2026-03-01");
    HealthValidation.Result result =
        HealthValidation.validate(train(), test, "label", SETTINGS, through, LocalDate.parse("2026-01-05"), LocalDate.parse("2026-01-26"));

    Map<String, Row> components = result.components().collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(1) + "/" + r.getString(2), r -> r));
    assertThat(components).hasSize(12);
    assertThat(components.get("configured/health_score").getDouble(4)).isCloseTo(5.5 / 8, within(1e-12));
    assertThat(components.get("fitted/health_score").getDouble(4)).isCloseTo(6.0 / 8, within(1e-12));
    for (String set : List.of("configured", "fitted")) {
      assertThat(components.get(set + "/usage").getDouble(4)).isCloseTo(6.0 / 8, within(1e-12));
      assertThat(components.get(set + "/support").getDouble(4)).isCloseTo(1.0 / 8, within(1e-12));
      assertThat(components.get(set + "/reliability").getDouble(4)).isCloseTo(0.5, within(1e-12));
      assertThat(components.get(set + "/trend").isNullAt(4)).isTrue();
      assertThat(components.get(set + "/trend").getLong(5)).isZero();
      assertThat(components.get(set + "/usage").getLong(5)).isEqualTo(6);
      assertThat(components.get(set + "/usage").getLong(6)).isEqualTo(2);
    }
    assertThat(components.get("configured/usage").getDouble(3)).isCloseTo(0.30, within(1e-12));
    assertThat(components.get("configured/health_score").isNullAt(3)).isTrue();
    assertThat(components.get("fitted/usage").getDouble(3)).isCloseTo(1.0, within(1e-6));

    Map<String, List<Object>> bands = result.bands().collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(1) + "/" + r.getString(2), r -> {
          List<Object> values = new ArrayList<>(List.of(r.getLong(3), r.getLong(4)));
          values.add(r.isNullAt(5) ? null : r.getDouble(5));
          return values;
        }));
    assertThat(bands).containsOnly(
        Map.entry("configured/red", List.of(2L, 1L, 0.5)),
        Map.entry("configured/yellow", java.util.Arrays.asList(1L, 0L, 0.0)),
        Map.entry("configured/green", List.of(3L, 1L, 1.0 / 3)),
        Map.entry("fitted/green", List.of(2L, 0L, 0.0)),
        Map.entry("fitted/yellow", java.util.Arrays.asList(0L, 0L, null)),
        Map.entry("fitted/red", List.of(4L, 2L, 0.5)));
  }

  private Dataset<Row> train() {
    List<Row> rows = new ArrayList<>();
    int[][] churnsOfTen = {{10, 6}, {50, 3}, {90, 1}};
    for (int[] level : churnsOfTen) {
      for (int i = 0; i < 10; i++) {
        boolean churned = i < level[1];
        rows.add(example(level[0], churned ? 100 : 50, churned ? 1 : 0));
      }
    }
    return rows(rows);
  }

  private static Row example(double usage, double support, double churned) {
    return RowFactory.create(usage, 100.0, support, 100.0, null, churned);
  }

  private Dataset<Row> rows(List<Row> rows) {
    return spark.createDataFrame(rows, SCHEMA);
  }
}
