package dev.anshin.jobs.report;

import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The run report as one self-contained HTML page: styles inline, charts as PNG images in data URIs,
 * no script, nothing fetched. Readable on a
 * phone: the sections stack below 700 pixels and wide tables scroll on their own.
 *
 * <p>Every figure a test or a reader may look up carries a {@code data-metric} attribute, and every
 * table a {@code data-table} one.
 */
public final class ReportPage {
  private ReportPage() {}

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMM yyyy", Locale.ROOT);

  private static final String STYLE = """
      :root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --red: #c0392b; --amber: #b9770e; --green: #2e8b57; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f9fafb; }
      main { max-width: 1180px; margin: 0 auto; padding: 16px; }
      header h1 { font-size: 1.5rem; margin: 0 0 4px; }
      header p { margin: 0; color: var(--muted); }
      nav { margin: 12px 0 4px; display: flex; flex-wrap: wrap; gap: 6px 14px; }
      nav a { color: #2f6db5; text-decoration: none; }
      section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 16px 0; }
      h2 { font-size: 1.2rem; margin: 0 0 10px; }
      h3 { font-size: 1rem; margin: 12px 0 6px; }
      .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
      .tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
      .tile .value { font-size: 1.35rem; font-weight: 600; }
      .tile .label { color: var(--muted); font-size: .85rem; }
      .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: 12px; }
      figure { margin: 0; max-width: 760px; }
      figure img { width: 100%; height: auto; display: block; }
      .scroll { overflow-x: auto; }
      table { border-collapse: collapse; width: 100%; font-size: .9rem; }
      th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
      th { color: var(--muted); font-weight: 600; white-space: nowrap; }
      td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
      .empty { color: var(--muted); font-style: italic; }
      .high, .red, .exhausted, .failed { color: var(--red); font-weight: 600; }
      .medium, .yellow, .at_risk { color: var(--amber); font-weight: 600; }
      .low, .green, .ok, .succeeded { color: var(--green); }
      ul.reasons { margin: 0; padding-left: 18px; }
      table.heat { width: auto; }
      .heat td { text-align: center; min-width: 3.6em; }
      footer { color: var(--muted); font-size: .85rem; margin: 20px 0; }
      """;

