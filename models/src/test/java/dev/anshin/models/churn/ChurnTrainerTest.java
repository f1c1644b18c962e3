package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import dev.anshin.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChurnTrainerTest extends SparkTestBase {

  private Dataset<Row> train;
  private Dataset<Row> test;

  /**
   * Examples where churn depends on low usage near renewal, plus noise, and every other feature is
   * noise or missing: a model that learned the signal ranks test examples well above chance.
   */
  @BeforeAll
  void examples() {
    List<Column> columns = new ArrayList<>();
    columns.add(expr("date_add(DATE'2025-01-01', CAST(id % 30 AS INT))").as(CustomerFeatures.AS_OF_DATE));
    columns.add(expr("concat('a', id)").as(CustomerFeatures.ACCOUNT_ID));
    columns.add(expr("element_at(array('smb', 'mid', 'enterprise'), CAST(id % 3 + 1 AS INT))").as(CustomerFeatures.SEGMENT));
    columns.add(expr("element_at(array('starter', 'team'), CAST(id % 2 + 1 AS INT))").as(CustomerFeatures.PLAN));
    columns.add(lit("monthly").as(CustomerFeatures.BILLING_INTERVAL));
    for (String feature : CustomerFeatures.NUMERIC_FEATURES) {
      if (feature.equals(CustomerFeatures.EVENTS_28D)) {
        columns.add(expr("CAST(rand(7) * 100 AS DOUBLE)").as(feature));
      } else if (feature.equals(CustomerFeatures.DAYS_TO_RENEWAL)) {
        columns.add(expr("CAST(rand(11) * 30 AS DOUBLE)").as(feature));
      } else if (feature.equals(CustomerFeatures.USAGE_TREND)) {
        columns.add(expr("CASE WHEN rand(13) < 0.3 THEN NULL ELSE rand(17) END").as(feature));
      } else {
        columns.add(expr("rand(" + (feature.hashCode() & 0xffff) + ")").as(feature));
      }
    }
    Dataset<Row> features = spark.range(1600).select(columns.toArray(Column[]::new));
    Column risk = expr("(100 - events_28d) / 100 * 0.7 + (30 - days_to_renewal) / 30 * 0.3");
    Dataset<Row> labelled =
        features.withColumn(ChurnLabels.LABEL, when(risk.plus(expr("rand(23) * 0.4")).gt(0.95), 1.0).otherwise(0.0));
    train = labelled.filter(col("account_id").substr(2, 10).cast("long").mod(4).notEqual(0)).cache();
    test = labelled.filter(col("account_id").substr(2, 10).cast("long").mod(4).equalTo(0)).cache();
  }

  @Test
  void gradientBoostedTreesLearnThePlantedSignal() {
    assertLearns(new ChurnModelSettings(ChurnModelSettings.Learner.GBT, 10, 3, 1L));
  }

  @Test
  void logisticRegressionLearnsThePlantedSignal() {
    assertLearns(new ChurnModelSettings(ChurnModelSettings.Learner.LOGISTIC, 10, 3, 1L));
  }

  @Test
  void unseenCategoriesAndMissingValuesDoNotFailScoring() {
    PipelineModel model = ChurnTrainer.fit(train, new ChurnModelSettings(ChurnModelSettings.Learner.GBT, 5, 2, 1L));
    Dataset<Row> odd =
        test.limit(3)
            .withColumn(CustomerFeatures.PLAN, lit("brand_new_plan"))
            .withColumn(CustomerFeatures.SEAT_UTILIZATION, lit(null).cast("double"));
    List<Row> scored =
        ChurnScores.score(model, odd, "v-test", new ChurnScores.RiskTiers(0.2, 0.5)).collectAsList();
    assertThat(scored).hasSize(3);
    assertThat(scored).allSatisfy(r -> {
      assertThat(r.<Double>getAs(ChurnScores.CHURN_PROBABILITY)).isBetween(0.0, 1.0);
      assertThat(r.<String>getAs(ChurnScores.RISK_TIER)).isIn("low", "medium", "high");
      assertThat(r.<String>getAs(ChurnScores.MODEL_VERSION)).isEqualTo("v-test");
    });
  }

  private void assertLearns(ChurnModelSettings settings) {
    PipelineModel model = ChurnTrainer.fit(train, settings);
    Dataset<Row> scored =
        model.transform(test).withColumn("p", ChurnScores.probabilityOf("probability"));
    BinaryMetrics metrics = BinaryMetrics.of(scored, "p", ChurnLabels.LABEL);
    // The label is a noisy threshold of two features; chance is 0.5.
    assertThat(metrics.aucRoc()).isGreaterThan(0.85);
    assertThat(metrics.aucPr()).isGreaterThan(2 * metrics.baseRate());
  }
}
