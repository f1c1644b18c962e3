package dev.anshin.models.revenue;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.churn.ChurnTrainer;
import dev.anshin.models.churn.ModelInputs;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The growth model: an MLlib regression from an account's features to the ratio of its MRR after the
 * horizon to its MRR today, learned from the accounts that stayed (expansion above 1, contraction
 * below). With the churn model's probability it makes the {@link RevenueOutlook}.
 *
 * <p>It reads the columns the churn model reads, through the same stages ({@link
 * ChurnTrainer#featureStages}), and learns the mean ratio (squared loss), so that MRR times the
 * prediction is the expected MRR of a staying account.
 */
public final class GrowthModel {
  /** The label: MRR after the horizon over MRR on the as-of date. */
  public static final String MRR_RATIO = "mrr_ratio";
  /** The model's output column. */
  public static final String PREDICTED_MRR_RATIO = "predicted_mrr_ratio";
  /**
   * Ratios are capped here: an account that went from one seat to a company-wide plan is real but
   * rare, and a squared loss would let a handful of them move every prediction.
   */
  public static final double MAX_RATIO = 5.0;
  /** The quantiles of the ratio errors kept in the {@link RevenueOutlook.Assumptions}. */
  public static final int ERROR_QUANTILES = 100;

  private static final ModelInputs INPUTS =
      new ModelInputs(CustomerFeatures.NUMERIC_FEATURES, CustomerFeatures.CATEGORICAL_FEATURES, MRR_RATIO);

  private GrowthModel() {}

  /** An unfitted pipeline from {@code customer_features} to {@value #PREDICTED_MRR_RATIO}, with the churn model's iterations. */
  public static Pipeline pipeline(ChurnModelSettings settings) {
    List<PipelineStage> stages = new ArrayList<>(ChurnTrainer.featureStages(INPUTS));
    switch (settings.learner()) {
      case GBT -> {
        stages.add(new SQLTransformer().setStatement(
            "SELECT *, " + ChurnTrainer.RAW_FEATURES + " AS " + ChurnTrainer.FEATURES + " FROM __THIS__"));
        stages.add(
            new GBTRegressor()
                .setLabelCol(MRR_RATIO)
                .setFeaturesCol(ChurnTrainer.FEATURES)
                .setPredictionCol(PREDICTED_MRR_RATIO)
                .setMaxIter(settings.maxIterations())
                // Shallower than the churn model's trees, with leaves of at least 25 accounts: expansion and
                // contraction are rare, and a leaf of a few accounts learns their noise. On the demo's
                // 2025-12-01 test the churn model's size gave a root mean squared error of 0.188, worse than
                // the training mean's 0.167; these leaves give 0.165.
                .setMaxDepth(Math.min(3, settings.maxDepth()))
                .setMinInstancesPerNode(25)
                .setStepSize(0.1)
                .setSubsamplingRate(0.8)
                .setSeed(settings.seed()));
      }
      case LOGISTIC -> {
        stages.add(new StandardScaler().setInputCol(ChurnTrainer.RAW_FEATURES).setOutputCol(ChurnTrainer.FEATURES).setWithMean(true));
        stages.add(
            new LinearRegression()
                .setLabelCol(MRR_RATIO)
                .setFeaturesCol(ChurnTrainer.FEATURES)
                .setPredictionCol(PREDICTED_MRR_RATIO)
                .setRegParam(0.01));
      }
      default -> throw new IllegalStateException("unhandled learner " + settings.learner());
    }
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * The examples of accounts that stayed: labelled examples (with {@link ChurnLabels#LABEL}) that did
   * not churn within the horizon and had MRR, with {@value #MRR_RATIO} from their features {@code
   * horizonDays} later. An account without features that day (a gap in the history) gives no example.
   */
  public static Dataset<Row> stayingExamples(Dataset<Row> labelled, Dataset<Row> features, int horizonDays) {
    Dataset<Row> later =
        features.select(
            col(CustomerFeatures.ACCOUNT_ID).as("_later_account"),
            col(CustomerFeatures.AS_OF_DATE).as("_later_date"),
            col(CustomerFeatures.MRR).as("_later_mrr"));
    return labelled
        .filter(col(ChurnLabels.LABEL).equalTo(0.0).and(col(CustomerFeatures.MRR).gt(0)))
        .join(later,
            col(CustomerFeatures.ACCOUNT_ID).equalTo(col("_later_account"))
                .and(col("_later_date").equalTo(date_add(col(CustomerFeatures.AS_OF_DATE), horizonDays))))
        .withColumn(MRR_RATIO, least(col("_later_mrr").cast("double").divide(col(CustomerFeatures.MRR).cast("double")), lit(MAX_RATIO)))
        .drop("_later_account", "_later_date", "_later_mrr");
  }

  /**
   * The equally likely ratio errors of a fitted model on examples it did not learn from: quantiles
   * at the mid-points of {@value #ERROR_QUANTILES} equal slices of actual / predicted; {@code {1.0}}
   * when there are no such examples.
   */
  public static double[] ratioErrors(PipelineModel model, Dataset<Row> heldOutStaying) {
    Dataset<Row> errors =
        model.transform(heldOutStaying)
            // A prediction below a tenth is no ratio a staying account has; dividing by it would blow the error up.
            .select(col(MRR_RATIO).divide(greatest(col(PREDICTED_MRR_RATIO), lit(0.1))).as("_error"));
    double[] levels = new double[ERROR_QUANTILES];
    for (int i = 0; i < levels.length; i++) {
      levels[i] = (i + 0.5) / ERROR_QUANTILES;
    }
    double[] quantiles = errors.stat().approxQuantile("_error", levels, 0.0005);
    if (quantiles.length == 0) {
      return new double[] {1.0};
    }
    // A zero ratio (an account whose MRR went to nothing without churning) would stop the path at zero.
    for (int i = 0; i < quantiles.length; i++) {
      quantiles[i] = Math.max(quantiles[i], 1e-3);
    }
    return quantiles;
  }

  /**
   * The share of annual accounts whose renewal fell inside the horizon that churned; among all
   * accounts with a renewal inside it when no annual one had; 0 without any.
   */
  public static double annualRenewalChurn(Dataset<Row> labelled, int horizonDays) {
    Dataset<Row> renewing = labelled.filter(col(CustomerFeatures.DAYS_TO_RENEWAL).leq(horizonDays));
    Row annual = renewing.filter(col(CustomerFeatures.BILLING_INTERVAL).equalTo("annual")).agg(avg(col(ChurnLabels.LABEL))).first();
    if (!annual.isNullAt(0)) {
      return annual.getDouble(0);
    }
    Row any = renewing.agg(avg(col(ChurnLabels.LABEL))).first();
    return any.isNullAt(0) ? 0.0 : any.getDouble(0);
  }
}
