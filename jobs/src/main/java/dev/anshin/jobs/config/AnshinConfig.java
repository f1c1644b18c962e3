package dev.anshin.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import dev.anshin.features.health.HealthSettings;
import dev.anshin.features.revenue.ReportingCurrency;
import dev.anshin.features.slo.SloSettings;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.support.SupportSettings;
import dev.anshin.errors.AnshinException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Anshin's configuration, bound once from HOCON into immutable records and validated at start-up.
 *
 * <p>Precedence: command-line options &gt; the `--conf` file &gt; the defaults in the jar's
 * `reference.conf`. Every key is documented in docs/configuration.md. Everything is bound and
 * checked when the file is loaded, before any step runs: a bad value fails with a message that names
 * the key, and so does a key Anshin does not know (a misspelling would otherwise be ignored).
 */
public record AnshinConfig(
    Path lakehouse,
    Path sourcesDir,
    Map<SourceTable, SourceSettings> sources,
    SparkSettings spark,
    IngestSettings ingest,
    ChurnSettings churn,
    SloSettings slo,
    HealthSettings health,
    SupportSettings support,
    Set<String> addOnPlans,
    ReportingCurrency revenue,
    LockSettings lock,
    MaintenanceSettings maintenance,
    WarehouseSettings warehouse,
    ReportSettings report,
    Config raw) {

  /** Where and how one source is read. */
  public record SourceSettings(
      boolean enabled, String format, String path, Map<String, String> options, Map<String, String> columns,
      String jdbcUrl, String jdbcTable, String jdbcUserEnv, String jdbcPasswordEnv) {

    /** The name of the raw column that feeds a typed column (the column mapping, or the same name). */
    public String rawColumn(String typedColumn) {
      return columns.getOrDefault(typedColumn, typedColumn);
    }
  }

  public record SparkSettings(String master, int shufflePartitions, Map<String, String> extraOptions) {}

  /**
   * Source rules: timestamps before minValidDate or more than maxFutureDays after their delivery are
   * out of range; an event may arrive up to latenessDays after its day, and a row of an account the
   * CRM has not delivered yet waits as long for it.
   */
  public record IngestSettings(LocalDate minValidDate, int maxFutureDays, int latenessDays) {}

  public record ChurnSettings(
      int horizonDays,
      int exampleEveryDays,
      double testFraction,
      String model,
      int maxIterations,
      int maxDepth,
      double highRiskThreshold,
      double mediumRiskThreshold,
      long seed,
      String retrain) {

    /** The same settings with another churn horizon. */
    public ChurnSettings withHorizon(int days) {
      return new ChurnSettings(days, exampleEveryDays, testFraction, model, maxIterations, maxDepth,
          highRiskThreshold, mediumRiskThreshold, seed, retrain);
    }

    /** Whether the churn model is retrained on {@code date}: the 1st of each month, each Monday, or every day. */
    public boolean retrainsOn(LocalDate date) {
      return switch (retrain) {
        case "daily" -> true;
        case "weekly" -> date.getDayOfWeek() == java.time.DayOfWeek.MONDAY;
        default -> date.getDayOfMonth() == 1;
      };
    }
  }

  /** How long a run waits for another run's lock on the lakehouse before it exits 75. */
  public record LockSettings(Duration waitFor) {}

  /**
   * When the nightly compacts small files and vacuums old versions (weekly: on Sundays; monthly: on
   * the 1st; daily; never), and how old a replaced file must be before vacuum deletes it.
   */
  /** The run report: whether the nightly writes it ({@code anshin report} always does). */
  public record ReportSettings(boolean enabled) {}

  public record MaintenanceSettings(String cadence, Duration retention) {
    /** The shortest retention accepted: a reader that started before a write must be able to finish. */
    public static final Duration MIN_RETENTION = Duration.ofHours(1);

    public boolean dueOn(LocalDate date) {
      return switch (cadence) {
        case "daily" -> true;
        case "weekly" -> date.getDayOfWeek() == java.time.DayOfWeek.SUNDAY;
        case "monthly" -> date.getDayOfMonth() == 1;
        default -> false;
      };
    }

    /** Whether any date of [from, to] is on the cadence. */
    public boolean dueWithin(LocalDate from, LocalDate to) {
      return from.datesUntil(to.plusDays(1)).anyMatch(this::dueOn);
    }
  }

  /**
   * The SQL database BI tools read: a PostgreSQL JDBC URL (empty: no warehouse), the environment
   * variables holding its user and password (never the secrets themselves), and the schema the
   * published tables go to.
   */
  public record WarehouseSettings(String url, String userEnv, String passwordEnv, String schema) {
    public boolean configured() {
      return !url.isEmpty();
    }

    /** The URL with any password it carries masked: the only form that may appear in a message or log. */
    public String maskedUrl() {
      return maskPassword(url);
    }

    /** {@code user:secret@} and {@code password=secret} hidden, whatever the URL's dialect. */
    public static String maskPassword(String text) {
      return text
          .replaceAll("(?i)(password=)[^&;\\s]*", "$1***")
          .replaceAll("(//[^/:@\\s]+:)[^@/\\s]*@", "$1***@");
    }
  }

  public static final String ROOT = "anshin";

  /** Loads the given file over the defaults; {@code null} means defaults only. */
  public static AnshinConfig load(Path file) {
    Config defaults = ConfigFactory.defaultReference(AnshinConfig.class.getClassLoader());
    Config config = defaults;
    if (file != null) {
      if (!Files.isReadable(file)) {
        throw AnshinException.badConfig("configuration file " + file + " does not exist or is not readable");
      }
      try {
        config =
            ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
                .withFallback(defaults)
                .resolve();
      } catch (ConfigException e) {
        throw AnshinException.badConfig("cannot parse " + file + ": " + e.getMessage());
      }
      ConfigKeys.rejectUnknown(ConfigFactory.parseFile(file.toFile()), defaults, file);
    }
    return bind(config.getConfig(ROOT), config);
  }

  static AnshinConfig bind(Config c, Config raw) {
    Map<SourceTable, SourceSettings> sources = new EnumMap<>(SourceTable.class);
    for (SourceTable table : SourceTable.values()) {
      String key = "sources." + table.tableName();
      Config s = get(() -> c.getConfig(key), key);
      String format = get(() -> s.getString("format"), key + ".format").toLowerCase();
      if (!format.equals("csv") && !format.equals("json") && !format.equals("jdbc") && !format.equals("parquet")) {
        throw AnshinException.badConfig(
            "anshin." + key + ".format is '" + format + "'; expected one of csv, json, parquet, jdbc");
      }
      Map<String, String> columns = stringMap(s, "columns", key);
      for (String typed : columns.keySet()) {
        if (!table.columnNames().contains(typed)) {
          throw AnshinException.badConfig(
              "anshin." + key + ".columns maps '" + typed + "', which is not a column of "
                  + table.tableName() + "; columns are " + table.columnNames());
        }
      }
      boolean enabled = !s.hasPath("enabled") || get(() -> s.getBoolean("enabled"), key + ".enabled");
      if (!enabled && !table.optional()) {
        throw AnshinException.badConfig(
            "anshin." + key + ".enabled is false, but " + table.tableName() + " is required; only "
                + Arrays.stream(SourceTable.values()).filter(SourceTable::optional).map(SourceTable::tableName).toList()
                + " may be disabled");
      }
      sources.put(
          table,
          new SourceSettings(
              enabled,
              format,
              s.hasPath("path") ? s.getString("path") : null,
              stringMap(s, "options", key),
              columns,
              s.hasPath("jdbc.url") ? s.getString("jdbc.url") : null,
              s.hasPath("jdbc.table") ? s.getString("jdbc.table") : null,
              s.hasPath("jdbc.user-env") ? s.getString("jdbc.user-env") : null,
              s.hasPath("jdbc.password-env") ? s.getString("jdbc.password-env") : null));
      if (format.equals("jdbc") && (sources.get(table).jdbcUrl() == null || sources.get(table).jdbcTable() == null)) {
        throw AnshinException.badConfig("anshin." + key + " has format jdbc but no jdbc.url or jdbc.table");
      }
      if (!format.equals("jdbc") && sources.get(table).path() == null) {
        throw AnshinException.badConfig("anshin." + key + ".path is missing");
      }
    }
    SparkSettings spark =
        new SparkSettings(
            get(() -> c.getString("spark.master"), "spark.master"),
            positive(c, "spark.shuffle-partitions"),
            stringMap(c, "spark.options", "spark"));
    IngestSettings ingest =
        new IngestSettings(
            date(c, "ingest.min-valid-date"), positive(c, "ingest.max-future-days"),
            zeroOrMore(c, "ingest.lateness-days"));
    ChurnSettings churn =
        new ChurnSettings(
            positive(c, "churn.horizon-days"),
            positive(c, "churn.example-every-days"),
            fraction(c, "churn.test-fraction"),
            oneOf(c, "churn.model", "gbt", "logistic"),
            positive(c, "churn.max-iterations"),
            positive(c, "churn.max-depth"),
            fraction(c, "churn.risk-tiers.high"),
            fraction(c, "churn.risk-tiers.medium"),
            get(() -> c.getLong("churn.seed"), "churn.seed"),
            oneOf(c, "churn.retrain", "monthly", "weekly", "daily"));
    if (churn.mediumRiskThreshold() >= churn.highRiskThreshold()) {
      throw AnshinException.badConfig(
          "anshin.churn.risk-tiers.medium (" + churn.mediumRiskThreshold()
              + ") must be below anshin.churn.risk-tiers.high (" + churn.highRiskThreshold() + ")");
    }
    Duration lockWait = get(() -> c.getDuration("lock.wait"), "lock.wait");
    if (lockWait.isNegative()) {
      throw AnshinException.badConfig("anshin.lock.wait is " + lockWait + "; it must be zero or more");
    }
    Duration retention = get(() -> c.getDuration("maintenance.retention"), "maintenance.retention");
    if (retention.compareTo(MaintenanceSettings.MIN_RETENTION) < 0) {
      throw AnshinException.badConfig("anshin.maintenance.retention is " + retention
          + "; it must be at least 1 hour, so that a query that started before a write can finish");
    }
    MaintenanceSettings maintenance =
        new MaintenanceSettings(oneOf(c, "maintenance.cadence", "weekly", "daily", "monthly", "never"), retention);
    WarehouseSettings warehouse = warehouse(c);
    AnalyticsConfig.traceability(c); // checked now, like every other key; bound again when used
    return new AnshinConfig(
        Path.of(get(() -> c.getString("lakehouse"), "lakehouse")),
        Path.of(get(() -> c.getString("sources.dir"), "sources.dir")),
        Map.copyOf(sources),
        spark,
        ingest,
        churn,
        // Bound here, with everything else, so that a bad value stops the run before any step writes.
        AnalyticsConfig.slo(c),
        AnalyticsConfig.health(c),
        AnalyticsConfig.support(c),
        Set.copyOf(get(() -> c.getStringList("plans.add-ons"), "plans.add-ons")),
        reportingCurrency(c),
        new LockSettings(lockWait),
        maintenance,
        warehouse,
        new ReportSettings(get(() -> c.getBoolean("report.enabled"), "report.enabled")),
        raw);
  }

  private static ReportingCurrency reportingCurrency(Config c) {
    String code = get(() -> c.getString("revenue.reporting-currency"), "revenue.reporting-currency");
    if (!code.matches("[A-Za-z]{3}")) {
      throw AnshinException.badConfig("anshin.revenue.reporting-currency is '" + code
          + "'; expected a three-letter ISO 4217 code such as USD");
    }
    Map<String, BigDecimal> rates = new LinkedHashMap<>();
    for (Map.Entry<String, String> rate : stringMap(c, "revenue.exchange-rates", "revenue").entrySet()) {
      String key = "anshin.revenue.exchange-rates." + rate.getKey();
      if (!rate.getKey().matches("[A-Za-z]{3}")) {
        throw AnshinException.badConfig(key + ": '" + rate.getKey() + "' is not a three-letter ISO 4217 code");
      }
      BigDecimal value;
      try {
        value = new BigDecimal(rate.getValue());
      } catch (NumberFormatException e) {
        throw AnshinException.badConfig(key + " is '" + rate.getValue() + "'; expected a number");
      }
      if (value.signum() <= 0) {
        throw AnshinException.badConfig(key + " is " + rate.getValue() + "; it must be above 0");
      }
      rates.put(rate.getKey(), value);
    }
    return new ReportingCurrency(code, rates);
  }

  private static WarehouseSettings warehouse(Config c) {
    WarehouseSettings settings =
        new WarehouseSettings(
            get(() -> c.getString("warehouse.url"), "warehouse.url").trim(),
            get(() -> c.getString("warehouse.user-env"), "warehouse.user-env"),
            get(() -> c.getString("warehouse.password-env"), "warehouse.password-env"),
            get(() -> c.getString("warehouse.schema"), "warehouse.schema"));
    if (settings.configured() && !settings.url().startsWith("jdbc:postgresql:")) {
      throw AnshinException.badConfig("anshin.warehouse.url is '" + settings.maskedUrl()
          + "'; expected a PostgreSQL JDBC URL like jdbc:postgresql://host:5432/analytics");
    }
    if (!settings.schema().matches("[a-z_][a-z0-9_]{0,62}")) {
      throw AnshinException.badConfig("anshin.warehouse.schema is '" + settings.schema()
          + "'; expected a lower-case SQL name (letters, digits, _), such as anshin");
    }
    for (String[] env : new String[][] {{"user-env", settings.userEnv()}, {"password-env", settings.passwordEnv()}}) {
      if (!env[1].matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw AnshinException.badConfig("anshin.warehouse." + env[0] + " is '" + env[1]
            + "'; it names an environment variable (the secret itself never goes into the file)");
      }
    }
    return settings;
  }

  /** The settings of activity_effects and help_center_deflection. */
  public AnalyticsConfig.Traceability traceability() {
    return AnalyticsConfig.traceability(raw.getConfig(ROOT));
  }

  /** The sources a run reads: every required source, and the optional ones that are enabled. */
  public List<SourceTable> enabledSources() {
    return Arrays.stream(SourceTable.values()).filter(t -> sources.get(t).enabled()).toList();
  }

  /** Whether an optional source is read, so that the tables built from it are. */
  public boolean enabled(SourceTable source) {
    return sources.get(source).enabled();
  }

  /** The same configuration with these sources read (the demo's world delivers every source). */
  public AnshinConfig withSourcesEnabled(SourceTable... enable) {
    Map<SourceTable, SourceSettings> newSources = new EnumMap<>(sources);
    for (SourceTable table : enable) {
      SourceSettings s = sources.get(table);
      newSources.put(table, new SourceSettings(true, s.format(), s.path(), s.options(), s.columns(), s.jdbcUrl(),
          s.jdbcTable(), s.jdbcUserEnv(), s.jdbcPasswordEnv()));
    }
    return new AnshinConfig(lakehouse, sourcesDir, Map.copyOf(newSources), spark, ingest, churn, slo, health, support,
        addOnPlans, revenue, lock, maintenance, warehouse, report, raw);
  }

  /** The same configuration with the command line's overrides applied. */
  public AnshinConfig withLocations(Path lakehouseOverride, Path sourcesOverride) {
    return new AnshinConfig(
        lakehouseOverride != null ? lakehouseOverride : lakehouse,
        sourcesOverride != null ? sourcesOverride : sourcesDir,
        sources, spark, ingest, churn, slo, health, support, addOnPlans, revenue, lock, maintenance, warehouse, report, raw);
  }

  public AnshinConfig withSpark(SparkSettings newSpark) {
    return new AnshinConfig(lakehouse, sourcesDir, sources, newSpark, ingest, churn, slo, health, support, addOnPlans, revenue, lock, maintenance, warehouse, report, raw);
  }

  public AnshinConfig withChurn(ChurnSettings newChurn) {
    return new AnshinConfig(lakehouse, sourcesDir, sources, spark, ingest, newChurn, slo, health, support, addOnPlans, revenue, lock, maintenance, warehouse, report, raw);
  }

  /** The same configuration publishing to this warehouse. */
  public AnshinConfig withWarehouse(WarehouseSettings newWarehouse) {
    return new AnshinConfig(lakehouse, sourcesDir, sources, spark, ingest, churn, slo, health, support, addOnPlans, revenue, lock, maintenance, newWarehouse, report, raw);
  }

  /** The same configuration with this plan catalogue's add-ons. */
  public AnshinConfig withAddOnPlans(Set<String> plans) {
    return new AnshinConfig(lakehouse, sourcesDir, sources, spark, ingest, churn, slo, health, support, Set.copyOf(plans), revenue, lock, maintenance, warehouse, report, raw);
  }

  /** The same configuration reporting revenue in this currency at these rates. */
  public AnshinConfig withRevenue(ReportingCurrency newRevenue) {
    return new AnshinConfig(lakehouse, sourcesDir, sources, spark, ingest, churn, slo, health, support, addOnPlans, newRevenue, lock, maintenance, warehouse, report, raw);
  }

  /** A Delta table's folder in the lakehouse. */
  public Path table(String name) {
    return lakehouse.resolve(name);
  }

  // --- binding helpers: each failure names the full key ---

  static <T> T get(Supplier<T> read, String key) {
    try {
      return read.get();
    } catch (ConfigException.Missing e) {
      throw AnshinException.badConfig("anshin." + key + " is missing");
    } catch (ConfigException.WrongType e) {
      throw AnshinException.badConfig("anshin." + key + " has the wrong type: " + e.getMessage());
    } catch (ConfigException.BadValue e) {
      throw AnshinException.badConfig("anshin." + key + " has a bad value: " + e.getMessage());
    }
  }

  static int positive(Config c, String key) {
    int value = get(() -> c.getInt(key), key);
    if (value <= 0) {
      throw AnshinException.badConfig("anshin." + key + " is " + value + "; it must be a positive whole number");
    }
    return value;
  }

  static int zeroOrMore(Config c, String key) {
    int value = get(() -> c.getInt(key), key);
    if (value < 0) {
      throw AnshinException.badConfig("anshin." + key + " is " + value + "; it must be zero or more");
    }
    return value;
  }

  static double fraction(Config c, String key) {
    double value = get(() -> c.getDouble(key), key);
    if (!(value > 0 && value < 1)) {
      throw AnshinException.badConfig("anshin." + key + " is " + value + "; it must be between 0 and 1");
    }
    return value;
  }

  static String oneOf(Config c, String key, String... allowed) {
    String value = get(() -> c.getString(key), key);
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    throw AnshinException.badConfig(
        "anshin." + key + " is '" + value + "'; expected one of " + String.join(", ", allowed));
  }

  static LocalDate date(Config c, String key) {
    String value = get(() -> c.getString(key), key);
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw AnshinException.badConfig("anshin." + key + " is '" + value + "'; expected a date like 2024-01-31");
    }
  }

  static Map<String, String> stringMap(Config c, String key, String context) {
    Map<String, String> map = new LinkedHashMap<>();
    if (c.hasPath(key)) {
      for (Map.Entry<String, ConfigValue> e : c.getConfig(key).entrySet()) {
        map.put(unquote(e.getKey()), String.valueOf(e.getValue().unwrapped()));
      }
    }
    return Map.copyOf(map);
  }

  private static String unquote(String key) {
    return key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
  }
}
