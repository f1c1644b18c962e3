package dev.anshin.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.testing.HeadlessBrowser;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report page from hand-made data, without Spark: its figures, its escaping, and in a real browser. */
class ReportPageTest {
  private static final LocalDate DATE = LocalDate.parse("2026-03-15");

  @TempDir Path dir;

  private static BigDecimal money(String amount) {
    return new BigDecimal(amount);
  }

  private static ReportData.Month month(String first, String starting, String newMrr, String expansion, String reactivation,
      String contraction, String churned) {
    BigDecimal ending = money(starting).add(money(newMrr)).add(money(expansion)).add(money(reactivation))
        .subtract(money(contraction)).subtract(money(churned));
    double start = money(starting).doubleValue();
    // ChartMogul's net MRR churn counts reactivation with expansion (revenue_summary)
    Double nrr = start == 0 ? null : (start + money(expansion).doubleValue() + money(reactivation).doubleValue()
        - money(contraction).doubleValue() - money(churned).doubleValue()) / start;
    Double grr = start == 0 ? null : (start - money(contraction).doubleValue() - money(churned).doubleValue()) / start;
    double lost = money(contraction).doubleValue() + money(churned).doubleValue();
    Double quick = lost == 0 ? null : (money(newMrr).doubleValue() + money(expansion).doubleValue() + money(reactivation).doubleValue()) / lost;
    return new ReportData.Month(LocalDate.parse(first), money(starting), money(newMrr), money(expansion), money(reactivation),
        money(contraction), money(churned), ending, nrr, grr, quick, null, DATE);
  }

