package dev.anshin.features.revenue;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.Money;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * MRR per account at each month's snapshot day, the base of revenue movements and cohorts.
 *
 * <p>A subscription is active on day d iff {@code started_at <= d} and ({@code ended_at} is null or
 * {@code d < ended_at}). The snapshot day of a month is its last day, or the as-of date for the
 * month that contains it. Point in time: as of date A, a subscription that starts after A does not
 * exist yet, and an {@code ended_at} after A (a scheduled cancellation) is not known yet, so the
 * subscription counts as open-ended and its cancel reason as unknown.
 */
final class MonthEndMrr {

  static final String ACCOUNT_ID = "account_id";
  static final String MONTH = "month";
  static final String SNAPSHOT_DATE = "snapshot_date";
  static final String MRR = "mrr";
  static final String FIRST_START = "first_start";

  private MonthEndMrr() {}

  /** The subscriptions as they were known at the end of {@code asOfDate}. */
  static Dataset<Row> observable(Dataset<Row> subscriptions, LocalDate asOfDate) {
    Column known = col("ended_at").leq(lit(asOfDate));
    return subscriptions
        .filter(col("started_at").leq(lit(asOfDate)))
        .select(
            col("subscription_id"),
            col(ACCOUNT_ID),
            col("started_at"),
            when(known, col("ended_at")).as("ended_at"),
            when(known, col("cancel_reason")).as("cancel_reason"),
            col(MRR));
  }

  /**
   * One row per account and month from the month of its first subscription through the month of
   * {@code asOfDate}, zero months included: account_id, month (first day), snapshot_date,
   * first_start, mrr (decimal(18,2), 0 when nothing is active).
   */
  static Dataset<Row> byAccountAndMonth(Dataset<Row> observableSubscriptions, LocalDate asOfDate) {
    Dataset<Row> grid =
        observableSubscriptions
            .groupBy(ACCOUNT_ID)
            .agg(min("started_at").as(FIRST_START))
            .withColumn(
                MONTH,
                explode(
                    sequence(
                        trunc(col(FIRST_START), "month"),
                        lit(asOfDate.withDayOfMonth(1)),
                        expr("interval 1 month"))))
            .withColumn(SNAPSHOT_DATE, least(last_day(col(MONTH)), lit(asOfDate)));
    Dataset<Row> subscriptions =
        observableSubscriptions.select(
            col(ACCOUNT_ID).as("s_account_id"), col("started_at"), col("ended_at"), col(MRR));
    return grid.join(
            subscriptions,
            col(ACCOUNT_ID)
                .equalTo(col("s_account_id"))
                .and(col("started_at").leq(col(SNAPSHOT_DATE)))
                .and(col("ended_at").isNull().or(col(SNAPSHOT_DATE).lt(col("ended_at")))),
            "left")
        .groupBy(col(ACCOUNT_ID), col(MONTH), col(SNAPSHOT_DATE), col(FIRST_START))
        .agg(coalesce(sum(col(MRR)), lit(0)).cast(Money.TYPE).as(MRR));
  }
}
