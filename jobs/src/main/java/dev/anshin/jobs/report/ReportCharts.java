package dev.anshin.jobs.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import java.sql.Date;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart as PNG images: no script or network needed to show them.
 * Each method returns the image, or null when there is nothing to draw.
 */
final class ReportCharts {
  static final int WIDTH = 640;
  static final int HEIGHT = 360;

  static final Color RED = new Color(0xC0392B);
  static final Color AMBER = new Color(0xE08E0B);
  static final Color GREEN = new Color(0x2E8B57);
  static final Color BLUE = new Color(0x2F6DB5);
  static final Color GREY = new Color(0x7F8C8D);
  static final Color PURPLE = new Color(0x7D3C98);
  static final Color TEAL = new Color(0x16A085);
  private static final Color[] PALETTE = {BLUE, RED, GREEN, AMBER, PURPLE, TEAL, GREY};
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMM yy", Locale.ROOT);

  private ReportCharts() {}

  /** Accounts per risk tier on each scored day. */
  static byte[] riskTrend(List<ReportData.TierDay> days) {
    if (days.isEmpty()) {
      return null;
    }
    XYChart chart = xy("Accounts by churn risk tier", "accounts");
    Map<String, Color> colours = Map.of("high", RED, "medium", AMBER, "low", GREEN);
    for (String tier : List.of("high", "medium", "low")) {
      List<ReportData.TierDay> ofTier = days.stream().filter(d -> d.tier().equals(tier)).toList();
      if (!ofTier.isEmpty()) {
        XYSeries series = chart.addSeries(tier, ofTier.stream().map(d -> Date.valueOf(d.date())).toList(),
            ofTier.stream().map(ReportData.TierDay::accounts).toList());
        series.setLineColor(colours.get(tier));
        series.setMarkerColor(colours.get(tier));
      }
    }
    return png(chart);
  }

  /** The bars of a month's MRR waterfall: each step's invisible base and its visible height. */
  record Waterfall(List<String> steps, List<Double> base, List<Double> totals, List<Double> gains, List<Double> losses) {}

  static final List<String> BRIDGE_STEPS = List.of("starting", "new", "expansion", "reactivation", "contraction", "churn", "ending");

  /**
   * Starting and ending MRR stand on the axis; each movement floats where the running MRR was:
   * gains rise from it, losses hang down to it.
   */
  static Waterfall waterfall(ReportData.Month month) {
    double[] gains = {month.newMrr().doubleValue(), month.expansion().doubleValue(), month.reactivation().doubleValue()};
    double[] losses = {month.contraction().doubleValue(), month.churned().doubleValue()};
    List<Double> base = new ArrayList<>(List.of(0.0));
    List<Double> up = new ArrayList<>(List.of(0.0));
    List<Double> down = new ArrayList<>(List.of(0.0));
    double running = month.starting().doubleValue();
    for (double gain : gains) {
      base.add(running);
      up.add(gain);
      down.add(0.0);
      running += gain;
    }
    for (double loss : losses) {
      running -= loss;
      base.add(running);
      up.add(0.0);
      down.add(loss);
    }
    base.add(0.0);
    up.add(0.0);
    down.add(0.0);
    List<Double> totals = List.of(month.starting().doubleValue(), 0.0, 0.0, 0.0, 0.0, 0.0, month.ending().doubleValue());
    return new Waterfall(BRIDGE_STEPS, base, totals, up, down);
  }

