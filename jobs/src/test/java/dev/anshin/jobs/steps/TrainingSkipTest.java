package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.churn.ChurnTrainer;
import dev.anshin.testing.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * A retraining day whose data cannot train a model: the run goes on, the newest earlier model
 * scores, and a model of that same day left by an earlier run does not.
 */
class TrainingSkipTest extends SparkTestBase {
  private static final LocalDate EARLIER = LocalDate.parse("2025-02-01");
  private static final LocalDate DAY = LocalDate.parse("2025-03-01");

  /** Feature rows of {@code accounts} accounts as of {@code date}, churn tied to low usage. */
  private Dataset<Row> features(LocalDate date, int accounts) {
    List<Column> columns = new ArrayList<>();
    columns.add(lit(Date.valueOf(date)).as(CustomerFeatures.AS_OF_DATE));
    columns.add(expr("concat('a', id)").as(CustomerFeatures.ACCOUNT_ID));
    columns.add(expr("element_at(array('smb', 'mid'), CAST(id % 2 + 1 AS INT))").as(CustomerFeatures.SEGMENT));
    columns.add(lit("team").as(CustomerFeatures.PLAN));
    columns.add(lit("monthly").as(CustomerFeatures.BILLING_INTERVAL));
    for (String feature : CustomerFeatures.NUMERIC_FEATURES) {
      columns.add(expr(feature.equals(CustomerFeatures.EVENTS_28D) ? "CAST(id % 100 AS DOUBLE)" : "CAST(id % 7 AS DOUBLE)").as(feature));
    }
    return spark.range(accounts).select(columns.toArray(Column[]::new));
  }

  @Test
  void theNewestEarlierModelScoresWhenTheRetrainingDayCannotTrain() throws Exception {
    Path root = scratch.resolve("lakehouse");
    AnshinConfig config = AnshinConfig.load(null).withLocations(root, scratch.resolve("sources"));
    PipelineContext context = new PipelineContext(spark, config);
    Lakehouse lakehouse = context.lakehouse();

    // A month of history: far too little to train through DAY (305 days at most are needed).
    lakehouse.overwrite(CustomerFeatures.TABLE, features(DAY, 40));
    lakehouse.overwrite(AccountDaily.TABLE,
        spark.range(1).select(lit(Date.valueOf(DAY.minusDays(30))).as(AccountDaily.DELIVERED_ON)));
    lakehouse.overwrite(SourceTable.SUBSCRIPTIONS.tableName(),
        spark.createDataFrame(List.of(), SourceTable.SUBSCRIPTIONS.schema().add(SourceTable.DELIVERED_ON, DataTypes.DateType)));

    // The earlier model, and a model of DAY itself registered by an earlier run on other data.
    Dataset<Row> examples =
        features(EARLIER, 200).withColumn(ChurnLabels.LABEL, when(expr("events_28d < 30"), 1.0).otherwise(0.0));
    PipelineModel model = ChurnTrainer.fit(examples, new ChurnModelSettings(ChurnModelSettings.Learner.LOGISTIC, 10, 3, 1L));
    for (LocalDate trained : List.of(EARLIER, DAY)) {
      String version = ModelRegistry.versionFor(trained);
      Path path = ModelRegistry.save(lakehouse, version, model, "{}", null);
      ModelRegistry.register(lakehouse, ModelRegistry.entry(
          ModelRegistry.MODEL_NAME, version, Date.valueOf(trained), Timestamp.from(Instant.now()), lakehouse.root().relativize(path).toString(),
          "logistic", 90, 200L, 60L, 10L, 3L, Date.valueOf(trained), Date.valueOf(trained), 0.8, 0.5, 0.1, 1.0, 0.0, 0.05, 0.05));
    }

    List<StepReport> reports = context.run(List.of(TrainStep.onCadence(), ScoreStep.STEP), DAY, DAY);
    context.flushRunLog();

    // Training was skipped, saying why; the run went on and scored every account.
    Row trainModel = lakehouse.read(PipelineContext.RUN_LOG).filter("step = 'train model'").first();
    assertThat(trainModel.<String>getAs("outcome")).isEqualTo("skipped");
    assertThat(trainModel.<String>getAs("details")).contains("the newest earlier model keeps scoring").contains("not enough labelled history");
    assertThat(reports.get(1).rowsWritten()).isEqualTo(40);
    // With the newest model trained before DAY: DAY's own model (from other data) was removed, files and all.
    assertThat(lakehouse.read(ChurnScores.TABLE).select(ChurnScores.MODEL_VERSION).distinct().collectAsList())
        .extracting(r -> r.getString(0)).containsExactly(ModelRegistry.versionFor(EARLIER));
    assertThat(ModelRegistry.all(lakehouse)).extracting(ModelRegistry.Entry::version).containsExactly(ModelRegistry.versionFor(EARLIER));
    assertThat(Files.exists(ModelRegistry.versionFolder(lakehouse, ModelRegistry.versionFor(DAY)))).isFalse();
  }
}
