package dev.anshin.features.support;

import static org.apache.spark.sql.functions.expr;

import org.apache.spark.sql.Column;

/**
 * UTC days and durations of ticket timestamps, independent of the session time zone.
 *
 * <p>{@code to_date(timestamp)} would use {@code spark.sql.session.timeZone}; counting whole days
 * since the epoch from the instant makes "the UTC day of this timestamp" hold on any session.
 */
final class TicketTimes {

  private static final long MICROS_PER_DAY = 86_400_000_000L;
  private static final double MICROS_PER_HOUR = 3_600_000_000.0;

  private TicketTimes() {}

  /** The UTC calendar day of a timestamp column; null stays null. */
  static Column utcDay(String timestampColumn) {
    return expr(
        "date_from_unix_date(cast(floor(unix_micros(" + timestampColumn + ") / "
            + MICROS_PER_DAY + ") as int))");
  }

  /** Hours from one timestamp column to another (null if either is null). */
  static Column hoursBetween(String fromColumn, String toColumn) {
    return expr(
        "(unix_micros(" + toColumn + ") - unix_micros(" + fromColumn + ")) / " + MICROS_PER_HOUR);
  }

  /** Whether {@code laterColumn} is at most {@code days} days after {@code earlierColumn}. */
  static Column withinDays(String earlierColumn, String laterColumn, int days) {
    return expr(
        "unix_micros(" + laterColumn + ") - unix_micros(" + earlierColumn + ") <= "
            + (days * MICROS_PER_DAY));
  }
}
