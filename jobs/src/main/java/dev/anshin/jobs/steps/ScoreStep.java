package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.churn.ChurnScores;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Score: {@code customer_scores} for one as-of date with the newest model trained through it. */
public final class ScoreStep {
  private ScoreStep() {}

  public static Lakehouse.WriteResult run(PipelineContext context, LocalDate date) {
    Lakehouse lakehouse = context.lakehouse();
    ModelRegistry.Entry entry = ModelRegistry.latestUpTo(lakehouse, date);
    AnshinConfig.ChurnSettings churn = context.config().churn();
    Dataset<Row> features =
        lakehouse.read(CustomerFeatures.TABLE).filter(col(CustomerFeatures.AS_OF_DATE).equalTo(lit(Date.valueOf(date))));
    Dataset<Row> scores =
        ChurnScores.score(
            ModelRegistry.load(entry), features, entry.version(),
            new ChurnScores.RiskTiers(churn.mediumRiskThreshold(), churn.highRiskThreshold()));
    return lakehouse.replaceDates(ChurnScores.TABLE, scores, ChurnScores.AS_OF_DATE, date, date, null, ChurnScores.AS_OF_DATE);
  }
}
