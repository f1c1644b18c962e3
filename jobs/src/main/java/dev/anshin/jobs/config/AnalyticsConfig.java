package dev.anshin.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.anshin.features.health.HealthSettings;
import dev.anshin.features.slo.SloSettings;
import dev.anshin.features.success.ActivityEffects;
import dev.anshin.features.support.BusinessSchedule;
import dev.anshin.features.support.HelpCenterDeflection;
import dev.anshin.features.support.SupportSettings;
import dev.anshin.errors.AnshinException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Binds and validates the analytics settings, {@code anshin.slo} and {@code anshin.health}, into
 * the settings records of the features module; every failure names the full key and its value.
 */
public final class AnalyticsConfig {

  private AnalyticsConfig() {}

  /** The SLO settings from the {@code anshin} section. */
  public static SloSettings slo(Config anshin) {
    int windowDays = AnshinConfig.positive(anshin, "slo.window-days");
    SloSettings.Target defaultTarget = target(anshin, "slo.default-target");
    Map<String, SloSettings.Target> plans = targets(anshin, "slo.plans");
    Map<String, SloSettings.Target> segments = targets(anshin, "slo.segments");
    double minBudget = number(anshin, "slo.low-traffic.min-budget-requests");
    if (minBudget < 0) {
      throw AnshinException.badConfig(
          "anshin.slo.low-traffic.min-budget-requests is " + text(minBudget) + "; it must not be negative");
    }
    int fallbackDays = AnshinConfig.positive(anshin, "slo.low-traffic.fallback-window-days");
    if (fallbackDays < windowDays) {
      throw AnshinException.badConfig(
          "anshin.slo.low-traffic.fallback-window-days is " + fallbackDays
              + "; it must be at least anshin.slo.window-days (" + windowDays + ")");
    }
    double budgetBelow = number(anshin, "slo.at-risk.budget-remaining-below");
    if (!(budgetBelow >= 0 && budgetBelow <= 1)) {
      throw AnshinException.badConfig(
          "anshin.slo.at-risk.budget-remaining-below is " + text(budgetBelow)
              + "; it must be between 0 and 1");
    }
    List<SloSettings.BurnAlert> alerts = burnAlerts(anshin, "slo.alerts.rules");
    long minBad = AnshinConfig.get(() -> anshin.getLong("slo.alerts.min-bad-requests"), "slo.alerts.min-bad-requests");
    if (minBad < 1) {
      throw AnshinException.badConfig(
          "anshin.slo.alerts.min-bad-requests is " + minBad + "; it must be at least 1");
    }
    List<String> callerStatuses =
        AnshinConfig.get(() -> anshin.getStringList("slo.caller-error-statuses"), "slo.caller-error-statuses");
    SloSettings.CallerErrors callerErrors =
        build("slo.caller-error-statuses", () -> SloSettings.CallerErrors.parse(callerStatuses));
    return build("slo", () -> new SloSettings(
        windowDays, defaultTarget, plans, segments, minBudget, fallbackDays, budgetBelow, alerts, minBad,
        callerErrors));
  }

  private static final java.util.Set<String> ALERT_KEYS =
      java.util.Set.of("severity", "budget-spent", "long-window-hours", "short-window-hours");

