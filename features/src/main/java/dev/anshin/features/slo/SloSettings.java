package dev.anshin.features.slo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the customer SLOs: the SLO window, the targets per plan or segment, and the
 * low-traffic fallback and at-risk rules. Validated on construction.
 *
 * @param windowDays the rolling SLO window in days (the SRE workbook's usual 28 days)
 * @param defaultTarget the target of an account whose plan and segment have none of their own
 * @param planTargets targets by plan; a plan target wins over a segment target
 * @param segmentTargets targets by segment
 * @param minValidRequests below this many valid requests in the window an account is low traffic
 * @param fallbackWindowDays the longer window a low-traffic account's SLI is computed over
 * @param planPoolFallback whether an account still too small over the fallback window gets the
 *     pooled SLI of its plan tier (otherwise its SLI is null)
 * @param atRiskBudgetRemaining an SLO with less than this share of its error budget left is at risk
 * @param fastBurnRate1d an SLO whose 1-day burn rate reaches this is at risk
 * @param slowBurnRate7d an SLO whose 7-day burn rate reaches this is at risk
 */
public record SloSettings(
    int windowDays,
    Target defaultTarget,
    Map<String, Target> planTargets,
    Map<String, Target> segmentTargets,
    long minValidRequests,
    int fallbackWindowDays,
    boolean planPoolFallback,
    double atRiskBudgetRemaining,
    double fastBurnRate1d,
    double slowBurnRate7d) {

  /** The latency bounds the daily rollup counts requests under (columns valid_le_{bound}ms). */
  public static final List<Integer> LATENCY_BOUNDS_MS = List.of(100, 250, 500, 1000, 2000);

  /**
   * Availability and latency objectives: the share of valid requests that must be good, and the
   * share of valid requests that must be answered within the latency threshold.
   */
  public record Target(double availability, double latency, int latencyThresholdMs) {
    public Target {
      requireRatio("availability target", availability);
      requireRatio("latency target", latency);
      if (!LATENCY_BOUNDS_MS.contains(latencyThresholdMs)) {
        throw new IllegalArgumentException(
            "latency threshold " + latencyThresholdMs + " ms is not one of the bounds the daily"
                + " rollup counts, " + LATENCY_BOUNDS_MS + " ms; pick one of them");
      }
    }

    private static void requireRatio(String what, double value) {
      // A target of 1 leaves no error budget: every budget and burn rate would divide by zero.
      if (!(value > 0 && value < 1)) {
        throw new IllegalArgumentException(
            what + " is " + value + "; it must be above 0 and below 1, e.g. 0.999 for 99.9%");
      }
    }
  }

  public SloSettings {
    if (windowDays < 1) {
      throw new IllegalArgumentException("window days is " + windowDays + "; it must be at least 1");
    }
    if (fallbackWindowDays < windowDays) {
      throw new IllegalArgumentException(
          "fallback window days (" + fallbackWindowDays + ") must be at least the window days ("
              + windowDays + ")");
    }
    if (minValidRequests < 0) {
      throw new IllegalArgumentException(
          "min valid requests is " + minValidRequests + "; it must not be negative");
    }
    if (defaultTarget == null) {
      throw new IllegalArgumentException("the default target is missing");
    }
    if (!(atRiskBudgetRemaining >= 0 && atRiskBudgetRemaining <= 1)) {
      throw new IllegalArgumentException(
          "at-risk budget remaining is " + atRiskBudgetRemaining + "; it must be between 0 and 1");
    }
    if (!(fastBurnRate1d > 0) || !(slowBurnRate7d > 0)) {
      throw new IllegalArgumentException(
          "burn-rate alert thresholds must be positive; got 1-day " + fastBurnRate1d + " and 7-day "
              + slowBurnRate7d);
    }
    planTargets = Map.copyOf(planTargets == null ? Map.of() : planTargets);
    segmentTargets = Map.copyOf(segmentTargets == null ? Map.of() : segmentTargets);
  }

  /**
   * The defaults: a 28-day window; 99.9% availability and 99% of valid requests within 500 ms;
   * 1,000 valid requests minimum, else 90 days, else the plan's pooled SLI; at risk below a
   * quarter of the budget, at a 1-day burn rate of 6 or a 7-day burn rate of 2.
   */
  public static SloSettings defaults() {
    return new SloSettings(
        28, new Target(0.999, 0.99, 500), Map.of(), Map.of(), 1000, 90, true, 0.25, 6.0, 2.0);
  }

  public SloSettings withPlanTargets(Map<String, Target> targets) {
    return new SloSettings(
        windowDays, defaultTarget, new LinkedHashMap<>(targets), segmentTargets, minValidRequests,
        fallbackWindowDays, planPoolFallback, atRiskBudgetRemaining, fastBurnRate1d, slowBurnRate7d);
  }

  /** The target of an account: its plan's, else its segment's, else the default. */
  public Target targetFor(String plan, String segment) {
    if (plan != null && planTargets.containsKey(plan)) {
      return planTargets.get(plan);
    }
    if (segment != null && segmentTargets.containsKey(segment)) {
      return segmentTargets.get(segment);
    }
    return defaultTarget;
  }
}
