package dev.anshin.features.support;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How support time is measured: the business schedules tickets run on, chosen by the account's
 * region, and the SLA targets per ticket priority, as Zendesk's schedules and SLA policies.
 *
 * @param defaultSchedule the schedule of a ticket whose account's region has none of its own
 * @param regionSchedules schedules by account region (lower case)
 * @param slaTargets targets by ticket priority (lower case); a priority without one has no SLA
 */
public record SupportSettings(
    BusinessSchedule defaultSchedule, Map<String, BusinessSchedule> regionSchedules, Map<String, SlaTarget> slaTargets)
    implements Serializable {

  /** Business time allowed before the first public agent reply and before the ticket is solved. */
  public record SlaTarget(Duration firstReply, Duration resolution) implements Serializable {}

  public SupportSettings {
    regionSchedules = lowerKeys(regionSchedules);
    slaTargets = lowerKeys(slaTargets);
  }

  /** Calendar hours for every ticket and no SLA: what the metrics measured before schedules. */
  public static SupportSettings calendarHours() {
    return new SupportSettings(BusinessSchedule.always(), Map.of(), Map.of());
  }

  /** The schedule of a ticket of an account in {@code region} (null: the default). */
  public BusinessSchedule scheduleFor(String region) {
    return region == null ? defaultSchedule : regionSchedules.getOrDefault(region.toLowerCase(Locale.ROOT), defaultSchedule);
  }

  /** The SLA target of a ticket of {@code priority}, or null when it has none. */
  public SlaTarget targetFor(String priority) {
    return priority == null ? null : slaTargets.get(priority.toLowerCase(Locale.ROOT));
  }

  private static <V> Map<String, V> lowerKeys(Map<String, V> map) {
    Map<String, V> lower = new java.util.TreeMap<>();
    map.forEach((key, value) -> lower.put(key.toLowerCase(Locale.ROOT), value));
    return Map.copyOf(lower);
  }
}