  private static List<SloSettings.BurnAlert> burnAlerts(Config anshin, String key) {
    List<? extends ConfigObject> rules = AnshinConfig.get(() -> anshin.getObjectList(key), key);
    List<SloSettings.BurnAlert> alerts = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      String where = "anshin." + key + "[" + i + "]";
      ConfigObject rule = rules.get(i);
      for (String field : rule.keySet()) {
        if (!ALERT_KEYS.contains(field)) {
          throw AnshinException.badConfig(
              where + " has the unknown key " + field + "; a rule has " + new java.util.TreeSet<>(ALERT_KEYS));
        }
      }
      Config c = rule.toConfig();
      try {
        alerts.add(new SloSettings.BurnAlert(
            c.getString("severity"), c.getDouble("budget-spent"), c.getInt("long-window-hours"),
            c.getInt("short-window-hours")));
      } catch (com.typesafe.config.ConfigException | IllegalArgumentException e) {
        throw AnshinException.badConfig(where + ": " + e.getMessage());
      }
    }
    return alerts;
  }

  /** The health scorecard settings from the {@code anshin} section. */
  public static HealthSettings health(Config anshin) {
    String[] components = {"usage", "reliability", "support", "billing", "trend"};
    double[] weights = new double[components.length];
    for (int i = 0; i < components.length; i++) {
      String key = "health.weights." + components[i];
      weights[i] = number(anshin, key);
      if (!(weights[i] >= 0)) {
        throw AnshinException.badConfig(
            "anshin." + key + " is " + text(weights[i])
                + "; a weight must be zero or positive (0 leaves the component out)");
      }
    }
    if (!(weights[0] + weights[1] + weights[2] + weights[3] + weights[4] > 0)) {
      throw AnshinException.badConfig(
          "anshin.health.weights are all 0; give at least one component a positive weight");
    }
    double green = number(anshin, "health.bands.green");
    double yellow = number(anshin, "health.bands.yellow");
    if (!(0 <= yellow && yellow < green && green <= 100)) {
      throw AnshinException.badConfig(
          "anshin.health.bands.yellow (" + text(yellow) + ") and anshin.health.bands.green ("
              + text(green) + ") must satisfy 0 <= yellow < green <= 100");
    }
    String t = "health.thresholds.";
    return build("health", () -> new HealthSettings(
        new HealthSettings.Weights(weights[0], weights[1], weights[2], weights[3], weights[4]),
        new HealthSettings.Bands(green, yellow),
        new HealthSettings.Thresholds(
            number(anshin, t + "seat-utilization.zero"),
            number(anshin, t + "seat-utilization.full"),
            number(anshin, t + "active-days.zero"),
            number(anshin, t + "active-days.full"),
            number(anshin, t + "error-budget.zero"),
            number(anshin, t + "error-budget.full"),
            number(anshin, t + "error-rate.zero"),
            number(anshin, t + "error-rate.full"),
            positiveNumber(anshin, t + "support-issues.zero"),
            positiveNumber(anshin, t + "billing-issues.zero"),
            number(anshin, t + "usage-trend.zero"),
            number(anshin, t + "usage-trend.full"))));
  }

  /** The analyses of the optional sources, {@code anshin.customer-success} and {@code anshin.help-center}. */
  public record Traceability(ActivityEffects.Settings activityEffects, HelpCenterDeflection.Settings helpCenter) {}

  public static Traceability traceability(Config anshin) {
    List<Integer> windows = AnshinConfig.get(() -> anshin.getIntList("customer-success.effect-windows"), "customer-success.effect-windows");
    int lookback = AnshinConfig.get(() -> anshin.getInt("customer-success.lookback-days"), "customer-success.lookback-days");
    ActivityEffects.Settings effects = build("customer-success", () -> new ActivityEffects.Settings(windows, lookback));
    HelpCenterDeflection.Settings helpCenter = build("help-center", () -> new HelpCenterDeflection.Settings(
        AnshinConfig.get(() -> anshin.getInt("help-center.deflection-days"), "help-center.deflection-days"),
        AnshinConfig.get(() -> anshin.getInt("help-center.window-days"), "help-center.window-days"),
        AnshinConfig.get(() -> anshin.getInt("help-center.min-viewings"), "help-center.min-viewings"),
        AnshinConfig.get(() -> anshin.getDouble("help-center.failing-below"), "help-center.failing-below")));
    return new Traceability(effects, helpCenter);
  }

  /** The schedule name that means round the clock: business time is elapsed time. */
  public static final String CALENDAR = "calendar";

  /** Business schedules and SLA targets, {@code anshin.support}. */
  public static SupportSettings support(Config anshin) {
    Map<String, BusinessSchedule> schedules = new LinkedHashMap<>();
    schedules.put(CALENDAR, BusinessSchedule.always());
    Config named = AnshinConfig.get(() -> anshin.getConfig("support.schedules"), "support.schedules");
    for (String name : named.root().keySet()) {
      if (name.equals(CALENDAR)) {
        throw AnshinException.badConfig("anshin.support.schedules." + CALENDAR + " is built in (round the clock); name yours otherwise");
      }
      schedules.put(name, schedule(anshin, "support.schedules." + name));
    }
    String defaultName = AnshinConfig.get(() -> anshin.getString("support.default-schedule"), "support.default-schedule");
    BusinessSchedule defaultSchedule = schedule(schedules, defaultName, "support.default-schedule");
    Map<String, BusinessSchedule> byRegion = new LinkedHashMap<>();
    Config regions = AnshinConfig.get(() -> anshin.getConfig("support.region-schedules"), "support.region-schedules");
    for (Map.Entry<String, ConfigValue> region : regions.entrySet()) {
      String key = "support.region-schedules." + region.getKey();
      byRegion.put(region.getKey(), schedule(schedules, String.valueOf(region.getValue().unwrapped()), key));
    }
    Map<String, SupportSettings.SlaTarget> sla = new LinkedHashMap<>();
    Config targets = AnshinConfig.get(() -> anshin.getConfig("support.sla"), "support.sla");
    for (String priority : targets.root().keySet()) {
      String key = "support.sla." + priority;
      if (!List.of("low", "normal", "high", "urgent").contains(priority)) {
        throw AnshinException.badConfig("anshin." + key + ": '" + priority
            + "' is not a ticket priority; priorities are low, normal, high and urgent");
      }
      java.time.Duration firstReply = AnshinConfig.get(() -> anshin.getDuration(key + ".first-reply"), key + ".first-reply");
      java.time.Duration resolution = AnshinConfig.get(() -> anshin.getDuration(key + ".resolution"), key + ".resolution");
      if (firstReply.isNegative() || firstReply.isZero() || resolution.isNegative() || resolution.isZero()) {
        throw AnshinException.badConfig("anshin." + key + " targets must be above 0");
      }
      sla.put(priority, new SupportSettings.SlaTarget(firstReply, resolution));
    }
    return new SupportSettings(defaultSchedule, byRegion, sla);
  }

  private static BusinessSchedule schedule(Map<String, BusinessSchedule> schedules, String name, String key) {
    BusinessSchedule schedule = schedules.get(name);
    if (schedule == null) {
      throw AnshinException.badConfig("anshin." + key + " names the schedule '" + name
          + "', which anshin.support.schedules does not define; schedules are " + schedules.keySet());
    }
    return schedule;
  }

  private static <T> T parse(Supplier<T> parse, String key, String value, String expected) {
    try {
      return parse.get();
    } catch (RuntimeException e) {
      throw AnshinException.badConfig("anshin." + key + " has '" + value.trim() + "'; expected " + expected);
    }
  }

  private static BusinessSchedule schedule(Config anshin, String key) {
    String zoneName = AnshinConfig.get(() -> anshin.getString(key + ".time-zone"), key + ".time-zone");
    java.time.ZoneId zone;
    try {
      zone = java.time.ZoneId.of(zoneName);
    } catch (java.time.DateTimeException e) {
      throw AnshinException.badConfig("anshin." + key + ".time-zone is '" + zoneName
          + "'; expected a time zone such as Europe/Berlin or UTC");
    }
    Map<java.time.DayOfWeek, List<BusinessSchedule.Interval>> hours = new java.util.EnumMap<>(java.time.DayOfWeek.class);
    Config days = AnshinConfig.get(() -> anshin.getConfig(key + ".hours"), key + ".hours");
    for (Map.Entry<String, ConfigValue> day : days.entrySet()) {
      String dayKey = key + ".hours." + day.getKey();
      java.time.DayOfWeek weekday;
      try {
        weekday = java.time.DayOfWeek.valueOf(day.getKey().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw AnshinException.badConfig("anshin." + dayKey + ": '" + day.getKey() + "' is not a day of the week (monday ... sunday)");
      }
      List<BusinessSchedule.Interval> intervals = new ArrayList<>();
      for (String interval : String.valueOf(day.getValue().unwrapped()).split(",")) {
        intervals.add(parse(() -> BusinessSchedule.Interval.parse(interval), dayKey, interval, "an interval like 09:00-17:30"));
      }
      hours.put(weekday, intervals);
    }
    java.util.Set<java.time.LocalDate> holidays = new java.util.HashSet<>();
    List<String> holidayList =
        anshin.hasPath(key + ".holidays") ? AnshinConfig.get(() -> anshin.getStringList(key + ".holidays"), key + ".holidays") : List.of();
    for (String holiday : holidayList) {
      holidays.add(parse(() -> java.time.LocalDate.parse(holiday), key + ".holidays", holiday, "a date like 2026-12-25"));
    }
    return build(key, () -> new BusinessSchedule(zone, hours, holidays));
  }

  private static SloSettings.Target target(Config anshin, String key) {
    double availability = number(anshin, key + ".availability");
    double latency = number(anshin, key + ".latency");
    for (String part : new String[] {"availability", "latency"}) {
      double value = part.equals("availability") ? availability : latency;
      if (!(value > 0 && value < 1)) {
        throw AnshinException.badConfig(
            "anshin." + key + "." + part + " is " + text(value)
                + "; a target must be above 0 and below 1, e.g. 0.999 for 99.9%");
      }
    }
    int threshold =
        AnshinConfig.get(() -> anshin.getInt(key + ".latency-threshold-ms"), key + ".latency-threshold-ms");
    if (!SloSettings.LATENCY_BOUNDS_MS.contains(threshold)) {
      throw AnshinException.badConfig(
          "anshin." + key + ".latency-threshold-ms is " + threshold + "; expected one of "
              + SloSettings.LATENCY_BOUNDS_MS.stream().map(String::valueOf).collect(Collectors.joining(", "))
              + ", the latency bounds the daily rollup counts");
    }
    return new SloSettings.Target(availability, latency, threshold);
  }

  private static Map<String, SloSettings.Target> targets(Config anshin, String key) {
    Map<String, SloSettings.Target> targets = new LinkedHashMap<>();
    if (!anshin.hasPath(key)) {
      return targets;
    }
    ConfigObject object = AnshinConfig.get(() -> anshin.getObject(key), key);
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      if (entry.getValue().valueType() != ConfigValueType.OBJECT) {
        throw AnshinException.badConfig(
            "anshin." + key + "." + entry.getKey() + " must be an object with availability,"
                + " latency and latency-threshold-ms");
      }
      // Plan and segment names are data, not config paths: bind each from its own object so
      // that a name with a dot in it still works.
      Config scope = ((ConfigObject) entry.getValue()).toConfig().atKey("target");
      SloSettings.Target target = withKey(() -> target(scope, "target"), "target", key + "." + entry.getKey());
      targets.put(entry.getKey(), target);
    }
    return targets;
  }

  /** Rewrites the placeholder key of a nested binding into the real one in its error message. */
  private static <T> T withKey(Supplier<T> bind, String placeholder, String key) {
    try {
      return bind.get();
    } catch (AnshinException e) {
      throw AnshinException.badConfig(
          e.getMessage().replace("anshin." + placeholder, "anshin." + key));
    }
  }

  private static double number(Config c, String key) {
    double value = AnshinConfig.get(() -> c.getDouble(key), key);
    if (!Double.isFinite(value)) {
      throw AnshinException.badConfig("anshin." + key + " is " + value + "; expected a finite number");
    }
    return value;
  }

  private static double positiveNumber(Config c, String key) {
    double value = number(c, key);
    if (!(value > 0)) {
      throw AnshinException.badConfig(
          "anshin." + key + " is " + text(value) + "; it must be a positive number");
    }
    return value;
  }

  /** Cross-field rules the records check themselves still fail as configuration errors. */
  private static <T> T build(String section, Supplier<T> construct) {
    try {
      return construct.get();
    } catch (IllegalArgumentException e) {
      throw AnshinException.badConfig("anshin." + section + ": " + e.getMessage());
    }
  }

  private static String text(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
