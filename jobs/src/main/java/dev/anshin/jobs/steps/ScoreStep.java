package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.errors.AnshinException;
import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.revenue.GrowthModel;
import dev.anshin.models.revenue.RevenueForecast;
import dev.anshin.models.revenue.RevenueModel;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Score: {@code customer_scores} for the as-of dates [from, to], each with the newest model trained
 * through that date. Dates before the first model have no scores, in a nightly run and in a
 * backfill alike.
 */
public final class ScoreStep {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreStep.class);

  private ScoreStep() {}

  /** The step: fails with exit 65, saying how much history training needs, when no model was trained through {@code to}. */
  public static final Step STEP =
      Step.of("score", (context, from, to) -> new StepReport(run(context, from, to).rowsWritten(), 0, null));

  public static Lakehouse.WriteResult run(PipelineContext context, LocalDate from, LocalDate to) {
    Lakehouse lakehouse = context.lakehouse();
    AnshinConfig.ChurnSettings churn = context.config().churn();
    List<ModelRegistry.Entry> models = ModelRegistry.all(lakehouse);
    // One read of the registry: the list serves the check and the scoring.
    if (models.stream().allMatch(m -> m.trainedThrough().isAfter(to))) {
      throw noModel(context, models, to);
    }
    List<Dataset<Row>> scored = new ArrayList<>();
    List<Scored> segments = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      ModelRegistry.Entry model = models.get(i);
      // This model scores the dates from its own training date until the next model's.
      LocalDate first = model.trainedThrough().isBefore(from) ? from : model.trainedThrough();
      LocalDate last = i + 1 < models.size() ? models.get(i + 1).trainedThrough().minusDays(1) : to;
      if (last.isAfter(to)) {
        last = to;
      }
      if (first.isAfter(last)) {
        continue;
      }
      Dataset<Row> features =
          lakehouse.read(CustomerFeatures.TABLE)
              .filter(col(CustomerFeatures.AS_OF_DATE).between(lit(Date.valueOf(first)), lit(Date.valueOf(last))));
      scored.add(ChurnScores.explained(ModelRegistry.load(lakehouse, model), features, model.version(), model.calibration()));
      segments.add(new Scored(model, features, first, last));
    }
    if (models.get(0).trainedThrough().isAfter(from)) {
      LOG.info("score: no model before {}; the dates from {} have no scores", models.get(0).trainedThrough(), from);
    }
    // The model runs once: both tables are taken from the same explained rows.
    Dataset<Row> explained = scored.stream().reduce(Dataset::unionByName).orElseThrow().localCheckpoint();
    Dataset<Row> driverRows = ChurnScores.drivers(explained).localCheckpoint();
    // What changed since the day before the run is in the tables; the run's own days are in its rows.
    Dataset<Row> withChanges = ChurnScores.withChanges(
        ChurnScores.scores(explained, new ChurnScores.RiskTiers(churn.mediumRiskThreshold(), churn.highRiskThreshold())),
        driverRows, dayBefore(lakehouse, ChurnScores.TABLE, from), dayBefore(lakehouse, ChurnScores.DRIVERS_TABLE, from));
    Lakehouse.WriteResult scores = lakehouse.replaceDates(
        ChurnScores.TABLE, withChanges, ChurnScores.AS_OF_DATE, from, to, null, ChurnScores.AS_OF_DATE);
    Lakehouse.WriteResult drivers = lakehouse.replaceDates(
        ChurnScores.DRIVERS_TABLE, driverRows, ChurnScores.AS_OF_DATE, from, to, null, ChurnScores.AS_OF_DATE);
    LOG.info("score: {} scores and {} driver rows written", scores.rowsWritten(), drivers.rowsWritten());
    forecastRevenue(lakehouse, segments, from, to);
    return scores;
  }

  /** The dates [first, last] that one model scored, and their features. */
  private record Scored(ModelRegistry.Entry model, Dataset<Row> features, LocalDate first, LocalDate last) {}

  /**
   * {@code revenue_forecast}, {@code portfolio_forecast} and {@code revenue_at_risk} for the scored
   * dates: each account's churn probability as just written, its MRR ratio from the revenue model
   * trained with the same churn model, and its segment and CSM owner as known on the date. Dates
   * scored by a model without a revenue model (one trained before forecasts existed) have none.
   */
  private static void forecastRevenue(Lakehouse lakehouse, List<Scored> segments, LocalDate from, LocalDate to) {
    List<Dataset<Row>> outlooks = new ArrayList<>();
    for (Scored segment : segments) {
      Optional<RevenueModel> revenue = ModelRegistry.loadRevenue(lakehouse, segment.model());
      if (revenue.isEmpty()) {
        LOG.info("score: {} has no revenue model (retrain to get one); {} .. {} have no revenue forecast",
            segment.model().version(), segment.first(), segment.last());
        continue;
      }
      Dataset<Row> growth =
          revenue.get().growth().transform(segment.features())
              .select(col(CustomerFeatures.ACCOUNT_ID).as("_growth_account"), col(CustomerFeatures.AS_OF_DATE).as("_growth_date"),
                  col(GrowthModel.PREDICTED_MRR_RATIO), col(CustomerFeatures.BILLING_INTERVAL), col(CustomerFeatures.DAYS_TO_RENEWAL),
                  col(CustomerFeatures.SEGMENT));
      Dataset<Row> accounts =
          lakehouse.read(ChurnScores.TABLE)
              .filter(col(ChurnScores.AS_OF_DATE).between(lit(Date.valueOf(segment.first())), lit(Date.valueOf(segment.last()))))
              .select(col(ChurnScores.AS_OF_DATE), col(ChurnScores.ACCOUNT_ID), col(ChurnScores.MRR), col(ChurnScores.CHURN_PROBABILITY),
                  col(ChurnScores.RISK_TIER), col(ChurnScores.MODEL_VERSION))
              .join(growth, col(ChurnScores.ACCOUNT_ID).equalTo(col("_growth_account"))
                  .and(col(ChurnScores.AS_OF_DATE).equalTo(col("_growth_date"))))
              .drop("_growth_account", "_growth_date");
      outlooks.add(RevenueForecast.outlook(withOwners(lakehouse, accounts, to), revenue.get().assumptions()));
    }
    if (outlooks.isEmpty()) {
      // No model of these dates forecasts revenue: their rows from an earlier scoring must not outlive it.
      for (String table : List.of(RevenueForecast.TABLE, RevenueForecast.PORTFOLIO_TABLE, RevenueForecast.AT_RISK_TABLE)) {
        if (lakehouse.exists(table)) {
          lakehouse.replaceDates(table, lakehouse.read(table).limit(0), RevenueForecast.AS_OF_DATE, from, to, null);
        }
      }
      return;
    }
    Dataset<Row> outlook = outlooks.stream().reduce(Dataset::unionByName).orElseThrow().localCheckpoint();
    Dataset<Row> forecast = RevenueForecast.forecast(outlook).select(
        col(RevenueForecast.AS_OF_DATE), col(RevenueForecast.ACCOUNT_ID), col(CustomerFeatures.SEGMENT), col(CSM_OWNER),
        col(ChurnScores.RISK_TIER), col(RevenueForecast.MRR), col(RevenueForecast.CHURN_PROBABILITY), col(GrowthModel.PREDICTED_MRR_RATIO),
        col(RevenueForecast.EXPECTED_REVENUE_90D), col(RevenueForecast.REVENUE_90D_P50), col(RevenueForecast.REVENUE_90D_P10), col(RevenueForecast.REVENUE_90D_P90),
        col(RevenueForecast.NAIVE_REVENUE_90D), col(RevenueForecast.REVENUE_AT_RISK_90D),
        col(RevenueForecast.EXPECTED_REVENUE_12M), col(RevenueForecast.REVENUE_12M_P10), col(RevenueForecast.REVENUE_12M_P90),
        col(RevenueForecast.NAIVE_REVENUE_12M), col(RevenueForecast.REVENUE_AT_RISK_12M), col(ChurnScores.MODEL_VERSION));
    Lakehouse.WriteResult written = lakehouse.replaceDates(
        RevenueForecast.TABLE, forecast, RevenueForecast.AS_OF_DATE, from, to, null, RevenueForecast.AS_OF_DATE);
    lakehouse.replaceDates(RevenueForecast.PORTFOLIO_TABLE, RevenueForecast.portfolio(outlook), RevenueForecast.AS_OF_DATE, from, to, null);
    lakehouse.replaceDates(RevenueForecast.AT_RISK_TABLE,
        RevenueForecast.atRisk(outlook, List.of(ChurnScores.RISK_TIER, CustomerFeatures.SEGMENT, CSM_OWNER)),
        RevenueForecast.AS_OF_DATE, from, to, null);
    LOG.info("score: {} revenue forecasts written, with the portfolio forecast and the revenue at risk", written.rowsWritten());
  }

  private static final String CSM_OWNER = "csm_owner";

  /** Adds each account's CSM owner as known on its as-of date (null without an accounts table, as in a scoring-only lakehouse). */
  private static Dataset<Row> withOwners(Lakehouse lakehouse, Dataset<Row> accounts, LocalDate to) {
    if (!lakehouse.exists(SourceTable.ACCOUNTS.tableName())) {
      return accounts.withColumn(CSM_OWNER, lit(null).cast("string"));
    }
    Dataset<Row> owners =
        Versions.withValidity(lakehouse.read(SourceTable.ACCOUNTS.tableName()), CustomerFeatures.ACCOUNT_ID, to)
            .select(col(CustomerFeatures.ACCOUNT_ID).as("_owner_account"), col(CSM_OWNER), col(Versions.KNOWN_FROM),
                col(Versions.KNOWN_UNTIL));
    return accounts
        .join(owners, col(ChurnScores.ACCOUNT_ID).equalTo(col("_owner_account")).and(Versions.validOn(col(ChurnScores.AS_OF_DATE))), "left")
        .drop("_owner_account", Versions.KNOWN_FROM, Versions.KNOWN_UNTIL);
  }

  /** The rows of a per-day table on the day before {@code from}; none when the table does not exist yet. */
  private static Dataset<Row> dayBefore(Lakehouse lakehouse, String table, LocalDate from) {
    if (!lakehouse.exists(table)) {
      return null;
    }
    return lakehouse.read(table).filter(col(ChurnScores.AS_OF_DATE).equalTo(lit(Date.valueOf(from.minusDays(1)))));
  }

  /** No model to score {@code date} with: says how much history training needs and what this lakehouse has. */
  private static AnshinException noModel(PipelineContext context, List<ModelRegistry.Entry> models, LocalDate date) {
    AnshinConfig.ChurnSettings churn = context.config().churn();
    int needed = TrainStep.minimumHistoryDays(churn);
    String registry =
        models.isEmpty()
            ? "no churn model has been trained in " + context.lakehouse().root()
            : "the first churn model was trained through " + models.get(0).trainedThrough();
    String history;
    if (context.lakehouse().exists(AccountDaily.TABLE)) {
      LocalDate start = TrainStep.historyStart(context.lakehouse(), date);
      long have = java.time.temporal.ChronoUnit.DAYS.between(start, date) + 1;
      history = "; the delivered history starts " + start + " (" + have + " days by " + date + "), so training can first succeed"
          + " on a retraining day (anshin.churn.retrain = " + churn.retrain() + ") on or after "
          + TrainStep.firstTrainableDay(churn, start);
    } else {
      history = "; nothing has been ingested yet";
    }
    return AnshinException.badData(
        "no churn model to score " + date + " with: " + registry + ". Training needs up to " + needed
            + " days of delivered history with anshin.churn.horizon-days = " + churn.horizonDays() + history
            + ". The other tables are written meanwhile; a shorter horizon needs less history.");
  }
}
