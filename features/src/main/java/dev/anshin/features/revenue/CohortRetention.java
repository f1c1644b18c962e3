package dev.anshin.features.revenue;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.Money;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Logo and net MRR retention of monthly signup cohorts, in ChartMogul's cohort terms.
 *
 * <p>An account's cohort is the month of its first subscription start. At months_since_start k the
 * cohort's accounts are counted active when they have MRR at the snapshot of month cohort + k (see
 * {@link MonthEndMrr}); logo retention is active accounts over the cohort's size, net MRR retention
 * the cohort's MRR over its MRR at the end of its first month (so expansion can push it above 1,
 * and accounts that come back count again).
 */
public final class CohortRetention {

  public static final String TABLE = "cohort_retention";

  /** The columns of {@code cohort_retention}. */
  public static final class Columns {
    public static final String COHORT_MONTH = "cohort_month";
    public static final String MONTHS_SINCE_START = "months_since_start";
    public static final String MONTH = "month";
    public static final String COHORT_ACCOUNTS = "cohort_accounts";
    public static final String ACCOUNTS_ACTIVE = "accounts_active";
    public static final String LOGO_RETENTION = "logo_retention";
    public static final String MRR = "mrr";
    public static final String COHORT_STARTING_MRR = "cohort_starting_mrr";
    public static final String NET_MRR_RETENTION = "net_mrr_retention";

    public static final List<String> ALL =
        List.of(
            COHORT_MONTH, MONTHS_SINCE_START, MONTH, COHORT_ACCOUNTS, ACCOUNTS_ACTIVE,
            LOGO_RETENTION, MRR, COHORT_STARTING_MRR, NET_MRR_RETENTION);

    private Columns() {}
  }

  private CohortRetention() {}

  /** Cohorts through {@code throughMonth}, every month snapshotted on its last day. */
  public static Dataset<Row> monthly(Dataset<Row> subscriptions, YearMonth throughMonth) {
    return monthly(subscriptions, throughMonth.atEndOfMonth());
  }

  /**
   * Cohorts as known at the end of {@code asOfDate}; the month that contains it is snapshotted on
   * that day. One row per cohort month and month since its start; columns {@link Columns#ALL}.
   */
  public static Dataset<Row> monthly(Dataset<Row> subscriptions, LocalDate asOfDate) {
    Dataset<Row> monthEnds =
        MonthEndMrr.byAccountAndMonth(MonthEndMrr.observable(subscriptions, asOfDate), asOfDate);
    // Every account has a row for every month since its first, so the count of rows in a cohort
    // month is the cohort's size.
    Dataset<Row> cohorts =
        monthEnds
            .withColumn(Columns.COHORT_MONTH, trunc(col(MonthEndMrr.FIRST_START), "month"))
            .groupBy(col(Columns.COHORT_MONTH), col(MonthEndMrr.MONTH).as(Columns.MONTH))
            .agg(
                count(lit(1)).as(Columns.COHORT_ACCOUNTS),
                count(when(col(MonthEndMrr.MRR).gt(0), lit(1))).as(Columns.ACCOUNTS_ACTIVE),
                sum(col(MonthEndMrr.MRR)).cast(Money.TYPE).as(Columns.MRR))
            .withColumn(
                Columns.MONTHS_SINCE_START,
                months_between(col(Columns.MONTH), col(Columns.COHORT_MONTH)).cast("int"));
    Column startingMrr =
        first(col(Columns.MRR))
            .over(Window.partitionBy(Columns.COHORT_MONTH).orderBy(Columns.MONTHS_SINCE_START));
    return cohorts
        .withColumn(Columns.COHORT_STARTING_MRR, startingMrr)
        .withColumn(
            Columns.LOGO_RETENTION,
            col(Columns.ACCOUNTS_ACTIVE).cast("double").divide(col(Columns.COHORT_ACCOUNTS)))
        .withColumn(
            Columns.NET_MRR_RETENTION,
            when(
                col(Columns.COHORT_STARTING_MRR).gt(0),
                col(Columns.MRR).cast("double").divide(col(Columns.COHORT_STARTING_MRR).cast("double"))))
        .select(Columns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }
}
