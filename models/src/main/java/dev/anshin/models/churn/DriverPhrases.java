package dev.anshin.models.churn;

import dev.anshin.features.customer.CustomerFeatures;
import java.util.Locale;
import java.util.Map;

/**
 * A driver in the words a customer-success manager reads: the feature and the account's value of it,
 * such as "renewal in 18 days" or "API errors on 4.2% of requests in the last 7 days".
 */
final class DriverPhrases {
  private DriverPhrases() {}

  /**
   * Phrases with one {@code %s} for the value; rates are shown as percentages. {@code {s}} marks a
   * plural: "1 past-due invoice", "2 past-due invoices".
   */
  private static final Map<String, String> PHRASES = Map.ofEntries(
      Map.entry(CustomerFeatures.TENURE_DAYS, "customer for %s day{s}"),
      Map.entry(CustomerFeatures.SEATS, "%s seat{s}"),
      Map.entry(CustomerFeatures.MRR, "MRR of %s"),
      Map.entry(CustomerFeatures.SUBSCRIPTION_COUNT, "%s active subscription{s}"),
      Map.entry(CustomerFeatures.DAYS_TO_RENEWAL, "renewal in %s day{s}"),
      Map.entry(CustomerFeatures.EVENTS_7D, "%s usage event{s} in the last 7 days"),
      Map.entry(CustomerFeatures.EVENTS_28D, "%s usage event{s} in the last 28 days"),
      Map.entry(CustomerFeatures.EVENTS_PREV_28D, "%s usage event{s} in the 28 days before those"),
      Map.entry(CustomerFeatures.ACTIVE_DAYS_28D, "active on %s of the last 28 days"),
      Map.entry(CustomerFeatures.ACTIVE_USERS_7D, "%s active user{s} in the last 7 days"),
      Map.entry(CustomerFeatures.ACTIVE_USERS_28D, "%s active user{s} in the last 28 days"),
      Map.entry(CustomerFeatures.SEAT_UTILIZATION, "%s of seats in use"),
      Map.entry(CustomerFeatures.USAGE_TREND, "usage at %s of the previous 28 days"),
      Map.entry(CustomerFeatures.REQUESTS_28D, "%s API request{s} in the last 28 days"),
      Map.entry(CustomerFeatures.ERROR_RATE_7D, "API errors on %s of requests in the last 7 days"),
      Map.entry(CustomerFeatures.ERROR_RATE_28D, "API errors on %s of requests in the last 28 days"),
      Map.entry(CustomerFeatures.SLOW_RATE_28D, "%s of API requests slower than 500 ms"),
      Map.entry(CustomerFeatures.TICKETS_28D, "%s support ticket{s} in the last 28 days"),
      Map.entry(CustomerFeatures.TICKETS_90D, "%s support ticket{s} in the last 90 days"),
      Map.entry(CustomerFeatures.HIGH_PRIORITY_TICKETS_90D, "%s high-priority ticket{s} in the last 90 days"),
      Map.entry(CustomerFeatures.OPEN_TICKETS, "%s open ticket{s}"),
      Map.entry(CustomerFeatures.BAD_CSAT_90D, "%s bad satisfaction rating{s} in the last 90 days"),
      Map.entry(CustomerFeatures.FAILED_PAYMENTS_90D, "%s failed payment{s} in the last 90 days"),
      Map.entry(CustomerFeatures.PAST_DUE_INVOICES, "%s past-due invoice{s}"),
      Map.entry(CustomerFeatures.SEGMENT, "segment %s"),
      Map.entry(CustomerFeatures.PLAN, "plan %s"),
      Map.entry(CustomerFeatures.BILLING_INTERVAL, "billed %s"));

  /** What a missing value means, for the features that can be missing. */
  private static final Map<String, String> MISSING = Map.of(
      CustomerFeatures.SEAT_UTILIZATION, "no seats to measure utilisation against",
      CustomerFeatures.USAGE_TREND, "no usage trend yet (no earlier usage, or younger than 56 days)",
      CustomerFeatures.ERROR_RATE_7D, "no API requests in the last 7 days",
      CustomerFeatures.ERROR_RATE_28D, "no API requests in the last 28 days",
      CustomerFeatures.SLOW_RATE_28D, "no API requests in the last 28 days");

  private static final java.util.Set<String> RATES = java.util.Set.of(
      CustomerFeatures.SEAT_UTILIZATION, CustomerFeatures.USAGE_TREND, CustomerFeatures.ERROR_RATE_7D,
      CustomerFeatures.ERROR_RATE_28D, CustomerFeatures.SLOW_RATE_28D);

  /**
   * The phrase for a feature and its value, compared with the plan's median ({@code peerMedian}, null
   * when not compared) when it is far from it: "API errors on 4.2% of requests in the last 7 days, 12x
   * the plan's median" at twice the median or more, "3 usage events in the last 7 days against a plan
   * median of 41" at half of it or less.
   */
  static String describe(String feature, String value, Double peerMedian) {
    String phrase = describe(feature, value);
    if (value == null || peerMedian == null || peerMedian.isNaN()) {
      return phrase;
    }
    double own = Double.parseDouble(value);
    if (peerMedian > 0 && own >= 2 * peerMedian) {
      double ratio = own / peerMedian;
      return phrase + ", " + (ratio < 10 ? String.format(Locale.ROOT, "%.1f", ratio) : String.format(Locale.ROOT, "%.0f", ratio))
          + "x the plan's median";
    }
    if (peerMedian > 0 && own <= peerMedian / 2) {
      return phrase + " against a plan median of " + shown(feature, Double.toString(peerMedian));
    }
    if (peerMedian == 0 && own > 0) {
      return phrase + ", where the plan's median is 0";
    }
    return phrase;
  }

  /** The phrase for a feature and its value (as text; null when missing). */
  static String describe(String feature, String value) {
    if (value == null) {
      return MISSING.getOrDefault(feature, feature.replace('_', ' ') + " unknown");
    }
    String shown = shown(feature, value);
    String phrase = PHRASES.getOrDefault(feature, feature.replace('_', ' ') + " %s");
    return String.format(Locale.ROOT, phrase.replace("{s}", shown.equals("1") ? "" : "s"), shown);
  }

  /** A value as a phrase shows it: rates as percentages, whole numbers without decimals. */
  private static String shown(String feature, String value) {
    if (RATES.contains(feature)) {
      double percent = Double.parseDouble(value) * 100;
      // Error rates of a few in ten thousand are common: keep them from reading as 0.0%.
      return String.format(Locale.ROOT, percent > 0 && percent < 0.1 ? "%.2f%%" : "%.1f%%", percent);
    }
    return value.endsWith(".0") ? value.substring(0, value.length() - 2) : value;
  }
}
