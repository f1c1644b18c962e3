package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class CalibrationTest extends SparkTestBase {
  private static final StructType SCHEMA = new StructType().add("margin", DataTypes.DoubleType).add("label", DataTypes.DoubleType);

  /**
   * 2,000 examples at each margin -2 .. 2 of a model whose log-odds are twice too confident and
   * shifted: the realised churn at margin m is 1 / (1 + exp(-(0.5 m - 1))), rounded to whole
   * examples. The maximum-likelihood fit of grouped outcomes lying on a logistic curve is that curve;
   * the rounding moves a proportion by at most 0.5 / 2,000 and Platt's targets (about 2,900 churns,
   * 7,100 stays) by under 1 / 2,900, so the fit is within 0.01 of 0.5 and -1.
   */
  @Test
  void plattScalingRecoversTheSlopeAndInterceptOfTheRealisedOutcomes() {
    List<Row> rows = new ArrayList<>();
    int perMargin = 2000;
    for (int m = -2; m <= 2; m++) {
      long churned = Math.round(perMargin / (1 + Math.exp(-(0.5 * m - 1))));
      for (int i = 0; i < perMargin; i++) {
        rows.add(RowFactory.create((double) m, i < churned ? 1.0 : 0.0));
      }
    }
    Calibration fitted = Calibration.fit(spark.createDataFrame(rows, SCHEMA), "margin", "label");
    assertThat(fitted.slope()).isCloseTo(0.5, within(0.01));
    assertThat(fitted.intercept()).isCloseTo(-1.0, within(0.01));
  }

  /**
   * Three churned examples at margin 1 and three retained at margin -1: the margin separates them
   * perfectly, and 0/1 targets would send the slope to infinity. Platt's targets are 4/5 for a churn
   * and 1/5 for a stay, so the fit passes through 4/5 at margin 1 and 1/5 at -1: intercept 0, slope
   * logit(4/5) = ln 4.
   */
  @Test
  void plattsTargetsKeepAPerfectlySeparatedFitFinite() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rows.add(RowFactory.create(1.0, 1.0));
      rows.add(RowFactory.create(-1.0, 0.0));
    }
    Calibration fitted = Calibration.fit(spark.createDataFrame(rows, SCHEMA), "margin", "label");
    assertThat(fitted.slope()).isCloseTo(Math.log(4), within(1e-5));
    assertThat(fitted.intercept()).isCloseTo(0.0, within(1e-5));
  }

  /**
   * The maximum of the targets' log-likelihood is where its gradient vanishes: at the fitted slope a
   * and intercept b, sum (t - p) m = 0 and sum (t - p) = 0 with p = 1 / (1 + exp(-(a m + b))) and t
   * Platt's targets. Checked on 5,000 noisy examples whose margins are too confident, in whatever
   * order they come.
   */
  @Test
  void theFitIsWhereTheLogLikelihoodsGradientVanishesWhateverTheOrderOfTheExamples() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    int n = 5000;
    double[] margin = new double[n];
    double[] label = new double[n];
    for (int i = 0; i < n; i++) {
      margin[i] = 4 * random.nextDouble() - 3;
      label[i] = random.nextDouble() < 1 / (1 + Math.exp(-(0.4 * margin[i] - 0.5))) ? 1.0 : 0.0;
    }
    double positives = java.util.Arrays.stream(label).sum();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create(margin[i], label[i]));
    }
    Calibration fitted = Calibration.fit(spark.createDataFrame(rows, SCHEMA).repartition(3), "margin", "label");
    double gradientSlope = 0;
    double gradientIntercept = 0;
    for (int i = 0; i < n; i++) {
      double target = label[i] == 1.0 ? (positives + 1) / (positives + 2) : 1 / (n - positives + 2);
      double residual = target - fitted.probability(margin[i]);
      gradientSlope += residual * margin[i];
      gradientIntercept += residual;
    }
    assertThat(gradientSlope).isCloseTo(0.0, within(1e-6));
    assertThat(gradientIntercept).isCloseTo(0.0, within(1e-6));
    // The examples in reverse order give the same fit to the last bit.
    List<Row> reversed = new ArrayList<>(rows);
    java.util.Collections.reverse(reversed);
    assertThat(Calibration.fit(spark.createDataFrame(reversed, SCHEMA).coalesce(1), "margin", "label")).isEqualTo(fitted);
  }

  @Test
  void theCalibratedProbabilityIsTheLogisticOfTheScaledMargin() {
    Calibration calibration = new Calibration(2.0, -1.0);
    // 2 x 0.5 - 1 = 0: even odds; 2 x 1.5 - 1 = 2: 1 / (1 + e^-2).
    assertThat(calibration.probability(0.5)).isCloseTo(0.5, within(1e-15));
    assertThat(calibration.probability(1.5)).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-15));
    Row computed = spark.createDataFrame(List.of(RowFactory.create(1.5, 0.0)), SCHEMA)
        .select(calibration.probability(col("margin")), Calibration.logOdds(org.apache.spark.sql.functions.lit(0.8))).first();
    assertThat(computed.getDouble(0)).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-15));
    assertThat(computed.getDouble(1)).isCloseTo(Math.log(4), within(1e-12));
    // The identity leaves a model's probability as it is.
    assertThat(Calibration.IDENTITY.probability(Math.log(4))).isCloseTo(0.8, within(1e-15));
  }

  /**
   * Predictions 0.05, 0.05, 0.15, 0.95 and 1.0 with outcomes 0, 1, 0, 1, 1. Bin 0 [0, 0.1): mean 0.05,
   * rate 1/2, gap 0.45, 2 of 5 examples; bin 1: 0.15 against 0, 1 of 5; bin 9 (1.0 belongs to the last
   * bin): mean 0.975 against 1, 2 of 5. ECE = 0.4 x 0.45 + 0.2 x 0.15 + 0.4 x 0.025 = 0.22.
   */
  @Test
  void theExpectedCalibrationErrorWeighsEachBinsGapByItsExamples() {
    Dataset<Row> rows = spark.createDataFrame(List.of(
        RowFactory.create(0.05, 0.0), RowFactory.create(0.05, 1.0), RowFactory.create(0.15, 0.0),
        RowFactory.create(0.95, 1.0), RowFactory.create(1.0, 1.0)), SCHEMA);
    List<Calibration.Bin> bins = Calibration.reliability(rows, "margin", "label");
    assertThat(bins).extracting(Calibration.Bin::bin).containsExactly(0, 1, 9);
    assertThat(bins).extracting(Calibration.Bin::examples).containsExactly(2L, 1L, 2L);
    assertThat(bins.get(2).meanPredicted()).isCloseTo(0.975, within(1e-12));
    assertThat(bins.get(2).upper()).isEqualTo(1.0);
    assertThat(Calibration.expectedError(bins)).isCloseTo(0.22, within(1e-12));
  }
}
