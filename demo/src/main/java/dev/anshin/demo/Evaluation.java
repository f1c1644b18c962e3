package dev.anshin.demo;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;

import dev.anshin.errors.AnshinException;
import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.health.HealthScore;
import dev.anshin.jobs.io.Json;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.steps.ModelRegistry;
import dev.anshin.jobs.steps.PipelineContext;
import dev.anshin.demo.generate.Truth;
import dev.anshin.models.churn.BinaryMetrics;
import dev.anshin.models.churn.ScoredExamples;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.health.HealthValidation;
import dev.anshin.models.revenue.GrowthModel;
import dev.anshin.models.revenue.RevenueForecast;
import dev.anshin.models.revenue.RevenueOutlook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The evaluation against the truth: joins the churn scores of many as-of dates (every {@code
 * everyDays} over the last {@code overDays} scored days) with the realised outcomes in a truth folder
 * (the synthetic generator's {@code truth/churn}, which the pipeline never reads) and measures the
 * model against them, next to the generator's own probability scored the same way on the same
 * examples (the oracle: the best any model of the observable data could hope to approach).
 *
 * <p>One example is an account on a date. The metrics pool the examples of every date; their 95%
 * intervals come from a bootstrap that draws accounts, not examples, since an account's examples on
 * nearby dates share its fate ({@link ScoredExamples#bootstrap}). The model and the oracle are
 * measured on the same replicates. A single date of a few hundred accounts gives an AUC whose
 * standard error is about 0.05; many dates narrow it, and the interval says by how much.
 */
public final class Evaluation {
  private Evaluation() {}

  /** Which dates are measured, and how the intervals are drawn. */
  public record Options(int everyDays, int overDays, int replicates, long seed) {
    public static final Options DEFAULTS = new Options(7, 180, 200, 1L);

    public Options {
      if (everyDays < 1 || overDays < 1 || replicates < 20) {
        throw AnshinException.usage("--every-days and --over-days must be at least 1 and --bootstrap at least 20; got "
            + everyDays + ", " + overDays + " and " + replicates);
      }
    }
  }

  public static Map<String, Object> run(PipelineContext context, Path truthDir) {
    return run(context, truthDir, Options.DEFAULTS);
  }

  public static Map<String, Object> run(PipelineContext context, Path truthDir, Options options) {
    Lakehouse lakehouse = context.lakehouse();
    Path churnTruth = truthDir.resolve(Truth.CHURN);
    if (!Files.isDirectory(churnTruth)) {
      throw AnshinException.missingInput("no truth at " + churnTruth + " (expected the generator's truth/churn Parquet folder)");
    }
    Dataset<Row> scores = lakehouse.read(ChurnScores.TABLE);
    Row last = scores.agg(max(ChurnScores.AS_OF_DATE)).first();
    if (last.isNullAt(0)) {
      throw AnshinException.missingInput("customer_scores is empty; run `anshin score` first");
    }
    LocalDate date = last.<Date>getAs(0).toLocalDate();
    LocalDate earliest = date.minusDays(options.overDays() - 1L);
    Column evaluated = col(ChurnScores.AS_OF_DATE).geq(lit(Date.valueOf(earliest)))
        .and(pmod(datediff(lit(Date.valueOf(date)), col(ChurnScores.AS_OF_DATE)), lit(options.everyDays())).equalTo(0));
    Dataset<Row> truthFile = context.spark().read().parquet(churnTruth.toString());
    // A truth written before the Monte Carlo oracle has only the closed form.
    Column simulated = java.util.Arrays.asList(truthFile.columns()).contains(Truth.ORACLE_PROBABILITY)
        ? col(Truth.ORACLE_PROBABILITY) : lit(null).cast("double");
    Dataset<Row> truth =
        truthFile
            .select(
                col(Truth.AS_OF_DATE).as("_truth_date"),
                col(Truth.ACCOUNT_ID).as("_truth_account"),
                col(Truth.CHURN_PROBABILITY).as("closed_form_probability"),
                when(col(Truth.CHURNED_WITHIN_HORIZON), 1.0).otherwise(0.0).as("outcome"),
                simulated.as("simulated_probability"));
    Dataset<Row> joined =
        scores.filter(evaluated)
            .join(truth, col(ChurnScores.ACCOUNT_ID).equalTo(col("_truth_account"))
                .and(col(ChurnScores.AS_OF_DATE).equalTo(col("_truth_date"))), "inner")
            .select(col(ChurnScores.AS_OF_DATE), col(ChurnScores.ACCOUNT_ID), col(ChurnScores.CHURN_PROBABILITY),
                col("closed_form_probability"), col("outcome"), col("simulated_probability"))
            .cache();
    try {
      // Few enough to hold on the driver (an account a week over half a year), where the bootstrap is cheap.
      List<Row> rows = joined.orderBy(ChurnScores.AS_OF_DATE, ChurnScores.ACCOUNT_ID).collectAsList();
      int n = rows.size();
      double[] probability = new double[n];
      double[] closedForm = new double[n];
      double[] simulatedOracle = new double[n];
      boolean everySimulated = true;
      double[] outcome = new double[n];
      int[] cluster = new int[n];
      Map<String, Integer> accounts = new HashMap<>();
      java.util.Set<LocalDate> dates = new java.util.TreeSet<>();
      double churned = 0;
      for (int i = 0; i < n; i++) {
        Row row = rows.get(i);
        dates.add(row.<Date>getAs(0).toLocalDate());
        cluster[i] = accounts.computeIfAbsent(row.getString(1), a -> accounts.size());
        probability[i] = row.getDouble(2);
        closedForm[i] = row.getDouble(3);
        outcome[i] = row.getDouble(4);
        everySimulated &= !row.isNullAt(5);
        simulatedOracle[i] = row.isNullAt(5) ? Double.NaN : row.getDouble(5);
        churned += outcome[i];
      }
      if (churned == 0 || churned == n) {
        throw AnshinException.badData(
            "cannot evaluate the scores of " + earliest + " .. " + date + ": of the " + n + " examples scored, " + (long) churned
                + " churned within the truth's horizon; ranking needs both outcomes (a larger world has both)");
      }
      ScoredExamples.Intervals model =
          new ScoredExamples(probability, outcome).bootstrap(cluster, accounts.size(), options.replicates(), options.seed());
      // The oracle is the Monte Carlo one where the truth simulated every evaluated example (every 7th
      // day back from its last observed day, where the default dates fall), else the closed form.
      // The same seed draws the same replicates: the oracle's intervals are paired with the model's.
      double[] oracleProbability = everySimulated ? simulatedOracle : closedForm;
      ScoredExamples.Intervals oracle =
          new ScoredExamples(oracleProbability, outcome).bootstrap(cluster, accounts.size(), options.replicates(), options.seed());
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("as_of_date", date.toString());
      result.put("from_date", ((java.util.TreeSet<LocalDate>) dates).first().toString());
      result.put("dates", dates.size());
      result.put("every_days", options.everyDays());
      result.put("n", n);
      result.put("accounts", accounts.size());
      result.put("positives", (long) churned);
      result.put("base_rate", churned / n);
      put(result, "", model);
      result.put("oracle_method", everySimulated ? "monte_carlo" : "closed_form");
      put(result, "oracle_", oracle);
      if (everySimulated) {
        // The closed form beside it, to show what the simulation corrects.
        ScoredExamples.Metrics closed = new ScoredExamples(closedForm, outcome).metrics();
        result.put("closed_form_oracle_auc_roc", closed.aucRoc());
        result.put("closed_form_oracle_ece", closed.ece());
        result.put("closed_form_oracle_mean_probability", mean(closedForm));
      }
      result.put("oracle_mean_probability", mean(oracleProbability));
      result.put("bootstrap_replicates", model.replicates());
      // The last date alone, as the evaluation measured before it measured many.
      Dataset<Row> lastDate = joined.filter(col(ChurnScores.AS_OF_DATE).equalTo(lit(Date.valueOf(date))));
      if (lastDate.filter(col("outcome").equalTo(1.0)).isEmpty() || lastDate.filter(col("outcome").equalTo(0.0)).isEmpty()) {
        result.put("last_date_auc_roc", Double.NaN);
      } else {
        result.put("last_date_auc_roc", BinaryMetrics.of(lastDate, ChurnScores.CHURN_PROBABILITY, "outcome").aucRoc());
      }
      result.put("last_date_n", lastDate.count());
      if (lakehouse.exists(HealthScore.TABLE)) {
        putHealth(result, lakehouse, joined);
      }
      if (lakehouse.exists(RevenueForecast.TABLE)) {
        putRevenue(result, context, churnTruth, evaluated);
      }
      return result;
    } finally {
      joined.unpersist();
    }
  }

  private static double mean(double[] values) {
    return java.util.Arrays.stream(values).average().orElse(Double.NaN);
  }

  /** A metric set with its intervals, under {@code prefix}: auc_roc, auc_roc_ci_low, auc_roc_ci_high, ... */
  private static void put(Map<String, Object> result, String prefix, ScoredExamples.Intervals intervals) {
    Map<String, ScoredExamples.Interval> byName = new LinkedHashMap<>();
    byName.put("auc_roc", intervals.aucRoc());
    byName.put("auc_pr", intervals.aucPr());
    byName.put("brier", intervals.brier());
    byName.put("ece", intervals.ece());
    byName.put("top_decile_lift", intervals.topDecileLift());
    byName.forEach((name, interval) -> {
      result.put(prefix + name, interval.estimate());
      result.put(prefix + name + "_ci_low", interval.low());
      result.put(prefix + name + "_ci_high", interval.high());
    });
  }

  /**
   * The health score's and each component's AUC against the same examples' outcomes: a low score
   * should mean a likely churn, so each ranks by 100 - score, over the examples where it has data;
   * null where those hold only one outcome.
   */
  private static void putHealth(Map<String, Object> result, Lakehouse lakehouse, Dataset<Row> examples) {
    Dataset<Row> health =
        lakehouse.read(HealthScore.TABLE)
            .select(col(HealthScore.Columns.AS_OF_DATE).as("_health_date"), col(HealthScore.Columns.ACCOUNT_ID).as("_health_account"),
                lit(100.0).minus(col(HealthScore.Columns.HEALTH_SCORE)).divide(100.0).as("health_risk"),
                col(HealthScore.Columns.HEALTH_SCORE),
                col(HealthScore.Columns.USAGE_SCORE), col(HealthScore.Columns.RELIABILITY_SCORE),
                col(HealthScore.Columns.SUPPORT_SCORE), col(HealthScore.Columns.BILLING_SCORE),
                col(HealthScore.Columns.TREND_SCORE));
    Dataset<Row> withHealth =
        examples.join(health, col(ChurnScores.ACCOUNT_ID).equalTo(col("_health_account"))
            .and(col(ChurnScores.AS_OF_DATE).equalTo(col("_health_date"))), "inner");
    List<Column> items = new ArrayList<>();
    items.add(HealthValidation.item(HealthValidation.HEALTH_SCORE, col(HealthScore.Columns.HEALTH_SCORE)));
    for (int i = 0; i < HealthScore.COMPONENTS.size(); i++) {
      items.add(HealthValidation.item(HealthScore.COMPONENTS.get(i), col(HealthScore.COMPONENT_COLUMNS.get(i))));
    }
    Map<String, HealthValidation.ValueCounts> byItem = HealthValidation.valueCounts(withHealth, items, "outcome");
    HealthValidation.ValueCounts score = byItem.get(HealthValidation.HEALTH_SCORE);
    Double scoreAuc = score == null ? null : score.aucOfLowScores();
    result.put("health_auc_roc", scoreAuc == null ? Double.NaN : scoreAuc);
    try {
      result.put("health_auc_pr", BinaryMetrics.of(withHealth, "health_risk", "outcome").aucPr());
    } catch (IllegalArgumentException oneOutcome) {
      result.put("health_auc_pr", Double.NaN);
    }
    result.put("health_n", withHealth.count());
    for (String component : HealthScore.COMPONENTS) {
      HealthValidation.ValueCounts counts = byItem.get(component);
      Double auc = counts == null ? null : counts.aucOfLowScores();
      result.put("health_" + component + "_auc_roc", auc == null ? Double.NaN : auc);
    }
  }

  /**
   * The revenue forecasts of the same dates against the revenue the truth says each account earned
   * over its horizon (the churn horizon H). Each scored account's forecast over H days is made as
   * {@code revenue_forecast} makes its 90 days (the same {@link RevenueOutlook}, the assumptions of
   * the revenue model that scored it, the account's row there and its features), so with the default
   * 90-day horizon it is the table's {@code expected_revenue_90d}. Reported: per-account mean absolute
   * error and WAPE (sum of absolute errors over the sum of realised revenue) of the expected revenue,
   * the WAPE of the median (which an absolute error favours), the same for the flat forecast (today's
   * MRR for H days), the portfolio's error (per date, |sum forecast - sum realised| / sum realised,
   * averaged over the dates) and its signed mean, and how often the realised revenue falls inside the
   * 80% interval.
   */
  private static void putRevenue(Map<String, Object> result, PipelineContext context, Path churnTruth, Column evaluated) {
    Lakehouse lakehouse = context.lakehouse();
    int horizon = context.config().churn().horizonDays();
    Map<String, RevenueOutlook> outlooks = new HashMap<>();
    for (ModelRegistry.Entry model : ModelRegistry.all(lakehouse)) {
      ModelRegistry.revenueAssumptions(lakehouse, model).ifPresent(a -> outlooks.put(model.version(), new RevenueOutlook(a)));
    }
    Dataset<Row> realised =
        context.spark().read().parquet(churnTruth.toString())
            .select(col(Truth.AS_OF_DATE).as("_truth_date"), col(Truth.ACCOUNT_ID).as("_truth_account"),
                col(Truth.REALISED_REVENUE).as("realised"));
    Dataset<Row> features =
        lakehouse.read(CustomerFeatures.TABLE).filter(evaluated)
            .select(col(CustomerFeatures.AS_OF_DATE).as("_feature_date"), col(CustomerFeatures.ACCOUNT_ID).as("_feature_account"),
                col(CustomerFeatures.BILLING_INTERVAL), col(CustomerFeatures.DAYS_TO_RENEWAL));
    List<Row> rows =
        lakehouse.read(RevenueForecast.TABLE).filter(evaluated)
            .join(realised, col(RevenueForecast.ACCOUNT_ID).equalTo(col("_truth_account"))
                .and(col(RevenueForecast.AS_OF_DATE).equalTo(col("_truth_date"))), "inner")
            .join(features, col(RevenueForecast.ACCOUNT_ID).equalTo(col("_feature_account"))
                .and(col(RevenueForecast.AS_OF_DATE).equalTo(col("_feature_date"))), "inner")
            .select(col(RevenueForecast.AS_OF_DATE), col(RevenueForecast.MRR).cast("double"), col(RevenueForecast.CHURN_PROBABILITY),
                col(GrowthModel.PREDICTED_MRR_RATIO), col(CustomerFeatures.BILLING_INTERVAL), col(CustomerFeatures.DAYS_TO_RENEWAL),
                col(ChurnScores.MODEL_VERSION), col("realised"))
            .collectAsList();
    double absolute = 0;
    double medianAbsolute = 0;
    double naiveAbsolute = 0;
    double realisedSum = 0;
    long inside = 0;
    long n = 0;
    Map<LocalDate, double[]> byDate = new java.util.TreeMap<>();
    for (Row row : rows) {
      RevenueOutlook outlook = outlooks.get(row.getString(6));
      if (outlook == null) {
        continue;
      }
      double mrr = row.getDouble(1);
      RevenueOutlook.Window window = outlook.window(
          RevenueForecast.account(mrr, row.getDouble(2), row.getDouble(3), row.getString(4), row.isNullAt(5) ? null : row.getInt(5)),
          horizon);
      double naive = mrr * 12 * horizon / RevenueOutlook.DAYS_PER_YEAR;
      double actual = row.getDouble(7);
      n++;
      absolute += Math.abs(window.expected() - actual);
      medianAbsolute += Math.abs(window.median() - actual);
      naiveAbsolute += Math.abs(naive - actual);
      realisedSum += actual;
      inside += window.low() <= actual && actual <= window.high() ? 1 : 0;
      double[] sums = byDate.computeIfAbsent(row.<Date>getAs(0).toLocalDate(), d -> new double[3]);
      sums[0] += window.expected();
      sums[1] += naive;
      sums[2] += actual;
    }
    result.put("revenue_horizon_days", horizon);
    result.put("revenue_n", n);
    if (n == 0 || realisedSum == 0) {
      return;
    }
    result.put("revenue_mae", absolute / n);
    result.put("naive_revenue_mae", naiveAbsolute / n);
    result.put("revenue_wape", absolute / realisedSum);
    result.put("median_revenue_wape", medianAbsolute / realisedSum);
    result.put("naive_revenue_wape", naiveAbsolute / realisedSum);
    double error = 0;
    double naiveError = 0;
    double bias = 0;
    for (double[] sums : byDate.values()) {
      error += Math.abs(sums[0] - sums[2]) / sums[2] / byDate.size();
      naiveError += Math.abs(sums[1] - sums[2]) / sums[2] / byDate.size();
      bias += (sums[0] - sums[2]) / sums[2] / byDate.size();
    }
    result.put("portfolio_revenue_error", error);
    result.put("naive_portfolio_revenue_error", naiveError);
    result.put("portfolio_revenue_bias", bias);
    result.put("interval_coverage_80", (double) inside / n);
  }

  /** One flat JSON object, numbers rounded to 4 decimals, readable in a log and by a script. */
  public static String toJson(Map<String, Object> values) {
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      if (json.length() > 1) {
        json.append(", ");
      }
      Json.appendString(json, entry.getKey());
      json.append(": ");
      Object value = entry.getValue();
      if (value instanceof Double d) {
        json.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : "null");
      } else {
        json.append(Json.write(value));
      }
    }
    return json.append('}').toString();
  }
}
