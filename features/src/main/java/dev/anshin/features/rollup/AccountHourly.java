package dev.anshin.features.rollup;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.unix_seconds;

import dev.anshin.features.slo.SloSettings.CallerErrors;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The hourly request rollup: one row per account, UTC hour and delivery day, the grain the SLO's
 * burn-rate alerts need (the SRE workbook's windows are hours, not days). Only API requests: usage
 * and tickets stay daily in {@link AccountDaily}. Built once from each day's delivered requests; a
 * request delivered late adds a row for its hour with its own delivery day.
 */
public final class AccountHourly {
  public static final String TABLE = "account_hourly";

  public static final String ACCOUNT_ID = AccountDaily.ACCOUNT_ID;
  /** The start of the UTC hour the requests were made in. */
  public static final String ACTIVITY_HOUR = "activity_hour";
  public static final String DELIVERED_ON = AccountDaily.DELIVERED_ON;
  public static final String VALID_REQUESTS = AccountDaily.VALID_REQUESTS;
  public static final String GOOD_REQUESTS = AccountDaily.GOOD_REQUESTS;

  private AccountHourly() {}

  /**
   * Rolls up typed API requests (request_time, account_id, status, latency_ms, delivered_on) into
   * one row per account, hour and delivery day, with the valid and good requests and the valid
   * requests within each latency bound ({@link AccountDaily#validAtOrBelow(int)}).
   */
  public static Dataset<Row> rollup(Dataset<Row> apiRequests, CallerErrors callerErrors) {
    List<Column> counts = AccountDaily.sloCounts(callerErrors);
    // From epoch seconds, so that the hours are UTC hours whatever the session's time zone.
    Column hour = timestamp_seconds(floor(unix_seconds(col("request_time")).divide(3600)).multiply(3600));
    return apiRequests
        .groupBy(col(ACCOUNT_ID), hour.as(ACTIVITY_HOUR), col(DELIVERED_ON))
        .agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new));
  }
}
