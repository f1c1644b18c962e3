package dev.anshin.features.health;

/**
 * Settings of the health scorecard: component weights, colour bands and the thresholds each
 * component is scored between. Validated on construction.
 */
public record HealthSettings(Weights weights, Bands bands, Thresholds thresholds) {

  /**
   * Relative weights of the components; each must be zero or more and their sum positive. Only
   * their proportions matter: {@link #normalised()} divides them by their sum.
   */
  public record Weights(double usage, double reliability, double support, double billing, double trend) {
    public Weights {
      requireWeight("usage", usage);
      requireWeight("reliability", reliability);
      requireWeight("support", support);
      requireWeight("billing", billing);
      requireWeight("trend", trend);
      if (!(usage + reliability + support + billing + trend > 0)) {
        throw new IllegalArgumentException(
            "the health weights sum to 0; give at least one component a positive weight");
      }
    }

    private static void requireWeight(String component, double weight) {
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            component + " weight is " + weight + "; weights must be zero or positive numbers");
      }
    }

    public double sum() {
      return usage + reliability + support + billing + trend;
    }

    /** The same proportions, summing to 1. */
    public Weights normalised() {
      double sum = sum();
      return new Weights(usage / sum, reliability / sum, support / sum, billing / sum, trend / sum);
    }
  }

  /** A score of at least {@code green} is green, at least {@code yellow} yellow, else red. */
  public record Bands(double green, double yellow) {
    public Bands {
      if (!(0 <= yellow && yellow < green && green <= 100)) {
        throw new IllegalArgumentException(
            "health bands must satisfy 0 <= yellow < green <= 100; got yellow " + yellow
                + " and green " + green);
      }
    }
  }

  /**
   * Where each component scores 0 and where it scores 100; in between the score is linear.
   *
   * @param seatUtilizationZero usage: seat utilization (active users / seats) that scores 0
   * @param seatUtilizationFull usage: seat utilization that scores 100
   * @param activeDaysZero usage when the seat count is unknown: active days in 28 that score 0
   * @param activeDaysFull usage when the seat count is unknown: active days in 28 that score 100
   * @param budgetZero reliability: error budget remaining that scores 0
   * @param budgetFull reliability: error budget remaining that scores 100
   * @param errorRateZero reliability without an SLO row: 28-day error rate that scores 0
   * @param errorRateFull reliability without an SLO row: 28-day error rate that scores 100
   * @param supportIssuesZero support: high-priority tickets + bad ratings (90 days) + open tickets
   *     that score 0 (none scores 100)
   * @param billingIssuesZero billing: failed payments (90 days) + past-due invoices that score 0
   *     (none scores 100)
   * @param trendZero trend: usage trend (events 28 days / previous 28 days) that scores 0
   * @param trendFull trend: usage trend that scores 100
   */
  public record Thresholds(
      double seatUtilizationZero,
      double seatUtilizationFull,
      double activeDaysZero,
      double activeDaysFull,
      double budgetZero,
      double budgetFull,
      double errorRateZero,
      double errorRateFull,
      double supportIssuesZero,
      double billingIssuesZero,
      double trendZero,
      double trendFull) {
    public Thresholds {
      requireDistinct("seat utilization", seatUtilizationZero, seatUtilizationFull);
      requireDistinct("active days", activeDaysZero, activeDaysFull);
      requireDistinct("error budget", budgetZero, budgetFull);
      requireDistinct("error rate", errorRateZero, errorRateFull);
      requireDistinct("support issues", supportIssuesZero, 0);
      requireDistinct("billing issues", billingIssuesZero, 0);
      requireDistinct("usage trend", trendZero, trendFull);
    }

    private static void requireDistinct(String what, double zero, double full) {
      if (!Double.isFinite(zero) || !Double.isFinite(full) || zero == full) {
        throw new IllegalArgumentException(
            what + " thresholds must be two different numbers; got " + zero + " (scores 0) and "
                + full + " (scores 100)");
      }
    }
  }

  public HealthSettings {
    if (weights == null || bands == null || thresholds == null) {
      throw new IllegalArgumentException("health settings need weights, bands and thresholds");
    }
  }

  /**
   * The defaults: usage 30%, reliability 25%, support 20%, billing 15%, trend 10%; green from 70,
   * yellow from 40; usage 10% to 80% of seats active (or 0 to 20 active days); reliability 0 to
   * 100% of the error budget left (or a 5% to 0.1% error rate); support 6 issues to none; billing
   * 3 issues to none; trend from half the previous usage to at least as much.
   */
  public static HealthSettings defaults() {
    return new HealthSettings(
        new Weights(0.30, 0.25, 0.20, 0.15, 0.10),
        new Bands(70, 40),
        new Thresholds(0.10, 0.80, 0, 20, 0.0, 1.0, 0.05, 0.001, 6, 3, 0.5, 1.0));
  }
}
