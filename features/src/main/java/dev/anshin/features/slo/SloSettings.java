package dev.anshin.features.slo;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;

/**
 * Settings of the customer SLOs: the SLO window, the targets per plan or segment, the low-traffic
 * rule, the at-risk budget and the burn-rate alerts, and which status codes are the caller's own
 * errors. Validated on construction.
 *
 * @param windowDays the rolling SLO window in days (the SRE workbook's usual 28 days)
 * @param defaultTarget the target of an account whose plan and segment have none of their own
 * @param planTargets targets by plan; a plan target wins over a segment target
 * @param segmentTargets targets by segment
 * @param minBudgetRequests an SLI is judged only when its window's error budget, in requests
 *     (valid x (1 - target)), holds at least this many failures: 1 needs 1,000 valid requests for a
 *     99.9% target and 100 for 99%. With fewer, an account's SLIs come from the fallback window;
 *     with fewer there too, its status is insufficient_data
 * @param fallbackWindowDays the longer window a low-traffic account's SLI is computed over
 * @param atRiskBudgetRemaining an SLO with less than this share of its error budget left is at risk
 * @param burnAlerts the multi-window, multi-burn-rate alerts, evaluated at the end of every hour
 * @param minAlertBadRequests an alert needs at least this many bad requests in its long window (the
 *     workbook's "minimum number of failures" for low traffic: one failure out of three requests is
 *     not a page)
 * @param callerErrors the status codes that are the caller's own errors, left out of the SLIs
 */
