package dev.anshin.models.retention;

import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Monthly signup-cohort retention from Anshin's subscriptions, and its sBG forecast.
 *
 * <p>An account's cohort is the month of its first subscription start. Its lifetime runs from that
 * start while some subscription covers every day (a subscription is active on day d iff started_at
 * &lt;= d and (ended_at is null or d &lt; ended_at)); the first uncovered day ends it, and later
 * reactivations do not revive it, because the sBG model assumes customers never return. The account
 * survives period k when it is still covered on the day before its k-month anniversary, so a period
 * is a month of the account's own contract, like a monthly renewal. Period k is observed for a
 * cohort once every account of the cohort has reached its k-month anniversary by the as-of date.
 */
public final class CohortRetention {

  public static final String COHORT_MONTH = "cohort_month";
  public static final String COHORT_SIZE = "cohort_size";
  public static final String PERIOD = "period";
  public static final String SURVIVORS = "survivors";

  /** The columns of the {@code cohort_retention_forecast} table. */
  public static final StructType FORECAST_SCHEMA =
      new StructType()
          .add(COHORT_MONTH, DataTypes.DateType, false)
          .add(COHORT_SIZE, DataTypes.LongType, false)
          .add("observed_periods", DataTypes.IntegerType, false)
          .add("alpha", DataTypes.DoubleType, true)
          .add("beta", DataTypes.DoubleType, true)
          .add("log_likelihood", DataTypes.DoubleType, true)
          .add("converged", DataTypes.BooleanType, false)
          // fitted | not_converged | too_few_periods | no_churn | all_churned_in_first_period
          .add("status", DataTypes.StringType, false)
          .add("note", DataTypes.StringType, true)
          .add(PERIOD, DataTypes.IntegerType, false)
          .add("survivors_observed", DataTypes.LongType, true)
          .add("survivors_expected", DataTypes.DoubleType, true)
          .add("retention_rate_expected", DataTypes.DoubleType, true)
          .add("is_projection", DataTypes.BooleanType, false);

  // Stands for "no end yet" so that max and comparisons treat an open subscription as endless.
  private static final Date OPEN_END = Date.valueOf(LocalDate.of(9999, 12, 31));

  private CohortRetention() {}

  /**
   * Survivors per cohort and observed period (period 0 is the cohort size): columns cohort_month,
   * cohort_size, period, survivors.
   *
   * @param subscriptions rows with the schema of {@code SourceTable.SUBSCRIPTIONS}
   * @param asOf the date the data describe; subscriptions starting after it are ignored
   */
  public static Dataset<Row> survivors(Dataset<Row> subscriptions, LocalDate asOf) {
    Column asOfDate = lit(Date.valueOf(asOf));
    Dataset<Row> covered =
        subscriptions
            .where(col("account_id").isNotNull().and(col("started_at").isNotNull()))
            .where(col("started_at").leq(asOfDate))
            .select(
                col("account_id"),
                col("started_at"),
                coalesce(col("ended_at"), lit(OPEN_END)).as("end"))
            // A subscription that ends the day it starts is never active.
            .where(col("end").gt(col("started_at")));

    // Merging intervals in start order: a subscription that starts after every earlier one has
    // ended opens a gap, and the first gap ends the lifetime.
    WindowSpec earlier =
        Window.partitionBy("account_id")
            .orderBy("started_at", "end")
            .rowsBetween(Window.unboundedPreceding(), -1);
    Dataset<Row> accounts =
        covered
            .withColumn("covered_until", max("end").over(earlier))
            .groupBy("account_id")
            .agg(
                min("started_at").as("first_start"),
                min(when(col("started_at").gt(col("covered_until")), col("covered_until")))
                    .as("first_gap"),
                max("end").as("last_end"))
            .select(
                col("first_start"),
                trunc(col("first_start"), "month").as(COHORT_MONTH),
                coalesce(col("first_gap"), col("last_end")).as("lifetime_end"));

    // Every account of a cohort reaches its k-month anniversary by the first day of month k + 1
    // after the cohort month; so k is observed when that day is on or before the as-of date.
    Column completePeriods =
        year(asOfDate).multiply(12).plus(month(asOfDate))
            .minus(year(col(COHORT_MONTH)).multiply(12).plus(month(col(COHORT_MONTH))))
            .minus(1);
    Dataset<Row> withPeriods = accounts.withColumn("complete_periods", completePeriods);

    Dataset<Row> sizes =
        withPeriods.groupBy(COHORT_MONTH).agg(count(lit(1)).as(COHORT_SIZE));
    Dataset<Row> later =
        withPeriods
            .where(col("complete_periods").geq(1))
            .withColumn(PERIOD, explode(sequence(lit(1), col("complete_periods"))))
            .groupBy(COHORT_MONTH, PERIOD)
            .agg(
                sum(when(col("lifetime_end").geq(add_months(col("first_start"), col(PERIOD))), 1L)
                        .otherwise(0L))
                    .as(SURVIVORS));
    Dataset<Row> first =
        sizes.select(col(COHORT_MONTH), lit(0).as(PERIOD), col(COHORT_SIZE).as(SURVIVORS));
    return first
        .unionByName(later)
        .join(sizes, COHORT_MONTH)
        .select(COHORT_MONTH, COHORT_SIZE, PERIOD, SURVIVORS)
        .orderBy(COHORT_MONTH, PERIOD);
  }

