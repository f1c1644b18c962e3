package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import dev.anshin.jobs.cli.AnshinException;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.churn.BinaryMetrics;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.churn.ChurnTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Train: labels the feature history whose outcome is known by the run date, measures the model on
 * an out-of-time test set, then refits on every labelled example and registers that model.
 *
 * <p>The split is by as-of date: the latest {@code test-fraction} of labelled dates is the test
 * set, and training uses only dates whose whole horizon ends before the first test date, so no
 * training label peeks into the test period.
 */
public final class TrainStep {
  private static final Logger LOG = LoggerFactory.getLogger(TrainStep.class);

  /** Partitions of the training examples; fixed, so that training does not depend on the session. */
  static final int TRAINING_PARTITIONS = 4;

  private TrainStep() {}

  /** The first day of delivered activity in the lakehouse, as known on {@code date}. */
  static LocalDate historyStart(Lakehouse lakehouse, LocalDate date) {
    Row first =
        lakehouse.read(AccountDaily.TABLE)
            .filter(col(AccountDaily.DELIVERED_ON).leq(lit(Date.valueOf(date))))
            .agg(org.apache.spark.sql.functions.min(col(AccountDaily.DELIVERED_ON)))
            .first();
    if (first.isNullAt(0)) {
      throw AnshinException.badData("no activity delivered by " + date + "; run ingest first");
    }
    return first.getDate(0).toLocalDate();
  }

  /** What training produced. */
  public record Result(String version, BinaryMetrics test, long trainExamples, LocalDate testFrom, LocalDate testTo) {}

  public static Result run(PipelineContext context, LocalDate observedThrough) {
    Lakehouse lakehouse = context.lakehouse();
    AnshinConfig.ChurnSettings churn = context.config().churn();
    int horizon = churn.horizonDays();

    // Only as-of dates whose 90-day windows lie wholly inside the delivered history: the first days of
    // a lakehouse have cut-short windows that no later date has, and would teach the model that.
    LocalDate firstComplete = historyStart(lakehouse, observedThrough).plusDays(CustomerFeatures.LOOKBACK_DAYS - 1);
    Dataset<Row> sampled =
        lakehouse.read(CustomerFeatures.TABLE)
            .filter(col(CustomerFeatures.AS_OF_DATE).between(
                lit(Date.valueOf(firstComplete)), lit(Date.valueOf(observedThrough.minusDays(horizon)))))
            // Consecutive days of one account are near copies; one example a week per account keeps
            // the training set informative and small.
            .filter(pmod(datediff(col(CustomerFeatures.AS_OF_DATE), lit(Date.valueOf("1970-01-01"))), lit(churn.exampleEveryDays())).equalTo(0));
    Dataset<Row> churnDates =
        ChurnLabels.churnDates(
            Versions.latest(lakehouse.read(SourceTable.SUBSCRIPTIONS.tableName()), "subscription_id", observedThrough),
            observedThrough);
    // The same examples give the same model however the feature files were written: a fixed
    // partitioning by content and a fixed order within each partition.
    Dataset<Row> labelled =
        ChurnLabels.label(sampled, churnDates, horizon, observedThrough)
            .repartition(TRAINING_PARTITIONS, col(CustomerFeatures.ACCOUNT_ID))
            .sortWithinPartitions(CustomerFeatures.AS_OF_DATE, CustomerFeatures.ACCOUNT_ID)
            .cache();

    List<LocalDate> dates =
        labelled.select(CustomerFeatures.AS_OF_DATE).distinct().orderBy(CustomerFeatures.AS_OF_DATE).collectAsList().stream()
            .map(r -> r.<Date>getAs(0).toLocalDate())
            .toList();
    int testDates = (int) Math.ceil(dates.size() * churn.testFraction());
    if (dates.size() - testDates < 1) {
      throw AnshinException.badData(
          "not enough labelled history to train through " + observedThrough + ": " + dates.size()
              + " as-of dates from " + firstComplete + " (the first with a full " + CustomerFeatures.LOOKBACK_DAYS
              + "-day window) have a fully observed " + horizon + "-day horizon; training needs about "
              + (CustomerFeatures.LOOKBACK_DAYS + 3 * horizon + 60) + " days of history");
    }
    LocalDate testFrom = dates.get(dates.size() - testDates);
    LocalDate testTo = dates.get(dates.size() - 1);
    Dataset<Row> test = labelled.filter(col(CustomerFeatures.AS_OF_DATE).geq(lit(Date.valueOf(testFrom))));
    Dataset<Row> train =
        labelled.filter(col(CustomerFeatures.AS_OF_DATE).lt(lit(Date.valueOf(testFrom.minusDays(horizon)))));
    long trainCount = train.count();
    if (trainCount == 0) {
      throw AnshinException.badData(
          "no training examples before " + testFrom.minusDays(horizon) + ": the out-of-time test period starts "
              + testFrom + " and training labels (" + horizon + " days each) must end before it. Build features"
              + " over a longer history (with a " + horizon + "-day horizon, at least about "
              + (CustomerFeatures.LOOKBACK_DAYS + 3 * horizon + 60) + " days) or shorten anshin.churn.horizon-days");
    }

    ChurnModelSettings settings =
        new ChurnModelSettings(
            ChurnModelSettings.Learner.valueOf(churn.model().toUpperCase(Locale.ROOT)),
            churn.maxIterations(), churn.maxDepth(), churn.seed());
    LOG.info("train: {} training examples, test {} .. {}", trainCount, testFrom, testTo);
    Row testOutcomes = test.agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.sum(ChurnLabels.LABEL)).first();
    double testChurns = testOutcomes.isNullAt(1) ? 0 : testOutcomes.getDouble(1);
    if (testChurns == 0 || testChurns == testOutcomes.getLong(0)) {
      throw AnshinException.badData(
          "cannot measure a churn model through " + observedThrough + ": the out-of-time test period " + testFrom + " .. "
              + testTo + " has " + testOutcomes.getLong(0) + " examples with " + (long) testChurns
              + " churns; both churned and retained accounts are needed");
    }
    PipelineModel heldOut = fitOrExplain(train, settings);
    BinaryMetrics metrics =
        BinaryMetrics.of(
            heldOut.transform(test).withColumn("p", ChurnScores.probabilityOf("probability")), "p", ChurnLabels.LABEL);
    LOG.info("train: out-of-time test AUC-ROC {} AUC-PR {} (base rate {}) Brier {}",
        fmt(metrics.aucRoc()), fmt(metrics.aucPr()), fmt(metrics.baseRate()), fmt(metrics.brier()));

