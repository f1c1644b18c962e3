package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.churn.ChurnScores;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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

  /** One as-of date: fails, saying what to do, when no model was trained through it. */
  public static Lakehouse.WriteResult run(PipelineContext context, LocalDate date) {
    ModelRegistry.latestUpTo(context.lakehouse(), date);
    return run(context, date, date);
  }

  public static Lakehouse.WriteResult run(PipelineContext context, LocalDate from, LocalDate to) {
    Lakehouse lakehouse = context.lakehouse();
    AnshinConfig.ChurnSettings churn = context.config().churn();
    List<ModelRegistry.Entry> models = ModelRegistry.all(lakehouse);
    List<Dataset<Row>> scored = new ArrayList<>();
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
      scored.add(
          ChurnScores.score(
              ModelRegistry.load(model), features, model.version(),
              new ChurnScores.RiskTiers(churn.mediumRiskThreshold(), churn.highRiskThreshold())));
    }
    if (scored.isEmpty()) {
      LOG.warn("score {} .. {}: no churn model trained through {} yet; nothing scored", from, to, to);
      return new Lakehouse.WriteResult(ChurnScores.TABLE, -1, "NONE", 0, 0);
    }
    if (models.get(0).trainedThrough().isAfter(from)) {
      LOG.info("score: no model before {}; the dates from {} have no scores", models.get(0).trainedThrough(), from);
    }
    Dataset<Row> scores = scored.stream().reduce(Dataset::unionByName).orElseThrow();
    return lakehouse.replaceDates(ChurnScores.TABLE, scores, ChurnScores.AS_OF_DATE, from, to, null, ChurnScores.AS_OF_DATE);
  }
}
