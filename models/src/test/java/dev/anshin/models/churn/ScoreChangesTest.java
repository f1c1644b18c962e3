package dev.anshin.models.churn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.testing.SparkTestBase;
import java.sql.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Why a score changed: the run scores 03-02 and 03-03; the tables hold 03-01, the day before the run.
 * <pre>
 *   acc-1  03-01  p 0.20   renewal in 40 days: +0.10   5 open tickets: +0.30   7 seats: +0.05
 *   acc-1  03-02  p 0.35   renewal in 12 days: +0.70   5 open tickets: +0.35   7 seats: +0.0505
 *   acc-1  03-03  p 0.30   renewal in 11 days: +0.72   1 open ticket:  -0.05   7 seats: +0.0505
 *   acc-2  03-03  p 0.10   (first scored that day)
 * </pre>
 * On 03-02 (against the tables' 03-01): +0.15; renewal moved +0.60, tickets +0.05, seats 0.0005 (under
 * 0.001: no driver). On 03-03 (against the run's own 03-02): -0.05; tickets moved -0.40, renewal +0.02.
 * acc-2 has no day before: no change.
 */
class ScoreChangesTest extends SparkTestBase {
  private static final StructType SCORES = new StructType()
      .add("as_of_date", DataTypes.DateType).add("account_id", DataTypes.StringType).add("churn_probability", DataTypes.DoubleType);
  private static final StructType DRIVERS = new StructType()
      .add("as_of_date", DataTypes.DateType).add("account_id", DataTypes.StringType).add("feature", DataTypes.StringType)
      .add("feature_value", DataTypes.StringType).add("contribution", DataTypes.DoubleType);

  @Test
  void eachScoreSaysHowMuchItMovedSinceTheDayBeforeAndWhichDriversMovedIt() {
    Dataset<Row> scores = spark.createDataFrame(List.of(
        score("2026-03-02", "acc-1", 0.35), score("2026-03-03", "acc-1", 0.30), score("2026-03-03", "acc-2", 0.10)), SCORES);
    Dataset<Row> drivers = spark.createDataFrame(List.of(
        driver("2026-03-02", "acc-1", "(base)", null, -2.0),
        driver("2026-03-02", "acc-1", "days_to_renewal", "12", 0.70),
        driver("2026-03-02", "acc-1", "open_tickets", "5", 0.35),
        driver("2026-03-02", "acc-1", "seats", "7", 0.0505),
        driver("2026-03-03", "acc-1", "(base)", null, -1.0),
        driver("2026-03-03", "acc-1", "days_to_renewal", "11", 0.72),
        driver("2026-03-03", "acc-1", "open_tickets", "1", -0.05),
        driver("2026-03-03", "acc-1", "seats", "7", 0.0505),
        driver("2026-03-03", "acc-2", "seats", "3", 0.1)), DRIVERS);
    Dataset<Row> earlierScores = spark.createDataFrame(List.of(score("2026-03-01", "acc-1", 0.20)), SCORES);
    Dataset<Row> earlierDrivers = spark.createDataFrame(List.of(
        driver("2026-03-01", "acc-1", "(base)", null, -2.0),
        driver("2026-03-01", "acc-1", "days_to_renewal", "40", 0.10),
        driver("2026-03-01", "acc-1", "open_tickets", "5", 0.30),
        driver("2026-03-01", "acc-1", "seats", "7", 0.05)), DRIVERS);

    Map<String, Row> changed = ChurnScores.withChanges(scores, drivers, earlierScores, earlierDrivers).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("as_of_date") + " " + r.getAs("account_id"), r -> r));

    Row second = changed.get("2026-03-02 acc-1");
    assertThat(second.<Double>getAs("churn_probability_change")).isCloseTo(0.15, within(1e-12));
    assertThat(second.<String>getAs("change_driver_1")).isEqualTo("renewal in 12 days (was renewal in 40 days): +0.60");
    assertThat(second.<String>getAs("change_driver_2")).isEqualTo("5 open tickets (unchanged; the model weighs it anew): +0.05");
    Row third = changed.get("2026-03-03 acc-1");
    assertThat(third.<Double>getAs("churn_probability_change")).isCloseTo(-0.05, within(1e-12));
    assertThat(third.<String>getAs("change_driver_1")).isEqualTo("1 open ticket (was 5 open tickets): -0.40");
    assertThat(third.<String>getAs("change_driver_2")).isEqualTo("renewal in 11 days (was renewal in 12 days): +0.02");
    Row firstScore = changed.get("2026-03-03 acc-2");
    assertThat(firstScore.isNullAt(firstScore.fieldIndex("churn_probability_change"))).isTrue();
    assertThat(firstScore.isNullAt(firstScore.fieldIndex("change_driver_1"))).isTrue();

    // The first scoring run has no earlier tables: its first day has no change, its later days do.
    Map<String, Row> first = ChurnScores.withChanges(scores, drivers, null, null).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("as_of_date") + " " + r.getAs("account_id"), r -> r));
    assertThat(first.get("2026-03-02 acc-1").isNullAt(first.get("2026-03-02 acc-1").fieldIndex("churn_probability_change"))).isTrue();
    assertThat(first.get("2026-03-03 acc-1").<Double>getAs("churn_probability_change")).isCloseTo(-0.05, within(1e-12));
  }

  private static Row score(String date, String account, double probability) {
    return RowFactory.create(Date.valueOf(date), account, probability);
  }

  private static Row driver(String date, String account, String feature, String value, double contribution) {
    return RowFactory.create(Date.valueOf(date), account, feature, value, contribution);
  }
}