    // The registered model learns from every labelled example, the most recent included.
    PipelineModel model = fitOrExplain(labelled, settings);
    String version = ModelRegistry.versionFor(observedThrough);
    String path = ModelRegistry.modelPath(lakehouse, version);
    try {
      model.write().overwrite().save(path + "/model");
      Files.writeString(Path.of(path, "metrics.json"), metricsJson(version, metrics, trainCount, testFrom, testTo), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Row trainPositives = train.agg(org.apache.spark.sql.functions.sum(ChurnLabels.LABEL)).first();
    ModelRegistry.register(
        lakehouse,
        ModelRegistry.entry(
            ModelRegistry.MODEL_NAME, version, Date.valueOf(observedThrough), Timestamp.from(Instant.now()), path + "/model",
            churn.model(), horizon, trainCount, Math.round(trainPositives.getDouble(0)), metrics.n(), metrics.positives(),
            Date.valueOf(testFrom), Date.valueOf(testTo), metrics.aucRoc(), metrics.aucPr(), metrics.brier()));
    labelled.unpersist();
    return new Result(version, metrics, trainCount, testFrom, testTo);
  }

  private static PipelineModel fitOrExplain(Dataset<Row> examples, ChurnModelSettings settings) {
    Row counts = examples.agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.sum(ChurnLabels.LABEL)).first();
    double positives = counts.isNullAt(1) ? 0 : counts.getDouble(1);
    if (positives == 0 || positives == counts.getLong(0)) {
      throw AnshinException.badData(
          "cannot train a churn model: " + counts.getLong(0) + " examples with " + (long) positives
              + " churns; both churned and retained accounts are needed");
    }
    return ChurnTrainer.fit(examples, settings);
  }

  static String metricsJson(String version, BinaryMetrics m, long trainExamples, LocalDate testFrom, LocalDate testTo) {
    return String.format(Locale.ROOT,
        "{\"version\": \"%s\", \"train_examples\": %d, \"test_from\": \"%s\", \"test_to\": \"%s\", \"test_examples\": %d, "
            + "\"test_positives\": %d, \"auc_roc\": %.6f, \"auc_pr\": %.6f, \"brier\": %.6f}%n",
        version, trainExamples, testFrom, testTo, m.n(), m.positives(), m.aucRoc(), m.aucPr(), m.brier());
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
