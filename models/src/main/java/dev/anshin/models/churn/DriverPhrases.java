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

  /** Phrases with one {@code %s} for the value; rates are shown as percentages. */
  private static final Map<String, String> PHRASES = Map.ofEntries(
      Map.entry(CustomerFeatures.TENURE_DAYS, "customer for %s days"),
      Map.entry(CustomerFeatures.SEATS, "%s seats"),
      Map.entry(CustomerFeatures.MRR, "MRR of %s"),
      Map.entry(CustomerFeatures.SUBSCRIPTION_COUNT, "%s active subscriptions"),
      Map.entry(CustomerFeatures.DAYS_TO_RENEWAL, "renewal in %s days"),
      Map.entry(CustomerFeatures.EVENTS_7D, "%s usage events in the last 7 days"),
      Map.entry(CustomerFeatures.EVENTS_28D, "%s usage events in the last 28 days"),
      Map.entry(CustomerFeatures.EVENTS_PREV_28D, "%s usage events in the 28 days before those"),
      Map.entry(CustomerFeatures.ACTIVE_DAYS_28D, "active on %s of the last 28 days"),
      Map.entry(CustomerFeatures.ACTIVE_USERS_7D, "%s active users in the last 7 days"),
      Map.entry(CustomerFeatures.ACTIVE_USERS_28D, "%s active users in the last 28 days"),
      Map.entry(CustomerFeatures.SEAT_UTILIZATION, "%s of seats in use"),
      Map.entry(CustomerFeatures.USAGE_TREND, "usage at %s of the previous 28 days"),
      Map.entry(CustomerFeatures.REQUESTS_28D, "%s API requests in the last 28 days"),
      Map.entry(CustomerFeatures.ERROR_RATE_7D, "API errors on %s of requests in the last 7 days"),
      Map.entry(CustomerFeatures.ERROR_RATE_28D, "API errors on %s of requests in the last 28 days"),
      Map.entry(CustomerFeatures.SLOW_RATE_28D, "%s of API requests slower than 500 ms"),
      Map.entry(CustomerFeatures.TICKETS_28D, "%s support tickets in the last 28 days"),
      Map.entry(CustomerFeatures.TICKETS_90D, "%s support tickets in the last 90 days"),
      Map.entry(CustomerFeatures.HIGH_PRIORITY_TICKETS_90D, "%s high-priority tickets in the last 90 days"),
      Map.entry(CustomerFeatures.OPEN_TICKETS, "%s open tickets"),
      Map.entry(CustomerFeatures.BAD_CSAT_90D, "%s bad satisfaction ratings in the last 90 days"),
      Map.entry(CustomerFeatures.FAILED_PAYMENTS_90D, "%s failed payments in the last 90 days"),
      Map.entry(CustomerFeatures.PAST_DUE_INVOICES, "%s past-due invoices"),
      Map.entry(CustomerFeatures.SEGMENT, "segment %s"),
      Map.entry(CustomerFeatures.PLAN, "plan %s"),
      Map.entry(CustomerFeatures.BILLING_INTERVAL, "billed %s"));

  /** The phrases of the counts when the count is one: "1 past-due invoice", not "1 past-due invoices". */
  private static final Map<String, String> ONE = Map.ofEntries(
      Map.entry(CustomerFeatures.DAYS_TO_RENEWAL, "renewal in 1 day"),
      Map.entry(CustomerFeatures.EVENTS_7D, "1 usage event in the last 7 days"),
      Map.entry(CustomerFeatures.EVENTS_28D, "1 usage event in the last 28 days"),
      Map.entry(CustomerFeatures.EVENTS_PREV_28D, "1 usage event in the 28 days before those"),
      Map.entry(CustomerFeatures.ACTIVE_USERS_7D, "1 active user in the last 7 days"),
      Map.entry(CustomerFeatures.ACTIVE_USERS_28D, "1 active user in the last 28 days"),
      Map.entry(CustomerFeatures.REQUESTS_28D, "1 API request in the last 28 days"),
      Map.entry(CustomerFeatures.TICKETS_28D, "1 support ticket in the last 28 days"),
      Map.entry(CustomerFeatures.TICKETS_90D, "1 support ticket in the last 90 days"),
      Map.entry(CustomerFeatures.HIGH_PRIORITY_TICKETS_90D, "1 high-priority ticket in the last 90 days"),
      Map.entry(CustomerFeatures.OPEN_TICKETS, "1 open ticket"),
      Map.entry(CustomerFeatures.BAD_CSAT_90D, "1 bad satisfaction rating in the last 90 days"),
      Map.entry(CustomerFeatures.FAILED_PAYMENTS_90D, "1 failed payment in the last 90 days"),
      Map.entry(CustomerFeatures.PAST_DUE_INVOICES, "1 past-due invoice"));

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
    if (shown.equals("1") && ONE.containsKey(feature)) {
      return ONE.get(feature);
    }
    return String.format(Locale.ROOT, PHRASES.getOrDefault(feature, feature.replace('_', ' ') + " %s"), shown);
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
