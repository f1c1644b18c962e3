package dev.anshin.features.revenue;

import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.not;
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
 * Monthly recurring revenue movements in ChartMogul's terms: new business, expansion, contraction,
 * churn and reactivation, as events on the day they happen, rolled up per account and month and per
 * month.
 *
 * <p>An account's MRR on day d is the sum of its subscriptions active on d (see {@link MonthEndMrr}
 * for the rule and for what is known as of a date). Every day on which that sum changes is one
 * movement: from 0 to more is new business, or a reactivation if the account had MRR on an earlier
 * day; from more to 0 is churn (its last active subscription ended; ending one of several is
 * contraction); otherwise up is expansion and down is contraction. A month's movements are the sum of
 * its days, so a subscription that starts and ends within one month shows as new business and churn,
 * and an upgrade followed by a cancellation shows as expansion and the churn of the upgraded MRR.
 * Amounts are positive, and every account and month reconciles: starting + new + expansion +
 * reactivation - contraction - churned = ending, where starting and ending are the MRR at the
 * previous and this month's snapshot day.
 */
public final class RevenueMovements {

  public static final String EVENTS_TABLE = "mrr_movements";
  public static final String MOVEMENTS_TABLE = "revenue_movements";
  public static final String SUMMARY_TABLE = "revenue_summary";

  /** Values of {@code movement_type}. */
  public static final String NEW = "new";
  public static final String EXPANSION = "expansion";
  public static final String CONTRACTION = "contraction";
  public static final String CHURN = "churn";
  public static final String REACTIVATION = "reactivation";

  /** Values of {@code churn_type}. */
  public static final String VOLUNTARY = "voluntary";
  public static final String INVOLUNTARY = "involuntary";

  /** The columns of {@code mrr_movements}: one row per account and day on which its MRR changed. */
  public static final class EventColumns {
    public static final String ACCOUNT_ID = "account_id";
    public static final String MOVEMENT_DATE = "movement_date";
    public static final String MONTH = "month";
    public static final String MOVEMENT_TYPE = "movement_type";
    public static final String MRR_BEFORE = "mrr_before";
    public static final String MRR_AFTER = "mrr_after";
    public static final String AMOUNT = "amount";
    public static final String CHURN_TYPE = "churn_type";

    public static final List<String> ALL =
        List.of(ACCOUNT_ID, MOVEMENT_DATE, MONTH, MOVEMENT_TYPE, MRR_BEFORE, MRR_AFTER, AMOUNT, CHURN_TYPE);

    private EventColumns() {}
  }

  /** The columns of {@code revenue_movements}: one row per account and month. */
  public static final class Columns {
    public static final String ACCOUNT_ID = "account_id";
    public static final String MONTH = "month";
    public static final String SNAPSHOT_DATE = "snapshot_date";
    public static final String STARTING_MRR = "starting_mrr";
    public static final String ENDING_MRR = "ending_mrr";
    public static final String MOVEMENTS = "movements";
    public static final String NEW_MRR = "new_mrr";
    public static final String EXPANSION_MRR = "expansion_mrr";
    public static final String CONTRACTION_MRR = "contraction_mrr";
    public static final String CHURNED_MRR = "churned_mrr";
    public static final String REACTIVATION_MRR = "reactivation_mrr";
    public static final String CHURN_TYPE = "churn_type";

    public static final List<String> ALL =
        List.of(
            ACCOUNT_ID, MONTH, SNAPSHOT_DATE, STARTING_MRR, ENDING_MRR, MOVEMENTS, NEW_MRR,
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
    public static final String QUICK_RATIO = "quick_ratio";
    public static final String TRAILING_12M_NRR = "trailing_12m_nrr";
    public static final String TRAILING_12M_GRR = "trailing_12m_grr";

    public static final List<String> ALL =
        List.of(
            MONTH, STARTING_MRR, NEW_MRR, EXPANSION_MRR, CONTRACTION_MRR, CHURNED_MRR,
            VOLUNTARY_CHURNED_MRR, INVOLUNTARY_CHURNED_MRR, REACTIVATION_MRR, ENDING_MRR,
            NET_NEW_MRR, STARTING_CUSTOMERS, NEW_CUSTOMERS, REACTIVATED_CUSTOMERS,
            CHURNED_CUSTOMERS, ENDING_CUSTOMERS, GROSS_REVENUE_RETENTION, NET_REVENUE_RETENTION,
            CUSTOMER_CHURN_RATE, QUICK_RATIO, TRAILING_12M_NRR, TRAILING_12M_GRR);

    private SummaryColumns() {}
  }

