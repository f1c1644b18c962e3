package dev.anshin.models.retention;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Spark RFM summary of CDNOW_sample.txt against the published calibration summary, and the
 * paper's holdout check (weeks 40-78).
 */
class RfmSummaryTest extends SparkTestBase {

  // Week 39 of 1997 ends on 1997-09-30; the holdout's 39 weeks end on 1998-06-30.
  private static final RfmSummary.Settings CDNOW =
      new RfmSummary.Settings(
          "customer", "date", "amount", LocalDate.of(1997, 9, 30), LocalDate.of(1998, 6, 30));

  // The published summary is rounded to two decimals; half a cent plus floating-point slack.
  private static final double ROUNDED = 0.005 + 1e-9;

  private Dataset<Row> summary;

  @BeforeAll
  void summarise() {
    Dataset<Row> fields =
        spark.read().text(ReferenceData.file("CDNOW_sample.txt").toString())
            .select(split(trim(col("value")), "\\s+").as("f"));
    Dataset<Row> transactions =
        fields.select(
            // The sample id (1..2357) is the ID of the published summary files.
            col("f").getItem(1).cast(DataTypes.IntegerType).as("customer"),
            to_date(col("f").getItem(2), "yyyyMMdd").as("date"),
            col("f").getItem(4).cast(DataTypes.DoubleType).as("amount"));
    summary = RfmSummary.compute(transactions, CDNOW).cache();
  }

