package dev.anshin.models.churn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.testing.SparkTestBase;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest extends SparkTestBase {

  private static final StructType SCHEMA =
      new StructType().add("p", DataTypes.DoubleType).add("y", DataTypes.DoubleType);

  @Test
  void aucIsTheShareOfCorrectlyOrderedPairsAndBrierTheMeanSquaredError() {
    var scored =
        dataset(SCHEMA,
            row(0.9, 1.0), row(0.7, 1.0), row(0.3, 1.0),
            row(0.8, 0.0), row(0.2, 0.0), row(0.1, 0.0));
    BinaryMetrics metrics = BinaryMetrics.of(scored, "p", "y");

    // Positive-negative pairs ranked correctly: 0.9 beats all 3, 0.7 beats 0.2 and 0.1, 0.3 beats 0.2 and 0.1: 7 of 9.
    assertThat(metrics.aucRoc()).isCloseTo(7.0 / 9, within(1e-9));
    // (0.1^2 + 0.3^2 + 0.7^2 + 0.8^2 + 0.2^2 + 0.1^2) / 6
    assertThat(metrics.brier()).isCloseTo((0.01 + 0.09 + 0.49 + 0.64 + 0.04 + 0.01) / 6, within(1e-9));
    assertThat(metrics.n()).isEqualTo(6);
    assertThat(metrics.positives()).isEqualTo(3);
    assertThat(metrics.baseRate()).isEqualTo(0.5);
    assertThat(metrics.aucPr()).isBetween(0.5, 1.0);
  }

  @Test
  void oneClassOnlyIsAClearError() {
    var scored = dataset(SCHEMA, row(0.9, 0.0), row(0.2, 0.0));
    assertThatThrownBy(() -> BinaryMetrics.of(scored, "p", "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both classes are needed");
  }
}
