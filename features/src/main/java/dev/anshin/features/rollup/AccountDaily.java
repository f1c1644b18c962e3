package dev.anshin.features.rollup;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.hll_sketch_agg;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.slo.SloSettings.CallerErrors;
import dev.anshin.features.sources.Versions;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The daily rollup: one row per account, activity day and delivery day, built once from each day's
 * delivered events so that every window feature reads these small rows instead of the raw logs.
 *
 * <p>Most of a day's activity is delivered that day; events delivered late add a row for the same
 * activity day with their own delivery day, so a computation as of D sums the rows delivered by D
 * and a late event counts from the day it arrived, on the day it happened.
 */
public final class AccountDaily {
  public static final String TABLE = "account_daily";

  public static final String ACCOUNT_ID = "account_id";
  public static final String ACTIVITY_DATE = "activity_date";
  /** The day the rolled-up events were delivered (a ticket: the day it was first delivered). */
  public static final String DELIVERED_ON = dev.anshin.features.sources.SourceTable.DELIVERED_ON;
  public static final String EVENTS = "events";
  public static final String ACTIVE_USERS = "active_users";
  /** A HyperLogLog sketch of the day's user ids: distinct users over a window are the union's estimate. */
  public static final String ACTIVE_USERS_SKETCH = "active_users_sketch";
  public static final String REQUESTS = "requests";
  /** Requests that count for the SLO: everything but the caller's own errors (by default every 4xx). */
  public static final String VALID_REQUESTS = "valid_requests";
  /** Valid requests that succeeded (status below 400). */
  public static final String GOOD_REQUESTS = "good_requests";
  public static final String SERVER_ERRORS = "server_errors";
  public static final String CLIENT_ERRORS = "client_errors";
  public static final String TICKETS_OPENED = "tickets_opened";
  public static final String HIGH_PRIORITY_TICKETS_OPENED = "high_priority_tickets_opened";

  /** Latency bounds kept as cumulative counts, so that any of them can be an SLO threshold. */
  public static final int[] LATENCY_BOUNDS_MS = {100, 250, 500, 1000, 2000};

  /** Lg of the number of HLL buckets: 2^12 buckets, about 1.6% error, exact for small counts. */
  static final int SKETCH_LG_K = 12;

  private AccountDaily() {}

  /** The column counting valid requests with latency at or below the bound, e.g. valid_le_500ms. */
  public static String validAtOrBelow(int boundMs) {
    return "valid_le_" + boundMs + "ms";
  }

  /**
   * Rolls up typed usage events, API requests and tickets into one row per account, activity day
   * and delivery day; days without any activity have no row.
   *
   * @param usageEvents usage events with event_date and delivered_on
   * @param apiRequests API requests with request_date and delivered_on
   * @param newTickets the first delivered version of each ticket (account_id, created_at, priority,
   *     delivered_on): a ticket counts as opened once, with the priority it was first reported with
   */
  public static Dataset<Row> rollup(Dataset<Row> usageEvents, Dataset<Row> apiRequests, Dataset<Row> newTickets) {
    return rollup(usageEvents, apiRequests, newTickets, CallerErrors.allClientErrors());
  }

  /**
   * As {@link #rollup(Dataset, Dataset, Dataset)}, with {@code callerErrors} saying which statuses
   * are the caller's own errors (not valid requests). A change of it applies to the days rolled up
   * after it; rerunning ingest for older days applies it there.
   */
  public static Dataset<Row> rollup(
      Dataset<Row> usageEvents, Dataset<Row> apiRequests, Dataset<Row> newTickets, CallerErrors callerErrors) {
    Dataset<Row> usage =
        usageEvents
            .groupBy(col(ACCOUNT_ID), col("event_date").as(ACTIVITY_DATE), col(DELIVERED_ON))
            .agg(
                count(lit(1)).as(EVENTS),
                count_distinct(col("user_id")).cast("int").as(ACTIVE_USERS),
                hll_sketch_agg(col("user_id"), SKETCH_LG_K).as(ACTIVE_USERS_SKETCH));

    Column status = col("status");
    List<Column> requestAggregates = new ArrayList<>(sloCounts(callerErrors));
    requestAggregates.add(sum(when(status.geq(500), 1L).otherwise(0L)).as(SERVER_ERRORS));
    requestAggregates.add(sum(when(status.between(400, 499), 1L).otherwise(0L)).as(CLIENT_ERRORS));
    Dataset<Row> requests =
        apiRequests
            .groupBy(col(ACCOUNT_ID), col("request_date").as(ACTIVITY_DATE), col(DELIVERED_ON))
            .agg(count(lit(1)).as(REQUESTS), requestAggregates.toArray(Column[]::new));

    Dataset<Row> opened =
        newTickets
            .groupBy(
                col(ACCOUNT_ID), to_date(col("created_at")).as(ACTIVITY_DATE),
                // Tickets without a delivery day (inline data) count as delivered when created.
                Versions.delivered(newTickets)
                    ? col(DELIVERED_ON)
                    : to_date(col("created_at")).as(DELIVERED_ON))
            .agg(
                count(lit(1)).as(TICKETS_OPENED),
                sum(when(col("priority").isin("high", "urgent"), 1L).otherwise(0L)).as(HIGH_PRIORITY_TICKETS_OPENED));

    Dataset<Row> joined =
        usage
            .join(requests, scalaSeq(ACCOUNT_ID, ACTIVITY_DATE, DELIVERED_ON), "full_outer")
            .join(opened, scalaSeq(ACCOUNT_ID, ACTIVITY_DATE, DELIVERED_ON), "full_outer");

    List<Column> columns = new ArrayList<>();
    columns.add(col(ACCOUNT_ID));
    columns.add(col(ACTIVITY_DATE));
    columns.add(col(DELIVERED_ON));
    columns.add(zeroIfNull(EVENTS));
    columns.add(coalesce(col(ACTIVE_USERS), lit(0)).as(ACTIVE_USERS));
    columns.add(col(ACTIVE_USERS_SKETCH));
    for (String counter : List.of(REQUESTS, VALID_REQUESTS, GOOD_REQUESTS, SERVER_ERRORS, CLIENT_ERRORS)) {
      columns.add(zeroIfNull(counter));
    }
    for (int bound : LATENCY_BOUNDS_MS) {
      columns.add(zeroIfNull(validAtOrBelow(bound)));
    }
    columns.add(zeroIfNull(TICKETS_OPENED));
    columns.add(zeroIfNull(HIGH_PRIORITY_TICKETS_OPENED));
    return joined.select(columns.toArray(Column[]::new));
  }

  /**
   * The SLO's request counts, shared by the daily and the hourly rollup: valid and good requests,
   * and the valid ones within each latency bound.
   */
  static List<Column> sloCounts(CallerErrors callerErrors) {
    Column status = col("status");
    Column valid = callerErrors.valid(status);
    List<Column> counts = new ArrayList<>();
    counts.add(sum(when(valid, 1L).otherwise(0L)).as(VALID_REQUESTS));
    counts.add(sum(when(callerErrors.good(status), 1L).otherwise(0L)).as(GOOD_REQUESTS));
    for (int bound : LATENCY_BOUNDS_MS) {
      counts.add(sum(when(valid.and(col("latency_ms").leq(bound)), 1L).otherwise(0L)).as(validAtOrBelow(bound)));
    }
    return counts;
  }

  private static Column zeroIfNull(String counter) {
    return coalesce(col(counter).cast("long"), lit(0L)).as(counter);
  }

  static scala.collection.immutable.Seq<String> scalaSeq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toList();
  }
}
