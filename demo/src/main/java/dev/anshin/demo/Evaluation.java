package dev.anshin.demo;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import dev.anshin.errors.AnshinException;
import dev.anshin.features.health.HealthScore;
import dev.anshin.jobs.io.Json;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.steps.PipelineContext;
import dev.anshin.demo.generate.Truth;
import dev.anshin.models.churn.BinaryMetrics;
import dev.anshin.models.churn.Calibration;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.health.HealthValidation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The evaluation against the truth: joins the last scored date's churn scores with the realised outcomes in a truth folder
 * (the synthetic generator's {@code truth/churn}, which the pipeline never reads) and measures the
 * model against them, next to the generator's own probability scored the same way on the same
 * accounts (the oracle: the best any model of the observable data could hope to approach).
 */
public final class Evaluation {
  private Evaluation() {}

  public static Map<String, Object> run(PipelineContext context, Path truthDir) {
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
    Dataset<Row> truth =
        context.spark().read().parquet(churnTruth.toString())
            .filter(col(Truth.AS_OF_DATE).equalTo(lit(Date.valueOf(date))))
            .select(
                col(Truth.ACCOUNT_ID).as("_truth_account"),
                col(Truth.CHURN_PROBABILITY).as("oracle_probability"),
                when(col(Truth.CHURNED_WITHIN_HORIZON), 1.0).otherwise(0.0).as("outcome"));
    Dataset<Row> joined =
        scores.filter(col(ChurnScores.AS_OF_DATE).equalTo(lit(Date.valueOf(date))))
            .join(truth, col(ChurnScores.ACCOUNT_ID).equalTo(col("_truth_account")), "inner")
            .cache();
    try {
      Row outcomes = joined.agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.sum("outcome")).first();
      long n = outcomes.getLong(0);
      double churned = outcomes.isNullAt(1) ? 0 : outcomes.getDouble(1);
      if (churned == 0 || churned == n) {
        throw AnshinException.badData(
            "cannot evaluate the scores of " + date + ": of the " + n + " accounts scored, " + (long) churned
                + " churned within the truth's horizon; ranking needs both outcomes (a larger world has both)");
      }
      BinaryMetrics model = BinaryMetrics.of(joined, ChurnScores.CHURN_PROBABILITY, "outcome");
      BinaryMetrics oracle = BinaryMetrics.of(joined, "oracle_probability", "outcome");
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("as_of_date", date.toString());
      result.put("n", model.n());
      result.put("positives", model.positives());
      result.put("base_rate", model.baseRate());
      result.put("auc_roc", model.aucRoc());
      result.put("auc_pr", model.aucPr());
      result.put("brier", model.brier());
      result.put("oracle_auc_roc", oracle.aucRoc());
      result.put("oracle_auc_pr", oracle.aucPr());
      result.put("oracle_brier", oracle.brier());
      // How far the probabilities are from the churn they foretell (10 equal bins): calibration, which
      // the AUC cannot see.
      result.put("ece", Calibration.expectedError(Calibration.reliability(joined, ChurnScores.CHURN_PROBABILITY, "outcome")));
      result.put("oracle_ece", Calibration.expectedError(Calibration.reliability(joined, "oracle_probability", "outcome")));
      if (lakehouse.exists(HealthScore.TABLE)) {
        // A low health score should mean a likely churn: rank by 100 - score.
        Dataset<Row> health =
            lakehouse.read(HealthScore.TABLE)
                .filter(col(HealthScore.Columns.AS_OF_DATE).equalTo(lit(Date.valueOf(date))))
                .select(col(HealthScore.Columns.ACCOUNT_ID).as("_health_account"),
                    lit(100.0).minus(col(HealthScore.Columns.HEALTH_SCORE)).divide(100.0).as("health_risk"),
                    col(HealthScore.Columns.USAGE_SCORE), col(HealthScore.Columns.RELIABILITY_SCORE),
                    col(HealthScore.Columns.SUPPORT_SCORE), col(HealthScore.Columns.BILLING_SCORE),
                    col(HealthScore.Columns.TREND_SCORE));
        Dataset<Row> withHealth =
            joined.join(health, col(ChurnScores.ACCOUNT_ID).equalTo(col("_health_account")), "inner");
        BinaryMetrics healthMetrics = BinaryMetrics.of(withHealth, "health_risk", "outcome");
        result.put("health_auc_roc", healthMetrics.aucRoc());
        result.put("health_auc_pr", healthMetrics.aucPr());
        result.put("health_n", healthMetrics.n());
        // Each component ranked alone (low scores first), over the accounts where it has data; null
        // where those accounts hold only one outcome.
        List<Column> components = new ArrayList<>();
        for (int i = 0; i < HealthScore.COMPONENTS.size(); i++) {
          components.add(HealthValidation.item(HealthScore.COMPONENTS.get(i), col(HealthScore.COMPONENT_COLUMNS.get(i))));
        }
        Map<String, HealthValidation.ValueCounts> byComponent = HealthValidation.valueCounts(withHealth, components, "outcome");
        for (String component : HealthScore.COMPONENTS) {
          HealthValidation.ValueCounts counts = byComponent.get(component);
          Double auc = counts == null ? null : counts.aucOfLowScores();
          result.put("health_" + component + "_auc_roc", auc == null ? Double.NaN : auc);
        }
      }
      return result;
    } finally {
      joined.unpersist();
    }
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