  /** The waterfall of one month's MRR: starting, each movement, ending. */
  static byte[] bridge(ReportData.Month month) {
    if (month == null) {
      return null;
    }
    Waterfall bars = waterfall(month);
    CategoryChart chart = category("MRR bridge, " + month.month().format(DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ROOT)), "MRR");
    chart.getStyler().setLegendVisible(false);
    // Overlapped bars from the axis, drawn in order: each movement's bar reaches the top of its step
    // and a bar of the background's colour then covers it up to its base, leaving it floating.
    chart.getStyler().setOverlapped(true);
    chart.getStyler().setYAxisDecimalPattern("#,###");
    // An axis from zero would shrink a month's movements to slivers beside its MRR: it starts below
    // the lowest level the MRR passes through, by half the range of those levels (never below zero).
    List<Double> tops = new ArrayList<>();
    double low = Double.MAX_VALUE;
    double high = 0;
    for (int i = 0; i < bars.steps().size(); i++) {
      double top = bars.base().get(i) + bars.totals().get(i) + bars.gains().get(i) + bars.losses().get(i);
      tops.add(top);
      low = Math.min(low, bars.totals().get(i) > 0 ? top : bars.base().get(i));
      high = Math.max(high, top);
    }
    chart.getStyler().setYAxisMin(Math.max(0, low - Math.max(0.5 * (high - low), 0.02 * high)));
    add(chart, "MRR", bars.steps(), bars.totals(), BLUE);
    add(chart, "gained", bars.steps(), only(tops, bars.gains()), GREEN);
    add(chart, "lost", bars.steps(), only(tops, bars.losses()), RED);
    add(chart, "mask", bars.steps(), only(bars.base(), bars.totals().stream().map(t -> t > 0 ? 0.0 : 1.0).toList()), Color.WHITE);
    return png(chart);
  }

  /** Months the revenue charts show: a year and the month before it, to compare like with like. */
  static final int CHART_MONTHS = 13;

  private static List<ReportData.Month> recent(List<ReportData.Month> months) {
    return months.subList(Math.max(0, months.size() - CHART_MONTHS), months.size());
  }

  /** values[i] where selector[i] is not zero, else zero. */
  private static List<Double> only(List<Double> values, List<Double> selector) {
    List<Double> selected = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      selected.add(selector.get(i) != 0 ? values.get(i) : 0.0);
    }
    return selected;
  }

  /** Net and gross revenue retention per month, in percent. */
  static byte[] retention(List<ReportData.Month> months) {
    List<ReportData.Month> rated = recent(months).stream().filter(m -> m.nrr() != null).toList();
    if (rated.isEmpty()) {
      return null;
    }
    XYChart chart = xy("Revenue retention by month", "% of starting MRR");
    List<java.util.Date> x = rated.stream().map(m -> (java.util.Date) Date.valueOf(m.month())).toList();
    line(chart, "net (NRR)", x, rated.stream().map(m -> 100 * m.nrr()).toList(), BLUE, SeriesLines.SOLID);
    line(chart, "gross (GRR)", x, rated.stream().map(m -> m.grr() == null ? null : 100 * m.grr()).toList(), PURPLE, SeriesLines.SOLID);
    chart.getStyler().setDatePattern("MMM yy");
    return png(chart);
  }

  /** Ending MRR per month. */
  static byte[] mrrByMonth(List<ReportData.Month> months) {
    if (months.isEmpty()) {
      return null;
    }
    CategoryChart chart = category("MRR at the end of the last " + CHART_MONTHS + " months", "MRR");
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisDecimalPattern("#,###");
    chart.getStyler().setXAxisLabelRotation(45);
    add(chart, "ending MRR", recent(months).stream().map(m -> m.month().format(MONTH)).toList(),
        recent(months).stream().map(m -> m.ending().doubleValue()).toList(), BLUE);
    return png(chart);
  }

  /** Observed and projected survival of the latest fitted cohorts (the sBG forecast). */
  static byte[] forecast(List<ReportData.ForecastPoint> points) {
    if (points.isEmpty()) {
      return null;
    }
    XYChart chart = xy("Cohort survival: observed (solid) and sBG forecast (dashed)", "share of the cohort still active");
    chart.setXAxisTitle("months since signup");
    Map<LocalDate, List<ReportData.ForecastPoint>> byCohort = new TreeMap<>();
    points.forEach(p -> byCohort.computeIfAbsent(p.cohort(), c -> new ArrayList<>()).add(p));
    int i = 0;
    for (Map.Entry<LocalDate, List<ReportData.ForecastPoint>> cohort : byCohort.entrySet()) {
      Color colour = PALETTE[i++ % PALETTE.length];
      String name = cohort.getKey().format(MONTH);
      List<ReportData.ForecastPoint> observed = cohort.getValue().stream().filter(p -> p.observed() != null).toList();
      List<ReportData.ForecastPoint> expected = cohort.getValue().stream().filter(p -> p.expected() != null).toList();
      if (!observed.isEmpty()) {
        line(chart, name, observed.stream().map(p -> (Number) p.period()).toList(),
            observed.stream().map(ReportData.ForecastPoint::observed).toList(), colour, SeriesLines.SOLID);
      }
      if (!expected.isEmpty()) {
        XYSeries series = line(chart, name + " forecast", expected.stream().map(p -> (Number) p.period()).toList(),
            expected.stream().map(ReportData.ForecastPoint::expected).toList(), colour, SeriesLines.DASH_DASH);
        series.setShowInLegend(false);
      }
    }
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    return png(chart);
  }

  /** Accounts per SLO status on the date. */
  static byte[] sloStatuses(List<ReportData.StatusCount> statuses) {
    if (statuses.isEmpty()) {
      return null;
    }
    List<String> order = List.of("ok", "at_risk", "exhausted", "insufficient_data");
    Map<String, Color> colours = Map.of("ok", GREEN, "at_risk", AMBER, "exhausted", RED, "insufficient_data", GREY);
    CategoryChart chart = category("Accounts by SLO status", "accounts");
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setOverlapped(true);
    List<String> present = order.stream().filter(s -> statuses.stream().anyMatch(c -> c.status().equals(s))).toList();
    for (String status : present) {
      // One series per status, zero elsewhere, so that each bar takes its status's colour.
      add(chart, status, present, present.stream().map(s -> s.equals(status)
          ? (double) statuses.stream().filter(c -> c.status().equals(s)).mapToLong(ReportData.StatusCount::accounts).sum() : 0.0).toList(),
          colours.getOrDefault(status, BLUE));
    }
    return png(chart);
  }

  /** The platform's availability SLI over the SLO window, against the default target. */
  static byte[] platformSli(List<ReportData.SliDay> days, double target) {
    if (days.isEmpty()) {
      return null;
    }
    XYChart chart = xy("Platform availability (SLO window)", "% of valid requests good");
    List<java.util.Date> x = days.stream().map(d -> (java.util.Date) Date.valueOf(d.date())).toList();
    line(chart, "platform SLI", x, days.stream().map(d -> 100 * d.sli()).toList(), BLUE, SeriesLines.SOLID);
    line(chart, "default target", x, days.stream().map(d -> 100 * target).toList(), RED, SeriesLines.DASH_DASH);
    chart.getStyler().setYAxisDecimalPattern("0.00");
    return png(chart);
  }

  /** Tickets created and solved per day, and the backlog. */
  static byte[] supportVolume(List<ReportData.SupportDay> days) {
    if (days.isEmpty()) {
      return null;
    }
    XYChart chart = xy("Tickets per day", "tickets");
    List<java.util.Date> x = days.stream().map(d -> (java.util.Date) Date.valueOf(d.date())).toList();
    line(chart, "created", x, days.stream().map(d -> (Number) d.created()).toList(), BLUE, SeriesLines.SOLID);
    line(chart, "solved", x, days.stream().map(d -> (Number) d.solved()).toList(), GREEN, SeriesLines.SOLID);
    line(chart, "backlog", x, days.stream().map(d -> (Number) d.backlog()).toList(), GREY, SeriesLines.DASH_DASH);
    return png(chart);
  }

  /** First reply and resolution times, median and 90th percentile, per day. */
  static byte[] supportTimes(List<ReportData.SupportDay> days) {
    if (days.stream().allMatch(d -> d.firstReplyP50() == null && d.resolutionP50() == null)) {
      return null;
    }
    XYChart chart = xy("First reply and resolution time", "hours");
    List<java.util.Date> x = days.stream().map(d -> (java.util.Date) Date.valueOf(d.date())).toList();
    line(chart, "first reply p50", x, days.stream().map(d -> (Number) d.firstReplyP50()).toList(), BLUE, SeriesLines.SOLID);
    line(chart, "first reply p90", x, days.stream().map(d -> (Number) d.firstReplyP90()).toList(), BLUE, SeriesLines.DASH_DASH);
    line(chart, "resolution p50", x, days.stream().map(d -> (Number) d.resolutionP50()).toList(), PURPLE, SeriesLines.SOLID);
    line(chart, "resolution p90", x, days.stream().map(d -> (Number) d.resolutionP90()).toList(), PURPLE, SeriesLines.DASH_DASH);
    return png(chart);
  }

  // --- building blocks ---

  private static XYChart xy(String title, String yTitle) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setDatePattern("MMM d");
    chart.getStyler().setMarkerSize(0);
    return chart;
  }

  private static CategoryChart category(String title, String yTitle) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setAvailableSpaceFill(0.7);
    return chart;
  }

  private static void style(AxesChartStyler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderVisible(false);
    styler.setChartTitleBoxVisible(false);
    styler.setLegendBorderColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setPlotGridLinesColor(new Color(0xE5E7EB));
    styler.setAxisTickLabelsColor(new Color(0x374151));
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    styler.setChartTitleFont(font.deriveFont(Font.BOLD, 15f));
    styler.setAxisTitleFont(font);
    styler.setAxisTickLabelsFont(font.deriveFont(12f));
    styler.setLegendFont(font);
    styler.setAntiAlias(true);
  }

  private static void add(CategoryChart chart, String name, List<String> x, List<Double> y, Color colour) {
    CategorySeries series = chart.addSeries(name, x, y);
    series.setFillColor(colour);
    series.setLineColor(colour);
  }

  private static XYSeries line(XYChart chart, String name, List<?> x, List<? extends Number> y, Color colour,
      java.awt.BasicStroke stroke) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setLineColor(colour);
    series.setMarkerColor(colour);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineStyle(stroke);
    return series;
  }

  /** Charts are drawn at twice their size, sharp on a phone's or a laptop's high-density screen. */
  static final int SCALE = 2;

  /**
   * The chart as a PNG. Not SVG: XChart draws every glyph of its text as a path, 150-270 KB of SVG
   * a chart (2.5 MB for the page) against about a tenth of that as a PNG at twice the size.
   */
  static byte[] png(Chart<?, ?> chart) {
    BufferedImage image = new BufferedImage(chart.getWidth() * SCALE, chart.getHeight() * SCALE, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    try {
      graphics.scale(SCALE, SCALE);
      chart.paint(graphics, chart.getWidth(), chart.getHeight());
    } finally {
      graphics.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