  /** The whole page. */
  public static String render(ReportData data) {
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>Anshin report ").append(data.date()).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n");
    header(html, data);
    portfolio(html, data);
    atRisk(html, data);
    revenue(html, data);
    reliability(html, data);
    support(html, data);
    run(html, data);
    html.append("<footer>Anshin, a Customer Reliability Engineering job for Apache Spark. Definitions of every column: docs/tables.md.</footer>\n")
        .append("</main>\n</body>\n</html>\n");
    return html.toString();
  }

  private static void header(StringBuilder html, ReportData data) {
    html.append("<header>\n<h1>Customer reliability report, ").append(data.date()).append("</h1>\n")
        .append("<p>Data delivered through the end of ").append(data.date()).append(" (UTC). Generated ")
        .append(STAMP.format(data.generatedAt())).append(" from ").append(escape(data.lakehouse())).append(".</p>\n")
        .append("<nav><a href=\"#portfolio\">Portfolio risk</a><a href=\"#at-risk\">Accounts at risk</a><a href=\"#revenue\">Revenue</a>")
        .append("<a href=\"#reliability\">Reliability</a><a href=\"#support\">Support</a><a href=\"#run\">The run</a></nav>\n</header>\n");
  }

  private static void portfolio(StringBuilder html, ReportData data) {
    ReportData.Totals totals = data.totals();
    html.append("<section id=\"portfolio\">\n<h2>Portfolio risk</h2>\n<div class=\"tiles\">\n");
    tile(html, "active_accounts", String.format(Locale.ROOT, "%,d", totals.activeAccounts()), "active accounts");
    tile(html, "mrr", money(totals.mrr()), "MRR");
    tile(html, "mrr_at_risk", totals.mrrAtRisk() == null ? "not scored" : money(totals.mrrAtRisk()), "MRR at risk (expected churn)");
    long high = data.riskTiers().stream().filter(t -> t.tier().equals("high")).mapToLong(ReportData.TierCount::accounts).sum();
    tile(html, "high_risk_accounts", data.scored() ? Long.toString(high) : "not scored", "high-risk accounts");
    long red = data.healthBands().stream().filter(b -> b.band().equals("red")).mapToLong(ReportData.BandCount::accounts).sum();
    tile(html, "red_health_accounts", Long.toString(red), "accounts in red health");
    html.append("</div>\n");
    if (data.scored()) {
      html.append("<h3>By churn risk tier</h3>\n");
      table(html, "risk-tiers", List.of("tier", "#accounts", "#MRR", "#MRR at risk"),
          order(data.riskTiers(), ReportData.TierCount::tier, List.of("high", "medium", "low")).stream()
              .map(t -> List.of(cls(t.tier(), t.tier()), Long.toString(t.accounts()), money(t.mrr()), money(t.mrrAtRisk()))).toList());
    } else {
      html.append("<p class=\"empty\">No churn scores for this date: no model has been trained through it yet. The health bands below rank the accounts meanwhile.</p>\n");
    }
    html.append("<h3>By health band</h3>\n");
    table(html, "health-bands", List.of("band", "#accounts", "#MRR"),
        order(data.healthBands(), ReportData.BandCount::band, List.of("red", "yellow", "green", "no data")).stream()
            .map(b -> List.of(cls(b.band(), b.band()), Long.toString(b.accounts()), money(b.mrr()))).toList());
    charts(html, figure(ReportCharts.riskTrend(data.riskTrend()), "Accounts by churn risk tier over the last " + ReportData.TREND_DAYS + " days"));
    html.append("</section>\n");
  }

  private static void atRisk(StringBuilder html, ReportData data) {
    html.append("<section id=\"at-risk\">\n<h2>Accounts most at risk</h2>\n<p>")
        .append(data.scored() ? "By MRR at risk (MRR x churn probability)." : "By lowest health score (no churn scores yet).")
        .append(" Drivers: what raises the churn model's risk for the account most, strongest first.")
        .append(" Reasons: the health components below the green band, weakest first.</p>\n");
    table(html, "at-risk", List.of("account", "segment", "CSM", "#MRR", "#churn probability", "tier", "#MRR at risk", "#health", "drivers", "reasons"),
        data.atRisk().stream().map(a -> List.of(
            escape(a.name() == null ? a.accountId() : a.name()) + "<br><small>" + escape(a.accountId()) + "</small>",
            escape(a.segment()), escape(a.owner()), money(a.mrr()),
            a.churnProbability() == null ? "" : percent(a.churnProbability(), 1),
            a.tier() == null ? "" : cls(a.tier(), a.tier()),
            a.mrrAtRisk() == null ? "" : money(a.mrrAtRisk()),
            a.healthScore() == null ? "" : cls(a.healthBand(), String.format(Locale.ROOT, "%.1f", a.healthScore())),
            bullets(a.drivers()),
            bullets(a.reasons()))).toList());
    html.append("</section>\n");
  }

  /** A list in a cell, or nothing. */
  private static String bullets(List<String> items) {
    return items.isEmpty() ? "" : "<ul class=\"reasons\">" + items.stream().map(r -> "<li>" + escape(r) + "</li>")
        .reduce("", String::concat) + "</ul>";
  }

  private static void revenue(StringBuilder html, ReportData data) {
    html.append("<section id=\"revenue\">\n<h2>Revenue</h2>\n");
    ReportData.Month bridge = data.bridgeMonth();
    if (bridge != null) {
      html.append("<div class=\"tiles\">\n");
      tile(html, "bridge_month", bridge.month().format(MONTH), "month of the bridge");
      tile(html, "starting_mrr", money(bridge.starting()), "starting MRR");
      tile(html, "net_new_mrr", money(bridge.ending().subtract(bridge.starting())), "net new MRR");
      tile(html, "ending_mrr", money(bridge.ending()), "ending MRR");
      tile(html, "nrr", bridge.nrr() == null ? "n/a" : percent(bridge.nrr(), 1), "net revenue retention");
      tile(html, "grr", bridge.grr() == null ? "n/a" : percent(bridge.grr(), 1), "gross revenue retention");
      tile(html, "quick_ratio", bridge.quickRatio() == null ? "n/a" : String.format(Locale.ROOT, "%.2f", bridge.quickRatio()),
          "quick ratio: (new + expansion + reactivation) / (contraction + churn)");
      tile(html, "trailing_12m_nrr", bridge.trailingNrr() == null ? "n/a" : percent(bridge.trailingNrr(), 1),
          "net revenue retention over the last 12 months");
      html.append("</div>\n");
    }
    charts(html,
        figure(ReportCharts.bridge(bridge), "MRR bridge of the last complete month"),
        figure(ReportCharts.mrrByMonth(data.months()), "MRR at the end of each of the last 13 months"),
        figure(ReportCharts.retention(data.months()), "Net and gross revenue retention over the last 13 months"),
        figure(ReportCharts.forecast(data.forecast()), "Observed and forecast survival of the latest cohorts"));
    html.append("<h3>MRR movements by month</h3>\n");
    table(html, "revenue-months", List.of("month", "#starting", "#new", "#expansion", "#reactivation", "#contraction", "#churned", "#ending", "#NRR", "#GRR"),
        data.months().stream().map(m -> List.of(m.month().format(MONTH), money(m.starting()), money(m.newMrr()), money(m.expansion()),
            money(m.reactivation()), money(m.contraction()), money(m.churned()), money(m.ending()),
            m.nrr() == null ? "" : percent(m.nrr(), 1), m.grr() == null ? "" : percent(m.grr(), 1))).toList());
    cohorts(html, data.cohorts());
    html.append("</section>\n");
  }

  /** The cohort heat map: logo retention by signup month and months since signup. */
  private static void cohorts(StringBuilder html, List<ReportData.CohortCell> cells) {
    html.append("<h3>Logo retention by signup cohort</h3>\n");
    if (cells.isEmpty()) {
      html.append("<p class=\"empty\">No cohorts yet.</p>\n");
      return;
    }
    int periods = cells.stream().mapToInt(ReportData.CohortCell::monthsSinceStart).max().orElse(0);
    html.append("<div class=\"scroll\"><table class=\"heat\" data-table=\"cohorts\">\n<tr><th>cohort</th><th class=\"num\">accounts</th>");
    for (int k = 0; k <= periods; k++) {
      html.append("<th>").append(k).append("</th>");
    }
    html.append("</tr>\n");
    Map<java.time.LocalDate, List<ReportData.CohortCell>> byCohort = new java.util.TreeMap<>();
    cells.forEach(c -> byCohort.computeIfAbsent(c.cohort(), x -> new java.util.ArrayList<>()).add(c));
    for (Map.Entry<java.time.LocalDate, List<ReportData.CohortCell>> cohort : byCohort.entrySet()) {
      html.append("<tr><th>").append(cohort.getKey().format(MONTH)).append("</th><td class=\"num\">")
          .append(cohort.getValue().get(0).cohortAccounts()).append("</td>");
      for (int k = 0; k <= periods; k++) {
        int period = k;
        ReportData.CohortCell cell = cohort.getValue().stream().filter(c -> c.monthsSinceStart() == period).findFirst().orElse(null);
        if (cell == null) {
          html.append("<td></td>");
        } else {
          // From red (0%) through amber to green (100%), light enough for dark text.
          double hue = 120 * Math.max(0, Math.min(1, cell.logoRetention()));
          html.append(String.format(Locale.ROOT, "<td style=\"background:hsl(%.0f,60%%,80%%)\">%.0f%%</td>", hue, 100 * cell.logoRetention()));
        }
      }
      html.append("</tr>\n");
    }
    html.append("</table></div>\n");
  }

  private static void reliability(StringBuilder html, ReportData data) {
    html.append("<section id=\"reliability\">\n<h2>Reliability</h2>\n<div class=\"tiles\">\n");
    for (String status : List.of("ok", "at_risk", "exhausted", "insufficient_data")) {
      long accounts = data.sloStatuses().stream().filter(s -> s.status().equals(status)).mapToLong(ReportData.StatusCount::accounts).sum();
      tile(html, "slo_" + status, Long.toString(accounts), "accounts " + status.replace('_', ' '));
    }
    html.append("</div>\n");
    charts(html,
        figure(ReportCharts.sloStatuses(data.sloStatuses()), "Accounts by SLO status"),
        figure(ReportCharts.platformSli(data.platformSli(), data.availabilityTarget()), "Platform availability over the last " + ReportData.TREND_DAYS + " days"));
    html.append("<h3>Lowest error budgets</h3>\n");
    table(html, "worst-budgets", List.of("account", "plan", "#availability", "#target", "#budget left", "status", "alert"),
        data.worstBudgets().stream().map(b -> List.of(escape(b.name() == null ? b.accountId() : b.name()), escape(b.plan()),
            percent(b.availabilitySli(), 3), percent(b.target(), 2), percent(b.budgetRemaining(), 0), cls(b.status(), b.status()),
            b.alert() == null ? "" : cls("red", b.alert()))).toList());
    html.append("</section>\n");
  }

  private static void support(StringBuilder html, ReportData data) {
    html.append("<section id=\"support\">\n<h2>Support</h2>\n");
    long replyMet = data.support().stream().mapToLong(ReportData.SupportDay::firstReplySlaAchieved).sum();
    long replyMissed = data.support().stream().mapToLong(ReportData.SupportDay::firstReplySlaBreached).sum();
    long solveMet = data.support().stream().mapToLong(ReportData.SupportDay::resolutionSlaAchieved).sum();
    long solveMissed = data.support().stream().mapToLong(ReportData.SupportDay::resolutionSlaBreached).sum();
    html.append("<div class=\"tiles\">\n");
    tile(html, "first_reply_sla", replyMet + replyMissed == 0 ? "no SLA" : percent((double) replyMet / (replyMet + replyMissed), 1),
        "first replies within SLA (" + replyMissed + " breached)");
    tile(html, "resolution_sla", solveMet + solveMissed == 0 ? "no SLA" : percent((double) solveMet / (solveMet + solveMissed), 1),
        "resolutions within SLA (" + solveMissed + " breached)");
    html.append("</div>\n");
    charts(html,
        figure(ReportCharts.supportVolume(data.support()), "Tickets created, solved and the backlog per day"),
        figure(ReportCharts.supportTimes(data.support()), "First reply and resolution times, p50 and p90"));
    html.append("<h3>Top toil topics").append(data.toil().isEmpty() ? "" : ", week of " + data.toil().get(0).weekStart()).append("</h3>\n");
    table(html, "toil", List.of("#rank", "category", "#tickets", "#handle minutes", "#repeat rate", "#toil score"),
        data.toil().stream().map(t -> List.of(Integer.toString(t.rank()), escape(t.category()), Long.toString(t.tickets()),
            String.format(Locale.ROOT, "%,.0f", t.handleMinutes()), percent(t.repeatRate(), 0),
            String.format(Locale.ROOT, "%,.0f", t.toilScore()))).toList());
    html.append("</section>\n");
  }

  private static void run(StringBuilder html, ReportData data) {
    html.append("<section id=\"run\">\n<h2>The run</h2>\n");
    table(html, "run-steps", List.of("step", "outcome", "#seconds", "#rows written", "#rows rejected", "details"),
        data.run().stream().map(s -> List.of(escape(s.step()), cls(s.outcome(), s.outcome()), String.format(Locale.ROOT, "%.1f", s.seconds()),
            String.format(Locale.ROOT, "%,d", s.rowsWritten()), String.format(Locale.ROOT, "%,d", s.rowsRejected()),
            escape(s.error() != null ? s.error() : s.details()))).toList());
    html.append("<h3>Quarantined on this date, by reason</h3>\n");
    table(html, "quarantine", List.of("source", "reason", "#rows"),
        data.quarantine().stream().map(q -> List.of(escape(q.source()), escape(q.reason()), Long.toString(q.rows()))).toList());
    html.append("</section>\n");
  }

  // --- building blocks ---

  private static void tile(StringBuilder html, String metric, String value, String label) {
    html.append("<div class=\"tile\"><div class=\"value\" data-metric=\"").append(metric).append("\">").append(escape(value))
        .append("</div><div class=\"label\">").append(escape(label)).append("</div></div>\n");
  }

  /** A table; a header starting with # is numeric (right-aligned), cells are HTML already escaped. */
  private static void table(StringBuilder html, String name, List<String> headers, List<List<String>> rows) {
    if (rows.isEmpty()) {
      html.append("<p class=\"empty\" data-table=\"").append(name).append("\">Nothing to show for this date.</p>\n");
      return;
    }
    html.append("<div class=\"scroll\"><table data-table=\"").append(name).append("\">\n<tr>");
    for (String header : headers) {
      boolean numeric = header.startsWith("#");
      html.append(numeric ? "<th class=\"num\">" : "<th>").append(escape(numeric ? header.substring(1) : header)).append("</th>");
    }
    html.append("</tr>\n");
    for (List<String> row : rows) {
      html.append("<tr>");
      for (int i = 0; i < row.size(); i++) {
        html.append(headers.get(i).startsWith("#") ? "<td class=\"num\">" : "<td>").append(row.get(i)).append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</table></div>\n");
  }

  private static String figure(byte[] png, String caption) {
    if (png == null) {
      return "<p class=\"empty\">" + escape(caption) + ": no data yet.</p>";
    }
    String data = Base64.getEncoder().encodeToString(png);
    return "<figure><img alt=\"" + escape(caption) + "\" width=\"" + ReportCharts.WIDTH + "\" height=\"" + ReportCharts.HEIGHT
        + "\" src=\"data:image/png;base64," + data + "\"></figure>";
  }

  private static void charts(StringBuilder html, String... figures) {
    html.append("<div class=\"charts\">\n");
    for (String figure : figures) {
      html.append(figure).append("\n");
    }
    html.append("</div>\n");
  }

  private static <T> List<T> order(List<T> items, Function<T, String> key, List<String> order) {
    return items.stream().sorted(java.util.Comparator.comparingInt(i -> {
      int at = order.indexOf(key.apply(i));
      return at < 0 ? order.size() : at;
    })).toList();
  }

  private static String cls(String cssClass, String text) {
    return cssClass == null ? escape(text) : "<span class=\"" + escape(cssClass) + "\">" + escape(text) + "</span>";
  }

  static String money(BigDecimal amount) {
    return amount == null ? "" : String.format(Locale.ROOT, "%,.0f", amount);
  }

  static String money(double amount) {
    return String.format(Locale.ROOT, "%,.0f", amount);
  }

  static String percent(double ratio, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f%%", 100 * ratio);
  }

  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
