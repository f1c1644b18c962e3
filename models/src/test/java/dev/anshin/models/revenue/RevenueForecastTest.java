package dev.anshin.models.revenue;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.churn.PlantedChurnExamples;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.sql.Date;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class RevenueForecastTest extends SparkTestBase {
  private static final Date DAY = Date.valueOf("2025-06-01");

  @Test
  void stayingExamplesTakeTheRatioFromTheFeaturesAHorizonLaterAndLeaveChurnersOut() {
    StructType labelledSchema = new StructType()
        .add(CustomerFeatures.ACCOUNT_ID, DataTypes.StringType).add(CustomerFeatures.AS_OF_DATE, DataTypes.DateType)
        .add(CustomerFeatures.MRR, DataTypes.createDecimalType(18, 2)).add(ChurnLabels.LABEL, DataTypes.DoubleType);
    Dataset<Row> labelled = spark.createDataFrame(List.of(
        RowFactory.create("grows", DAY, new BigDecimal("100.00"), 0.0),
        RowFactory.create("churned-and-back", DAY, new BigDecimal("100.00"), 1.0),
        RowFactory.create("no-mrr", DAY, new BigDecimal("0.00"), 0.0),
        RowFactory.create("tenfold", DAY, new BigDecimal("10.00"), 0.0),
        RowFactory.create("gap", DAY, new BigDecimal("50.00"), 0.0)), labelledSchema);
    StructType featureSchema = new StructType()
        .add(CustomerFeatures.ACCOUNT_ID, DataTypes.StringType).add(CustomerFeatures.AS_OF_DATE, DataTypes.DateType)
        .add(CustomerFeatures.MRR, DataTypes.createDecimalType(18, 2));
    Date later = Date.valueOf("2025-08-30"); // 90 days on
    Dataset<Row> features = spark.createDataFrame(List.of(
        RowFactory.create("grows", later, new BigDecimal("130.00")),
        RowFactory.create("grows", Date.valueOf("2025-08-29"), new BigDecimal("999.00")),
        RowFactory.create("churned-and-back", later, new BigDecimal("100.00")),
        RowFactory.create("no-mrr", later, new BigDecimal("10.00")),
        RowFactory.create("tenfold", later, new BigDecimal("100.00"))), featureSchema);

    Map<String, Double> ratios = GrowthModel.stayingExamples(labelled, features, 90).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.<Double>getAs(GrowthModel.MRR_RATIO)));

    assertThat(ratios).containsOnlyKeys("grows", "tenfold");
    assertThat(ratios.get("grows")).isCloseTo(1.3, within(1e-12));
    assertThat(ratios.get("tenfold")).isEqualTo(GrowthModel.MAX_RATIO);
  }

  @Test
  void theGrowthModelLearnsAPlantedExpansionAndItsErrorsCentreOnOne() {
    // Accounts using most of their seats expand by 30%; the rest keep their MRR; both with ±2% noise.
    Dataset<Row> examples = PlantedChurnExamples.of(spark, 1200, 4)
        .withColumn(GrowthModel.MRR_RATIO,
            when(col(CustomerFeatures.SEAT_UTILIZATION).gt(0.7), 1.3).otherwise(1.0).plus(expr("(rand(5) - 0.5) * 0.04")));
    Dataset<Row>[] split = examples.randomSplit(new double[] {0.75, 0.25}, 3);

    PipelineModel model = GrowthModel.pipeline(new ChurnModelSettings(ChurnModelSettings.Learner.GBT, 8, 2, 1)).fit(split[0]);
    Map<Boolean, Double> means = model.transform(split[1])
        .groupBy(col(CustomerFeatures.SEAT_UTILIZATION).gt(0.7).as("uses_its_seats"))
        .agg(avg(col(GrowthModel.PREDICTED_MRR_RATIO)).as("ratio"))
        .collectAsList().stream().collect(Collectors.toMap(r -> r.getBoolean(0), r -> r.getDouble(1)));
    double[] errors = GrowthModel.ratioErrors(model, split[1]);

    assertThat(means.get(false)).isCloseTo(1.0, within(0.03));
    assertThat(means.get(true)).isCloseTo(1.3, within(0.03));
    assertThat(errors).hasSize(GrowthModel.ERROR_QUANTILES).isSorted();
    assertThat(errors[GrowthModel.ERROR_QUANTILES / 2]).isCloseTo(1.0, within(0.02));
    // The planted noise is ±2% of a ratio near 1 or 1.3, so the errors that make an 80% interval lie
    // inside ±4%; the outer ones also hold the few accounts next to 0.7 that the trees' binned split
    // puts on the wrong side, whose error is 1.3 or 1 / 1.3.
    assertThat(errors[10]).isGreaterThan(0.96);
    assertThat(errors[89]).isLessThan(1.04);
    assertThat(errors[0]).isGreaterThan(1 / 1.3 - 0.03);
    assertThat(errors[GrowthModel.ERROR_QUANTILES - 1]).isLessThan(1.3 + 0.03);
  }

  @Test
  void thePortfolioSumsAccountsAsIndependentAndTheGroupsSumTheirRisk() {
    StructType schema = new StructType()
        .add(RevenueForecast.AS_OF_DATE, DataTypes.DateType).add(RevenueForecast.ACCOUNT_ID, DataTypes.StringType)
        .add(RevenueForecast.MRR, DataTypes.createDecimalType(18, 2)).add(RevenueForecast.CHURN_PROBABILITY, DataTypes.DoubleType)
        .add(GrowthModel.PREDICTED_MRR_RATIO, DataTypes.DoubleType).add(RevenueForecast.BILLING_INTERVAL, DataTypes.StringType)
        .add(RevenueForecast.DAYS_TO_RENEWAL, DataTypes.IntegerType).add("risk_tier", DataTypes.StringType);
    Dataset<Row> accounts = spark.createDataFrame(List.of(
        // Stays for sure: earns 365 × 12 / 365 = 12 a day.
        RowFactory.create(DAY, "steady", new BigDecimal("365.00"), 0.0, 1.0, "monthly", 10, "low"),
        // Renews yearly in 31 days and leaves then with a quarter's chance: 24 a day until day 30 or for 90 days.
        RowFactory.create(DAY, "renewing", new BigDecimal("730.00"), 0.25, 1.0, "annual", 31, "medium"),
        RowFactory.create(DAY, "gone", new BigDecimal("0.00"), 0.9, 1.0, "monthly", 3, "high")), schema);
    RevenueOutlook.Assumptions assumptions = new RevenueOutlook.Assumptions(90, 0.2, new double[] {1.0});

    Dataset<Row> outlook = RevenueForecast.outlook(accounts, assumptions).cache();
    Map<String, Row> forecast = RevenueForecast.forecast(outlook).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs(RevenueForecast.ACCOUNT_ID), r -> r));
    List<Row> portfolio = RevenueForecast.portfolio(outlook).orderBy(RevenueForecast.MONTH).collectAsList();
    Map<String, Row> byTier = RevenueForecast.atRisk(outlook, List.of("risk_tier")).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs(RevenueForecast.VALUE), r -> r));

    assertThat(forecast).containsOnlyKeys("steady", "renewing");
    assertThat(forecast.get("steady").<Double>getAs(RevenueForecast.EXPECTED_REVENUE_90D)).isCloseTo(1080, within(1e-9));
    assertThat(forecast.get("steady").<Double>getAs(RevenueForecast.NAIVE_REVENUE_12M)).isCloseTo(4380, within(1e-9));
    Row renewing = forecast.get("renewing");
    assertThat(renewing.<Double>getAs(RevenueForecast.EXPECTED_REVENUE_90D)).isCloseTo(24 * (0.25 * 30 + 0.75 * 90), within(1e-9));
    assertThat(renewing.<Double>getAs(RevenueForecast.REVENUE_90D_P10)).isCloseTo(24 * 30, within(1e-9));
    assertThat(renewing.<Double>getAs(RevenueForecast.REVENUE_90D_P50)).isCloseTo(24 * 90, within(1e-9));
    assertThat(renewing.<Double>getAs(RevenueForecast.REVENUE_90D_P90)).isCloseTo(24 * 90, within(1e-9));
    assertThat(renewing.<Double>getAs(RevenueForecast.NAIVE_REVENUE_90D)).isCloseTo(24 * 90, within(1e-9));
    // Twelve months: the renewal is the only chance to leave (the next is a year later).
    assertThat(renewing.<Double>getAs(RevenueForecast.EXPECTED_REVENUE_12M)).isCloseTo(24 * (0.25 * 30 + 0.75 * 365), within(1e-9));

    assertThat(portfolio).hasSize(RevenueForecast.MONTHS);
    // Month 1 ends on day 30, before the renewal: nothing is uncertain yet.
    assertThat(portfolio.get(0).<Double>getAs(RevenueForecast.EXPECTED_MRR)).isCloseTo(1095, within(1e-9));
    assertThat(portfolio.get(0).<Double>getAs(RevenueForecast.MRR_P10)).isCloseTo(1095, within(1e-9));
    assertThat(portfolio.get(0).<Date>getAs(RevenueForecast.MONTH_END)).isEqualTo(Date.valueOf("2025-07-01"));
    // Month 2: the renewal has passed; its Bernoulli variance is 730² × 0.75 × 0.25.
    double mean = 365 + 0.75 * 730;
    double sd = Math.sqrt(730.0 * 730 * 0.75 * 0.25);
    assertThat(portfolio.get(1).<Double>getAs(RevenueForecast.EXPECTED_MRR)).isCloseTo(mean, within(1e-9));
    assertThat(portfolio.get(1).<Double>getAs(RevenueForecast.MRR_P10)).isCloseTo(mean - 1.2815515655446004 * sd, within(1e-6));
    assertThat(portfolio.get(1).<Double>getAs(RevenueForecast.MRR_P90)).isCloseTo(mean + 1.2815515655446004 * sd, within(1e-6));
    assertThat(portfolio.get(1).<Double>getAs(RevenueForecast.NAIVE_MRR)).isCloseTo(1095, within(1e-9));
    assertThat(portfolio.get(1).<Long>getAs(RevenueForecast.ACCOUNTS)).isEqualTo(2L);

    assertThat(byTier).containsOnlyKeys("low", "medium");
    assertThat(byTier.get("medium").<Double>getAs(RevenueForecast.REVENUE_AT_RISK_90D)).isCloseTo(24 * 90 - 24 * 75, within(1e-9));
    assertThat(byTier.get("low").<Double>getAs(RevenueForecast.REVENUE_AT_RISK_12M)).isCloseTo(0, within(1e-9));
    assertThat(Arrays.asList(RevenueForecast.forecast(outlook).columns())).doesNotContain("_month_means");
  }
}