  /** A small portfolio; {@code scored} false is a lakehouse without a churn model yet. */
  static ReportData sample(boolean scored, String firstAccountName) {
    List<ReportData.TierDay> trend = new ArrayList<>();
    List<ReportData.SliDay> sli = new ArrayList<>();
    List<ReportData.SupportDay> support = new ArrayList<>();
    for (int i = 29; i >= 0; i--) {
      LocalDate day = DATE.minusDays(i);
      if (scored) {
        trend.add(new ReportData.TierDay(day, "high", 2 + i % 3, 150.0));
        trend.add(new ReportData.TierDay(day, "medium", 5, 90.0));
        trend.add(new ReportData.TierDay(day, "low", 40 - i % 3, 30.0));
      }
      sli.add(new ReportData.SliDay(day, 0.9993 + (i % 5) * 0.0001));
      support.add(new ReportData.SupportDay(day, 10 + i % 4, 9 + i % 3, 20 - i % 6, 1.5, 6.0, 20.0, 70.0,
          9, i % 10 == 0 ? 1 : 0, 8, i % 15 == 0 ? 1 : 0));
    }
    List<ReportData.CohortCell> cohorts = new ArrayList<>();
    List<ReportData.ForecastPoint> forecast = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      LocalDate cohort = LocalDate.parse("2025-12-01").plusMonths(c);
      for (int k = 0; k < 3 - c; k++) {
        cohorts.add(new ReportData.CohortCell(cohort, k, 10, 1.0 - 0.1 * k, 1.0 - 0.05 * k));
      }
      for (int p = 0; p <= 3 - c + 12; p++) {
        boolean projected = p > 2 - c;
        forecast.add(new ReportData.ForecastPoint(cohort, p, 10, projected ? null : Math.pow(0.9, p), Math.pow(0.91, p), projected));
      }
    }
    return new ReportData(DATE, Instant.parse("2026-03-16T02:10:00Z"), "/data/lakehouse",
        new ReportData.Totals(47, money("12345.67"), scored ? 270.0 : null, 3),
        scored ? List.of(new ReportData.TierCount("low", 40, money("9000.00"), 30.0), new ReportData.TierCount("high", 2, money("300.00"), 150.0),
            new ReportData.TierCount("medium", 5, money("3045.67"), 90.0)) : List.of(),
        trend,
        List.of(new ReportData.BandCount("green", 30, money("8000.00")), new ReportData.BandCount("red", 4, money("1000.00")),
            new ReportData.BandCount("yellow", 13, money("3345.67"))),
        List.of(month("2026-01-01", "10000", "500", "200", "0", "100", "300"), month("2026-02-01", "10300", "800", "300", "50", "200", "400"),
            month("2026-03-01", "10850", "1500", "0", "0", "0", "4.33")),
        cohorts, forecast,
        List.of(new ReportData.StatusCount("ok", 30), new ReportData.StatusCount("at_risk", 4), new ReportData.StatusCount("exhausted", 2),
            new ReportData.StatusCount("insufficient_data", 11)),
        List.of(new ReportData.BudgetRow("a7", "Seven", "team", 0.9978, 0.999, -1.2, "exhausted", "page")),
        sli, 0.999, support,
        List.of(new ReportData.ToilRow(LocalDate.parse("2026-03-02"), 1, "billing", 12, 480.0, 0.5, 240.0)),
        List.of(new ReportData.RiskAccount("a1", firstAccountName, "smb", "csm1", money("300.00"), scored ? 0.5 : null, scored ? "high" : null,
            scored ? 150.0 : null, 35.5, "red", scored ? List.of("renewal in 18 days", "3 open tickets") : List.of(),
            List.of("2 failed payments in 90 days", "usage down 60%"))),
        scored,
        List.of(new ReportData.RunStep("ingest", "succeeded", 12.5, 1000, 3, null, null),
            new ReportData.RunStep("score", "failed", 0.3, 0, 0, null, "no churn model")),
        List.of(new ReportData.QuarantineCount("usage_events", "duplicate_id", 2), new ReportData.QuarantineCount("accounts", "invalid_value", 1)));
  }

  @Test
  void aWaterfallsBarsRunFromStartingToEndingMrr() {
    // starting 10,300; +800 new, +300 expansion, +50 reactivation, -200 contraction, -400 churn: ending 10,850
    ReportCharts.Waterfall bars = ReportCharts.waterfall(sample(true, "x").months().get(1));
    List<double[]> spans = new ArrayList<>();
    for (int i = 0; i < bars.steps().size(); i++) {
      double bottom = bars.base().get(i);
      double height = bars.totals().get(i) + bars.gains().get(i) + bars.losses().get(i);
      spans.add(new double[] {bottom, bottom + height});
    }
    assertThat(bars.steps()).containsExactly("starting", "new", "expansion", "reactivation", "contraction", "churn", "ending");
    assertThat(spans).containsExactly(new double[] {0, 10300}, new double[] {10300, 11100}, new double[] {11100, 11400},
        new double[] {11400, 11450}, new double[] {11250, 11450}, new double[] {10850, 11250}, new double[] {0, 10850});
  }

  @Test
  void theBridgeIsTheLastCompleteMonth() {
    assertThat(sample(true, "x").bridgeMonth().month()).isEqualTo(LocalDate.parse("2026-02-01"));
  }

  @Test
  void whatTheCrmSendsIsShownAsTextNeverAsMarkup() {
    String html = ReportPage.render(sample(true, "<img src=x onerror=alert(1)> Acme & Co"));
    assertThat(html).contains("&lt;img src=x onerror=alert(1)&gt; Acme &amp; Co").doesNotContain("<img src=x");
  }

  @Test
  void withoutAModelThePageSaysSoAndRanksByHealth() {
    String html = ReportPage.render(sample(false, "Acme"));
    assertThat(html).contains("No churn scores for this date").contains("By lowest health score")
        .contains("data-metric=\"mrr_at_risk\">not scored<");
  }

  @Test
  void rendersInARealBrowserOnADesktopAndOnAPhone() throws Exception {
    HeadlessBrowser browser = HeadlessBrowser.require();
    Path page = dir.resolve("index.html");
    Files.writeString(page, ReportPage.render(sample(true, "Acme")), StandardCharsets.UTF_8);
    // 500 px is the narrowest window headless Chromium opens: a phone's width in the page's terms,
    // since nothing on it is wider than 460 px (the charts' minimum column) plus the margins.
    for (int width : new int[] {1280, 500}) {
      HeadlessBrowser.Inspection shown = browser.inspect(page, width, 900);
      assertThat(shown.errors()).as("errors at %d px", width).isEmpty();
      // Risk trend, bridge, MRR by month, retention, forecast, SLO statuses, platform SLI, ticket volume and times.
      assertThat(shown.images()).isEqualTo(9);
      assertThat(shown.imagesRendered()).as("charts decoded at %d px", width).isEqualTo(9);
      assertThat(shown.scrollWidth()).as("page width at a %d px window", width).isLessThanOrEqualTo(shown.viewportWidth());
      assertThat(shown.viewportWidth()).isEqualTo(width);
    }
    HeadlessBrowser.Inspection shown = browser.inspect(page, 1280, 900);
    // Figures as the data holds them: 12,345.67 of MRR shows rounded to 12,346; February's NRR is
    // (10,300 + 300 + 50 - 200 - 400) / 10,300 = 97.57%, its GRR (10,300 - 600) / 10,300 = 94.17%.
    assertThat(shown.metrics()).containsEntry("active_accounts", "47").containsEntry("mrr", "12,346")
        .containsEntry("mrr_at_risk", "270").containsEntry("high_risk_accounts", "2").containsEntry("red_health_accounts", "4")
        .containsEntry("bridge_month", "Feb 2026").containsEntry("nrr", "97.6%").containsEntry("grr", "94.2%")
        .containsEntry("net_new_mrr", "550").containsEntry("slo_exhausted", "2")
        // February's quick ratio (800 + 300 + 50) / (200 + 400); no trailing year in three months
        .containsEntry("quick_ratio", "1.92").containsEntry("trailing_12m_nrr", "n/a")
        // 30 days of 9 replies in time, a breach every tenth day (3): 270 / 273; 8 solves in time, a
        // breach every fifteenth day (2): 240 / 242
        .containsEntry("first_reply_sla", "98.9%").containsEntry("resolution_sla", "99.2%");
    assertThat(shown.table("risk-tiers")).extracting(row -> row.get(0)).containsExactly("tier", "high", "medium", "low");
    assertThat(shown.table("at-risk").get(1)).contains("Acme a1", "50.0%", "150", "35.5", "renewal in 18 days 3 open tickets");
    assertThat(shown.table("cohorts")).hasSize(4);
  }
}
