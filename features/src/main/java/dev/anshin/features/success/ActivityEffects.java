package dev.anshin.features.success;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.stddev_samp;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.health.HealthScore;
import dev.anshin.features.sources.SourceTable;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What customer-success activities went with: per activity type and window (30 and 90 days), the
 * change in health and the churn that followed an activity, against comparable accounts without one.
 *
 * <p>CSMs do not pick accounts at random: a risk playbook goes to accounts already in trouble, so
 * its accounts churn more than the average whatever it does. Each activity is therefore compared
 * only with accounts that looked the same the day before it: the same day, segment and health band
 * (exact matching, the estimate of the effect on the accounts that had the activity). An activity
 * on day d of an account with a health row on d - 1 is <em>treated</em>; an account of the same
 * stratum on d - 1 without an activity of that type on d is a <em>comparable</em>. Only what was
 * known on d - 1 picks the comparables: excluding those that have the activity later in the window
 * would condition on the future (an account that churns gets no more emails, so "no email for 30
 * days" selects churners). A comparable's own later activities are part of its outcome, which pulls
 * an effect towards zero, never away from it.
 * Outcomes over the window W after d - 1: the health score's change to d - 1 + W (for accounts still
 * scored then), and churn, an MRR churn movement on d through d - 1 + W. The effect is the mean over
 * treated activities of their outcome minus their stratum's comparable mean, with a 95% interval
 * from its standard error (normal approximation; it ignores the comparables' own sampling error,
 * so it is narrower than the truth when strata are small). Several activities of one type and
 * account on one day count once. This is matching on what the health score sees, not an
 * experiment: an effect is a prompt to look, not a proof.
 *
 * <p>The activities judged are those whose window has passed by the as-of date and whose day lies
 * within {@code lookbackDays} before it, as delivered by the end of the as-of date.
 */
public final class ActivityEffects {

  public static final String TABLE = "activity_effects";

  /** The windows and the history an analysis covers. */
  public record Settings(List<Integer> windowDays, int lookbackDays) {
    public static final Settings DEFAULT = new Settings(List.of(30, 90), 365);

    public Settings {
      windowDays = List.copyOf(windowDays);
      if (windowDays.isEmpty() || windowDays.stream().anyMatch(w -> w < 1) || lookbackDays < 1) {
        throw new IllegalArgumentException("windows and the lookback must be positive numbers of days");
      }
    }
  }

  /** The columns of {@code activity_effects}. */
  public static final class Columns {
    public static final String AS_OF_DATE = "as_of_date";
    public static final String ACTIVITY_TYPE = "activity_type";
    public static final String WINDOW_DAYS = "window_days";
    public static final String ACTIVITIES = "activities";
    public static final String ACCOUNTS = "accounts";
    public static final String UNMATCHED_ACTIVITIES = "unmatched_activities";
    public static final String HEALTH_CHANGE = "health_change";
    public static final String COMPARABLE_HEALTH_CHANGE = "comparable_health_change";
    public static final String HEALTH_EFFECT = "health_effect";
    public static final String HEALTH_EFFECT_CI_LOW = "health_effect_ci_low";
    public static final String HEALTH_EFFECT_CI_HIGH = "health_effect_ci_high";
    public static final String CHURN_RATE = "churn_rate";
    public static final String COMPARABLE_CHURN_RATE = "comparable_churn_rate";
    public static final String CHURN_EFFECT = "churn_effect";
    public static final String CHURN_EFFECT_CI_LOW = "churn_effect_ci_low";
    public static final String CHURN_EFFECT_CI_HIGH = "churn_effect_ci_high";

    public static final List<String> ALL =
        List.of(AS_OF_DATE, ACTIVITY_TYPE, WINDOW_DAYS, ACTIVITIES, ACCOUNTS, UNMATCHED_ACTIVITIES, HEALTH_CHANGE,
            COMPARABLE_HEALTH_CHANGE, HEALTH_EFFECT, HEALTH_EFFECT_CI_LOW, HEALTH_EFFECT_CI_HIGH, CHURN_RATE,
            COMPARABLE_CHURN_RATE, CHURN_EFFECT, CHURN_EFFECT_CI_LOW, CHURN_EFFECT_CI_HIGH);

    private Columns() {}
  }

  /** 97.5th percentile of the standard normal: a two-sided 95% interval. */
  static final double Z_95 = 1.959963984540054;

  private ActivityEffects() {}