  private RevenueMovements() {}

  /**
   * The MRR movements known at the end of {@code asOfDate}: one row per account and day on which the
   * account's MRR changed, through that day; columns {@link EventColumns#ALL}.
   *
   * @param subscriptions rows with the {@code SourceTable.SUBSCRIPTIONS} schema, mrr in one currency
   */
  public static Dataset<Row> events(Dataset<Row> subscriptions, LocalDate asOfDate) {
    Dataset<Row> known = MonthEndMrr.observable(subscriptions, asOfDate);
    Column day = col(EventColumns.MOVEMENT_DATE);
    // MRR only changes on a day a subscription starts or ends, so those days are all there is to see.
    Dataset<Row> changeDays =
        known.select(col("account_id"), col("started_at").as(EventColumns.MOVEMENT_DATE))
            .union(
                known.filter(col("ended_at").isNotNull())
                    .select(col("account_id"), col("ended_at").as(EventColumns.MOVEMENT_DATE)))
            .distinct();
    Dataset<Row> active =
        known.select(col("account_id").as("s_account_id"), col("started_at"), col("ended_at"), col(MonthEndMrr.MRR));
    Dataset<Row> mrrAfter =
        changeDays
            .join(
                active,
                col("account_id").equalTo(col("s_account_id"))
                    .and(col("started_at").leq(day))
                    .and(col("ended_at").isNull().or(day.lt(col("ended_at")))),
                "left")
            .groupBy(col("account_id"), day)
            .agg(coalesce(sum(col(MonthEndMrr.MRR)), lit(0)).cast(Money.TYPE).as(EventColumns.MRR_AFTER));

    // The reason given for the subscriptions that ended on a churn day names the kind of churn: a
    // failed payment is involuntary; a customer's choice, or no reason at all, is voluntary, and wins
    // over a failed payment ending on the same day ('voluntary' sorts last), whatever the row order.
    Dataset<Row> endReasons =
        known.filter(col("ended_at").isNotNull())
            .groupBy(col("account_id").as("r_account_id"), col("ended_at").as("r_day"))
            .agg(
                max(coalesce(col("cancel_reason"), lit(VOLUNTARY))).as("reason"));

    WindowSpec byAccount = Window.partitionBy("account_id").orderBy(EventColumns.MOVEMENT_DATE);
    Column before = col(EventColumns.MRR_BEFORE);
    Column after = col(EventColumns.MRR_AFTER);
    Column hadMrrBefore =
        coalesce(max(after).over(byAccount.rowsBetween(Window.unboundedPreceding(), -1)), lit(0)).gt(0);
    Column type =
        when(before.equalTo(0), when(col("had_mrr_before"), lit(REACTIVATION)).otherwise(lit(NEW)))
            .when(after.equalTo(0), lit(CHURN))
            .when(after.gt(before), lit(EXPANSION))
            .otherwise(lit(CONTRACTION));
    return mrrAfter
        .withColumn(EventColumns.MRR_BEFORE, coalesce(lag(after, 1).over(byAccount), lit(0)).cast(Money.TYPE))
        .withColumn("had_mrr_before", hadMrrBefore)
        // A day whose starts and ends cancel out (a seat change at the same price) moves nothing.
        .filter(after.notEqual(before))
        .withColumn(EventColumns.MONTH, trunc(day, "month"))
        .withColumn(EventColumns.MOVEMENT_TYPE, type)
        .withColumn(
            EventColumns.AMOUNT,
            when(after.gt(before), after.minus(before)).otherwise(before.minus(after)).cast(Money.TYPE))
        .join(
            endReasons,
            col("account_id").equalTo(col("r_account_id")).and(day.equalTo(col("r_day"))),
            "left")
        .withColumn(
            EventColumns.CHURN_TYPE,
            when(
                col(EventColumns.MOVEMENT_TYPE).equalTo(CHURN),
                when(col("reason").equalTo(INVOLUNTARY), lit(INVOLUNTARY)).otherwise(lit(VOLUNTARY))))
        .select(EventColumns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }

  /** Movements of every complete month through {@code throughMonth} (snapshot on its last day). */
  public static Dataset<Row> monthly(Dataset<Row> subscriptions, YearMonth throughMonth) {
    return monthly(subscriptions, throughMonth.atEndOfMonth());
  }

  /** Movements per account and month as known at the end of {@code asOfDate}; see below. */
  public static Dataset<Row> monthly(Dataset<Row> subscriptions, LocalDate asOfDate) {
    return monthly(subscriptions, events(subscriptions, asOfDate), asOfDate);
  }

  /**
   * Movements per account and month through the month of {@code asOfDate}, as known at the end of
   * that day: the last month's snapshot is {@code asOfDate} itself (month to date). One row per
   * account and month in which the account had MRR at the start or the end, or any movement; columns
   * {@link Columns#ALL}.
   *
   * @param events {@link #events} of the same subscriptions and date
   */
  public static Dataset<Row> monthly(Dataset<Row> subscriptions, Dataset<Row> events, LocalDate asOfDate) {
    Dataset<Row> monthEnds =
        MonthEndMrr.byAccountAndMonth(MonthEndMrr.observable(subscriptions, asOfDate), asOfDate);
    Column eventType = col(EventColumns.MOVEMENT_TYPE);
    Dataset<Row> perMonth =
        events
            .groupBy(col(EventColumns.ACCOUNT_ID).as("e_account_id"), col(EventColumns.MONTH).as("e_month"))
            .agg(
                count(lit(1)).as(Columns.MOVEMENTS),
                total(when(eventType.equalTo(NEW), col(EventColumns.AMOUNT))).as(Columns.NEW_MRR),
                total(when(eventType.equalTo(EXPANSION), col(EventColumns.AMOUNT))).as(Columns.EXPANSION_MRR),
                total(when(eventType.equalTo(CONTRACTION), col(EventColumns.AMOUNT))).as(Columns.CONTRACTION_MRR),
                total(when(eventType.equalTo(CHURN), col(EventColumns.AMOUNT))).as(Columns.CHURNED_MRR),
                total(when(eventType.equalTo(REACTIVATION), col(EventColumns.AMOUNT))).as(Columns.REACTIVATION_MRR),
                // The month's last churn names its kind.
                max_by(col(EventColumns.CHURN_TYPE), when(eventType.equalTo(CHURN), col(EventColumns.MOVEMENT_DATE)))
                    .as(Columns.CHURN_TYPE));
    WindowSpec byAccount = Window.partitionBy(Columns.ACCOUNT_ID).orderBy(Columns.MONTH);
    Column noMovement = col(Columns.MOVEMENTS).isNull();
    return monthEnds
        .withColumn(
            Columns.STARTING_MRR,
            coalesce(lag(col(MonthEndMrr.MRR), 1).over(byAccount), lit(0)).cast(Money.TYPE))
        .withColumn(Columns.ENDING_MRR, col(MonthEndMrr.MRR))
        .join(
            perMonth,
            col(Columns.ACCOUNT_ID).equalTo(col("e_account_id")).and(col(Columns.MONTH).equalTo(col("e_month"))),
            "left")
        .filter(col(Columns.STARTING_MRR).gt(0).or(col(Columns.ENDING_MRR).gt(0)).or(not(noMovement)))
        .withColumn(Columns.MOVEMENTS, coalesce(col(Columns.MOVEMENTS), lit(0L)))
        .withColumn(Columns.NEW_MRR, zeroIfNull(Columns.NEW_MRR))
        .withColumn(Columns.EXPANSION_MRR, zeroIfNull(Columns.EXPANSION_MRR))
        .withColumn(Columns.CONTRACTION_MRR, zeroIfNull(Columns.CONTRACTION_MRR))
        .withColumn(Columns.CHURNED_MRR, zeroIfNull(Columns.CHURNED_MRR))
        .withColumn(Columns.REACTIVATION_MRR, zeroIfNull(Columns.REACTIVATION_MRR))
        .select(Columns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }

  /** One row per month of the movements: totals, customer counts and retention rates. */
  public static Dataset<Row> summary(Dataset<Row> movements) {
    Column churnType = col(Columns.CHURN_TYPE);
    Column churned = col(Columns.CHURNED_MRR).gt(0);
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
                count(when(col(Columns.NEW_MRR).gt(0), lit(1))).as(SummaryColumns.NEW_CUSTOMERS),
                count(when(col(Columns.REACTIVATION_MRR).gt(0), lit(1)))
                    .as(SummaryColumns.REACTIVATED_CUSTOMERS),
                count(when(churned, lit(1))).as(SummaryColumns.CHURNED_CUSTOMERS),
                // ChartMogul's customer churn rate leaves out the accounts that joined and left in
                // the same month: only those that had MRR at its start count.
                count(when(churned.and(col(Columns.STARTING_MRR).gt(0)), lit(1))).as("churned_of_starting"),
                count(when(col(Columns.ENDING_MRR).gt(0), lit(1)))
                    .as(SummaryColumns.ENDING_CUSTOMERS));
    Column start = col(SummaryColumns.STARTING_MRR);
    Column startDouble = start.cast("double");
    Column added =
        col(SummaryColumns.NEW_MRR).plus(col(SummaryColumns.EXPANSION_MRR)).plus(col(SummaryColumns.REACTIVATION_MRR));
    Column lost = col(SummaryColumns.CONTRACTION_MRR).plus(col(SummaryColumns.CHURNED_MRR));
    return totals
        .withColumn(SummaryColumns.NET_NEW_MRR, added.minus(lost).cast(Money.TYPE))
        .withColumn(
            SummaryColumns.GROSS_REVENUE_RETENTION,
            when(start.gt(0), lit(1.0).minus(lost.cast("double").divide(startDouble))))
        .withColumn(
            SummaryColumns.NET_REVENUE_RETENTION,
            when(
                start.gt(0),
                lit(1.0).minus(
                    lost.minus(col(SummaryColumns.EXPANSION_MRR)).minus(col(SummaryColumns.REACTIVATION_MRR))
                        .cast("double").divide(startDouble))))
        .withColumn(
            SummaryColumns.CUSTOMER_CHURN_RATE,
            when(
                col(SummaryColumns.STARTING_CUSTOMERS).gt(0),
                col("churned_of_starting").cast("double").divide(col(SummaryColumns.STARTING_CUSTOMERS))))
        .withColumn(SummaryColumns.QUICK_RATIO, when(lost.gt(0), added.cast("double").divide(lost.cast("double"))))
        .join(trailingTwelveMonths(movements), SummaryColumns.MONTH, "left")
        .select(SummaryColumns.ALL.stream().map(c -> col(c)).toArray(Column[]::new))
        .orderBy(SummaryColumns.MONTH);
  }

  /**
   * Trailing-twelve-month retention per month m: of the accounts with MRR at the snapshot of month
   * m - 12, their MRR at m's snapshot against their MRR then; gross caps each account at its MRR then,
   * so expansion cannot hide losses. Null for the first twelve months of the movements.
   */
  private static Dataset<Row> trailingTwelveMonths(Dataset<Row> movements) {
    Dataset<Row> yearAgo =
        movements
            .filter(col(Columns.ENDING_MRR).gt(0))
            .select(
                col(Columns.ACCOUNT_ID).as("y_account_id"),
                add_months(col(Columns.MONTH), 12).as("y_month"),
                col(Columns.ENDING_MRR).as("then_mrr"));
    Dataset<Row> now =
        movements.select(col(Columns.ACCOUNT_ID), col(Columns.MONTH), col(Columns.ENDING_MRR).as("now_mrr"));
    Column nowMrr = coalesce(col("now_mrr"), lit(0));
    Column thenTotal = sum(col("then_mrr")).cast("double");
    // Only months the movements reach: a year after the last month is not measured yet.
    Dataset<Row> months = movements.select(col(Columns.MONTH).as("y_month")).distinct();
    return yearAgo
        .join(months, "y_month")
        .join(
            now,
            col("y_account_id").equalTo(col(Columns.ACCOUNT_ID)).and(col("y_month").equalTo(col(Columns.MONTH))),
            "left")
        .groupBy(col("y_month").as(SummaryColumns.MONTH))
        .agg(
            sum(nowMrr).cast("double").divide(thenTotal).as(SummaryColumns.TRAILING_12M_NRR),
            sum(least(nowMrr, col("then_mrr"))).cast("double").divide(thenTotal).as(SummaryColumns.TRAILING_12M_GRR));
  }

  private static Column zeroIfNull(String column) {
    return coalesce(col(column), lit(0)).cast(Money.TYPE);
  }

  private static Column total(Column value) {
    return coalesce(sum(value), lit(0)).cast(Money.TYPE);
  }
}
