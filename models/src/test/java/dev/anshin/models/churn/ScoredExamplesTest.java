package dev.anshin.models.churn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ScoredExamplesTest extends SparkTestBase {

  /** 400 examples whose scores take 101 values (so MLlib's curves are not down-sampled), churn rising with the score. */
  private static double[][] examples(long seed) {
    Random random = new Random(seed);
    double[] score = new double[400];
    double[] label = new double[400];
    for (int i = 0; i < score.length; i++) {
      score[i] = Math.round(random.nextDouble() * 100) / 100.0;
      label[i] = random.nextDouble() < 0.1 + 0.5 * score[i] ? 1 : 0;
    }
    return new double[][] {score, label};
  }

  @Test
  void unitWeightsGiveMllibsAucsTheBrierScoreAndTheCalibrationError() {
    double[][] data = examples(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < data[0].length; i++) {
      rows.add(RowFactory.create(data[0][i], data[1][i]));
    }
    var scored = spark.createDataFrame(rows, new StructType().add("p", DataTypes.DoubleType).add("y", DataTypes.DoubleType));
    BinaryMetrics mllib = BinaryMetrics.of(scored, "p", "y");
    ScoredExamples.Metrics metrics = new ScoredExamples(data[0], data[1]).metrics();
    assertThat(metrics.aucRoc()).isCloseTo(mllib.aucRoc(), within(1e-12));
    assertThat(metrics.aucPr()).isCloseTo(mllib.aucPr(), within(1e-12));
    assertThat(metrics.brier()).isCloseTo(mllib.brier(), within(1e-12));
    assertThat(metrics.ece()).isCloseTo(Calibration.expectedError(Calibration.reliability(scored, "p", "y")), within(1e-12));
  }

  @Test
  void aWeightOfTwoIsTheExampleTwice() {
    double[][] data = examples(5);
    int n = data[0].length;
    double[] weight = new double[n];
    double[] score = Arrays.copyOf(data[0], n + (n + 2) / 3);
    double[] label = Arrays.copyOf(data[1], n + (n + 2) / 3);
    for (int i = 0; i < n; i++) {
      weight[i] = i % 3 == 0 ? 2 : 1;
    }
    for (int i = 0, k = n; i < n; i += 3, k++) {
      score[k] = data[0][i];
      label[k] = data[1][i];
    }
    ScoredExamples.Metrics weighted = new ScoredExamples(data[0], data[1]).metrics(weight);
    ScoredExamples.Metrics repeated = new ScoredExamples(score, label).metrics();
    assertThat(weighted.aucRoc()).isCloseTo(repeated.aucRoc(), within(1e-12));
    assertThat(weighted.aucPr()).isCloseTo(repeated.aucPr(), within(1e-12));
    assertThat(weighted.brier()).isCloseTo(repeated.brier(), within(1e-12));
    assertThat(weighted.ece()).isCloseTo(repeated.ece(), within(1e-12));
    assertThat(weighted.topDecileLift()).isCloseTo(repeated.topDecileLift(), within(1e-12));
  }

  /**
   * 20 examples, 4 churned: the top decile is the 2 highest scores. With one churned among them its
   * rate is 1/2 against a base rate of 4/20: lift 2.5.
   */
  @Test
  void theTopDecileLiftIsItsChurnRateOverTheBaseRateWithATieCountedInProportion() {
    double[] score = new double[20];
    double[] label = new double[20];
    for (int i = 0; i < 20; i++) {
      score[i] = (20 - i) / 20.0;
    }
    label[0] = 1;
    label[5] = 1;
    label[9] = 1;
    label[15] = 1;
    assertThat(new ScoredExamples(score, label).metrics().topDecileLift()).isCloseTo((1.0 / 2) / (4.0 / 20), within(1e-12));
    // Tie the 2nd and 3rd highest and make the 3rd churned: the decile takes the top one and half of the
    // tie of two (one churned): (1 + 0.5) / 2 churned per account taken.
    score[2] = score[1];
    label[2] = 1;
    assertThat(new ScoredExamples(score, label).metrics().topDecileLift()).isCloseTo((1.5 / 2) / (5.0 / 20), within(1e-12));
  }

  /**
   * The Brier score is a mean, so its bootstrap interval must match the normal one, mean +- 1.96 sd /
   * sqrt(n), for 4,000 independent examples (within 10%: 1,000 replicates put the 2.5% and 97.5%
   * quantiles within a few percent of their limits). Repeating every example 4 times as one cluster
   * leaves the information of 1,000 examples: the cluster interval must be as wide as that of 1,000
   * examples, twice that of 4,000 treated as independent.
   */
  @Test
  void bootstrapIntervalsMatchTheNormalIntervalOfAMeanAndWidenForClusters() {
    Random random = new Random(11);
    int n = 4000;
    double[] score = new double[n];
    double[] label = new double[n];
    for (int i = 0; i < n; i++) {
      score[i] = random.nextDouble();
      label[i] = random.nextDouble() < score[i] ? 1 : 0;
    }
    int[] own = java.util.stream.IntStream.range(0, n).toArray();
    ScoredExamples independent = new ScoredExamples(score, label);
    ScoredExamples.Interval brier = independent.bootstrap(own, n, 1000, 1L).brier();
    double mean = brier.estimate();
    double variance = 0;
    for (int i = 0; i < n; i++) {
      double e = (score[i] - label[i]) * (score[i] - label[i]);
      variance += (e - mean) * (e - mean) / (n - 1);
    }
    double halfWidth = 1.96 * Math.sqrt(variance / n);
    assertThat(brier.high() - brier.low()).isCloseTo(2 * halfWidth, within(0.1 * 2 * halfWidth));
    assertThat((brier.high() + brier.low()) / 2).isCloseTo(mean, within(0.15 * halfWidth));

    int m = 1000;
    double[] repeatedScore = new double[4 * m];
    double[] repeatedLabel = new double[4 * m];
    int[] cluster = new int[4 * m];
    for (int i = 0; i < 4 * m; i++) {
      repeatedScore[i] = score[i / 4];
      repeatedLabel[i] = label[i / 4];
      cluster[i] = i / 4;
    }
    ScoredExamples repeated = new ScoredExamples(repeatedScore, repeatedLabel);
    double clustered = width(repeated.bootstrap(cluster, m, 1000, 2L).aucRoc());
    double thousand = width(new ScoredExamples(Arrays.copyOf(score, m), Arrays.copyOf(label, m))
        .bootstrap(java.util.stream.IntStream.range(0, m).toArray(), m, 1000, 3L).aucRoc());
    double asIndependent = width(repeated.bootstrap(java.util.stream.IntStream.range(0, 4 * m).toArray(), 4 * m, 1000, 4L).aucRoc());
    assertThat(clustered).isCloseTo(thousand, within(0.1 * thousand));
    assertThat(clustered / asIndependent).isCloseTo(2.0, within(0.25));
  }

  private static double width(ScoredExamples.Interval interval) {
    assertThat(interval.low()).isLessThanOrEqualTo(interval.estimate());
    assertThat(interval.high()).isGreaterThanOrEqualTo(interval.estimate());
    return interval.high() - interval.low();
  }

  @Test
  void quantilesInterpolateBetweenOrderStatistics() {
    double[] sorted = {1, 2, 3, 4, 5};
    assertThat(ScoredExamples.quantile(sorted, 0.5)).isEqualTo(3.0);
    assertThat(ScoredExamples.quantile(sorted, 0.025)).isCloseTo(1.1, within(1e-12));
    assertThat(ScoredExamples.quantile(sorted, 0.975)).isCloseTo(4.9, within(1e-12));
  }
}
