package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How well a score separates positives from negatives: ROC and precision-recall AUC (MLlib's
 * evaluator), the Brier score, and the counts behind them.
 */
public record BinaryMetrics(double aucRoc, double aucPr, double brier, long n, long positives) {

  /** Base rate of the positive class, the AUC-PR of a score that knows nothing. */
  public double baseRate() {
    return n == 0 ? Double.NaN : (double) positives / n;
  }

  /**
   * Metrics of {@code scoreColumn} (a probability in [0, 1], double) against {@code labelColumn}
   * (0.0 or 1.0). Fails clearly when either class is missing, where an AUC means nothing.
   */
  public static BinaryMetrics of(Dataset<Row> scored, String scoreColumn, String labelColumn) {
    Dataset<Row> pairs =
        scored.select(col(scoreColumn).cast("double").as("score"), col(labelColumn).cast("double").as("label"));
    Row totals =
        pairs
            .agg(
                count(lit(1)),
                sum(col("label")),
                avg(pow(col("score").minus(col("label")), 2)))
            .first();
    long n = totals.getLong(0);
    long positives = n == 0 ? 0 : Math.round(totals.getDouble(1));
    if (positives == 0 || positives == n) {
      throw new IllegalArgumentException(
          "cannot compute AUC of " + scoreColumn + ": " + n + " examples with " + positives
              + " positives; both classes are needed");
    }
    BinaryClassificationEvaluator evaluator =
        new BinaryClassificationEvaluator().setRawPredictionCol("score").setLabelCol("label");
    double aucRoc = evaluator.setMetricName("areaUnderROC").evaluate(pairs);
    double aucPr = evaluator.setMetricName("areaUnderPR").evaluate(pairs);
    return new BinaryMetrics(aucRoc, aucPr, totals.getDouble(2), n, positives);
  }
}
