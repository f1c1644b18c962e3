package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Labelled customer_features rows where churn depends on low usage (events_28d) near renewal
 * (days_to_renewal), plus noise; every other feature is noise or missing.
 */
public final class PlantedChurnExamples {
  private PlantedChurnExamples() {}

  public static Dataset<Row> of(SparkSession spark, int rows, int dates) {
    List<Column> columns = new ArrayList<>();
    columns.add(expr("date_add(DATE'2025-01-01', CAST(id % " + dates + " AS INT))").as(CustomerFeatures.AS_OF_DATE));
    columns.add(expr("concat('a', id)").as(CustomerFeatures.ACCOUNT_ID));
    columns.add(expr("element_at(array('smb', 'mid', 'enterprise'), CAST(id % 3 + 1 AS INT))").as(CustomerFeatures.SEGMENT));
    columns.add(expr("element_at(array('starter', 'team'), CAST(id % 2 + 1 AS INT))").as(CustomerFeatures.PLAN));
    columns.add(lit("monthly").as(CustomerFeatures.BILLING_INTERVAL));
    for (String feature : CustomerFeatures.NUMERIC_FEATURES) {
      if (feature.equals(CustomerFeatures.EVENTS_28D)) {
        columns.add(expr("CAST(floor(rand(7) * 100) AS BIGINT)").as(feature)); // a count, as in customer_features
      } else if (feature.equals(CustomerFeatures.DAYS_TO_RENEWAL)) {
        columns.add(expr("CAST(floor(rand(11) * 30) AS INT)").as(feature));
      } else if (feature.equals(CustomerFeatures.USAGE_TREND)) {
        columns.add(expr("CASE WHEN rand(13) < 0.3 THEN NULL ELSE rand(17) END").as(feature));
      } else {
        columns.add(expr("rand(" + (feature.hashCode() & 0xffff) + ")").as(feature));
      }
    }
    Dataset<Row> features = spark.range(rows).select(columns.toArray(Column[]::new));
    Column risk = expr("(100 - events_28d) / 100 * 0.7 + (30 - days_to_renewal) / 30 * 0.3");
    return features.withColumn(ChurnLabels.LABEL, when(risk.plus(expr("rand(23) * 0.4")).gt(0.95), 1.0).otherwise(0.0));
  }
}
