package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drivers behind each score add up to the model's own output, row by row, for both learners;
 * and on examples whose churn depends on two planted features, those two are what the drivers name.
 */
class ChurnExplanationsTest extends SparkTestBase {
  private Dataset<Row> train;
  private Dataset<Row> test;

  /** Churn depends on low usage (events_28d) near renewal (days_to_renewal); every other feature is noise. */
  @BeforeAll
  void examples() {
    Dataset<Row> labelled = PlantedChurnExamples.of(spark, 1200, 3);
    train = labelled.filter(col("account_id").substr(2, 10).cast("long").mod(4).notEqual(0)).cache();
    test = labelled.filter(col("account_id").substr(2, 10).cast("long").mod(4).equalTo(0))
        // A plan the model never saw and a missing ratio are explained like any other value.
        .withColumn(CustomerFeatures.PLAN, when(col("account_id").equalTo("a0"), lit("brand_new_plan")).otherwise(col(CustomerFeatures.PLAN)))
        .cache();
  }

  @Test
  void gradientBoostedTreesContributionsSumToTwiceMllibsMarginAndNameThePlantedFeatures() {
    PipelineModel model = ChurnTrainer.fit(train, new ChurnModelSettings(ChurnModelSettings.Learner.GBT, 8, 3, 1L));
    // MLlib's GBT: rawPrediction = (-margin, margin), probability = 1 / (1 + exp(-2 margin)).
    assertExplains(model, 2.0);
  }

  @Test
  void logisticRegressionContributionsSumToItsMargin() {
    PipelineModel model = ChurnTrainer.fit(train, new ChurnModelSettings(ChurnModelSettings.Learner.LOGISTIC, 10, 3, 1L));
    // MLlib's logistic regression: rawPrediction = (-margin, margin), probability = 1 / (1 + exp(-margin)).
    assertExplains(model, 1.0);
  }

