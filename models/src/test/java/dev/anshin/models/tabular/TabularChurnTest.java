package dev.anshin.models.tabular;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.models.churn.BinaryMetrics;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.testing.SparkTestBase;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The churn model on a table it has never seen, typed from text as a CSV gives it, where churn is
 * planted: true log-odds -1.5 + 2.5 [usage under 20] + 1.0 [plan basic] - 1.5 [auto-renew], and a
 * column of noise.
 */
class TabularChurnTest extends SparkTestBase {
  private static final int ROWS = 4000;
  private static final double HOLDOUT = 0.25;

  private Dataset<Row> planted() {
    return spark.range(ROWS).selectExpr(
            "concat('u', id) AS user_id",
            "CASE WHEN rand(1) < 0.05 THEN ' ' ELSE CAST(floor(rand(2) * 100) AS STRING) END AS usage",
            "element_at(array('basic', 'pro', 'enterprise'), CAST(id % 3 + 1 AS INT)) AS plan",
            "CASE WHEN rand(3) < 0.5 THEN 'Yes' ELSE 'No' END AS auto_renew",
            "CAST(rand(4) AS STRING) AS noise",
            "rand(5) AS u")
        .withColumn("true_logit", expr("-1.5 + 2.5 * CASE WHEN try_cast(trim(usage) AS DOUBLE) < 20 THEN 1 ELSE 0 END"
            + " + CASE WHEN plan = 'basic' THEN 1.0 ELSE 0 END - CASE WHEN auto_renew = 'Yes' THEN 1.5 ELSE 0 END"))
        .withColumn("true_p", expr("1 / (1 + exp(-true_logit))"))
        .withColumn("churned", expr("CASE WHEN u < true_p THEN 'yes' ELSE 'no' END"));
  }

  private TabularChurn.Fitted fit(Dataset<Row> table, ChurnModelSettings settings) {
    Dataset<Row> input = table.drop("u", "true_logit", "true_p");
    BinaryLabel label = BinaryLabel.infer(input, "churned", null);
    ColumnTyping typing = ColumnTyping.infer(input, "user_id", "churned", Set.of(), ColumnTyping.MAX_CATEGORIES);
    return TabularChurn.fit(typing.apply(input, label), typing, label, settings, HOLDOUT);
  }

  @Test
  void learnsThePlantedSignalAndExplainsEveryScoreExactly() {
    Dataset<Row> table = planted().cache();
    // Fewer and shallower trees than the default: the planted effects are three steps, and the suite stays fast.
    TabularChurn.Fitted fitted = fit(table, new ChurnModelSettings(ChurnModelSettings.Learner.GBT, 20, 3, 42L));
    TabularChurn.Model model = fitted.model();
    TabularChurn.HoldoutMetrics holdout = fitted.holdout();

    // The holdout is the ids the hash puts there, and every other row trained the model.
    Dataset<Row> held = table.filter(TabularChurn.inHoldout("user_id", HOLDOUT, 42L));
    assertThat(holdout.examples()).isEqualTo(held.count());
    assertThat(holdout.trainExamples()).isEqualTo(ROWS - held.count());
    assertThat(holdout.positives()).isEqualTo(held.filter("churned = 'yes'").count());

    // Ranking: within 0.03 of the true probabilities on the same rows (about 1,000 rows, so the
    // AUCs' standard error is about 0.015 and a model that missed one planted effect loses more).
    double oracle = BinaryMetrics.of(held.withColumn("y", expr("CASE WHEN churned = 'yes' THEN 1.0 ELSE 0.0 END")), "true_p", "y").aucRoc();
    assertThat(holdout.aucRoc()).isGreaterThan(oracle - 0.03);

    // Exactness: every row's contributions and base value add up to its margin, and its probability
    // is the calibration of that margin.
    Dataset<Row> typed = model.typing().apply(table, null);
    Dataset<Row> explained = model.explained(typed).cache();
    Dataset<Row> sums = model.drivers(explained).groupBy("user_id").agg(sum("contribution").as("total"));
    double worst = explained.join(sums, "user_id")
        .selectExpr("max(abs(total - churn_margin))").first().getDouble(0);
    assertThat(worst).isLessThan(1e-9);
    for (Row row : explained.select("churn_margin", "churn_probability").limit(50).collectAsList()) {
      assertThat(row.getDouble(1)).isCloseTo(model.calibration().probability(row.getDouble(0)), within(1e-12));
    }

    // Drivers in words: the riskiest accounts (low usage, basic plan, no auto-renew) are driven by
    // the planted inputs, and the safest (auto-renew, high usage, not basic) are protected by one.
    Dataset<Row> scores = model.scores(explained).join(table, "user_id");
    List<Row> riskiest = scores.filter("try_cast(trim(usage) AS DOUBLE) < 20 AND plan = 'basic' AND auto_renew = 'No'")
        .select(ChurnScores.RISK_DRIVERS.get(0)).collectAsList();
    long usageFirst = riskiest.stream().filter(r -> r.getString(0) != null && r.getString(0).startsWith("usage = ")).count();
    assertThat((double) usageFirst / riskiest.size()).isGreaterThan(0.9);
    List<Row> safest = scores.filter("try_cast(trim(usage) AS DOUBLE) >= 20 AND plan <> 'basic' AND auto_renew = 'Yes'")
        .select(ChurnScores.PROTECTIVE_DRIVER).collectAsList();
    long planted = safest.stream()
        .filter(r -> r.getString(0) != null && (r.getString(0).equals("auto_renew: yes") || r.getString(0).startsWith("usage = ")))
        .count();
    assertThat((double) planted / safest.size()).isGreaterThan(0.9);
    explained.unpersist();
    table.unpersist();
  }

  /**
   * The holdout is the same ids whatever the table's partitioning and order (a fit on it is then the
   * same fit), and about the fraction asked for: 25% of 4,000 rows, 1,000 expected, with a binomial
   * standard deviation of 27.
   */
  @Test
  void theHoldoutDoesNotDependOnHowTheTableIsPartitionedOrOrdered() {
    Dataset<Row> table = planted();
    org.apache.spark.sql.Column held = TabularChurn.inHoldout("user_id", HOLDOUT, 42L);
    List<String> one = heldIds(table.coalesce(1).filter(held));
    assertThat(heldIds(table.repartition(5, col("plan")).filter(held))).isEqualTo(one);
    assertThat(heldIds(table.orderBy(col("noise").desc()).filter(held))).isEqualTo(one);
    assertThat(one.size()).isBetween(1000 - 4 * 27, 1000 + 4 * 27);
    // Another seed holds out other ids.
    assertThat(heldIds(table.filter(TabularChurn.inHoldout("user_id", HOLDOUT, 7L)))).isNotEqualTo(one);
  }

  private static List<String> heldIds(Dataset<Row> rows) {
    return rows.select("user_id").collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
  }
}
