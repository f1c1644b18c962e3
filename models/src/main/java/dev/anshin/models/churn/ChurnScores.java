package dev.anshin.models.churn;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.customer.CustomerFeatures;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The {@code customer_scores} table: one row per account per scored as-of date. */
public final class ChurnScores {
  public static final String TABLE = "customer_scores";

  public static final String AS_OF_DATE = CustomerFeatures.AS_OF_DATE;
  public static final String ACCOUNT_ID = CustomerFeatures.ACCOUNT_ID;
  public static final String CHURN_PROBABILITY = "churn_probability";
  public static final String RISK_TIER = "risk_tier";
  public static final String MRR = "mrr";
  public static final String MRR_AT_RISK = "mrr_at_risk";
  public static final String MODEL_VERSION = "model_version";
  public static final String SCORED_AT = "scored_at";

  /** Probability thresholds between the low, medium and high risk tiers. */
  public record RiskTiers(double medium, double high) {
    public RiskTiers {
      if (!(0 < medium && medium < high && high < 1)) {
        throw new IllegalArgumentException(
            "risk tier thresholds must satisfy 0 < medium < high < 1, got medium=" + medium + ", high=" + high);
      }
    }

    Column tierOf(Column probability) {
      return when(probability.geq(high), lit("high"))
          .when(probability.geq(medium), lit("medium"))
          .otherwise(lit("low"));
    }
  }

  private ChurnScores() {}

  /** The churn probability (positive class) of a fitted pipeline's output. */
  public static Column probabilityOf(String probabilityVectorColumn) {
    return vector_to_array(col(probabilityVectorColumn), "float64").getItem(1);
  }

  /** Scores feature rows: probability, tier, expected MRR lost (MRR x probability), model version. */
  public static Dataset<Row> score(
      PipelineModel model, Dataset<Row> features, String modelVersion, RiskTiers tiers) {
    Column probability = probabilityOf("probability");
    return model
        .transform(features)
        .select(
            col(AS_OF_DATE),
            col(ACCOUNT_ID),
            probability.as(CHURN_PROBABILITY),
            tiers.tierOf(probability).as(RISK_TIER),
            col(CustomerFeatures.MRR).as(MRR),
            round(col(CustomerFeatures.MRR).multiply(probability), 2).as(MRR_AT_RISK),
            lit(modelVersion).as(MODEL_VERSION),
            current_timestamp().as(SCORED_AT));
  }
}
