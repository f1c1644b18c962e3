package dev.anshin.demo.generate;

import dev.anshin.demo.generate.World.Subscription;
import dev.anshin.demo.generate.World.TruthRow;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Summary numbers of a world's churn, to check the tuning against the targets in docs/generator.md:
 * the realised label rate, the mean truth probability, monthly logo churn and how well the
 * generator's own probability ranks churners; and the same for the Monte Carlo oracle on its days.
 */
public record WorldStatistics(
    long activeAccountDays,
    double labelRate,
    double meanProbability,
    double monthlyLogoChurn,
    long voluntaryChurns,
    long involuntaryChurns,
    double truthAuc,
    long oracleAccountDays,
    double oracleLabelRate,
    double meanOracleProbability,
    double oracleAuc) {

  public static WorldStatistics of(World world) {
    List<TruthRow> truth = world.truth();
    long churned = truth.stream().filter(TruthRow::churnedWithinHorizon).count();
    double meanProbability =
        truth.stream().mapToDouble(TruthRow::churnProbability).average().orElse(Double.NaN);
    LocalDate start = world.settings().start();
    LocalDate last = world.settings().lastDay();
    long voluntary = 0;
    long involuntary = 0;
    for (Subscription s : world.subscriptions()) {
      // One churn per account exit: count the main subscription's end (add-ons end with it).
      if (s.addOn() || s.endedAt() == null || s.cancelReason() == null) {
        continue;
      }
      if (s.endedAt().isAfter(start) && !s.endedAt().isAfter(last)) {
        if (s.cancelReason().equals("voluntary")) {
          voluntary++;
        } else {
          involuntary++;
        }
      }
    }
    double accountMonths = truth.size() / (365.25 / 12);
    double[] scores = truth.stream().mapToDouble(TruthRow::churnProbability).toArray();
    boolean[] labels = new boolean[truth.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = truth.get(i).churnedWithinHorizon();
    }
    List<TruthRow> simulated = truth.stream().filter(t -> t.oracleProbability() != null).toList();
    boolean[] simulatedLabels = new boolean[simulated.size()];
    for (int k = 0; k < simulatedLabels.length; k++) {
      simulatedLabels[k] = simulated.get(k).churnedWithinHorizon();
    }
    double[] oracle = simulated.stream().mapToDouble(TruthRow::oracleProbability).toArray();
    return new WorldStatistics(
        truth.size(),
        truth.isEmpty() ? Double.NaN : (double) churned / truth.size(),
        meanProbability,
        accountMonths == 0 ? Double.NaN : (voluntary + involuntary) / accountMonths,
        voluntary,
        involuntary,
        auc(scores, labels),
        simulated.size(),
        simulated.isEmpty() ? Double.NaN : simulated.stream().filter(TruthRow::churnedWithinHorizon).count() / (double) simulated.size(),
        Arrays.stream(oracle).average().orElse(Double.NaN),
        auc(oracle, simulatedLabels));
  }

  /** The area under the ROC curve by the rank-sum formula, ties counted as half. */
  public static double auc(double[] scores, boolean[] labels) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double rankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (labels[order[k]]) {
          rankSum += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
