package dev.anshin.models.churn;

import java.util.Arrays;
import java.util.Random;

/**
 * Scored examples held on the driver, so that the metrics can be recomputed cheaply under many
 * weightings: the replicates of a bootstrap. The examples are sorted by score once; each weighting is
 * then one pass over them.
 *
 * <p>The metrics are exact (no binning of the curves): AUC-ROC as the weighted share of (churned,
 * stayed) pairs ranked the right way round, a tie counting one half; AUC-PR as the trapezoidal area
 * under the precision-recall points at every distinct score, starting at recall 0 with the first
 * point's precision (MLlib's {@code BinaryClassificationMetrics} without down-sampling); the Brier
 * score; the expected calibration error over {@link Calibration#BINS} equal-width bins; and the lift of
 * the top decile (its churn rate over the base rate, a tie at the cut counted in proportion).
 */
public final class ScoredExamples {
  /** The metrics of one weighting. */
  public record Metrics(double aucRoc, double aucPr, double brier, double ece, double topDecileLift) {
    double get(int metric) {
      return switch (metric) {
        case 0 -> aucRoc;
        case 1 -> aucPr;
        case 2 -> brier;
        case 3 -> ece;
        default -> topDecileLift;
      };
    }
  }

  /** A metric's estimate and its bootstrap percentile interval. */
  public record Interval(double estimate, double low, double high) {}

  /** Every metric with its interval, and how many replicates had both outcomes (the others are left out). */
  public record Intervals(Interval aucRoc, Interval aucPr, Interval brier, Interval ece, Interval topDecileLift, int replicates) {}

  private final double[] score;
  private final double[] label;
  /** Example indexes by descending score. */
  private final int[] order;

  /** {@code score[i]} (a probability in [0, 1]) and {@code label[i]} (0 or 1) of example i. */
  public ScoredExamples(double[] score, double[] label) {
    if (score.length != label.length) {
      throw new IllegalArgumentException(score.length + " scores but " + label.length + " labels");
    }
    this.score = score.clone();
    this.label = label.clone();
    this.order = java.util.stream.IntStream.range(0, score.length).boxed()
        .sorted((a, b) -> Double.compare(score[b], score[a])).mapToInt(Integer::intValue).toArray();
  }

  public int size() {
    return score.length;
  }

  /** The metrics with every example weighed once. */
  public Metrics metrics() {
    double[] ones = new double[score.length];
    Arrays.fill(ones, 1.0);
    return metrics(ones);
  }

  /** The metrics with example i weighed {@code weight[i]}; NaN where one outcome has no weight. */
  public Metrics metrics(double[] weight) {
    double positives = 0;
    double total = 0;
    double squaredError = 0;
    double[][] bins = new double[Calibration.BINS][3];
    for (int i = 0; i < score.length; i++) {
      double w = weight[i];
      positives += w * label[i];
      total += w;
      squaredError += w * (score[i] - label[i]) * (score[i] - label[i]);
      int bin = Math.min((int) Math.floor(score[i] * Calibration.BINS), Calibration.BINS - 1);
      bins[bin][0] += w;
      bins[bin][1] += w * score[i];
      bins[bin][2] += w * label[i];
    }
    double negatives = total - positives;
    if (positives <= 0 || negatives <= 0) {
      return new Metrics(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double ece = 0;
    for (double[] b : bins) {
      ece += b[0] == 0 ? 0 : b[0] / total * Math.abs(b[1] / b[0] - b[2] / b[0]);
    }

    // One pass down the scores, a group of tied scores at a time.
    double rankedRight = 0;
    double truePositives = 0;
    double falsePositives = 0;
    double areaPr = 0;
    double lastRecall = 0;
    double lastPrecision = Double.NaN;
    double decile = total / 10;
    double taken = 0;
    double positivesTaken = 0;
    for (int start = 0; start < order.length; ) {
      int end = start;
      double groupPositives = 0;
      double groupWeight = 0;
      while (end < order.length && score[order[end]] == score[order[start]]) {
        groupPositives += weight[order[end]] * label[order[end]];
        groupWeight += weight[order[end]];
        end++;
      }
      double groupNegatives = groupWeight - groupPositives;
      rankedRight += groupNegatives * (truePositives + groupPositives / 2);
      if (taken < decile && groupWeight > 0) {
        double share = Math.min(1.0, (decile - taken) / groupWeight);
        taken += share * groupWeight;
        positivesTaken += share * groupPositives;
      }
      truePositives += groupPositives;
      falsePositives += groupNegatives;
      if (groupWeight > 0) {
        double recall = truePositives / positives;
        double precision = truePositives / (truePositives + falsePositives);
        if (Double.isNaN(lastPrecision)) {
          lastPrecision = precision; // the curve starts at (0, the first point's precision)
        }
        areaPr += (recall - lastRecall) * (precision + lastPrecision) / 2;
        lastRecall = recall;
        lastPrecision = precision;
      }
      start = end;
    }
    double lift = (positivesTaken / taken) / (positives / total);
    return new Metrics(rankedRight / (positives * negatives), areaPr, squaredError / total, ece, lift);
  }

  /**
   * Percentile intervals (2.5% and 97.5%) from {@code replicates} bootstrap samples of the clusters:
   * each replicate draws as many clusters as there are, with replacement, and weighs each example by
   * the number of times its cluster was drawn. With an account as the cluster, the examples of one
   * account on many dates, which are not independent, move together, as they should.
   *
   * @param cluster the cluster of example i, in [0, clusters)
   */
  public Intervals bootstrap(int[] cluster, int clusters, int replicates, long seed) {
    Random random = new Random(seed);
    double[][] values = new double[5][replicates];
    int kept = 0;
    int[] drawn = new int[clusters];
    double[] weight = new double[score.length];
    for (int r = 0; r < replicates; r++) {
      Arrays.fill(drawn, 0);
      for (int k = 0; k < clusters; k++) {
        drawn[random.nextInt(clusters)]++;
      }
      for (int i = 0; i < score.length; i++) {
        weight[i] = drawn[cluster[i]];
      }
      Metrics m = metrics(weight);
      if (Double.isNaN(m.aucRoc())) {
        continue;
      }
      for (int metric = 0; metric < 5; metric++) {
        values[metric][kept] = m.get(metric);
      }
      kept++;
    }
    Metrics estimate = metrics();
    Interval[] intervals = new Interval[5];
    for (int metric = 0; metric < 5; metric++) {
      double[] sorted = Arrays.copyOf(values[metric], kept);
      Arrays.sort(sorted);
      intervals[metric] = new Interval(estimate.get(metric), quantile(sorted, 0.025), quantile(sorted, 0.975));
    }
    return new Intervals(intervals[0], intervals[1], intervals[2], intervals[3], intervals[4], kept);
  }

  /** The q-quantile of sorted values, linearly interpolated (R's type 7); NaN when empty. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double h = (sorted.length - 1) * q;
    int below = (int) Math.floor(h);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
  }
}
