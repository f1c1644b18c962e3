package dev.anshin.jobs.report;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.churn.ChurnScores;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the run report shows for one date, read from the lakehouse: small summaries collected to the
 * driver (a few hundred rows at most), so that rendering needs no Spark. A table the lakehouse does
 * not hold yet gives an empty section, never a failure: a young lakehouse has no scores.
 */
public record ReportData(
    LocalDate date,
    Instant generatedAt,
    String lakehouse,
    Totals totals,
    List<TierCount> riskTiers,
    List<TierDay> riskTrend,
    List<BandCount> healthBands,
    List<Month> months,
    List<CohortCell> cohorts,
    List<ForecastPoint> forecast,
    List<StatusCount> sloStatuses,
    List<BudgetRow> worstBudgets,
    List<SliDay> platformSli,
    double availabilityTarget,
    List<SupportDay> support,
    List<ToilRow> toil,
    List<RiskAccount> atRisk,
    boolean scored,
    List<RunStep> run,
    List<QuarantineCount> quarantine) {

  /** Days of history the trend charts show. */
  public static final int TREND_DAYS = 90;
  /** Accounts in the table of those most at risk, and in the worst error budgets. */
  public static final int TOP_ACCOUNTS = 15;
  public static final int WORST_BUDGETS = 10;
  /** Monthly cohorts in the heat map and the forecast. */
  public static final int COHORTS = 12;
  public static final int FORECAST_COHORTS = 6;

  /** The portfolio on the date: active accounts and their MRR; MRR at risk only once scored. */
  public record Totals(long activeAccounts, BigDecimal mrr, Double mrrAtRisk, long quarantinedRows) {}

  public record TierCount(String tier, long accounts, BigDecimal mrr, double mrrAtRisk) {}

  public record TierDay(LocalDate date, String tier, long accounts, double mrrAtRisk) {}

  public record BandCount(String band, long accounts, BigDecimal mrr) {}

  public record Month(
      LocalDate month, BigDecimal starting, BigDecimal newMrr, BigDecimal expansion, BigDecimal reactivation,
      BigDecimal contraction, BigDecimal churned, BigDecimal ending, Double nrr, Double grr, Double quickRatio,
      Double trailingNrr, LocalDate snapshot) {}

  public record CohortCell(LocalDate cohort, int monthsSinceStart, long cohortAccounts, double logoRetention, Double mrrRetention) {}

  public record ForecastPoint(LocalDate cohort, int period, long cohortSize, Double observed, Double expected, boolean projection) {}

  public record StatusCount(String status, long accounts) {}

  public record BudgetRow(
      String accountId, String name, String plan, double availabilitySli, double target, double budgetRemaining,
      String status, String alert) {}

  public record SliDay(LocalDate date, double sli) {}

  public record SupportDay(
      LocalDate date, long created, long solved, long backlog, Double firstReplyP50, Double firstReplyP90,
      Double resolutionP50, Double resolutionP90, long firstReplySlaAchieved, long firstReplySlaBreached,
      long resolutionSlaAchieved, long resolutionSlaBreached) {}

  public record ToilRow(LocalDate weekStart, int rank, String category, long tickets, double handleMinutes, double repeatRate, double toilScore) {}

  /**
   * An account most at risk: by MRR at risk once scored, else by the lowest health. Its drivers are the
   * churn model's (what raises its risk most, strongest first), its reasons the weak health components.
   */
  public record RiskAccount(
      String accountId, String name, String segment, String owner, BigDecimal mrr, Double churnProbability,
      String tier, Double mrrAtRisk, Double healthScore, String healthBand, List<String> drivers, List<String> reasons) {}

  public record RunStep(String step, String outcome, double seconds, long rowsWritten, long rowsRejected, String details, String error) {}

  public record QuarantineCount(String source, String reason, long rows) {}

  /**
   * Reads the report of {@code date}. {@code greenScore} is the health band a component must reach
   * not to be named among an account's reasons (as in the warehouse's latest_customer_scores view).
   */
  public static ReportData read(Lakehouse lakehouse, LocalDate date, double greenScore, double availabilityTarget) {
    Reader reader = new Reader(lakehouse, date);
    List<TierCount> tiers = reader.riskTiers();
    return new ReportData(
        date, Instant.now(), lakehouse.root().toString(), reader.totals(), tiers, reader.riskTrend(), reader.healthBands(),
        reader.months(), reader.cohorts(), reader.forecast(), reader.sloStatuses(), reader.worstBudgets(),
        reader.platformSli(), availabilityTarget, reader.support(), reader.toil(), reader.atRisk(greenScore, !tiers.isEmpty()),
        !tiers.isEmpty(), reader.run(), reader.quarantine());
  }

  /** The last complete month of the revenue tables (the month before the date's), else the latest. */
  public Month bridgeMonth() {
    LocalDate current = date.withDayOfMonth(1);
    return months.stream().filter(m -> m.month().isBefore(current)).max(Comparator.comparing(Month::month))
        .orElse(months.isEmpty() ? null : months.get(months.size() - 1));
  }

  private static final class Reader {
    private static final String[] ACCOUNT_ID = {"account_id"};
    private final Lakehouse lakehouse;
    private final LocalDate date;
    private final Column onDate;
    private final Column inTrend;

    Reader(Lakehouse lakehouse, LocalDate date) {
      this.lakehouse = lakehouse;
      this.date = date;
      this.onDate = col("as_of_date").equalTo(lit(Date.valueOf(date)));
      this.inTrend = col("as_of_date").between(lit(Date.valueOf(date.minusDays(TREND_DAYS - 1))), lit(Date.valueOf(date)));
    }

    private <T> List<T> rows(String table, Function<Dataset<Row>, Dataset<Row>> query, Function<Row, T> map) {
      if (!lakehouse.exists(table)) {
        return List.of();
      }
      return query.apply(lakehouse.read(table)).collectAsList().stream().map(map).toList();
    }

    Totals totals() {
      List<Row> features = rows("customer_features",
          t -> t.filter(onDate).agg(count(lit(1)), sum("mrr")), r -> r);
      List<Row> atRisk = rows("customer_scores", t -> t.filter(onDate).agg(count(lit(1)), sum("mrr_at_risk")), r -> r);
      List<Row> quarantined = rows("quarantine", t -> t.filter(col("run_date").equalTo(lit(Date.valueOf(date)))).agg(count(lit(1))), r -> r);
      Row f = features.isEmpty() ? null : features.get(0);
      boolean scored = !atRisk.isEmpty() && atRisk.get(0).getLong(0) > 0;
      return new Totals(
          f == null ? 0 : f.getLong(0),
          f == null || f.isNullAt(1) ? BigDecimal.ZERO : f.getDecimal(1),
          scored ? atRisk.get(0).getDouble(1) : null,
          quarantined.isEmpty() ? 0 : quarantined.get(0).getLong(0));
    }

    List<TierCount> riskTiers() {
      return rows("customer_scores",
          t -> t.filter(onDate).groupBy("risk_tier").agg(count(lit(1)), sum("mrr"), sum("mrr_at_risk")),
          r -> new TierCount(r.getString(0), r.getLong(1), r.getDecimal(2), r.getDouble(3)));
    }

    List<TierDay> riskTrend() {
      return rows("customer_scores",
          t -> t.filter(inTrend).groupBy("as_of_date", "risk_tier").agg(count(lit(1)), sum("mrr_at_risk")).orderBy("as_of_date"),
          r -> new TierDay(r.getDate(0).toLocalDate(), r.getString(1), r.getLong(2), r.getDouble(3)));
    }

    List<BandCount> healthBands() {
      if (!lakehouse.exists("customer_health") || !lakehouse.exists("customer_features")) {
        return List.of();
      }
      Dataset<Row> mrr = lakehouse.read("customer_features").filter(onDate).select("account_id", "mrr");
      return lakehouse.read("customer_health").filter(onDate).join(mrr, ACCOUNT_ID, "left")
          .groupBy(coalesce(col("health_band"), lit("no data"))).agg(count(lit(1)), sum("mrr"))
          .collectAsList().stream()
          .map(r -> new BandCount(r.getString(0), r.getLong(1), r.isNullAt(2) ? BigDecimal.ZERO : r.getDecimal(2)))
          .toList();
    }

    List<Month> months() {
      return rows("revenue_summary", t -> t.orderBy("month"),
          r -> new Month(localDate(r, "month"), r.getAs("starting_mrr"), r.getAs("new_mrr"), r.getAs("expansion_mrr"),
              r.getAs("reactivation_mrr"), r.getAs("contraction_mrr"), r.getAs("churned_mrr"), r.getAs("ending_mrr"),
              r.getAs("net_revenue_retention"), r.getAs("gross_revenue_retention"), optional(r, "quick_ratio"),
              optional(r, "trailing_12m_nrr"), localDate(r, "as_of_date")));
    }

    List<CohortCell> cohorts() {
      List<CohortCell> cells = rows("cohort_retention", t -> t.orderBy("cohort_month", "months_since_start"),
          r -> new CohortCell(localDate(r, "cohort_month"), r.<Integer>getAs("months_since_start"), r.<Long>getAs("cohort_accounts"),
              r.<Double>getAs("logo_retention"), r.getAs("net_mrr_retention")));
      List<LocalDate> recent = cells.stream().map(CohortCell::cohort).distinct().sorted(Comparator.reverseOrder()).limit(COHORTS).toList();
      return cells.stream().filter(c -> recent.contains(c.cohort())).toList();
    }

    List<ForecastPoint> forecast() {
      List<ForecastPoint> points = rows("cohort_retention_forecast", t -> t.filter("status = 'fitted'").orderBy("cohort_month", "period"),
          r -> {
            long size = r.<Number>getAs("cohort_size").longValue();
            Number observed = r.getAs("survivors_observed");
            Number expected = r.getAs("survivors_expected");
            return new ForecastPoint(localDate(r, "cohort_month"), r.<Number>getAs("period").intValue(), size,
                observed == null ? null : observed.doubleValue() / size, expected == null ? null : expected.doubleValue() / size,
                r.<Boolean>getAs("is_projection"));
          });
      List<LocalDate> recent = points.stream().map(ForecastPoint::cohort).distinct().sorted(Comparator.reverseOrder())
          .limit(FORECAST_COHORTS).toList();
      return points.stream().filter(p -> recent.contains(p.cohort())).toList();
    }

    List<StatusCount> sloStatuses() {
      return rows("customer_slo_daily", t -> t.filter(onDate).groupBy("status").agg(count(lit(1))).orderBy("status"),
          r -> new StatusCount(r.getString(0), r.getLong(1)));
    }

    List<BudgetRow> worstBudgets() {
      if (!lakehouse.exists("customer_slo_daily")) {
        return List.of();
      }
      Map<String, String> names = accountNames();
      return rows("customer_slo_daily",
          t -> t.filter(onDate.and(col("error_budget_remaining").isNotNull())).orderBy(col("error_budget_remaining"), col("account_id"))
              .limit(WORST_BUDGETS),
          r -> new BudgetRow(r.getAs("account_id"), names.get(r.<String>getAs("account_id")), r.getAs("plan"),
              r.<Double>getAs("availability_sli"), r.<Double>getAs("availability_target"), r.<Double>getAs("error_budget_remaining"),
              r.getAs("status"), r.getAs("alert")));
    }

    List<SliDay> platformSli() {
      return rows("customer_slo_daily",
          t -> t.filter(inTrend.and(col("sli_window_days").equalTo(col("window_days"))))
              .groupBy("as_of_date").agg(avg("platform_availability_sli")).orderBy("as_of_date"),
          r -> new SliDay(r.getDate(0).toLocalDate(), r.getDouble(1)));
    }

    List<SupportDay> support() {
      Column days = col("date").between(lit(Date.valueOf(date.minusDays(TREND_DAYS - 1))), lit(Date.valueOf(date)));
      return rows("support_daily", t -> t.filter(days).orderBy("date"),
          r -> new SupportDay(localDate(r, "date"), r.<Long>getAs("tickets_created"), r.<Long>getAs("tickets_solved"),
              r.<Long>getAs("backlog"), r.getAs("first_reply_hours_p50"), r.getAs("first_reply_hours_p90"),
              r.getAs("resolution_hours_p50"), r.getAs("resolution_hours_p90"), countOrZero(r, "first_reply_sla_achieved"),
              countOrZero(r, "first_reply_sla_breached"), countOrZero(r, "resolution_sla_achieved"),
              countOrZero(r, "resolution_sla_breached")));
    }

    /** The top toil topics of the latest complete week by the date (else the week in progress). */
    List<ToilRow> toil() {
      List<ToilRow> rows = rows("toil_topics",
          t -> t.filter(col("week_start").leq(lit(Date.valueOf(date))).and(col("toil_rank").leq(5))),
          r -> new ToilRow(localDate(r, "week_start"), r.<Integer>getAs("toil_rank"), r.getAs("category"), r.<Long>getAs("tickets"),
              r.<Double>getAs("total_handle_minutes"), r.<Double>getAs("repeat_rate"), r.<Double>getAs("toil_score")));
      // The Monday of the last ISO week that ended by the date: this week's when the date is a Sunday.
      int dayOfWeek = date.getDayOfWeek().getValue();
      LocalDate lastCompleteWeek = date.minusDays(dayOfWeek == 7 ? 6 : dayOfWeek + 6);
      LocalDate week = rows.stream().map(ToilRow::weekStart).filter(w -> !w.isAfter(lastCompleteWeek)).max(Comparator.naturalOrder())
          .orElse(rows.stream().map(ToilRow::weekStart).max(Comparator.naturalOrder()).orElse(null));
      return rows.stream().filter(r -> r.weekStart().equals(week)).sorted(Comparator.comparingInt(ToilRow::rank)).toList();
    }

    List<RiskAccount> atRisk(double greenScore, boolean scored) {
      if (!lakehouse.exists("customer_health")) {
        return List.of();
      }
      Map<String, String[]> accounts = accountDetails();
      Dataset<Row> health = lakehouse.read("customer_health").filter(onDate);
      Dataset<Row> ranked;
      if (scored) {
        ranked = lakehouse.read("customer_scores").filter(onDate).drop("as_of_date")
            .join(health, ACCOUNT_ID, "left")
            .orderBy(col("mrr_at_risk").desc(), col("account_id"));
      } else {
        Dataset<Row> mrr = lakehouse.read("customer_features").filter(onDate).select("account_id", "mrr");
        ranked = health.filter(col("health_score").isNotNull())
            .join(mrr, ACCOUNT_ID, "left")
            .orderBy(col("health_score"), col("account_id"));
      }
      List<RiskAccount> result = new ArrayList<>();
      for (Row r : ranked.limit(TOP_ACCOUNTS).collectAsList()) {
        String id = r.getAs("account_id");
        String[] details = accounts.getOrDefault(id, new String[3]);
        result.add(new RiskAccount(id, details[0], details[1], details[2], r.getAs("mrr"),
            scored ? r.<Double>getAs("churn_probability") : null, scored ? r.getAs("risk_tier") : null,
            scored ? r.<Double>getAs("mrr_at_risk") : null, r.getAs("health_score"), r.getAs("health_band"),
            drivers(r), reasons(r, greenScore)));
      }
      return result;
    }

    /** The churn model's risk drivers, strongest first (none in a lakehouse scored before they existed). */
    private static List<String> drivers(Row r) {
      List<String> drivers = new ArrayList<>();
      for (String column : ChurnScores.RISK_DRIVERS) {
        if (r.schema().getFieldIndex(column).nonEmpty() && r.getAs(column) != null) {
          drivers.add(r.getAs(column));
        }
      }
      return drivers;
    }

    /** The health components below the green band, weakest first (as the warehouse view names them). */
    private static List<String> reasons(Row r, double greenScore) {
      if (r.schema().getFieldIndex("usage_score").isEmpty()) {
        return List.of();
      }
      TreeMap<String, String> weakest = new TreeMap<>();
      String[] components = {"usage", "reliability", "support", "billing", "trend"};
      for (int i = 0; i < components.length; i++) {
        Double score = r.getAs(components[i] + "_score");
        String reason = r.getAs(components[i] + "_reason");
        if (score != null && reason != null && score < greenScore) {
          weakest.put(String.format(java.util.Locale.ROOT, "%08.3f %d", score, i), reason);
        }
      }
      return List.copyOf(weakest.values());
    }

    List<RunStep> run() {
      return rows("run_log", t -> t.filter(col("run_date").equalTo(lit(Date.valueOf(date)))).orderBy("started_at"),
          r -> new RunStep(r.getAs("step"), r.getAs("outcome"), r.<Double>getAs("seconds"), r.<Long>getAs("rows_written"),
              r.<Long>getAs("rows_rejected"), r.getAs("details"), r.getAs("error")));
    }

    List<QuarantineCount> quarantine() {
      return rows("quarantine",
          t -> t.filter(col("run_date").equalTo(lit(Date.valueOf(date)))).groupBy("source", "reason_code").agg(count(lit(1)))
              .orderBy(col("count(1)").desc(), col("source"), col("reason_code")),
          r -> new QuarantineCount(r.getString(0), r.getString(1), r.getLong(2)));
    }

    private Map<String, String> accountNames() {
      Map<String, String> names = new TreeMap<>();
      accountDetails().forEach((id, details) -> names.put(id, details[0]));
      return names;
    }

    /** Name, segment and CSM owner of every account, as delivered by the end of the date. */
    private Map<String, String[]> accountDetails() {
      String table = SourceTable.ACCOUNTS.tableName();
      Map<String, String[]> details = new TreeMap<>();
      if (lakehouse.exists(table)) {
        Versions.latest(lakehouse.read(table), "account_id", date).select("account_id", "name", "segment", "csm_owner")
            .collectAsList().forEach(r -> details.put(r.getString(0), new String[] {r.getString(1), r.getString(2), r.getString(3)}));
      }
      return details;
    }

    /** A column a table written by an older version may lack, or hold null in: null then. */
    private static <T> T optional(Row r, String column) {
      return r.schema().getFieldIndex(column).isEmpty() || r.isNullAt(r.fieldIndex(column)) ? null : r.getAs(column);
    }

    private static long countOrZero(Row r, String column) {
      Long value = optional(r, column);
      return value == null ? 0 : value;
    }

    private static LocalDate localDate(Row r, String column) {
      Date value = r.getAs(column);
      return value == null ? null : value.toLocalDate();
    }
  }
}
