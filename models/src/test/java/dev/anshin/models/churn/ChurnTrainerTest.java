package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import dev.anshin.testing.SparkTestBase;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
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
    Dataset<Row> labelled = PlantedChurnExamples.of(spark, 1600, 30);
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
