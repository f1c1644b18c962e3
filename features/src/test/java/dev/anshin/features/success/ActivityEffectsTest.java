package dev.anshin.features.success;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.success.ActivityEffects.Columns;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ActivityEffectsTest extends SparkTestBase {

  private static final StructType HEALTH = new StructType()
      .add("account_id", DataTypes.StringType).add("as_of_date", DataTypes.DateType)
      .add("segment", DataTypes.StringType).add("health_score", DataTypes.DoubleType)
      .add("health_band", DataTypes.StringType);
  private static final StructType ACTIVITIES = new StructType()
      .add("account_id", DataTypes.StringType).add("activity_type", DataTypes.StringType)
      .add("activity_date", DataTypes.DateType).add("delivered_on", DataTypes.DateType);
  private static final StructType CHURNS = new StructType()
      .add("account_id", DataTypes.StringType).add("churn_date", DataTypes.DateType);

  private static Row health(String account, String day, double score, String band) {
    return row(account, date(day), "smb", score, band);
  }

  @Test
  void theStandardErrorTreatsEachAccountAsOneCluster() {
    // acc1 has two reviews (the 11th and the 13th), acc2 one, each against comparable acc3 whose health does
    // not move: differences +10 and +30 for acc1, +50 for acc2.
    Dataset<Row> health = dataset(HEALTH,
        health("acc1", "2024-01-10", 50, "yellow"), health("acc1", "2024-01-12", 60, "yellow"),
        health("acc1", "2024-01-14", 90, "yellow"),
        health("acc2", "2024-01-10", 50, "yellow"), health("acc2", "2024-01-12", 100, "yellow"),
        health("acc3", "2024-01-10", 50, "yellow"), health("acc3", "2024-01-12", 50, "yellow"),
        health("acc3", "2024-01-14", 50, "yellow"));
    Dataset<Row> activities = dataset(ACTIVITIES,
        row("acc1", "business_review", date("2024-01-11"), date("2024-01-11")),
        row("acc1", "business_review", date("2024-01-13"), date("2024-01-13")),
        row("acc2", "business_review", date("2024-01-11"), date("2024-01-11")));
    Row review = ActivityEffects.effects(activities, health, dataset(CHURNS), LocalDate.parse("2024-01-20"),
        new ActivityEffects.Settings(List.of(2), 10)).first();

    // mean (10 + 30 + 50) / 3 = 30; clusters acc1 (sum 40, n 2) and acc2 (sum 50, n 1):
    // (40 - 2 x 30)^2 + (50 - 30)^2 = 800, variance 2/1 x 800 / 3^2, standard error 40/3
    // (treating the three as independent would give 20 / sqrt(3), about 11.5).
    assertThat(review.<Long>getAs(Columns.ACTIVITIES)).isEqualTo(3);
    assertThat(review.<Long>getAs(Columns.ACCOUNTS)).isEqualTo(2);
    assertThat(review.<Double>getAs(Columns.HEALTH_EFFECT)).isCloseTo(30, within(1e-9));
    assertThat(review.<Double>getAs(Columns.HEALTH_EFFECT_CI_LOW)).isCloseTo(30 - 1.959963984540054 * 40 / 3, within(1e-9));
    assertThat(review.<Double>getAs(Columns.HEALTH_EFFECT_CI_HIGH)).isCloseTo(30 + 1.959963984540054 * 40 / 3, within(1e-9));
  }

  @Test
  void theLookbackMustExceedTheLongestWindow() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ActivityEffects.Settings(List.of(30, 90), 90))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lookback-days is 90; it must exceed the longest window (90 days)");
  }

  @Test
  void eachActivityIsComparedWithAccountsOfItsDaySegmentAndBandThatHadNone() {
    // A 2-day window: an activity on January 11th is judged from the health of the 10th to the 12th.
    Dataset<Row> health = dataset(HEALTH,
        health("acc1", "2024-01-10", 50, "yellow"), health("acc1", "2024-01-12", 70, "yellow"),
        health("acc2", "2024-01-10", 50, "yellow"),
        health("acc3", "2024-01-10", 50, "yellow"), health("acc3", "2024-01-12", 55, "yellow"),
        health("acc4", "2024-01-10", 60, "yellow"), health("acc4", "2024-01-12", 50, "yellow"),
        health("acc5", "2024-01-10", 50, "yellow"),
        health("acc6", "2024-01-10", 50, "yellow"), health("acc6", "2024-01-12", 90, "yellow"),
        health("acc7", "2024-01-10", 30, "red"), health("acc7", "2024-01-12", 35, "red"));
    Dataset<Row> activities = dataset(ACTIVITIES,
        row("acc1", "business_review", date("2024-01-11"), date("2024-01-11")),
        // twice on one day counts once
        row("acc1", "business_review", date("2024-01-11"), date("2024-01-12")),
        row("acc2", "business_review", date("2024-01-11"), date("2024-01-11")),
        // later in the window: still a comparable on the 10th (what comes later is part of its outcome);
        // itself unmatched, with no health row on the 11th
        row("acc6", "business_review", date("2024-01-12"), date("2024-01-12")),
        // no yellow account like it that day: unmatched
        row("acc7", "business_review", date("2024-01-11"), date("2024-01-11")),
        // delivered after the as-of date: not known
        row("acc4", "business_review", date("2024-01-11"), date("2024-01-21")),
        row("acc3", "email", date("2024-01-11"), date("2024-01-11")));
    Dataset<Row> churns = dataset(CHURNS, row("acc2", date("2024-01-12")), row("acc5", date("2024-01-11")));

    Map<String, Row> rows =
        ActivityEffects.effects(activities, health, churns, LocalDate.parse("2024-01-20"),
                new ActivityEffects.Settings(List.of(2), 10))
            .collectAsList().stream().collect(Collectors.toMap(r -> r.getAs(Columns.ACTIVITY_TYPE), r -> r));

    assertThat(rows.keySet()).containsExactlyInAnyOrder("business_review", "email");
    Row review = rows.get("business_review");
    assertThat(review.<Integer>getAs(Columns.WINDOW_DAYS)).isEqualTo(2);
    assertThat(review.<Long>getAs(Columns.ACTIVITIES)).isEqualTo(2);
    assertThat(review.<Long>getAs(Columns.ACCOUNTS)).isEqualTo(2);
    assertThat(review.<Long>getAs(Columns.UNMATCHED_ACTIVITIES)).isEqualTo(2);
    // Comparables acc3 (+5), acc4 (-10), acc6 (+40), acc5 (churned, no health after): mean change 35/3, churn 1/4.
    // acc1 +20 against 35/3: +25/3; acc2 churned and has no change.
    assertThat(review.<Double>getAs(Columns.HEALTH_CHANGE)).isCloseTo(20, within(1e-9));
    assertThat(review.<Double>getAs(Columns.COMPARABLE_HEALTH_CHANGE)).isCloseTo(35.0 / 3, within(1e-9));
    assertThat(review.<Double>getAs(Columns.HEALTH_EFFECT)).isCloseTo(25.0 / 3, within(1e-9));
    assertThat(review.isNullAt(review.fieldIndex(Columns.HEALTH_EFFECT_CI_LOW))).isTrue();
    // Churn: acc1 0 - 1/4, acc2 1 - 1/4; mean 1/4; two accounts of one activity each, so the clustered
    // variance is 2/1 x ((-1/2)^2 + (1/2)^2) / 2^2 = 1/4: standard error 0.5.
    assertThat(review.<Double>getAs(Columns.CHURN_RATE)).isCloseTo(0.5, within(1e-12));
    assertThat(review.<Double>getAs(Columns.COMPARABLE_CHURN_RATE)).isCloseTo(0.25, within(1e-12));
    assertThat(review.<Double>getAs(Columns.CHURN_EFFECT)).isCloseTo(0.25, within(1e-12));
    assertThat(review.<Double>getAs(Columns.CHURN_EFFECT_CI_LOW)).isCloseTo(0.25 - 1.959963984540054 * 0.5, within(1e-9));
    assertThat(review.<Double>getAs(Columns.CHURN_EFFECT_CI_HIGH)).isCloseTo(0.25 + 1.959963984540054 * 0.5, within(1e-9));

    // acc3's email against every yellow account without one: acc1 +20, acc4 -10, acc6 +40 (acc2 and acc5 churned).
    Row email = rows.get("email");
    assertThat(email.<Long>getAs(Columns.ACTIVITIES)).isEqualTo(1);
    assertThat(email.<Double>getAs(Columns.COMPARABLE_HEALTH_CHANGE)).isCloseTo(50.0 / 3, within(1e-9));
    assertThat(email.<Double>getAs(Columns.HEALTH_EFFECT)).isCloseTo(5 - 50.0 / 3, within(1e-9));
    assertThat(email.<Double>getAs(Columns.COMPARABLE_CHURN_RATE)).isCloseTo(0.4, within(1e-12));
    assertThat(email.<Double>getAs(Columns.CHURN_EFFECT)).isCloseTo(-0.4, within(1e-12));
  }
}
