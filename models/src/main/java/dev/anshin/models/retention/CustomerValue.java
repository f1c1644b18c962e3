package dev.anshin.models.retention;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * Scores an {@link RfmSummary} with fitted BG/NBD and Gamma-Gamma models: probability alive,
 * expected purchases in the holdout, expected spend and expected lifetime value per customer.
 *
 * <p>Added columns: {@code probability_alive}, {@code expected_holdout_purchases} (null without a
 * holdout), {@code expected_spend} (Gamma-Gamma conditional mean; the population mean for x = 0),
 * {@code discounted_expected_purchases} and {@code expected_lifetime_value} (see {@link
 * LifetimeValue}).
 */
public final class CustomerValue {

  public static final String PROBABILITY_ALIVE = "probability_alive";
  public static final String EXPECTED_HOLDOUT_PURCHASES = "expected_holdout_purchases";
  public static final String EXPECTED_SPEND = "expected_spend";
  public static final String DISCOUNTED_EXPECTED_PURCHASES = "discounted_expected_purchases";
  public static final String EXPECTED_LIFETIME_VALUE = "expected_lifetime_value";
  /** Calibration frequencies at or above this are pooled in the holdout comparison, as in the paper. */
  public static final int TOP_FREQUENCY_GROUP = 7;

  private CustomerValue() {}

  /** The summary with the value columns added; holdoutWeeks 0 leaves the holdout column null. */
  public static Dataset<Row> score(
      Dataset<Row> summary,
      BetaGeometricNbdModel purchases,
      GammaGammaModel spend,
      LifetimeValue.Settings settings,
      double holdoutWeeks) {
    UserDefinedFunction alive =
        udf(
            (UDF3<Long, Double, Double, Double>)
                (x, recency, age) -> purchases.probabilityAlive(x, recency, age),
            DataTypes.DoubleType);
    UserDefinedFunction holdout =
        udf(
            (UDF3<Long, Double, Double, Double>)
                (x, recency, age) ->
                    purchases.conditionalExpectedPurchases(holdoutWeeks, x, recency, age),
            DataTypes.DoubleType);
    UserDefinedFunction discounted =
        udf(
            (UDF3<Long, Double, Double, Double>)
                (x, recency, age) ->
                    LifetimeValue.discountedExpectedPurchases(purchases, settings, x, recency, age),
            DataTypes.DoubleType);
    UserDefinedFunction expectedSpend =
        udf(
            (UDF4<Long, Double, Double, Double, Double>)
                (x, recency, age, monetary) ->
                    spend.conditionalExpectedSpend(x, monetary == null ? 0 : monetary),
            DataTypes.DoubleType);
    Column x = col(RfmSummary.FREQUENCY);
    Column recency = col(RfmSummary.RECENCY_WEEKS);
    Column age = col(RfmSummary.AGE_WEEKS);
    return summary
        .withColumn(PROBABILITY_ALIVE, alive.apply(x, recency, age))
        .withColumn(
            EXPECTED_HOLDOUT_PURCHASES,
            holdoutWeeks > 0 ? holdout.apply(x, recency, age) : lit(null).cast(DataTypes.DoubleType))
        .withColumn(EXPECTED_SPEND, expectedSpend.apply(x, recency, age, col(RfmSummary.MONETARY_VALUE)))
        .withColumn(DISCOUNTED_EXPECTED_PURCHASES, discounted.apply(x, recency, age))
        .withColumn(
            EXPECTED_LIFETIME_VALUE,
            col(EXPECTED_SPEND).multiply(col(DISCOUNTED_EXPECTED_PURCHASES)));
  }

  /**
   * Actual vs predicted holdout repeat transactions by calibration frequency 0..6 and 7+ (the paper's
   * Figure 4): columns frequency_group (7 means 7 or more), customers, actual, predicted.
   */
  public static Dataset<Row> holdoutByFrequency(Dataset<Row> scored) {
    return scored
        .groupBy(least(col(RfmSummary.FREQUENCY), lit((long) TOP_FREQUENCY_GROUP)).as("frequency_group"))
        .agg(
            count(lit(1)).as("customers"),
            sum(col(RfmSummary.HOLDOUT_FREQUENCY)).as("actual"),
            sum(col(EXPECTED_HOLDOUT_PURCHASES)).as("predicted"))
        .orderBy("frequency_group");
  }
}
