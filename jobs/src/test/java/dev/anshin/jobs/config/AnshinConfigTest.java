package dev.anshin.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every default and key mapping is asserted, so a renamed key fails here and not in production. */
class AnshinConfigTest {

  @TempDir Path dir;

  @Test
  void defaults() {
    AnshinConfig config = AnshinConfig.load(null);
    assertThat(config.lakehouse()).isEqualTo(Path.of("lakehouse"));
    assertThat(config.sourcesDir()).isEqualTo(Path.of("lakehouse/sources"));
    assertThat(config.spark().master()).isEqualTo("local[*]");
    assertThat(config.spark().shufflePartitions()).isEqualTo(8);
    assertThat(config.ingest().minValidDate()).isEqualTo(LocalDate.of(2000, 1, 1));
    assertThat(config.ingest().maxFutureDays()).isEqualTo(366);
    assertThat(config.ingest().latenessDays()).isEqualTo(7);
    assertThat(config.churn())
        .isEqualTo(new AnshinConfig.ChurnSettings(90, 7, 0.25, "gbt", 40, 4, 0.5, 0.2, 42, "monthly"));
    assertThat(config.sources()).containsOnlyKeys(SourceTable.values());
    assertThat(config.sources().get(SourceTable.SUBSCRIPTIONS).rawColumn("billing_interval")).isEqualTo("interval");
    assertThat(config.sources().get(SourceTable.USAGE_EVENTS).path()).isEqualTo("usage/date={date}");
    assertThat(config.sources().get(SourceTable.ACCOUNTS).format()).isEqualTo("csv");
  }

  @Test
  void theShippedConfigurationFileLoads() {
    AnshinConfig config = AnshinConfig.load(Path.of("../conf/anshin.conf"));
    assertThat(config.churn().horizonDays()).isEqualTo(90);
  }

  @Test
  void fileOverridesDefaultsAndCommandLineOverridesTheFile() throws IOException {
    Path file = dir.resolve("a.conf");
    Files.writeString(file, "anshin { lakehouse = \"/data/lh\", churn.horizon-days = 30 }");
    AnshinConfig config = AnshinConfig.load(file);
    assertThat(config.lakehouse()).isEqualTo(Path.of("/data/lh"));
    assertThat(config.churn().horizonDays()).isEqualTo(30);
    assertThat(config.withLocations(Path.of("/other"), null).lakehouse()).isEqualTo(Path.of("/other"));
  }

  @Test
  void badValuesNameTheKey() throws IOException {
    assertBad("anshin.churn.horizon-days = -3", "anshin.churn.horizon-days is -3");
    assertBad("anshin.churn.model = forest", "anshin.churn.model is 'forest'; expected one of gbt, logistic");
    assertBad("anshin.churn.risk-tiers.medium = 0.7", "anshin.churn.risk-tiers.medium (0.7) must be below");
    assertBad("anshin.sources.tickets.format = xml", "anshin.sources.tickets.format is 'xml'");
    assertBad("anshin.sources.tickets.columns { nope = x }", "maps 'nope', which is not a column of tickets");
    assertBad("anshin.ingest.min-valid-date = yesterday", "anshin.ingest.min-valid-date is 'yesterday'");
  }

  @Test
  void unknownKeysAreRejectedWithTheKnownKeyTheyResemble() throws IOException {
    assertBad("anshin.churn.horizon_days = 30", "unknown key anshin.churn.horizon_days; did you mean anshin.churn.horizon-days?");
    assertBad("anshin.ingest { latenes-days = 3 }", "unknown key anshin.ingest.latenes-days; did you mean anshin.ingest.lateness-days?");
    assertBad("anshin.lock.wiat = 1m", "unknown key anshin.lock.wiat; did you mean anshin.lock.wait?");
    assertBad("anshin.slo.alerts.min-bad-request = 3", "unknown key anshin.slo.alerts.min-bad-request; did you mean anshin.slo.alerts.min-bad-requests?");
    // A key an earlier version read: what replaced it.
    assertBad("anshin.slo.low-traffic.min-valid-requests = 500",
        "anshin.slo.low-traffic.min-valid-requests is no longer read: it was replaced by anshin.slo.low-traffic.min-budget-requests");
    // Far from every known key: named, with no guess.
    assertBad("anshin.reporting.enabled = true", "unknown key anshin.reporting.enabled (every key");
    assertBad("anshn.lakehouse = x", "unknown key anshn.lakehouse");
    assertBad("anshin.sources.usage { format = json, path = x }",
        "anshin.sources.usage.format names the source 'usage', which Anshin does not read");
  }

