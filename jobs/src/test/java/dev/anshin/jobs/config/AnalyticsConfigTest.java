package dev.anshin.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.anshin.features.health.HealthSettings;
import dev.anshin.features.slo.SloSettings;
import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalyticsConfigTest {

  private static Config defaults() {
    return ConfigFactory.defaultReference(AnalyticsConfig.class.getClassLoader()).getConfig("anshin");
  }

  /** The defaults with some keys overridden, as a --conf file would. */
  private static Config with(String hocon) {
    return ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference(AnalyticsConfig.class.getClassLoader()))
        .resolve()
        .getConfig("anshin");
  }

  @Test
  void everySloDefault() {
    SloSettings slo = AnalyticsConfig.slo(defaults());
    assertThat(slo.windowDays()).isEqualTo(28);
    assertThat(slo.defaultTarget()).isEqualTo(new SloSettings.Target(0.999, 0.99, 500));
    assertThat(slo.planTargets()).isEmpty();
    assertThat(slo.segmentTargets()).isEmpty();
    assertThat(slo.minBudgetRequests()).isEqualTo(1.0);
    assertThat(slo.fallbackWindowDays()).isEqualTo(90);
    assertThat(slo.atRiskBudgetRemaining()).isEqualTo(0.25);
    // the workbook's table: 2% of the budget in 1 hour, 5% in 6 hours (page), 10% in 3 days (ticket)
    assertThat(slo.burnAlerts())
        .containsExactly(
            new SloSettings.BurnAlert("page", 0.02, 1, 1), new SloSettings.BurnAlert("page", 0.05, 6, 1),
            new SloSettings.BurnAlert("ticket", 0.10, 72, 6));
    assertThat(slo.minAlertBadRequests()).isEqualTo(10);
    assertThat(slo.callerErrors().toString()).isEqualTo("[400-499]");
    // the configuration file and the code agree on the defaults
    assertThat(slo).isEqualTo(SloSettings.defaults());
  }

  @Test
  void everyHealthDefault() {
    HealthSettings health = AnalyticsConfig.health(defaults());
    assertThat(health.weights()).isEqualTo(new HealthSettings.Weights(0.30, 0.25, 0.20, 0.15, 0.10));
    assertThat(health.bands()).isEqualTo(new HealthSettings.Bands(70, 40));
    HealthSettings.Thresholds t = health.thresholds();
    assertThat(t.seatUtilizationZero()).isEqualTo(0.10);
    assertThat(t.seatUtilizationFull()).isEqualTo(0.80);
    assertThat(t.activeDaysZero()).isEqualTo(0);
    assertThat(t.activeDaysFull()).isEqualTo(20);
    assertThat(t.budgetZero()).isEqualTo(0.0);
    assertThat(t.budgetFull()).isEqualTo(1.0);
    assertThat(t.errorRateZero()).isEqualTo(0.05);
    assertThat(t.errorRateFull()).isEqualTo(0.001);
    assertThat(t.supportIssuesZero()).isEqualTo(6);
    assertThat(t.billingIssuesZero()).isEqualTo(3);
    assertThat(t.trendZero()).isEqualTo(0.5);
    assertThat(t.trendFull()).isEqualTo(1.0);
    assertThat(health).isEqualTo(HealthSettings.defaults());
  }

  @Test
  void bindsEveryKey() {
    SloSettings slo =
        AnalyticsConfig.slo(
            with(
                """
                anshin.slo {
                  window-days = 30
                  default-target { availability = 0.995, latency = 0.95, latency-threshold-ms = 1000 }
                  plans { enterprise { availability = 0.9995, latency = 0.99, latency-threshold-ms = 250 } }
                  segments { "mid.market" { availability = 0.998, latency = 0.98, latency-threshold-ms = 500 } }
                  low-traffic { min-budget-requests = 0.5, fallback-window-days = 60 }
                  at-risk { budget-remaining-below = 0.1 }
                  alerts {
                    rules = [{ severity = ticket, budget-spent = 0.2, long-window-hours = 48, short-window-hours = 4 }]
                    min-bad-requests = 3
                  }
                  caller-error-statuses = ["400-428", 430-499, 404]
                }
                """));
    assertThat(slo)
        .isEqualTo(
            new SloSettings(
                30,
                new SloSettings.Target(0.995, 0.95, 1000),
                Map.of("enterprise", new SloSettings.Target(0.9995, 0.99, 250)),
                Map.of("mid.market", new SloSettings.Target(0.998, 0.98, 500)),
                0.5, 60, 0.1, List.of(new SloSettings.BurnAlert("ticket", 0.2, 48, 4)), 3,
                SloSettings.CallerErrors.parse(List.of("400-428", "430-499", "404"))));
    HealthSettings health =
        AnalyticsConfig.health(
            with(
                """
                anshin.health {
                  weights { usage = 4, reliability = 3, support = 2, billing = 1, trend = 0 }
                  bands { green = 80, yellow = 50 }
                  thresholds {
                    seat-utilization { zero = 0.2, full = 0.9 }
                    active-days { zero = 2, full = 15 }
                    error-budget { zero = -0.5, full = 0.8 }
                    error-rate { zero = 0.1, full = 0.01 }
                    support-issues { zero = 10 }
                    billing-issues { zero = 2 }
                    usage-trend { zero = 0.3, full = 1.2 }
                  }
                }
                """));
    assertThat(health)
        .isEqualTo(
            new HealthSettings(
                new HealthSettings.Weights(4, 3, 2, 1, 0),
                new HealthSettings.Bands(80, 50),
                new HealthSettings.Thresholds(0.2, 0.9, 2, 15, -0.5, 0.8, 0.1, 0.01, 10, 2, 0.3, 1.2)));
  }

  @Test
  void badValuesNameTheirKey() {
    assertBadConfig(
        () -> AnalyticsConfig.health(with("anshin.health.weights.usage = -1")),
        "anshin.health.weights.usage is -1; a weight must be zero or positive");
    assertBadConfig(
        () ->
            AnalyticsConfig.health(
                with(
                    "anshin.health.weights { usage = 0, reliability = 0, support = 0, billing = 0,"
                        + " trend = 0 }")),
        "anshin.health.weights are all 0");
    assertBadConfig(
        () -> AnalyticsConfig.health(with("anshin.health.bands.yellow = 75")),
        "anshin.health.bands.yellow (75) and anshin.health.bands.green (70)");
    assertBadConfig(
        () -> AnalyticsConfig.health(with("anshin.health.thresholds.usage-trend.full = 0.5")),
        "usage trend thresholds must be two different numbers");
    assertBadConfig(
        () -> AnalyticsConfig.slo(with("anshin.slo.default-target.latency-threshold-ms = 300")),
        "anshin.slo.default-target.latency-threshold-ms is 300; expected one of 100, 250, 500, 1000, 2000");
    assertBadConfig(
        () ->
            AnalyticsConfig.slo(
                with("anshin.slo.plans.pro { availability = 1.5, latency = 0.99, latency-threshold-ms = 500 }")),
        "anshin.slo.plans.pro.availability is 1.5; a target must be above 0 and below 1");
    assertBadConfig(
        () -> AnalyticsConfig.slo(with("anshin.slo.plans.pro { availability = 0.99 }")),
        "anshin.slo.plans.pro.latency is missing");
    assertBadConfig(
        () -> AnalyticsConfig.slo(with("anshin.slo.low-traffic.fallback-window-days = 7")),
        "anshin.slo.low-traffic.fallback-window-days is 7; it must be at least anshin.slo.window-days (28)");
    assertBadConfig(
        () -> AnalyticsConfig.slo(with("anshin.slo.window-days = many")),
        "anshin.slo.window-days has the wrong type");
  }

  private static void assertBadConfig(Runnable bind, String message) {
    assertThatThrownBy(bind::run)
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.CONFIG));
  }
}
