package dev.anshin.features.success;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sqrt;
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
 * from its standard error clustered by account (one account's activities share strata and
 * overlapping windows, so they are not independent; normal approximation; it ignores the
 * comparables' own sampling error, so it is narrower than the truth when strata are small). An
 * activity without a health row the day before, or whose stratum has no comparable account, is
 * counted as unmatched. Several activities of one type and
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
      if (windowDays.isEmpty() || windowDays.stream().anyMatch(w -> w < 1)) {
        throw new IllegalArgumentException("effect-windows must be positive numbers of days, and at least one; got " + windowDays);
      }
      int longest = windowDays.stream().mapToInt(Integer::intValue).max().orElseThrow();
      if (lookbackDays <= longest) {
        throw new IllegalArgumentException("lookback-days is " + lookbackDays + "; it must exceed the longest window ("
            + longest + " days), or that window judges no activity");
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
    Dataset<Row> candidates =
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
        candidates.filter(col("comparable"))
            .groupBy(stratum)
            .agg(avg(col("change")).as("comparable_change"), avg(col("churned")).as("comparable_churned"));
    Dataset<Row> treated = candidates.filter(col("treated"));
    Dataset<Row> matched =
        treated.join(comparables, CustomerFeatures.scalaSeq("activity_type", "day", "segment", "band"), "left")
            .withColumn("_matched", col("comparable_churned").isNotNull())
            .withColumn("d_change", col("change").minus(col("comparable_change")))
            .withColumn("d_churn", col("churned").minus(col("comparable_churned")));
    // An activity whose account had no health row the day before has no stratum: unmatched as well.
    Dataset<Row> withoutBase =
        acts.filter(date_sub(col("activity_date"), 1).between(lit(firstBase), lit(lastBase)))
            .join(base.select(col("account_id").as("_b_account"), col("base_date")),
                col("account_id").equalTo(col("_b_account")).and(col("base_date").equalTo(date_sub(col("activity_date"), 1))),
                "left_anti")
            .select(col("activity_type"), col("account_id"), lit(false).as("_matched"), lit(null).cast("double").as("change"),
                lit(null).cast("double").as("churned"), lit(null).cast("double").as("comparable_change"),
                lit(null).cast("double").as("comparable_churned"), lit(null).cast("double").as("d_change"),
                lit(null).cast("double").as("d_churn"));
    Column m = col("_matched");
    Column withChange = m.and(col("d_change").isNotNull());
    // Per account first: its activities share strata and overlapping windows, so the standard errors
    // treat each account as one cluster (below), not each activity as independent.
    Dataset<Row> perAccount =
        matched.select(col("activity_type"), col("account_id"), m, col("change"), col("churned"), col("comparable_change"),
                col("comparable_churned"), col("d_change"), col("d_churn"))
            .unionByName(withoutBase)
            .groupBy(col("activity_type"), col("account_id"))
            .agg(
                sum(when(m, 1).otherwise(0)).cast("long").as("n"),
                sum(when(m, 0).otherwise(1)).cast("long").as("unmatched"),
                sum(when(withChange, 1).otherwise(0)).cast("long").as("n_change"),
                sum(when(withChange, col("change"))).as("sum_change"),
                sum(when(withChange, col("comparable_change"))).as("sum_comparable_change"),
                sum(when(withChange, col("d_change"))).as("sum_d_change"),
                sum(when(m, col("churned"))).as("sum_churned"),
                sum(when(m, col("comparable_churned"))).as("sum_comparable_churned"),
                sum(when(m, col("d_churn"))).as("sum_d_churn"));
    Dataset<Row> perType =
        perAccount.groupBy(col("activity_type").as(Columns.ACTIVITY_TYPE))
            .agg(
                sum(col("n")).as(Columns.ACTIVITIES),
                sum(when(col("n").gt(0), 1).otherwise(0)).cast("long").as(Columns.ACCOUNTS),
                sum(col("unmatched")).as(Columns.UNMATCHED_ACTIVITIES),
                sum(col("sum_change")).divide(sum(col("n_change"))).as(Columns.HEALTH_CHANGE),
                sum(col("sum_comparable_change")).divide(sum(col("n_change"))).as(Columns.COMPARABLE_HEALTH_CHANGE),
                sum(col("sum_churned")).divide(sum(col("n"))).as(Columns.CHURN_RATE),
                sum(col("sum_comparable_churned")).divide(sum(col("n"))).as(Columns.COMPARABLE_CHURN_RATE),
                clusterMoments(col("n_change"), col("sum_d_change"), "health"),
                clusterMoments(col("n"), col("sum_d_churn"), "churn"))
            .filter(col(Columns.ACTIVITIES).gt(0).or(col(Columns.UNMATCHED_ACTIVITIES).gt(0)));
    return withEffect(withEffect(perType, "health", Columns.HEALTH_EFFECT, Columns.HEALTH_EFFECT_CI_LOW,
            Columns.HEALTH_EFFECT_CI_HIGH), "churn", Columns.CHURN_EFFECT, Columns.CHURN_EFFECT_CI_LOW,
            Columns.CHURN_EFFECT_CI_HIGH)
        .withColumn(Columns.WINDOW_DAYS, lit(window));
  }

  /**
   * The sums a cluster-robust variance of a mean needs, over accounts g with n_g observations summing
   * to s_g: N = sum n_g, S = sum s_g, A = sum s_g^2, B = sum n_g s_g, C = sum n_g^2, G = accounts.
   */
  private static Column clusterMoments(Column n, Column s, String prefix) {
    Column present = n.gt(0);
    return org.apache.spark.sql.functions.struct(
        sum(n).cast("double").as("n"), sum(s).as("s"), sum(when(present, s.multiply(s))).as("a"),
        sum(when(present, n.multiply(s))).as("b"), sum(when(present, n.multiply(n))).cast("double").as("c"),
        sum(when(present, 1).otherwise(0)).cast("double").as("g")).as("_" + prefix);
  }

  /**
   * The mean difference and its 95% interval with the account-clustered (CR1) standard error: the
   * variance of the mean is G / (G - 1) x sum_g (s_g - n_g mean)^2 / N^2, which expands to
   * G / (G - 1) x (A - 2 mean B + mean^2 C) / N^2; with one account there is no interval.
   */
  private static Dataset<Row> withEffect(Dataset<Row> rows, String prefix, String effect, String low, String high) {
    Column n = col("_" + prefix + ".n");
    Column mean = col("_" + prefix + ".s").divide(n);
    Column g = col("_" + prefix + ".g");
    Column spread = col("_" + prefix + ".a").minus(mean.multiply(col("_" + prefix + ".b")).multiply(2))
        .plus(mean.multiply(mean).multiply(col("_" + prefix + ".c")));
    // Rounding can leave a tiny negative spread where every account's differences are equal.
    Column error = when(g.gt(1), sqrt(org.apache.spark.sql.functions.greatest(spread, lit(0.0))
        .multiply(g).divide(g.minus(1)).divide(n.multiply(n))));
    return rows.withColumn(effect, when(n.gt(0), mean))
        .withColumn(low, col(effect).minus(error.multiply(Z_95)))
        .withColumn(high, col(effect).plus(error.multiply(Z_95)))
        .drop("_" + prefix);
  }
}