  /**
   * Fits sBG per cohort on the driver (cohorts are few: one a month) and returns the {@code
   * cohort_retention_forecast} rows: the observed periods with fitted values, then {@code
   * projectionPeriods} projected ones. A cohort that cannot be fitted keeps its observed rows with
   * converged = false, a status and a note, and null expectations.
   */
  public static Dataset<Row> forecast(Dataset<Row> survivors, int projectionPeriods) {
    if (projectionPeriods < 0) {
      throw new IllegalArgumentException("projection periods must be >= 0, got " + projectionPeriods);
    }
    Map<Date, TreeMap<Integer, Long>> cohorts = new TreeMap<>();
    for (Row row : survivors.select(COHORT_MONTH, PERIOD, SURVIVORS).collectAsList()) {
      cohorts
          .computeIfAbsent(row.getDate(0), month -> new TreeMap<>())
          .put(row.getInt(1), row.getLong(2));
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<Date, TreeMap<Integer, Long>> cohort : cohorts.entrySet()) {
      rows.addAll(forecastCohort(cohort.getKey(), cohort.getValue(), projectionPeriods));
    }
    return survivors.sparkSession().createDataFrame(rows, FORECAST_SCHEMA);
  }

  private static List<Row> forecastCohort(
      Date cohortMonth, TreeMap<Integer, Long> byPeriod, int projectionPeriods) {
    int observed = byPeriod.lastKey();
    long[] counts = new long[observed + 1];
    for (int period = 0; period <= observed; period++) {
      Long count = byPeriod.get(period);
      if (count == null) {
        throw new IllegalArgumentException("cohort " + cohortMonth + " has no count for period " + period);
      }
      counts[period] = count;
    }
    long size = counts[0];
    List<Row> rows = new ArrayList<>();
    Optional<String> reason = ShiftedBetaGeometric.unfittableReason(counts);
    if (reason.isPresent()) {
      String status = reason.get().substring(0, reason.get().indexOf(':'));
      for (int period = 0; period <= observed; period++) {
        rows.add(
            RowFactory.create(
                cohortMonth, size, observed, null, null, null, false, status, reason.get(),
                period, counts[period], null, null, false));
      }
      return rows;
    }
    ShiftedBetaGeometricModel model = ShiftedBetaGeometric.fit(counts);
    String status = model.converged() ? "fitted" : "not_converged";
    String note =
        model.converged()
            ? null
            : "the optimiser stopped before its tolerance or at the edge of the parameter space;"
                + " treat the projection with care";
    for (int period = 0; period <= observed + projectionPeriods; period++) {
      boolean projected = period > observed;
      rows.add(
          RowFactory.create(
              cohortMonth, size, observed, model.alpha(), model.beta(), model.logLikelihood(),
              model.converged(), status, note, period, projected ? null : counts[period],
              model.expectedSurvivors(size, period),
              period == 0 ? null : model.retentionRate(period),
              projected));
    }
    return rows;
  }
}