  @Test
  void matchesThePublishedCalibrationSummary() {
    List<ReferenceData.CdnowCustomer> published = ReferenceData.cdnowCustomers();
    List<Row> rows = summary.orderBy("customer_id").collectAsList();
    assertThat(rows).hasSize(published.size());
    long totalRepeat = 0;
    long noRepeat = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      ReferenceData.CdnowCustomer expected = published.get(i);
      assertThat(row.getLong(row.fieldIndex(RfmSummary.FREQUENCY))).as("x of row %d", i).isEqualTo(expected.x());
      assertThat(row.getDouble(row.fieldIndex(RfmSummary.RECENCY_WEEKS))).isCloseTo(expected.recency(), within(ROUNDED));
      assertThat(row.getDouble(row.fieldIndex(RfmSummary.AGE_WEEKS))).isCloseTo(expected.age(), within(ROUNDED));
      if (expected.x() > 0) {
        assertThat(row.getDouble(row.fieldIndex(RfmSummary.MONETARY_VALUE))).isCloseTo(expected.meanValue(), within(ROUNDED));
      } else {
        assertThat(row.isNullAt(row.fieldIndex(RfmSummary.MONETARY_VALUE))).isTrue();
        noRepeat++;
      }
      totalRepeat += expected.x();
    }
    // The data README: 1,411 customers without a repeat purchase, 2,457 repeat transactions.
    assertThat(noRepeat).isEqualTo(1411);
    assertThat(totalRepeat).isEqualTo(2457);
  }

  @Test
  void fitsFromTheSparkSummaryAndPredictsTheHoldout() {
    BetaGeometricNbdModel purchases = BetaGeometricNbd.fit(RfmSummary.sufficientStatistics(summary));
    GammaGammaModel spend = GammaGamma.fit(RfmSummary.spendStatistics(summary));
    assertThat(purchases.r()).isCloseTo(0.243, within(0.0005));
    assertThat(purchases.alpha()).isCloseTo(4.414, within(0.005));
    assertThat(purchases.a()).isCloseTo(0.793, within(0.0005));
    assertThat(purchases.b()).isCloseTo(2.426, within(0.005));
    assertThat(spend.p()).isCloseTo(6.25, within(0.005));
    assertThat(spend.q()).isCloseTo(3.74, within(0.005));
    assertThat(spend.gamma()).isCloseTo(15.44, within(0.05));

    Dataset<Row> scored =
        CustomerValue.score(summary, purchases, spend, LifetimeValue.Settings.monthlyForOneYear(), CDNOW.holdoutWeeks());
    List<Row> groups = CustomerValue.holdoutByFrequency(scored).collectAsList();
    long actual = 0;
    double predicted = 0;
    System.out.println("holdout weeks 40-78 by calibration frequency: x customers actual predicted");
    for (Row group : groups) {
      actual += group.getLong(2);
      predicted += group.getDouble(3);
      System.out.printf("  %s%d %6d %6d %9.1f%n", group.getLong(0) == 7 ? ">=" : "  ", group.getLong(0), group.getLong(1), group.getLong(2), group.getDouble(3));
    }
    System.out.printf("  total actual %d predicted %.1f%n", actual, predicted);
    // The actual holdout count, recomputed from the raw file without Spark.
    assertThat(actual).isEqualTo(holdoutPurchaseDaysInRawFile());
    // The Spark scoring equals the model's conditional expectation summed over the published summary.
    double expectedFromPublishedSummary = 0;
    for (ReferenceData.CdnowCustomer c : ReferenceData.cdnowCustomers()) {
      expectedFromPublishedSummary += purchases.conditionalExpectedPurchases(39, c.x(), c.recency(), c.age());
    }
    assertThat(predicted).isCloseTo(expectedFromPublishedSummary, within(0.5));
    // A sanity bound, not a published figure: the aggregate forecast is within 15% of the actual.
    assertThat(predicted).isCloseTo(actual, within(0.15 * actual));
    assertThat(groups).hasSize(8);

    // No NaN in the scored table, and probabilities in [0, 1].
    Row extremes =
        scored.selectExpr(
                "min(probability_alive)", "max(probability_alive)",
                "count_if(isnan(expected_lifetime_value) or expected_lifetime_value is null)",
                "count_if(isnan(expected_holdout_purchases))")
            .first();
    assertThat(extremes.getDouble(0)).isGreaterThanOrEqualTo(0);
    assertThat(extremes.getDouble(1)).isLessThanOrEqualTo(1);
    assertThat(extremes.getLong(2)).isZero();
    assertThat(extremes.getLong(3)).isZero();
  }

  /** Distinct (customer, day) pairs after 1997-09-30 and up to 1998-06-30, from the text file. */
  private static long holdoutPurchaseDaysInRawFile() {
    try {
      return java.nio.file.Files.readAllLines(ReferenceData.file("CDNOW_sample.txt")).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty())
          .map(line -> line.split("\\s+"))
          .filter(f -> f[2].compareTo("19970930") > 0 && f[2].compareTo("19980630") <= 0)
          .map(f -> f[1] + "/" + f[2])
          .distinct()
          .count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void oneDayCountsAsOneTransactionAndOnePurchaseGivesNoRepeat() {
    StructType schema =
        new StructType()
            .add("who", DataTypes.StringType)
            .add("day", DataTypes.DateType)
            .add("value", DataTypes.DoubleType);
    Dataset<Row> transactions =
        dataset(
            schema,
            row("a", date("2024-01-01"), 10.0),
            row("a", date("2024-01-01"), 5.0),
            row("a", date("2024-01-08"), 20.0),
            row("a", date("2024-01-08"), 2.0),
            row("a", date("2024-01-15"), 30.0),
            row("a", date("2024-02-05"), 1.0),
            row("b", date("2024-01-10"), 7.0),
            row("c", date("2024-02-10"), 7.0));
    RfmSummary.Settings settings =
        new RfmSummary.Settings("who", "day", "value", LocalDate.of(2024, 1, 29), LocalDate.of(2024, 2, 26));
    Map<String, Row> byCustomer = new HashMap<>();
    for (Row row : RfmSummary.compute(transactions, settings).collectAsList()) {
      byCustomer.put(row.getString(0), row);
    }
    // c first bought after the calibration end: not part of the calibration cohort.
    assertThat(byCustomer).containsOnlyKeys("a", "b");
    Row a = byCustomer.get("a");
    assertThat(a.getLong(a.fieldIndex(RfmSummary.FREQUENCY))).isEqualTo(2);
    assertThat(a.getDouble(a.fieldIndex(RfmSummary.RECENCY_WEEKS))).isEqualTo(2.0);
    assertThat(a.getDouble(a.fieldIndex(RfmSummary.AGE_WEEKS))).isEqualTo(4.0);
    assertThat(a.getDouble(a.fieldIndex(RfmSummary.MONETARY_VALUE))).isEqualTo((22.0 + 30.0) / 2);
    assertThat(a.getLong(a.fieldIndex(RfmSummary.HOLDOUT_FREQUENCY))).isEqualTo(1);
    Row b = byCustomer.get("b");
    assertThat(b.getLong(b.fieldIndex(RfmSummary.FREQUENCY))).isZero();
    assertThat(b.getDouble(b.fieldIndex(RfmSummary.RECENCY_WEEKS))).isZero();
    assertThat(b.isNullAt(b.fieldIndex(RfmSummary.MONETARY_VALUE))).isTrue();
    assertThat(b.getLong(b.fieldIndex(RfmSummary.HOLDOUT_FREQUENCY))).isZero();
  }

  @Test
  void emptyInputAndBadColumnsFailClearly() {
    StructType schema =
        new StructType()
            .add("who", DataTypes.StringType)
            .add("day", DataTypes.DateType)
            .add("value", DataTypes.DoubleType);
    RfmSummary.Settings settings =
        new RfmSummary.Settings("who", "day", "value", LocalDate.of(2024, 1, 29), null);
    Dataset<Row> empty = RfmSummary.compute(dataset(schema), settings);
    assertThat(empty.count()).isZero();
    assertThatThrownBy(() -> BetaGeometricNbd.fit(RfmSummary.sufficientStatistics(empty)))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.DATA_ERROR))
        .hasMessageContaining("no customers");
    assertThatThrownBy(
            () -> RfmSummary.compute(dataset(schema), new RfmSummary.Settings("customer", "day", "value", LocalDate.of(2024, 1, 29), null)))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.DATA_ERROR))
        .hasMessageContaining("column 'customer' is missing");
    assertThatThrownBy(() -> new RfmSummary.Settings("who", "day", "value", LocalDate.of(2024, 1, 29), LocalDate.of(2024, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be after the calibration end");
  }
}
