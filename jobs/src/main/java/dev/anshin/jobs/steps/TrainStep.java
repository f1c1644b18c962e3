package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.health.HealthScore;
import dev.anshin.features.labels.ChurnLabels;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.churn.BinaryMetrics;
import dev.anshin.models.churn.Calibration;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.churn.ChurnTrainer;
import dev.anshin.models.health.HealthValidation;
import dev.anshin.models.revenue.GrowthModel;
import dev.anshin.models.revenue.RevenueModel;
import dev.anshin.models.revenue.RevenueOutlook;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
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

  /**
   * The nightly's training: retrains on each day of [from, to] that {@code anshin.churn.retrain}
   * names, in date order. A day whose data cannot train a model yet (too little history, no churn
   * in the window) is skipped with a warning and recorded as skipped: the newest earlier model keeps
   * scoring, and only when there is none does scoring fail.
   */
  public static Step onCadence() {
    return Step.of("train", (context, from, to) -> {
      long examples = 0;
      StringBuilder trained = new StringBuilder();
      for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
        if (!context.config().churn().retrainsOn(day)) {
          continue;
        }
        LocalDate trainDay = day;
        StepReport report = context.step("train model", trainDay, () -> trainOrSkip(context, trainDay));
        examples += report.rowsWritten();
        if (report.outcome() == StepReport.Outcome.SUCCEEDED) {
          trained.append(trained.length() == 0 ? "trained " : ", ").append(ModelRegistry.versionFor(trainDay));
        }
      }
      return new StepReport(examples, 0, trained.length() == 0 ? "no model trained in this run" : trained.toString());
    });
  }

  /** {@code anshin train --date D}: trains through {@code to}, and fails (exit 65) when it cannot. */
  public static Step onDate() {
    return Step.of("train", (context, from, to) -> report(run(context, to)));
  }

  private static StepReport trainOrSkip(PipelineContext context, LocalDate day) {
    try {
      return report(run(context, day));
    } catch (AnshinException e) {
      if (e.exitCode() != ExitCodes.DATA_ERROR) {
        throw e;
      }
      // A model of this very day from an earlier run (on data since corrected) must not outlive this run's verdict.
      ModelRegistry.unregister(context.lakehouse(), ModelRegistry.versionFor(day));
      forgetValidations(context.lakehouse(), day);
      boolean older = ModelRegistry.all(context.lakehouse()).stream().anyMatch(m -> m.trainedThrough().isBefore(day));
      String consequence = older ? "the newest earlier model keeps scoring" : "no model yet, so no churn scores until one is trained";
      LOG.warn("train {}: skipped ({}): {}", day, consequence, e.getMessage());
      return StepReport.skipped(consequence + ": " + e.getMessage());
    }
  }

  private static StepReport report(Result result) {
    return new StepReport(result.trainExamples(), 0,
        String.format(Locale.ROOT, "model %s test AUC-ROC %.3f", result.version(), result.test().aucRoc()));
  }

  /**
   * Example dates training needs: enough that, after the latest {@code test-fraction} of them is set
   * aside as the out-of-time test, the earliest lies more than a horizon before the test's first.
   */
  static int exampleDatesNeeded(AnshinConfig.ChurnSettings churn) {
    int dates = 1;
    while ((dates - (int) Math.ceil(dates * churn.testFraction())) * (long) churn.exampleEveryDays() <= churn.horizonDays()) {
      dates++;
    }
    return dates;
  }

  /**
   * The first day through which training can succeed for a history starting on {@code historyStart}:
   * the first full feature window ({@link CustomerFeatures#LOOKBACK_DAYS} days), the first example
   * date on or after it (example dates are calendar-aligned, as {@link #run} samples them), {@link
   * #exampleDatesNeeded} of them, then a horizon of outcomes after the last. Training may still fail
   * later (for example when no account churned in the window); never earlier it succeeds.
   */
  public static LocalDate firstTrainableDay(AnshinConfig.ChurnSettings churn, LocalDate historyStart) {
    int every = churn.exampleEveryDays();
    LocalDate firstComplete = historyStart.plusDays(CustomerFeatures.LOOKBACK_DAYS - 1);
    LocalDate firstExample = firstComplete.plusDays(Math.floorMod(-firstComplete.toEpochDay(), every));
    return firstExample.plusDays((long) (exampleDatesNeeded(churn) - 1) * every + churn.horizonDays());
  }

  /**
   * Days of delivered history after which training can succeed, whatever day the history starts on:
   * {@link #firstTrainableDay} for the least favourable calendar alignment (the first example date
   * {@code example-every-days - 1} days after the first full window).
   */
  public static int minimumHistoryDays(AnshinConfig.ChurnSettings churn) {
    return CustomerFeatures.LOOKBACK_DAYS + exampleDatesNeeded(churn) * churn.exampleEveryDays() + churn.horizonDays() - 1;
  }

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

    try {
      List<LocalDate> dates =
          labelled.select(CustomerFeatures.AS_OF_DATE).distinct().orderBy(CustomerFeatures.AS_OF_DATE).collectAsList().stream()
              .map(r -> r.<Date>getAs(0).toLocalDate())
              .toList();
      int testDates = (int) Math.ceil(dates.size() * churn.testFraction());
      if (dates.size() - testDates < 1) {
        throw AnshinException.badData(
            "not enough labelled history to train through " + observedThrough + ": " + dates.size()
                + " as-of dates from " + firstComplete + " (the first with a full " + CustomerFeatures.LOOKBACK_DAYS
                + "-day window) have a fully observed " + horizon + "-day horizon; training needs at least "
                + minimumHistoryDays(churn) + " days of history");
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
                + " over a longer history (with a " + horizon + "-day horizon, at least "
                + minimumHistoryDays(churn) + " days) or shorten anshin.churn.horizon-days");
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
      Dataset<Row> testPredictions =
          heldOut.transform(test)
              .select(col(CustomerFeatures.AS_OF_DATE), col(ChurnLabels.LABEL), ChurnScores.probabilityOf("probability").as("p"))
              .withColumn("margin", Calibration.logOdds(col("p")))
              .cache();
      BinaryMetrics metrics = BinaryMetrics.of(testPredictions, "p", ChurnLabels.LABEL);
      LOG.info("train: out-of-time test AUC-ROC {} AUC-PR {} (base rate {}) Brier {}",
          fmt(metrics.aucRoc()), fmt(metrics.aucPr()), fmt(metrics.baseRate()), fmt(metrics.brier()));
      Calibration.CrossFitted calibrated =
          Calibration.crossFitted(testPredictions, CustomerFeatures.AS_OF_DATE, churn.exampleEveryDays(), "margin", "p", ChurnLabels.LABEL);
      testPredictions.unpersist();
      LOG.info("train: calibration of the margin on the test examples: slope {} intercept {}; expected calibration error {} before,"
              + " {} after (cross-fitted)", fmt(calibrated.calibration().slope()), fmt(calibrated.calibration().intercept()),
          fmt(calibrated.eceBefore()), fmt(calibrated.eceAfter()));

      RevenueModel revenue = trainRevenue(lakehouse, labelled, settings, horizon, observedThrough, testFrom);

      // The registered model learns from every labelled example, the most recent included.
      PipelineModel model = fitOrExplain(labelled, settings);
      String version = ModelRegistry.versionFor(observedThrough);
      Path saved = ModelRegistry.save(lakehouse, version, model, metricsJson(version, metrics, trainCount, testFrom, testTo), revenue);
      // Relative to the lakehouse, so that a lakehouse copied or moved elsewhere still finds its models.
      String path = lakehouse.root().relativize(saved).toString();
      Row trainPositives = train.agg(org.apache.spark.sql.functions.sum(ChurnLabels.LABEL)).first();
      ModelRegistry.register(
          lakehouse,
          ModelRegistry.entry(
              ModelRegistry.MODEL_NAME, version, Date.valueOf(observedThrough), Timestamp.from(Instant.now()), path,
              churn.model(), horizon, trainCount, Math.round(trainPositives.getDouble(0)), metrics.n(), metrics.positives(),
              Date.valueOf(testFrom), Date.valueOf(testTo), metrics.aucRoc(), metrics.aucPr(), metrics.brier(),
              calibrated.calibration().slope(), calibrated.calibration().intercept(), calibrated.eceBefore(), calibrated.eceAfter()));
      ModelRegistry.removeUnregistered(lakehouse, version, saved);
      lakehouse.replaceDates(Calibration.TABLE, calibrated.reliabilityRows(lakehouse.spark(), observedThrough),
          "trained_through", observedThrough, observedThrough, null);
      validateHealth(context, train, test, observedThrough, testFrom, testTo);
      return new Result(version, metrics, trainCount, testFrom, testTo);
    } finally {
      labelled.unpersist();
    }
  }

  /**
   * The revenue model ({@link GrowthModel} and the {@link RevenueOutlook.Assumptions}) from the same
   * labelled examples: the growth model learns from the accounts that stayed in the training period
   * and its errors are measured on those of the out-of-time test period, so the interval of a
   * forecast is as wide as the model's real errors. Unlike the churn model it is not refitted on
   * the test period: its errors are then those of the model that forecasts. Null (no revenue
   * forecast from this model) when no account stayed in the training period.
   */
  private static RevenueModel trainRevenue(
      Lakehouse lakehouse, Dataset<Row> labelled, ChurnModelSettings settings, int horizon, LocalDate observedThrough,
      LocalDate testFrom) {
    Dataset<Row> features =
        lakehouse.read(CustomerFeatures.TABLE).filter(col(CustomerFeatures.AS_OF_DATE).leq(lit(Date.valueOf(observedThrough))));
    Dataset<Row> staying =
        GrowthModel.stayingExamples(labelled, features, horizon)
            .repartition(TRAINING_PARTITIONS, col(CustomerFeatures.ACCOUNT_ID))
            .sortWithinPartitions(CustomerFeatures.AS_OF_DATE, CustomerFeatures.ACCOUNT_ID)
            .cache();
    try {
      Dataset<Row> train = staying.filter(col(CustomerFeatures.AS_OF_DATE).lt(lit(Date.valueOf(testFrom.minusDays(horizon)))));
      Dataset<Row> test = staying.filter(col(CustomerFeatures.AS_OF_DATE).geq(lit(Date.valueOf(testFrom))));
      // One pass gives both whether anyone stayed and the constant the growth model must beat.
      Row trainMeanRow = train.agg(org.apache.spark.sql.functions.avg(col(GrowthModel.MRR_RATIO))).first();
      if (trainMeanRow.isNullAt(0)) {
        LOG.warn("train {}: no account stayed through a training horizon, so this model makes no revenue forecast", observedThrough);
        return null;
      }
      PipelineModel growth = GrowthModel.pipeline(settings).fit(train);
      double[] errors = GrowthModel.ratioErrors(growth, test);
      double annualRenewalChurn = GrowthModel.annualRenewalChurn(labelled, horizon);
      double trainMean = trainMeanRow.getDouble(0);
      Column ratio = col(GrowthModel.MRR_RATIO);
      Row measured = growth.transform(test)
          .agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.avg(ratio),
              rootMeanSquare(ratio.minus(col(GrowthModel.PREDICTED_MRR_RATIO))), rootMeanSquare(ratio.minus(lit(trainMean))),
              rootMeanSquare(ratio.minus(lit(1.0))))
          .first();
      LOG.info("train: growth model on {} staying test accounts: mean MRR ratio {}; root mean squared error {} (the training"
              + " mean {}: {}; flat MRR: {}); renewal churn of annual accounts {}; 80% of ratio errors within {} .. {}",
          measured.getLong(0), optional(measured, 1), optional(measured, 2), fmt(trainMean), optional(measured, 3),
          optional(measured, 4), fmt(annualRenewalChurn), fmt(errors[(int) (errors.length * 0.1)]),
          fmt(errors[(int) Math.min(errors.length - 1, errors.length * 0.9)]));
      return new RevenueModel(growth, new RevenueOutlook.Assumptions(horizon, annualRenewalChurn, errors));
    } finally {
      staying.unpersist();
    }
  }

  /**
   * The health scorecard measured on the model's own out-of-time test examples, and the weights its
   * training examples would give it ({@link HealthValidation}): written to {@code health_validation}
   * and {@code health_band_churn} for the training date, and the fitted weights logged as the
   * configuration line that would adopt them.
   */
  private static void validateHealth(
      PipelineContext context, Dataset<Row> train, Dataset<Row> test, LocalDate day, LocalDate testFrom, LocalDate testTo) {
    Lakehouse lakehouse = context.lakehouse();
    if (!lakehouse.exists(HealthScore.TABLE)) {
      return;
    }
    List<org.apache.spark.sql.Column> columns = new java.util.ArrayList<>(List.of(
        col(HealthScore.Columns.ACCOUNT_ID).as("_health_account"), col(HealthScore.Columns.AS_OF_DATE).as("_health_date")));
    HealthScore.COMPONENT_COLUMNS.forEach(c -> columns.add(col(c)));
    Dataset<Row> health = lakehouse.read(HealthScore.TABLE).select(columns.toArray(org.apache.spark.sql.Column[]::new));
    java.util.function.Function<Dataset<Row>, Dataset<Row>> withHealth = examples ->
        examples.select(CustomerFeatures.ACCOUNT_ID, CustomerFeatures.AS_OF_DATE, ChurnLabels.LABEL)
            .join(health, col(CustomerFeatures.ACCOUNT_ID).equalTo(col("_health_account"))
                .and(col(CustomerFeatures.AS_OF_DATE).equalTo(col("_health_date"))))
            // As for the model: the same examples fit the same weights however the tables' files lie.
            .repartition(TRAINING_PARTITIONS, col(CustomerFeatures.ACCOUNT_ID))
            .sortWithinPartitions(CustomerFeatures.AS_OF_DATE, CustomerFeatures.ACCOUNT_ID);
    HealthValidation.Result result =
        HealthValidation.validate(withHealth.apply(train), withHealth.apply(test), ChurnLabels.LABEL, context.config().health(),
            day, testFrom, testTo);
    lakehouse.replaceDates(HealthValidation.COMPONENTS_TABLE, result.components(), "trained_through", day, day, null);
    lakehouse.replaceDates(HealthValidation.BANDS_TABLE, result.bands(), "trained_through", day, day, null);
    LOG.info("train {}: health score out-of-time AUC-ROC {} with the configured weights; {}", day,
        result.components().filter(col("weights").equalTo(HealthValidation.CONFIGURED).and(col("component").equalTo(HealthValidation.HEALTH_SCORE)))
            .select("auc_roc").as(org.apache.spark.sql.Encoders.DOUBLE()).collectAsList().stream().findFirst()
            .map(auc -> auc == null ? "n/a" : fmt(auc)).orElse("n/a"),
        result.fitted() == null
            ? "no component's deficit raised the odds of churn, so no weights were fitted"
            : "the history's weights: " + HealthValidation.asConfiguration(result.fitted()));
  }

  /** Removes the validations of a training day whose training no longer succeeds, as its model is removed. */
  private static void forgetValidations(Lakehouse lakehouse, LocalDate day) {
    for (String table : List.of(HealthValidation.COMPONENTS_TABLE, HealthValidation.BANDS_TABLE, Calibration.TABLE)) {
      if (lakehouse.exists(table) && !lakehouse.read(table).filter(col("trained_through").equalTo(lit(Date.valueOf(day)))).isEmpty()) {
        io.delta.tables.DeltaTable.forPath(lakehouse.spark(), lakehouse.path(table)).delete(col("trained_through").equalTo(lit(Date.valueOf(day))));
      }
    }
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

  private static Column rootMeanSquare(Column error) {
    return org.apache.spark.sql.functions.sqrt(org.apache.spark.sql.functions.avg(error.multiply(error)));
  }

  private static String optional(Row row, int field) {
    return row.isNullAt(field) ? "n/a" : fmt(row.getDouble(field));
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
