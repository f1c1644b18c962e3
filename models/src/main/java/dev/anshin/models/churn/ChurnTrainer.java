package dev.anshin.models.churn;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Trains the churn model: an MLlib pipeline from the columns of {@code customer_features} to a
 * churn probability. Everything the model needs at scoring time (missing-value handling, category
 * encoding) is a stage of the saved pipeline, so scoring cannot drift from training.
 */
public final class ChurnTrainer {
  public static final String FEATURES = "features";
  /** The assembled inputs before any scaling. */
  public static final String RAW_FEATURES = "raw_features";

  /**
   * Ratios and rates are undefined without a denominator (no seats, no requests, no earlier usage);
   * they become this value, which no real ratio takes, so that trees can split it off.
   */
  static final double MISSING = -1.0;

  private ChurnTrainer() {}

  /** An unfitted pipeline of the nightly model ({@code customer_features}) for the given settings. */
  public static Pipeline pipeline(ChurnModelSettings settings) {
    return pipeline(settings, ModelInputs.CUSTOMER_FEATURES);
  }

  /** An unfitted pipeline from {@code inputs} to a churn probability, for the given settings. */
  public static Pipeline pipeline(ChurnModelSettings settings, ModelInputs inputs) {
    List<PipelineStage> stages = new ArrayList<>(featureStages(inputs));
    switch (settings.learner()) {
      case GBT -> {
        stages.add(new SQLTransformer().setStatement("SELECT *, raw_features AS " + FEATURES + " FROM __THIS__"));
        stages.add(
            new GBTClassifier()
                .setLabelCol(inputs.label())
                .setFeaturesCol(FEATURES)
                .setMaxIter(settings.maxIterations())
                .setMaxDepth(settings.maxDepth())
                .setStepSize(0.1)
                .setSubsamplingRate(0.8)
                .setSeed(settings.seed()));
      }
      case LOGISTIC -> {
        stages.add(new StandardScaler().setInputCol("raw_features").setOutputCol(FEATURES).setWithMean(true));
        stages.add(
            new LogisticRegression()
                .setLabelCol(inputs.label())
                .setFeaturesCol(FEATURES)
                .setMaxIter(settings.maxIterations() * 5)
                .setRegParam(0.01));
      }
      default -> throw new IllegalStateException("unhandled learner " + settings.learner());
    }
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * The stages from the input columns to one vector, {@value #RAW_FEATURES}: missing numbers filled
   * with {@link #MISSING}, categories one-hot encoded. Shared by every model that reads the same
   * columns, so that they all see an account the same way.
   */
  public static List<PipelineStage> featureStages(ModelInputs inputs) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    if (!inputs.numeric().isEmpty()) {
      stages.add(fillMissing(inputs.numeric()));
      inputs.numeric().forEach(f -> assembled.add(filledName(f)));
    }
    for (String category : inputs.categorical()) {
      // Categories unseen in training (a new plan) get their own slot instead of failing the run.
      stages.add(
          new StringIndexer()
              .setInputCol(category)
              .setOutputCol(category + "_index")
              .setHandleInvalid("keep")
              .setStringOrderType("alphabetAsc"));
      stages.add(
          new OneHotEncoder()
              .setInputCol(category + "_index")
              .setOutputCol(category + "_vector")
              .setHandleInvalid("keep"));
      assembled.add(category + "_vector");
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new)).setOutputCol(RAW_FEATURES));
    return List.copyOf(stages);
  }

  /** Fits the model on labelled examples (customer_features columns plus {@code label}). */
  public static PipelineModel fit(Dataset<Row> labelledExamples, ChurnModelSettings settings) {
    return pipeline(settings).fit(labelledExamples);
  }

  private static SQLTransformer fillMissing(List<String> numeric) {
    String filled =
        numeric.stream()
            .map(f -> "CAST(coalesce(" + quoted(f) + ", " + MISSING + ") AS DOUBLE) AS " + quoted(filledName(f)))
            .collect(Collectors.joining(", "));
    return new SQLTransformer().setStatement("SELECT *, " + filled + " FROM __THIS__");
  }

  /** A column name quoted for Spark SQL, whatever characters it holds. */
  private static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  private static String filledName(String feature) {
    return feature + "_filled";
  }
}