public record SloSettings(
    int windowDays,
    Target defaultTarget,
    Map<String, Target> planTargets,
    Map<String, Target> segmentTargets,
    double minBudgetRequests,
    int fallbackWindowDays,
    double atRiskBudgetRemaining,
    List<BurnAlert> burnAlerts,
    long minAlertBadRequests,
    CallerErrors callerErrors) {

  /** The latency bounds the daily rollup counts requests under (columns valid_le_{bound}ms). */
  public static final List<Integer> LATENCY_BOUNDS_MS = List.of(100, 250, 500, 1000, 2000);

  /** The longest alert window, in hours: the hourly rollup is read this far back from each date. */
  public static final int MAX_ALERT_WINDOW_HOURS = 72;

  /** Values of {@link BurnAlert#severity()}. */
  public static final String PAGE = "page";
  public static final String TICKET = "ticket";

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

  /**
   * One row of the SRE workbook's multi-window, multi-burn-rate alert table: it fires when both the
   * long and the short window burn the budget at least {@link #burnRate(int)} times as fast as the
   * SLO allows, that is when the long window alone would spend {@code budgetSpent} of the budget.
   * The short window makes the alert stop soon after the errors stop.
   *
   * @param severity {@link #PAGE} or {@link #TICKET}
   * @param budgetSpent the share of the SLO window's budget the long window spends at the threshold
   */
  public record BurnAlert(String severity, double budgetSpent, int longWindowHours, int shortWindowHours) {
    public BurnAlert {
      if (!PAGE.equals(severity) && !TICKET.equals(severity)) {
        throw new IllegalArgumentException("alert severity is '" + severity + "'; it must be page or ticket");
      }
      if (!(budgetSpent > 0 && budgetSpent <= 1)) {
        throw new IllegalArgumentException(
            "alert budget spent is " + budgetSpent + "; it must be above 0 and at most 1, e.g. 0.02 for 2%");
      }
      if (longWindowHours < 1 || longWindowHours > MAX_ALERT_WINDOW_HOURS) {
        throw new IllegalArgumentException(
            "alert long window is " + longWindowHours + " hours; it must be 1 to " + MAX_ALERT_WINDOW_HOURS);
      }
      if (shortWindowHours < 1 || shortWindowHours > longWindowHours) {
        throw new IllegalArgumentException(
            "alert short window is " + shortWindowHours + " hours; it must be 1 to the long window's "
                + longWindowHours);
      }
    }

    /** The burn-rate threshold: budget spent x SLO window / long window (14.4 for 2% in 1 h of 30 days). */
    public double burnRate(int sloWindowDays) {
      return budgetSpent * sloWindowDays * 24.0 / longWindowHours;
    }
  }

  /**
   * The HTTP status codes that are the caller's own errors (bad input, authentication): they are
   * not valid events of the service and count neither for nor against the SLO. Every other status
   * below 400 is good; every other status from 400 is bad (a 429 from our own rate limiting, when
   * it is not listed here).
   */
  public record CallerErrors(List<int[]> ranges) {
    public CallerErrors {
      ranges = List.copyOf(ranges);
      for (int[] range : ranges) {
        if (range.length != 2 || range[0] > range[1] || range[0] < 100 || range[1] > 599) {
          throw new IllegalArgumentException(
              "caller-error status range " + Arrays.toString(range) + " is not a range of HTTP statuses");
        }
        if (range[0] < 400) {
          throw new IllegalArgumentException(
              "caller-error statuses start at 400; " + range[0] + " is a success or a redirect");
        }
      }
    }

    /** Every 4xx, the SRE workbook's example. */
    public static CallerErrors allClientErrors() {
      return new CallerErrors(List.of(new int[] {400, 499}));
    }

    /** Parses "400-499, 404" style entries: single codes or inclusive ranges. */
    public static CallerErrors parse(List<String> entries) {
      List<int[]> ranges = new ArrayList<>();
      for (String entry : entries) {
        String text = entry.trim();
        try {
          int dash = text.indexOf('-');
          ranges.add(dash < 0
              ? new int[] {Integer.parseInt(text), Integer.parseInt(text)}
              : new int[] {Integer.parseInt(text.substring(0, dash).trim()), Integer.parseInt(text.substring(dash + 1).trim())});
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "caller-error status '" + entry + "' is neither a status code (404) nor a range (400-499)");
        }
      }
      return new CallerErrors(ranges);
    }

    /** Whether a status is listed as the caller's error. */
    public Column matches(Column status) {
      Column any = lit(false);
      for (int[] range : ranges) {
        any = any.or(status.between(range[0], range[1]));
      }
      return any;
    }

    /** Valid events: every status that is not the caller's error. */
    public Column valid(Column status) {
      return not(matches(status));
    }

    /** Good events: valid and below 400. */
    public Column good(Column status) {
      return valid(status).and(status.lt(400));
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof CallerErrors that && toString().equals(that.toString());
    }

    @Override
    public int hashCode() {
      return toString().hashCode();
    }

    @Override
    public String toString() {
      return ranges.stream().map(r -> r[0] == r[1] ? "" + r[0] : r[0] + "-" + r[1])
          .collect(Collectors.joining(", ", "[", "]"));
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
    if (!(minBudgetRequests >= 0 && Double.isFinite(minBudgetRequests))) {
      throw new IllegalArgumentException(
          "min budget requests is " + minBudgetRequests + "; it must be zero or more");
    }
    if (minAlertBadRequests < 1) {
      throw new IllegalArgumentException(
          "min alert bad requests is " + minAlertBadRequests + "; it must be at least 1");
    }
    if (defaultTarget == null) {
      throw new IllegalArgumentException("the default target is missing");
    }
    if (!(atRiskBudgetRemaining >= 0 && atRiskBudgetRemaining <= 1)) {
      throw new IllegalArgumentException(
          "at-risk budget remaining is " + atRiskBudgetRemaining + "; it must be between 0 and 1");
    }
    planTargets = Map.copyOf(planTargets == null ? Map.of() : planTargets);
    segmentTargets = Map.copyOf(segmentTargets == null ? Map.of() : segmentTargets);
    burnAlerts = List.copyOf(burnAlerts == null ? List.of() : burnAlerts);
    callerErrors = callerErrors == null ? CallerErrors.allClientErrors() : callerErrors;
  }

  /**
   * The SRE workbook's recommended alerts, on hourly data: page when 2% of the budget goes in one
   * hour (the workbook's short window of 5 minutes becomes the hour itself) or 5% in 6 hours (short
   * window 1 hour for the workbook's 30 minutes); ticket when 10% goes in 3 days (short window 6
   * hours). For a 28-day window the thresholds are 13.44, 5.6 and 0.933.
   */
  public static List<BurnAlert> workbookAlerts() {
    return List.of(
        new BurnAlert(PAGE, 0.02, 1, 1), new BurnAlert(PAGE, 0.05, 6, 1), new BurnAlert(TICKET, 0.10, 72, 6));
  }

  /**
   * The defaults: a 28-day window; 99.9% availability and 99% of valid requests within 500 ms;
   * a budget of at least one failed request (1,000 valid requests at 99.9%), else 90 days, else
   * insufficient data; at risk below a quarter of
   * the budget or while a workbook alert fires, which needs 10 bad requests; 4xx are the caller's.
   */
  public static SloSettings defaults() {
    return new SloSettings(
        28, new Target(0.999, 0.99, 500), Map.of(), Map.of(), 1.0, 90, 0.25, workbookAlerts(), 10,
        CallerErrors.allClientErrors());
  }

  public SloSettings withPlanTargets(Map<String, Target> targets) {
    return new SloSettings(
        windowDays, defaultTarget, new LinkedHashMap<>(targets), segmentTargets, minBudgetRequests,
        fallbackWindowDays, atRiskBudgetRemaining, burnAlerts, minAlertBadRequests, callerErrors);
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
