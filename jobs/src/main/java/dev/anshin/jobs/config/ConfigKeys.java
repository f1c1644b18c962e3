package dev.anshin.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import dev.anshin.errors.AnshinException;
import dev.anshin.features.sources.SourceTable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Rejects keys of a configuration file that Anshin does not know. HOCON ignores keys nobody reads,
 * so {@code anshin.churn.horizon_days = 30} would silently train with the default 90 days; here it
 * is an error that names the key and the known key it most resembles.
 */
final class ConfigKeys {
  /**
   * Subtrees whose keys are the user's own: Spark settings, reader options, column maps, targets per
   * plan or segment, exchange rates per currency, support schedules, their regions and SLA targets.
   */
  private static final List<Pattern> OPEN =
      List.of(
          Pattern.compile("anshin\\.spark\\.options\\..+"),
          Pattern.compile("anshin\\.sources\\.[^.]+\\.(options|columns)\\..+"),
          // Every source has the key; only an optional one may set it false, which binding says.
          Pattern.compile("anshin\\.sources\\.[^.]+\\.enabled"),
          Pattern.compile("anshin\\.sources\\.[^.]+\\.(format|path|jdbc\\.url|jdbc\\.table|jdbc\\.user-env|jdbc\\.password-env)"),
          Pattern.compile("anshin\\.slo\\.(plans|segments)\\.[^.]+\\.(availability|latency|latency-threshold-ms)"),
          Pattern.compile("anshin\\.revenue\\.exchange-rates\\.[^.]+"),
          Pattern.compile("anshin\\.support\\.schedules\\.[^.]+\\.(time-zone|holidays|hours\\.[^.]+)"),
          Pattern.compile("anshin\\.support\\.region-schedules\\.[^.]+"),
          Pattern.compile("anshin\\.support\\.sla\\.[^.]+\\.(first-reply|resolution)"));

  private static final Pattern SOURCE_KEY = Pattern.compile("anshin\\.sources\\.([^.]+)\\..+");

  /** Keys of earlier versions, with what replaced them: an upgrade's config error says what to write instead. */
  private static final Map<String, String> REMOVED =
      Map.of(
          "anshin.slo.low-traffic.min-valid-requests",
          "it was replaced by anshin.slo.low-traffic.min-budget-requests, the failed requests a window's budget must"
              + " hold (1, the default, is 1,000 valid requests at 99.9%)",
          "anshin.slo.low-traffic.plan-pool",
          "a status now comes only from the account's own requests (too few: insufficient_data); remove the key",
          "anshin.slo.at-risk.burn-rate-1d",
          "burn-rate alerts are now anshin.slo.alerts.rules (the SRE workbook's multi-window table); remove the key",
          "anshin.slo.at-risk.burn-rate-7d",
          "burn-rate alerts are now anshin.slo.alerts.rules (the SRE workbook's multi-window table); remove the key");

  private ConfigKeys() {}

  static void rejectUnknown(Config file, Config reference, Path where) {
    Config keys;
    try {
      keys = file.resolveWith(reference, ConfigResolveOptions.defaults().setAllowUnresolved(true));
    } catch (ConfigException e) {
      throw AnshinException.badConfig("cannot parse " + where + ": " + e.getMessage());
    }
    Set<String> sources = Arrays.stream(SourceTable.values()).map(SourceTable::tableName).collect(Collectors.toSet());
    Set<String> known = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> entry : reference.getConfig(AnshinConfig.ROOT).entrySet()) {
      known.add(AnshinConfig.ROOT + "." + entry.getKey());
    }
    for (Map.Entry<String, ConfigValue> entry : keys.entrySet()) {
      String key = entry.getKey();
      var source = SOURCE_KEY.matcher(key);
      if (source.matches() && !source.group(1).equals("dir") && !sources.contains(source.group(1))) {
        throw AnshinException.badConfig(
            where + ": " + key + " names the source '" + source.group(1) + "', which Anshin does not read; the sources are "
                + new TreeSet<>(sources));
      }
      if (known.contains(key) || reference.hasPathOrNull(key) || OPEN.stream().anyMatch(p -> p.matcher(key).matches())) {
        continue;
      }
      if (REMOVED.containsKey(key)) {
        throw AnshinException.badConfig(where + ": " + key + " is no longer read: " + REMOVED.get(key));
      }
      throw AnshinException.badConfig(
          where + ": unknown key " + key + closest(key, known).map(k -> "; did you mean " + k + "?").orElse("")
              + " (every key is listed in docs/configuration.md)");
    }
  }

  /** The known key nearest to {@code key} by edit distance, if it is near enough to be a misspelling. */
  static Optional<String> closest(String key, Set<String> known) {
    return known.stream()
        .min(Comparator.comparingInt((String k) -> distance(k, key)))
        .filter(k -> distance(k, key) <= Math.max(2, lastPart(key).length() / 3));
  }

  private static String lastPart(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