  @Test
  void theUsersOwnSubtreesTakeAnyKey() throws IOException {
    Path file = dir.resolve("open.conf");
    Files.writeString(file, """
        anshin {
          spark.options { "spark.driver.memory" = "4g" }
          sources.subscriptions {
            options { delimiter = ";" }
            columns { billing_interval = "billing_period" }
          }
          sources.tickets { format = jdbc, jdbc { url = "jdbc:postgresql://h/db", table = t, user-env = U, password-env = P } }
          slo.plans.enterprise { availability = 0.9995, latency = 0.99, latency-threshold-ms = 250 }
          lock.wait = 90s
        }
        """);
    AnshinConfig config = AnshinConfig.load(file);
    assertThat(config.spark().extraOptions()).containsEntry("spark.driver.memory", "4g");
    assertThat(config.sources().get(SourceTable.SUBSCRIPTIONS).rawColumn("billing_interval")).isEqualTo("billing_period");
    assertThat(config.sources().get(SourceTable.TICKETS).jdbcTable()).isEqualTo("t");
    assertThat(config.lock().waitFor()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(AnshinConfig.load(null).lock().waitFor()).isEqualTo(java.time.Duration.ofMinutes(10));
  }

  @Test
  void theAnalyticsSettingsAreBoundAndCheckedWithEverythingElse() throws IOException {
    assertBad("anshin.health.bands.yellow = 75", "anshin.health");
    assertBad("anshin.slo.window-days = many", "anshin.slo.window-days");
    assertBad("anshin.lock.wait = soon", "anshin.lock.wait");
  }

  @Test
  void maintenanceRunsOnItsCadenceOncePerRunAndKeepsAtLeastAnHour() throws IOException {
    AnshinConfig.MaintenanceSettings weekly = AnshinConfig.load(null).maintenance();
    assertThat(weekly.retention()).isEqualTo(java.time.Duration.ofDays(7));
    // 2026-01-04 is a Sunday: due on it, not on the Saturday before, and a backfill spanning it is due.
    LocalDate sunday = LocalDate.parse("2026-01-04");
    assertThat(sunday.getDayOfWeek()).isEqualTo(java.time.DayOfWeek.SUNDAY);
    assertThat(weekly.dueOn(sunday)).isTrue();
    assertThat(weekly.dueWithin(sunday.minusDays(6), sunday.minusDays(1))).isFalse();
    assertThat(weekly.dueWithin(sunday.minusDays(3), sunday.plusDays(2))).isTrue();
    assertThat(new AnshinConfig.MaintenanceSettings("never", weekly.retention()).dueWithin(sunday.minusDays(400), sunday)).isFalse();
    assertThat(new AnshinConfig.MaintenanceSettings("monthly", weekly.retention()).dueOn(LocalDate.parse("2026-02-01"))).isTrue();
    assertBad("anshin.maintenance.retention = 10m", "anshin.maintenance.retention is PT10M; it must be at least 1 hour");
    assertBad("anshin.maintenance.cadence = hourly", "anshin.maintenance.cadence is 'hourly'");
  }

  @Test
  void theWarehouseIsOptionalPostgresAndItsSecretsStayInTheEnvironment() throws IOException {
    AnshinConfig.WarehouseSettings none = AnshinConfig.load(null).warehouse();
    assertThat(none.configured()).isFalse();
    assertThat(none.userEnv()).isEqualTo("ANSHIN_WAREHOUSE_USER");
    assertThat(none.passwordEnv()).isEqualTo("ANSHIN_WAREHOUSE_PASSWORD");
    assertThat(none.schema()).isEqualTo("anshin");

    Path file = dir.resolve("warehouse.conf");
    Files.writeString(file, "anshin.warehouse { url = \"jdbc:postgresql://db:5432/analytics\", schema = cre }");
    AnshinConfig.WarehouseSettings set = AnshinConfig.load(file).warehouse();
    assertThat(set.configured()).isTrue();
    assertThat(set.schema()).isEqualTo("cre");

    assertBad("anshin.warehouse.url = \"jdbc:mysql://db/analytics?password=hunter2\"",
        "anshin.warehouse.url is 'jdbc:mysql://db/analytics?password=***'; expected a PostgreSQL JDBC URL");
    assertBad("anshin.warehouse { url = \"jdbc:postgresql://db/a\", schema = \"CRE; DROP\" }", "anshin.warehouse.schema is 'CRE; DROP'");
    assertBad("anshin.warehouse.password-env = \"hunter 2\"", "it names an environment variable");
    assertThat(AnshinConfig.WarehouseSettings.maskPassword("jdbc:postgresql://cre:hunter2@db:5432/a?ssl=true&Password=x&user=cre"))
        .isEqualTo("jdbc:postgresql://cre:***@db:5432/a?ssl=true&Password=***&user=cre");
  }

  @Test
  void theNightlyWritesTheReportUnlessTurnedOff() throws IOException {
    assertThat(AnshinConfig.load(null).report().enabled()).isTrue();
    Path file = dir.resolve("no-report.conf");
    Files.writeString(file, "anshin.report.enabled = false");
    assertThat(AnshinConfig.load(file).report().enabled()).isFalse();
    assertBad("anshin.report.enabled = sometimes", "anshin.report.enabled");
  }

  @Test
  void revenueIsReportedInOneCurrencyAtConstantRates() throws IOException {
    assertThat(AnshinConfig.load(null).revenue().code()).isEqualTo("USD");
    assertThat(AnshinConfig.load(null).revenue().rates()).containsOnlyKeys("USD");
    Path file = dir.resolve("eur.conf");
    Files.writeString(file, "anshin.revenue { reporting-currency = eur, exchange-rates { usd = 0.92, JPY = 0.0061 } }");
    var revenue = AnshinConfig.load(file).revenue();
    assertThat(revenue.code()).isEqualTo("EUR");
    assertThat(revenue.rates()).containsOnlyKeys("EUR", "USD", "JPY");
    assertThat(revenue.rates().get("JPY")).isEqualByComparingTo("0.0061");
    assertBad("anshin.revenue.reporting-currency = dollars", "anshin.revenue.reporting-currency is 'dollars'");
    assertBad("anshin.revenue.exchange-rates.EUR = 0", "anshin.revenue.exchange-rates.EUR is 0; it must be above 0");
    assertBad("anshin.revenue.exchange-rates.EUR = lots", "anshin.revenue.exchange-rates.EUR is 'lots'; expected a number");
    assertBad("anshin.revenue.exchange-rates.EURO = 1.1", "'EURO' is not a three-letter ISO 4217 code");
  }

  @Test
  void supportSchedulesAndSlasAreBoundByNameWithEveryMistakeNamed() throws IOException {
    var calendar = AnshinConfig.load(null).support();
    assertThat(calendar.targetFor("urgent")).isNull();
    java.time.Instant start = java.time.Instant.parse("2026-01-03T10:00:00Z"); // a Saturday
    assertThat(calendar.scheduleFor("emea").between(start, start.plusSeconds(7200))).hasHours(2);

    Path file = dir.resolve("support.conf");
    Files.writeString(file, """
        anshin.support {
          schedules.berlin { time-zone = "Europe/Berlin", hours { Monday = "09:00-12:00, 13:00-18:00" }, holidays = ["2026-01-05"] }
          region-schedules { EMEA = berlin }
          sla.urgent { first-reply = 30m, resolution = 4h }
        }
        """);
    var support = AnshinConfig.load(file).support();
    assertThat(support.targetFor("URGENT").firstReply()).isEqualTo(java.time.Duration.ofMinutes(30));
    // Monday 2026-01-12 08:00 UTC is 09:00 in Berlin; 8 business hours end at 18:00 Berlin (17:00 UTC)
    java.time.Instant monday = java.time.Instant.parse("2026-01-12T08:00:00Z");
    assertThat(support.scheduleFor("emea").between(monday, monday.plus(java.time.Duration.ofHours(9)))).hasHours(8);
    // the holiday Monday is closed; other regions use the default, round the clock
    java.time.Instant holiday = java.time.Instant.parse("2026-01-05T08:00:00Z");
    assertThat(support.scheduleFor("emea").between(holiday, holiday.plus(java.time.Duration.ofHours(9)))).isZero();
    assertThat(support.scheduleFor("apac").between(holiday, holiday.plus(java.time.Duration.ofHours(9)))).hasHours(9);

    assertBad("anshin.support.default-schedule = tokyo", "anshin.support.default-schedule names the schedule 'tokyo'");
    assertBad("anshin.support.schedules.x { time-zone = Mars/Olympus, hours {}, holidays = [] }",
        "anshin.support.schedules.x.time-zone is 'Mars/Olympus'");
    assertBad("anshin.support.schedules.x { time-zone = UTC, hours { funday = \"09:00-17:00\" }, holidays = [] }",
        "'funday' is not a day of the week");
    assertBad("anshin.support.schedules.x { time-zone = UTC, hours { monday = \"9 to 5\" }, holidays = [] }",
        "anshin.support.schedules.x.hours.monday has '9 to 5'; expected an interval like 09:00-17:30");
    assertBad("anshin.support.sla.critical { first-reply = 1h, resolution = 2h }", "'critical' is not a ticket priority");
    assertBad("anshin.support.sla.low { first-reply = 0s, resolution = 2h }", "anshin.support.sla.low targets must be above 0");
    assertBad("anshin.support.region-schedules.emea = berlin", "names the schedule 'berlin'");
  }

  @Test
  void theOptionalSourcesAreReadOnlyWhenEnabledAndTheOthersCannotBeTurnedOff() throws IOException {
    AnshinConfig defaults = AnshinConfig.load(null);
    assertThat(defaults.enabledSources())
        .containsExactly(SourceTable.ACCOUNTS, SourceTable.SUBSCRIPTIONS, SourceTable.INVOICES, SourceTable.USAGE_EVENTS,
            SourceTable.API_REQUESTS, SourceTable.TICKETS);
    Path file = dir.resolve("activities.conf");
    Files.writeString(file, "anshin.sources.cs_activities.enabled = true");
    AnshinConfig enabled = AnshinConfig.load(file);
    assertThat(enabled.enabled(SourceTable.CS_ACTIVITIES)).isTrue();
    assertThat(enabled.enabled(SourceTable.HELP_CENTER_VIEWS)).isFalse();
    assertThat(enabled.enabledSources()).contains(SourceTable.CS_ACTIVITIES).doesNotContain(SourceTable.HELP_CENTER_VIEWS);
    assertThat(enabled.sources().get(SourceTable.CS_ACTIVITIES).path()).isEqualTo("cs_activities/date={date}");
    assertBad("anshin.sources.tickets.enabled = false",
        "anshin.sources.tickets.enabled is false, but tickets is required; only [cs_activities, help_center_views] may be disabled");
  }

  @Test
  void theTraceabilityAnalysesAreBoundWithEveryMistakeNamed() throws IOException {
    var defaults = AnshinConfig.load(null).traceability();
    assertThat(defaults.activityEffects().windowDays()).containsExactly(30, 90);
    assertThat(defaults.activityEffects().lookbackDays()).isEqualTo(365);
    assertThat(defaults.helpCenter()).isEqualTo(new dev.anshin.features.support.HelpCenterDeflection.Settings(7, 90, 20, 0.4));
    assertBad("anshin.customer-success.effect-windows = [30, 0]",
        "anshin.customer-success: effect-windows must be positive numbers of days, and at least one; got [30, 0]");
    assertBad("anshin.customer-success.lookback-days = 60",
        "anshin.customer-success: lookback-days is 60; it must exceed the longest window (90 days)");
    assertBad("anshin.help-center.failing-below = 1.5", "anshin.help-center: failing-below is 1.5; it must be a share within [0, 1]");
    assertBad("anshin.help-center.window-days = 0", "anshin.help-center: window-days is 0; it must be a positive number");
    assertBad("anshin.help-center.min-viewings = many", "help-center.min-viewings");
  }

  @Test
  void aMissingFileIsAConfigurationError() {
    assertThatThrownBy(() -> AnshinConfig.load(dir.resolve("nope.conf")))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("nope.conf does not exist")
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.CONFIG));
  }

  private void assertBad(String setting, String message) throws IOException {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, setting);
    assertThatThrownBy(() -> AnshinConfig.load(file))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.CONFIG));
  }
}