  /**
   * @param activities typed {@code cs_activities} rows (account_id, activity_type, activity_date, delivered_on)
   * @param health {@code customer_health} rows (account_id, as_of_date, segment, health_band, health_score)
   * @param churns one row per account and day it churned (account_id, churn_date)
   */
  public static Dataset<Row> effects(
      Dataset<Row> activities, Dataset<Row> health, Dataset<Row> churns, LocalDate asOf, Settings settings) {
    Dataset<Row> acts =
        activities.filter(col(SourceTable.DELIVERED_ON).leq(lit(Date.valueOf(asOf))))
            .select(col("account_id"), col("activity_type"), col("activity_date"))
            .distinct();
    List<Dataset<Row>> perWindow = new ArrayList<>();
    for (int window : settings.windowDays()) {
      perWindow.add(window(acts, health, churns, asOf, window, settings.lookbackDays()));
    }
    return perWindow.stream().reduce(Dataset::unionByName).orElseThrow()
        .withColumn(Columns.AS_OF_DATE, lit(Date.valueOf(asOf)))
        .select(Columns.ALL.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }

  private static Dataset<Row> window(
      Dataset<Row> acts, Dataset<Row> health, Dataset<Row> churns, LocalDate asOf, int window, int lookbackDays) {
    Date lastBase = Date.valueOf(asOf.minusDays(window));
    Date firstBase = Date.valueOf(asOf.minusDays(lookbackDays));
    Dataset<Row> base =
        health.filter(col(HealthScore.Columns.AS_OF_DATE).between(lit(firstBase), lit(lastBase)))
            .select(col(HealthScore.Columns.ACCOUNT_ID).as("account_id"), col(HealthScore.Columns.AS_OF_DATE).as("base_date"),
                col(HealthScore.Columns.SEGMENT).as("segment"), col(HealthScore.Columns.HEALTH_BAND).as("band"),
                col(HealthScore.Columns.HEALTH_SCORE).as("score_before"));
    Dataset<Row> after =
        health.select(col(HealthScore.Columns.ACCOUNT_ID).as("_a_account"),
            col(HealthScore.Columns.AS_OF_DATE).as("_a_date"), col(HealthScore.Columns.HEALTH_SCORE).as("score_after"));
    Dataset<Row> churned =
        base.select("account_id", "base_date")
            .join(churns.withColumnRenamed("account_id", "_c_account"),
                col("account_id").equalTo(col("_c_account"))
                    .and(col("churn_date").gt(col("base_date")))
                    .and(col("churn_date").leq(date_add(col("base_date"), window))))
            .select("account_id", "base_date").distinct()
            .withColumn("churned", lit(1.0));
    Dataset<Row> outcomes =
        base.join(after, col("account_id").equalTo(col("_a_account"))
                .and(col("_a_date").equalTo(date_add(col("base_date"), window))), "left")
            .drop("_a_account", "_a_date")
            .join(churned, CustomerFeatures.scalaSeq("account_id", "base_date"), "left")
            .withColumn("churned", when(col("churned").isNull(), lit(0.0)).otherwise(col("churned")))
            .withColumn("change", col("score_after").minus(col("score_before")));

    // Each base day and activity type, treated when the account had that activity the next day.
    Dataset<Row> types = acts.select("activity_type").distinct();
    Dataset<Row> treatedDays =
        acts.select(col("account_id").as("_t_account"), col("activity_type").as("_t_type"),
            col("activity_date").as("_t_date"));
    Dataset<Row> withNext =
        outcomes.crossJoin(types)
            .join(treatedDays, col("account_id").equalTo(col("_t_account"))
                .and(col("activity_type").equalTo(col("_t_type")))
                .and(col("_t_date").equalTo(date_add(col("base_date"), 1))), "left")
            .withColumn("treated", col("_t_date").isNotNull())
            .withColumn("comparable", col("_t_date").isNull())
            .withColumnRenamed("base_date", "day")
            .drop("_t_account", "_t_type", "_t_date");
    Column[] stratum = {col("activity_type"), col("day"), col("segment"), col("band")};
    Dataset<Row> comparables =
        withNext.filter(col("comparable"))
            .groupBy(stratum)
            .agg(avg(col("change")).as("comparable_change"), avg(col("churned")).as("comparable_churned"));
    Dataset<Row> treated = withNext.filter(col("treated"));
    Dataset<Row> matched =
        treated.join(comparables, CustomerFeatures.scalaSeq("activity_type", "day", "segment", "band"), "left")
            .withColumn("_matched", col("comparable_churned").isNotNull())
            .withColumn("d_change", col("change").minus(col("comparable_change")))
            .withColumn("d_churn", col("churned").minus(col("comparable_churned")));
    Column m = col("_matched");
    Column healthEffect = avg(when(m, col("d_change")));
    Column healthError = stddev_samp(when(m, col("d_change"))).divide(sqrt(count(when(m, col("d_change")))));
    Column churnEffect = avg(when(m, col("d_churn")));
    Column churnError = stddev_samp(when(m, col("d_churn"))).divide(sqrt(count(when(m, col("d_churn")))));
    return matched.groupBy(col("activity_type").as(Columns.ACTIVITY_TYPE))
        .agg(
            sum(when(m, 1).otherwise(0)).cast("long").as(Columns.ACTIVITIES),
            countDistinct(when(m, col("account_id"))).as(Columns.ACCOUNTS),
            sum(when(m, 0).otherwise(1)).cast("long").as(Columns.UNMATCHED_ACTIVITIES),
            avg(when(m.and(col("d_change").isNotNull()), col("change"))).as(Columns.HEALTH_CHANGE),
            avg(when(m.and(col("d_change").isNotNull()), col("comparable_change"))).as(Columns.COMPARABLE_HEALTH_CHANGE),
            healthEffect.as(Columns.HEALTH_EFFECT),
            healthEffect.minus(healthError.multiply(Z_95)).as(Columns.HEALTH_EFFECT_CI_LOW),
            healthEffect.plus(healthError.multiply(Z_95)).as(Columns.HEALTH_EFFECT_CI_HIGH),
            avg(when(m, col("churned"))).as(Columns.CHURN_RATE),
            avg(when(m, col("comparable_churned"))).as(Columns.COMPARABLE_CHURN_RATE),
            churnEffect.as(Columns.CHURN_EFFECT),
            churnEffect.minus(churnError.multiply(Z_95)).as(Columns.CHURN_EFFECT_CI_LOW),
            churnEffect.plus(churnError.multiply(Z_95)).as(Columns.CHURN_EFFECT_CI_HIGH))
        .withColumn(Columns.WINDOW_DAYS, lit(window));
  }
}