  private void assertExplains(PipelineModel model, double logOddsPerMargin) {
    Dataset<Row> explained = ChurnScores.explained(model, test, "v-test").cache();
    Map<String, Double> mllibMargin = model.transform(test).select("account_id", "rawPrediction").collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> ((Vector) r.get(1)).apply(1)));
    List<Row> scores = ChurnScores.scores(explained, new ChurnScores.RiskTiers(0.2, 0.5)).collectAsList();
    assertThat(scores).hasSize((int) test.count());
    for (Row score : scores) {
      String account = score.getAs(ChurnScores.ACCOUNT_ID);
      double margin = score.getAs(ChurnScores.CHURN_MARGIN);
      assertThat(margin).as(account).isCloseTo(logOddsPerMargin * mllibMargin.get(account), within(1e-9));
      assertThat(1 / (1 + Math.exp(-margin))).as(account).isCloseTo(score.getAs(ChurnScores.CHURN_PROBABILITY), within(1e-12));
    }

    // score_drivers: the base row plus one row per input, summing to the account's margin.
    Dataset<Row> drivers = ChurnScores.drivers(explained);
    Map<String, Double> margins = scores.stream().collect(Collectors.toMap(r -> r.getAs(ChurnScores.ACCOUNT_ID), r -> r.getAs(ChurnScores.CHURN_MARGIN)));
    Map<String, List<Row>> byAccount = drivers.collectAsList().stream().collect(Collectors.groupingBy(r -> r.getAs(ChurnScores.ACCOUNT_ID)));
    assertThat(byAccount).hasSize(scores.size());
    for (Map.Entry<String, List<Row>> account : byAccount.entrySet()) {
      List<Row> rows = account.getValue();
      assertThat(rows).extracting(r -> r.<String>getAs(ChurnScores.FEATURE))
          .containsExactlyInAnyOrderElementsOf(concat(List.of(ChurnScores.BASE), ChurnExplanations.DRIVERS));
      double sum = rows.stream().mapToDouble(r -> r.<Double>getAs(ChurnScores.CONTRIBUTION)).sum();
      assertThat(sum).as(account.getKey()).isCloseTo(margins.get(account.getKey()), within(1e-9));
    }
    Row unseen = byAccount.get("a0").stream().filter(r -> r.getAs(ChurnScores.FEATURE).equals(CustomerFeatures.PLAN)).findFirst().orElseThrow();
    assertThat(unseen.<String>getAs(ChurnScores.FEATURE_VALUE)).isEqualTo("brand_new_plan");

    // The two planted features carry more weight than any noise feature.
    Map<String, Double> meanAbsolute = drivers.filter(col(ChurnScores.FEATURE).notEqual(ChurnScores.BASE))
        .groupBy(ChurnScores.FEATURE).agg(expr("avg(abs(contribution))")).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getDouble(1)));
    List<String> strongest = meanAbsolute.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
        .limit(2).map(Map.Entry::getKey).toList();
    assertThat(strongest).containsExactlyInAnyOrder(CustomerFeatures.EVENTS_28D, CustomerFeatures.DAYS_TO_RENEWAL);
    Row riskiest = scores.stream().max(Comparator.comparingDouble(r -> r.<Double>getAs(ChurnScores.CHURN_PROBABILITY))).orElseThrow();
    // The riskiest account's first driver is one of them, in words (usage with the plan's median when far from it).
    assertThat(riskiest.<String>getAs(ChurnScores.RISK_DRIVERS.get(0)))
        .matches("\\d+ usage events in the last 28 days( against a plan median of \\d+(\\.\\d+)?)?|renewal in \\d+ days");
  }

  @Test
  void theStrongestDriversAreTheLargestContributionsOfEachSignInWords() {
    List<String> drivers = ChurnExplanations.DRIVERS;
    double[] contributions = new double[drivers.size()];
    String[] values = new String[drivers.size()];
    contributions[drivers.indexOf(CustomerFeatures.DAYS_TO_RENEWAL)] = 0.8;
    values[drivers.indexOf(CustomerFeatures.DAYS_TO_RENEWAL)] = "18";
    contributions[drivers.indexOf(CustomerFeatures.ERROR_RATE_7D)] = 0.3;
    values[drivers.indexOf(CustomerFeatures.ERROR_RATE_7D)] = "0.0421";
    contributions[drivers.indexOf(CustomerFeatures.USAGE_TREND)] = 0.5;
    contributions[drivers.indexOf(CustomerFeatures.SEATS)] = -0.2;
    values[drivers.indexOf(CustomerFeatures.SEATS)] = "40.0";
    contributions[drivers.indexOf(CustomerFeatures.TICKETS_28D)] = -0.0004; // negligible
    contributions[drivers.indexOf(CustomerFeatures.PLAN)] = -0.6;
    values[drivers.indexOf(CustomerFeatures.PLAN)] = "enterprise";

    String[] phrases = ChurnScores.strongestDrivers(seq(contributions), scalaSeq(values), null);

    assertThat(phrases).containsExactly(
        "renewal in 18 days",
        "no usage trend yet (no earlier usage, or younger than 56 days)",
        "API errors on 4.2% of requests in the last 7 days",
        "plan enterprise");
    contributions = new double[drivers.size()];
    contributions[drivers.indexOf(CustomerFeatures.SEATS)] = 0.1;
    assertThat(ChurnScores.strongestDrivers(seq(contributions), scalaSeq(values), null))
        .containsExactly("40 seats", null, null, null);
  }

  /**
   * Against the plan's median: 4.21% errors where the plan's median is 0.35% is 12x it; 3 events where
   * it is 41 is far below; 30 events where it is 41 is unremarkable; errors where the median is 0 say so.
   */
  @Test
  void aDriverFarFromThePlansMedianSaysHowFar() {
    List<String> drivers = ChurnExplanations.DRIVERS;
    double[] contributions = new double[drivers.size()];
    String[] values = new String[drivers.size()];
    Double[] medians = new Double[drivers.size()];
    contributions[drivers.indexOf(CustomerFeatures.ERROR_RATE_7D)] = 0.9;
    values[drivers.indexOf(CustomerFeatures.ERROR_RATE_7D)] = "0.0421";
    medians[drivers.indexOf(CustomerFeatures.ERROR_RATE_7D)] = 0.0035;
    contributions[drivers.indexOf(CustomerFeatures.EVENTS_7D)] = 0.7;
    values[drivers.indexOf(CustomerFeatures.EVENTS_7D)] = "3";
    medians[drivers.indexOf(CustomerFeatures.EVENTS_7D)] = 41.0;
    contributions[drivers.indexOf(CustomerFeatures.EVENTS_28D)] = 0.5;
    values[drivers.indexOf(CustomerFeatures.EVENTS_28D)] = "30";
    medians[drivers.indexOf(CustomerFeatures.EVENTS_28D)] = 41.0;
    contributions[drivers.indexOf(CustomerFeatures.TICKETS_28D)] = -0.4;
    values[drivers.indexOf(CustomerFeatures.TICKETS_28D)] = "2";
    medians[drivers.indexOf(CustomerFeatures.TICKETS_28D)] = 0.0;
    assertThat(ChurnScores.strongestDrivers(seq(contributions), scalaSeq(values), scalaSeq(medians))).containsExactly(
        "API errors on 4.2% of requests in the last 7 days, 12x the plan's median",
        "3 usage events in the last 7 days against a plan median of 41",
        "30 usage events in the last 28 days",
        "2 support tickets in the last 28 days, where the plan's median is 0");
  }

  /** The medians are per date and plan, over that day's accounts: here 2 of {1, 2, 9} and 5 of {5}. */
  @Test
  void peerMediansArePerDateAndPlan() {
    List<String> drivers = ChurnExplanations.DRIVERS;
    var features = spark.range(4).selectExpr(
        "DATE'2025-06-01' AS as_of_date",
        "CASE WHEN id < 3 THEN 'team' ELSE 'starter' END AS plan",
        "CAST(element_at(array(1, 2, 9, 5), CAST(id + 1 AS INT)) AS BIGINT) AS events_7d",
        "40 AS seats");
    for (String compared : ChurnScores.PEER_COMPARED) {
      if (!compared.equals(CustomerFeatures.EVENTS_7D)) {
        features = features.withColumn(compared, lit(0.0));
      }
    }
    List<org.apache.spark.sql.Row> rows = ChurnScores.withPeerMedians(features).orderBy("events_7d").collectAsList();
    int events = drivers.indexOf(CustomerFeatures.EVENTS_7D);
    int seats = drivers.indexOf(CustomerFeatures.SEATS);
    assertThat(rows).extracting(r -> r.<scala.collection.Seq<Double>>getAs(ChurnScores.PEER_MEDIANS).apply(events))
        .containsExactly(2.0, 2.0, 5.0, 2.0);
    assertThat(rows.get(0).<scala.collection.Seq<Double>>getAs(ChurnScores.PEER_MEDIANS).apply(seats)).isNull();
  }

  private static scala.collection.Seq<Object> seq(double[] values) {
    List<Object> boxed = new ArrayList<>();
    for (double v : values) {
      boxed.add(v);
    }
    return scala.jdk.javaapi.CollectionConverters.asScala(boxed).toSeq();
  }

  private static scala.collection.Seq<Object> scalaSeq(Object[] values) {
    return scala.jdk.javaapi.CollectionConverters.asScala(new ArrayList<Object>(java.util.Arrays.asList(values))).toSeq();
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
