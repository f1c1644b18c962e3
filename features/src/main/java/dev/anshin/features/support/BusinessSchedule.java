package dev.anshin.features.support;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A support team's working hours, as a Zendesk schedule: weekly opening hours in a time zone, minus
 * holidays. Business time between two instants counts only the time inside the schedule; a
 * deadline of some business time after a start is the instant at which that much has elapsed.
 *
 * <p>Daylight saving follows the zone: 09:00-17:00 is eight hours on every working day, and the
 * opening hours of a day that skips or repeats an hour are converted as {@link
 * java.time.ZonedDateTime} resolves local times (a skipped 02:30 becomes 03:30).
 *
 * @param zone the schedule's time zone
 * @param hours the opening intervals of each day of the week, in local time, not overlapping and in
 *     order; a day without intervals is closed
 * @param holidays local dates on which the schedule is closed
 */
public record BusinessSchedule(ZoneId zone, Map<DayOfWeek, List<Interval>> hours, Set<LocalDate> holidays)
    implements Serializable {

  /** The longest stretch a computation walks through (a ticket open for longer counts no further). */
  static final int MAX_DAYS = 3 * 366;

  /** Opening hours within one day, from {@code open} up to {@code close}. */
  public record Interval(LocalTime open, LocalTime close) implements Serializable {
    public Interval {
      if (!open.isBefore(close)) {
        throw new IllegalArgumentException("an opening interval must end after it starts: " + open + "-" + close);
      }
    }

    /** Parses {@code 09:00-17:30}. */
    public static Interval parse(String text) {
      String[] parts = text.trim().split("-");
      if (parts.length != 2) {
        throw new IllegalArgumentException("'" + text + "' is not an interval like 09:00-17:30");
      }
      return new Interval(LocalTime.parse(parts[0].trim()), LocalTime.parse(parts[1].trim()));
    }
  }

  public BusinessSchedule {
    Map<DayOfWeek, List<Interval>> copy = new EnumMap<>(DayOfWeek.class);
    hours.forEach((day, intervals) -> {
      for (int i = 1; i < intervals.size(); i++) {
        if (intervals.get(i).open().isBefore(intervals.get(i - 1).close())) {
          throw new IllegalArgumentException(day + "'s opening intervals overlap or are out of order: " + intervals);
        }
      }
      copy.put(day, List.copyOf(intervals));
    });
    hours = copy;
    holidays = Set.copyOf(holidays);
  }

  /** Round the clock, every day: business time is elapsed time. */
  public static BusinessSchedule always() {
    Map<DayOfWeek, List<Interval>> hours = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek day : DayOfWeek.values()) {
      hours.put(day, List.of(new Interval(LocalTime.MIN, LocalTime.MAX)));
    }
    return new BusinessSchedule(ZoneId.of("UTC"), hours, Set.of());
  }

  /** Business time from {@code start} to {@code end}; zero when {@code end} is not after {@code start}. */
  public Duration between(Instant start, Instant end) {
    if (!end.isAfter(start)) {
      return Duration.ZERO;
    }
    Duration total = Duration.ZERO;
    LocalDate day = start.atZone(zone).toLocalDate();
    LocalDate last = end.atZone(zone).toLocalDate();
    for (int walked = 0; !day.isAfter(last) && walked <= MAX_DAYS; day = day.plusDays(1), walked++) {
      for (Instant[] open : openOn(day)) {
        Instant from = open[0].isAfter(start) ? open[0] : start;
        Instant to = open[1].isBefore(end) ? open[1] : end;
        if (to.isAfter(from)) {
          total = total.plus(Duration.between(from, to));
        }
      }
    }
    return total;
  }

  /**
   * The instant at which {@code businessTime} of this schedule has elapsed since {@code start}, or
   * null when the schedule does not open for that long within {@link #MAX_DAYS} days.
   */
  public Instant deadline(Instant start, Duration businessTime) {
    Duration left = businessTime;
    LocalDate day = start.atZone(zone).toLocalDate();
    for (int walked = 0; walked <= MAX_DAYS; day = day.plusDays(1), walked++) {
      for (Instant[] open : openOn(day)) {
        Instant from = open[0].isAfter(start) ? open[0] : start;
        if (!open[1].isAfter(from)) {
          continue;
        }
        Duration available = Duration.between(from, open[1]);
        if (available.compareTo(left) >= 0) {
          return from.plus(left);
        }
        left = left.minus(available);
      }
    }
    return null;
  }

  /** The opening intervals of a local date as instants; none on a holiday. */
  private Instant[][] openOn(LocalDate day) {
    if (holidays.contains(day)) {
      return new Instant[0][];
    }
    List<Interval> intervals = hours.getOrDefault(day.getDayOfWeek(), List.of());
    Instant[][] open = new Instant[intervals.size()][];
    for (int i = 0; i < intervals.size(); i++) {
      Interval interval = intervals.get(i);
      // LocalTime.MAX closes at the next midnight, so a round-the-clock day has no gap.
      Instant close =
          interval.close().equals(LocalTime.MAX)
              ? day.plusDays(1).atStartOfDay(zone).toInstant()
              : day.atTime(interval.close()).atZone(zone).toInstant();
      open[i] = new Instant[] {day.atTime(interval.open()).atZone(zone).toInstant(), close};
    }
    return open;
  }
}
