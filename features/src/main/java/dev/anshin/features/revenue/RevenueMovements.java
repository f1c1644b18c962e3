package dev.anshin.features.revenue;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.struct;
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
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Monthly recurring revenue movements per account and their monthly summary, in ChartMogul's
 * terms: new, expansion, contraction, churn and reactivation MRR.
 *
 * <p>Each month compares an account's MRR at the previous month's snapshot (starting MRR) with its
 * MRR at this month's snapshot (ending MRR); see {@link MonthEndMrr} for the snapshot rule. From 0
 * to more is new business, or a reactivation if the account had MRR at an earlier snapshot; from
 * more to 0 is churn (its last active subscription ended; ending one of several is contraction);
 * otherwise the difference is expansion or contraction. Amounts are positive, so every month
 * reconciles: starting + new + expansion + reactivation - contraction - churned = ending. Changes
 * that start and end between two snapshots are not seen, as with any month-end MRR method.
 */
public final class RevenueMovements {

  public static final String MOVEMENTS_TABLE = "revenue_movements";
  public static final String SUMMARY_TABLE = "revenue_summary";

  /** Values of {@code movement_type}. */
  public static final String NEW = "new";
  public static final String EXPANSION = "expansion";
  public static final String CONTRACTION = "contraction";
  public static final String CHURN = "churn";
  public static final String REACTIVATION = "reactivation";
  public static final String NONE = "none";

  /** Values of {@code churn_type}. */
  public static final String VOLUNTARY = "voluntary";
  public static final String INVOLUNTARY = "involuntary";

  /** The columns of {@code revenue_movements}. */
  public static final class Columns {
    public static final String ACCOUNT_ID = "account_id";
    public static final String MONTH = "month";
    public static final String SNAPSHOT_DATE = "snapshot_date";
    public static final String STARTING_MRR = "starting_mrr";
    public static final String ENDING_MRR = "ending_mrr";
    public static final String MOVEMENT_TYPE = "movement_type";
    public static final String NEW_MRR = "new_mrr";
    public static final String EXPANSION_MRR = "expansion_mrr";
    public static final String CONTRACTION_MRR = "contraction_mrr";
    public static final String CHURNED_MRR = "churned_mrr";
    public static final String REACTIVATION_MRR = "reactivation_mrr";
    public static final String CHURN_TYPE = "churn_type";

    public static final List<String> ALL =
        List.of(
            ACCOUNT_ID, MONTH, SNAPSHOT_DATE, STARTING_MRR, ENDING_MRR, MOVEMENT_TYPE, NEW_MRR,
            EXPANSION_MRR, CONTRACTION_MRR, CHURNED_MRR, REACTIVATION_MRR, CHURN_TYPE);

    private Columns() {}
  }

  /** The columns of {@code revenue_summary}. */
  public static final class SummaryColumns {
    public static final String MONTH = "month";
    public static final String STARTING_MRR = "starting_mrr";
    public static final String NEW_MRR = "new_mrr";
    public static final String EXPANSION_MRR = "expansion_mrr";
    public static final String CONTRACTION_MRR = "contraction_mrr";
    public static final String CHURNED_MRR = "churned_mrr";
    public static final String VOLUNTARY_CHURNED_MRR = "voluntary_churned_mrr";
    public static final String INVOLUNTARY_CHURNED_MRR = "involuntary_churned_mrr";
    public static final String REACTIVATION_MRR = "reactivation_mrr";
    public static final String ENDING_MRR = "ending_mrr";
    public static final String NET_NEW_MRR = "net_new_mrr";
    public static final String STARTING_CUSTOMERS = "starting_customers";
    public static final String NEW_CUSTOMERS = "new_customers";
    public static final String REACTIVATED_CUSTOMERS = "reactivated_customers";
    public static final String CHURNED_CUSTOMERS = "churned_customers";
    public static final String ENDING_CUSTOMERS = "ending_customers";
    public static final String GROSS_REVENUE_RETENTION = "gross_revenue_retention";
    public static final String NET_REVENUE_RETENTION = "net_revenue_retention";
    public static final String CUSTOMER_CHURN_RATE = "customer_churn_rate";

    public static final List<String> ALL =
        List.of(
            MONTH, STARTING_MRR, NEW_MRR, EXPANSION_MRR, CONTRACTION_MRR, CHURNED_MRR,
            VOLUNTARY_CHURNED_MRR, INVOLUNTARY_CHURNED_MRR, REACTIVATION_MRR, ENDING_MRR,
            NET_NEW_MRR, STARTING_CUSTOMERS, NEW_CUSTOMERS, REACTIVATED_CUSTOMERS,
            CHURNED_CUSTOMERS, ENDING_CUSTOMERS, GROSS_REVENUE_RETENTION, NET_REVENUE_RETENTION,
            CUSTOMER_CHURN_RATE);

    private SummaryColumns() {}
  }

  private RevenueMovements() {}

  /** Movements of every complete month through {@code throughMonth} (snapshot on its last day). */
  public static Dataset<Row> monthly(Dataset<Row> subscriptions, YearMonth throughMonth) {
    return monthly(subscriptions, throughMonth.atEndOfMonth());
  }

  /**
   * Movements of every month through the month of {@code asOfDate}, as known at the end of that
   * day: the last month's snapshot is {@code asOfDate} itself (month to date). One row per account
   * and month in which the account had MRR at the start or the end; columns {@link Columns#ALL}.
   *
   * @param subscriptions rows with the {@code SourceTable.SUBSCRIPTIONS} schema
   */
  public static Dataset<Row> monthly(Dataset<Row> subscriptions, LocalDate asOfDate) {
    Dataset<Row> known = MonthEndMrr.observable(subscriptions, asOfDate);
    Dataset<Row> monthEnds = MonthEndMrr.byAccountAndMonth(known, asOfDate);

    // The reason of the subscription that ended last in the month names the kind of churn; on a
    // tie 'voluntary' sorts after 'involuntary' and wins, so the result does not depend on order.
    Dataset<Row> endReasons =
        known
            .filter(col("ended_at").isNotNull())
            .groupBy(col("account_id").as("r_account_id"), trunc(col("ended_at"), "month").as("r_month"))
            .agg(
                max_by(col("cancel_reason"), struct(col("ended_at"), col("cancel_reason")))
                    .as("last_cancel_reason"));

    WindowSpec byAccount = Window.partitionBy("account_id").orderBy("month");
    Column starting = col(Columns.STARTING_MRR);
    Column ending = col(Columns.ENDING_MRR);
    Column hadMrrBefore =
        coalesce(
            max(col(MonthEndMrr.MRR)).over(byAccount.rowsBetween(Window.unboundedPreceding(), -1)),
            lit(0))
            .gt(0);
    Column movement =
        when(starting.equalTo(0).and(ending.gt(0)), when(col("had_mrr_before"), lit(REACTIVATION)).otherwise(lit(NEW)))
            .when(starting.gt(0).and(ending.equalTo(0)), lit(CHURN))
            .when(ending.gt(starting), lit(EXPANSION))
            .when(ending.lt(starting), lit(CONTRACTION))
            .otherwise(lit(NONE));
    Column type = col(Columns.MOVEMENT_TYPE);

    Dataset<Row> movements =
        monthEnds
            .withColumn(
                Columns.STARTING_MRR,
                coalesce(lag(col(MonthEndMrr.MRR), 1).over(byAccount), lit(0)).cast(Money.TYPE))
            .withColumn(Columns.ENDING_MRR, col(MonthEndMrr.MRR))
            .withColumn("had_mrr_before", hadMrrBefore)
            .filter(starting.gt(0).or(ending.gt(0)))
            .withColumn(Columns.MOVEMENT_TYPE, movement)
            .withColumn(Columns.NEW_MRR, amount(type.equalTo(NEW), ending))
            .withColumn(Columns.EXPANSION_MRR, amount(type.equalTo(EXPANSION), ending.minus(starting)))
            .withColumn(
                Columns.CONTRACTION_MRR, amount(type.equalTo(CONTRACTION), starting.minus(ending)))
            .withColumn(Columns.CHURNED_MRR, amount(type.equalTo(CHURN), starting))
            .withColumn(Columns.REACTIVATION_MRR, amount(type.equalTo(REACTIVATION), ending))
            .join(
                endReasons,
                col("account_id").equalTo(col("r_account_id")).and(col("month").equalTo(col("r_month"))),
                "left")
            .withColumn(
                Columns.CHURN_TYPE,
                when(
                    type.equalTo(CHURN),
                    // Only a failed payment is involuntary; a missing reason is a customer's choice.
                    when(col("last_cancel_reason").equalTo(INVOLUNTARY), lit(INVOLUNTARY))
                        .otherwise(lit(VOLUNTARY))));
    return movements.select(Columns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }

  /** One row per month of the movements: totals, customer counts and retention rates. */
  public static Dataset<Row> summary(Dataset<Row> movements) {
    Column type = col(Columns.MOVEMENT_TYPE);
    Column churnType = col(Columns.CHURN_TYPE);
    Dataset<Row> totals =
        movements
            .groupBy(col(Columns.MONTH))
            .agg(
                total(col(Columns.STARTING_MRR)).as(SummaryColumns.STARTING_MRR),
                total(col(Columns.NEW_MRR)).as(SummaryColumns.NEW_MRR),
                total(col(Columns.EXPANSION_MRR)).as(SummaryColumns.EXPANSION_MRR),
                total(col(Columns.CONTRACTION_MRR)).as(SummaryColumns.CONTRACTION_MRR),
                total(col(Columns.CHURNED_MRR)).as(SummaryColumns.CHURNED_MRR),
                total(when(churnType.equalTo(VOLUNTARY), col(Columns.CHURNED_MRR)))
                    .as(SummaryColumns.VOLUNTARY_CHURNED_MRR),
                total(when(churnType.equalTo(INVOLUNTARY), col(Columns.CHURNED_MRR)))
                    .as(SummaryColumns.INVOLUNTARY_CHURNED_MRR),
                total(col(Columns.REACTIVATION_MRR)).as(SummaryColumns.REACTIVATION_MRR),
                total(col(Columns.ENDING_MRR)).as(SummaryColumns.ENDING_MRR),
                count(when(col(Columns.STARTING_MRR).gt(0), lit(1)))
                    .as(SummaryColumns.STARTING_CUSTOMERS),
                count(when(type.equalTo(NEW), lit(1))).as(SummaryColumns.NEW_CUSTOMERS),
                count(when(type.equalTo(REACTIVATION), lit(1)))
                    .as(SummaryColumns.REACTIVATED_CUSTOMERS),
                count(when(type.equalTo(CHURN), lit(1))).as(SummaryColumns.CHURNED_CUSTOMERS),
                count(when(col(Columns.ENDING_MRR).gt(0), lit(1)))
                    .as(SummaryColumns.ENDING_CUSTOMERS));
    Column start = col(SummaryColumns.STARTING_MRR);
    Column startDouble = start.cast("double");
    Column retained =
        start.minus(col(SummaryColumns.CONTRACTION_MRR)).minus(col(SummaryColumns.CHURNED_MRR));
    return totals
        .withColumn(
            SummaryColumns.NET_NEW_MRR,
            col(SummaryColumns.NEW_MRR)
                .plus(col(SummaryColumns.EXPANSION_MRR))
                .plus(col(SummaryColumns.REACTIVATION_MRR))
                .minus(col(SummaryColumns.CONTRACTION_MRR))
                .minus(col(SummaryColumns.CHURNED_MRR))
                .cast(Money.TYPE))
        // Retention is about the revenue the month started with: new and reactivated accounts had
        // none at the start, so they are outside both ratios.
        .withColumn(
            SummaryColumns.GROSS_REVENUE_RETENTION,
            when(start.gt(0), retained.cast("double").divide(startDouble)))
        .withColumn(
            SummaryColumns.NET_REVENUE_RETENTION,
            when(
                start.gt(0),
                retained.plus(col(SummaryColumns.EXPANSION_MRR)).cast("double").divide(startDouble)))
        .withColumn(
            SummaryColumns.CUSTOMER_CHURN_RATE,
            when(
                col(SummaryColumns.STARTING_CUSTOMERS).gt(0),
                col(SummaryColumns.CHURNED_CUSTOMERS)
                    .cast("double")
                    .divide(col(SummaryColumns.STARTING_CUSTOMERS))))
        .select(SummaryColumns.ALL.stream().map(c -> col(c)).toArray(Column[]::new))
        .orderBy(SummaryColumns.MONTH);
  }

  private static Column amount(Column condition, Column value) {
    return when(condition, value).otherwise(lit(0)).cast(Money.TYPE);
  }

  private static Column total(Column value) {
    return coalesce(sum(value), lit(0)).cast(Money.TYPE);
  }
}
