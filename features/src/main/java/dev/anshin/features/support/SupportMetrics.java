package dev.anshin.features.support;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Support metrics in Zendesk's terms: platform-wide per UTC day, and per account for an as-of date.
 *
 * <p>Each metric is counted on the day its event happened: created on the day of created_at,
 * solved on the day of solved_at, first reply on the day of first_reply_at. Percentiles are exact
 * ({@code percentile}, linear interpolation between the two nearest ranks, as Zendesk Explore's
 * median), never approximate. Point in time: a ticket solved at 23:59:59 UTC on D is solved at D,
 * one solved at 00:00:00 on D + 1 is still open at D. The ticket fields {@code reopens},
 * {@code agent_replies} and {@code satisfaction} hold the ticket's latest state; the source keeps
 * no history of them, so a backfill sees later reopens and ratings of the tickets it counts.
 */
public final class SupportMetrics {

  public static final String DAILY_TABLE = "support_daily";

  /** The columns of {@code support_daily}. */
  public static final class DailyColumns {
    public static final String DATE = "date";
    public static final String TICKETS_CREATED = "tickets_created";
    public static final String TICKETS_SOLVED = "tickets_solved";
    public static final String BACKLOG = "backlog";
    public static final String FIRST_REPLIES = "first_replies";
    public static final String FIRST_REPLY_HOURS_P50 = "first_reply_hours_p50";
    public static final String FIRST_REPLY_HOURS_P90 = "first_reply_hours_p90";
    public static final String RESOLUTION_HOURS_P50 = "resolution_hours_p50";
    public static final String RESOLUTION_HOURS_P90 = "resolution_hours_p90";
    public static final String REOPEN_RATE = "reopen_rate";
    public static final String ONE_TOUCH_RATE = "one_touch_rate";
    public static final String RATED_TICKETS = "rated_tickets";
    public static final String CSAT = "csat";

    public static final List<String> ALL =
        List.of(
            DATE, TICKETS_CREATED, TICKETS_SOLVED, BACKLOG, FIRST_REPLIES, FIRST_REPLY_HOURS_P50,
            FIRST_REPLY_HOURS_P90, RESOLUTION_HOURS_P50, RESOLUTION_HOURS_P90, REOPEN_RATE,
            ONE_TOUCH_RATE, RATED_TICKETS, CSAT);

    private DailyColumns() {}
  }

  /** The columns of the per-account support figures that feed {@code customer_features}. */
  public static final class AccountColumns {
    public static final String ACCOUNT_ID = "account_id";
    public static final String AS_OF_DATE = "as_of_date";
    public static final String WINDOW_DAYS = "window_days";
    public static final String TICKETS_OPENED = "tickets_opened";
    public static final String OPEN_TICKETS = "open_tickets";
    public static final String HIGH_PRIORITY_TICKETS = "high_priority_tickets";
    public static final String BAD_CSAT_TICKETS = "bad_csat_tickets";
    public static final String FIRST_REPLY_HOURS_MEDIAN = "first_reply_hours_median";

    public static final List<String> ALL =
        List.of(
            ACCOUNT_ID, AS_OF_DATE, WINDOW_DAYS, TICKETS_OPENED, OPEN_TICKETS,
            HIGH_PRIORITY_TICKETS, BAD_CSAT_TICKETS, FIRST_REPLY_HOURS_MEDIAN);

    private AccountColumns() {}
  }

  /** Priorities that count as high ({@code priority} compared case-insensitively). */
  public static final List<String> HIGH_PRIORITIES = List.of("high", "urgent");

  static final String CREATED_DAY = "created_day";
  static final String SOLVED_DAY = "solved_day";
  static final String FIRST_REPLY_DAY = "first_reply_day";

  private SupportMetrics() {}

  /** Tickets with the UTC days of their events and their durations in hours. */
  static Dataset<Row> withDays(Dataset<Row> tickets) {
    return tickets
        .withColumn(CREATED_DAY, TicketTimes.utcDay("created_at"))
        .withColumn(SOLVED_DAY, TicketTimes.utcDay("solved_at"))
        .withColumn(FIRST_REPLY_DAY, TicketTimes.utcDay("first_reply_at"))
        .withColumn("first_reply_hours", TicketTimes.hoursBetween("created_at", "first_reply_at"))
        .withColumn("resolution_hours", TicketTimes.hoursBetween("created_at", "solved_at"));
  }

  /**
   * One row per UTC day from {@code from} to {@code to} (inclusive, days without tickets too);
   * columns {@link DailyColumns#ALL}.
   *
   * @param tickets rows with the {@code SourceTable.TICKETS} columns (others are ignored), all
   *     history up to {@code to} so that the backlog counts tickets opened before {@code from}
   */
  public static Dataset<Row> daily(Dataset<Row> tickets, LocalDate from, LocalDate to) {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("the last day " + to + " is before the first " + from);
    }
    Dataset<Row> t = withDays(tickets);
    Dataset<Row> days =
        tickets
            .sparkSession()
            .range(1)
            .select(explode(sequence(lit(from), lit(to))).as(DailyColumns.DATE));

    Dataset<Row> created =
        t.filter(col(CREATED_DAY).between(lit(from), lit(to)))
            .groupBy(col(CREATED_DAY).as("created_on"))
            .agg(count(lit(1)).as(DailyColumns.TICKETS_CREATED));

    Column rated = col("satisfaction").isin("good", "bad");
    Dataset<Row> solved =
        t.filter(col(SOLVED_DAY).between(lit(from), lit(to)))
            .groupBy(col(SOLVED_DAY).as("solved_on"))
            .agg(
                count(lit(1)).as(DailyColumns.TICKETS_SOLVED),
                expr("percentile(resolution_hours, 0.5)").as(DailyColumns.RESOLUTION_HOURS_P50),
                expr("percentile(resolution_hours, 0.9)").as(DailyColumns.RESOLUTION_HOURS_P90),
                avg(when(coalesce(col("reopens"), lit(0)).gt(0), lit(1.0)).otherwise(lit(0.0)))
                    .as(DailyColumns.REOPEN_RATE),
                // A ticket without a reply count is left out rather than guessed.
                avg(when(col("agent_replies").isNotNull(),
                        when(col("agent_replies").lt(2), lit(1.0)).otherwise(lit(0.0))))
                    .as(DailyColumns.ONE_TOUCH_RATE),
                count(when(rated, lit(1))).as(DailyColumns.RATED_TICKETS),
                avg(when(rated, when(col("satisfaction").equalTo("good"), lit(1.0))
                        .otherwise(lit(0.0))))
                    .as(DailyColumns.CSAT));

    Dataset<Row> replied =
        t.filter(col(FIRST_REPLY_DAY).between(lit(from), lit(to)))
            .groupBy(col(FIRST_REPLY_DAY).as("replied_on"))
            .agg(
                count(lit(1)).as(DailyColumns.FIRST_REPLIES),
                expr("percentile(first_reply_hours, 0.5)").as(DailyColumns.FIRST_REPLY_HOURS_P50),
                expr("percentile(first_reply_hours, 0.9)").as(DailyColumns.FIRST_REPLY_HOURS_P90));

    // Backlog at the end of D = tickets created by D minus those solved by D. A ticket leaves the
    // backlog on the later of its created and solved days, so a solve time before the create time
    // (bad data) cannot make the backlog negative.
    Dataset<Row> opened =
        t.filter(col(CREATED_DAY).leq(lit(to))).select(col(CREATED_DAY).as("change_day"), lit(1L).as("change"));
    Dataset<Row> closed =
        t.filter(col(SOLVED_DAY).isNotNull())
            .select(greatest(col(CREATED_DAY), col(SOLVED_DAY)).as("change_day"), lit(-1L).as("change"))
            .filter(col("change_day").leq(lit(to)));
    Dataset<Row> changes =
        opened.unionByName(closed).groupBy("change_day").agg(sum("change").as("change"));
    Dataset<Row> backlog =
        days.withColumnRenamed(DailyColumns.DATE, "backlog_day")
            .join(changes, col("change_day").leq(col("backlog_day")))
            .groupBy("backlog_day")
            .agg(sum("change").as(DailyColumns.BACKLOG));

    return days.join(created, col(DailyColumns.DATE).equalTo(col("created_on")), "left")
        .join(solved, col(DailyColumns.DATE).equalTo(col("solved_on")), "left")
        .join(replied, col(DailyColumns.DATE).equalTo(col("replied_on")), "left")
        .join(backlog, col(DailyColumns.DATE).equalTo(col("backlog_day")), "left")
        .withColumn(DailyColumns.TICKETS_CREATED, coalesce(col(DailyColumns.TICKETS_CREATED), lit(0L)))
        .withColumn(DailyColumns.TICKETS_SOLVED, coalesce(col(DailyColumns.TICKETS_SOLVED), lit(0L)))
        .withColumn(DailyColumns.FIRST_REPLIES, coalesce(col(DailyColumns.FIRST_REPLIES), lit(0L)))
        .withColumn(DailyColumns.RATED_TICKETS, coalesce(col(DailyColumns.RATED_TICKETS), lit(0L)))
        .withColumn(DailyColumns.BACKLOG, coalesce(col(DailyColumns.BACKLOG), lit(0L)))
        .select(DailyColumns.ALL.stream().map(c -> col(c)).toArray(Column[]::new))
        .orderBy(DailyColumns.DATE);
  }

  /**
   * Support figures per account as of the end of {@code asOfDate}, over the {@code windowDays}
   * days ending on it: tickets opened in the window, tickets open at the end of the day, high or
   * urgent tickets opened in the window, tickets solved in the window with a bad rating, and the
   * median first reply time of the tickets first replied to in the window. One row per account
   * with at least one such ticket; columns {@link AccountColumns#ALL}.
   */
  public static Dataset<Row> perAccount(Dataset<Row> tickets, LocalDate asOfDate, int windowDays) {
    if (windowDays < 1) {
      throw new IllegalArgumentException("window days is " + windowDays + "; it must be at least 1");
    }
    Column asOf = lit(asOfDate);
    Column windowStart = date_sub(asOf, windowDays - 1);
    Dataset<Row> t = withDays(tickets).filter(col(CREATED_DAY).leq(asOf));
    Column opened = col(CREATED_DAY).geq(windowStart);
    Column open = col(SOLVED_DAY).isNull().or(col(SOLVED_DAY).gt(asOf));
    Column solvedInWindow = col(SOLVED_DAY).between(windowStart, asOf);
    Column repliedInWindow = col(FIRST_REPLY_DAY).between(windowStart, asOf);
    return t.filter(opened.or(open).or(solvedInWindow).or(repliedInWindow))
        .groupBy(col("account_id").as(AccountColumns.ACCOUNT_ID))
        .agg(
            count(when(opened, lit(1))).as(AccountColumns.TICKETS_OPENED),
            count(when(open, lit(1))).as(AccountColumns.OPEN_TICKETS),
            count(when(opened.and(lower(col("priority")).isin(HIGH_PRIORITIES.toArray())), lit(1)))
                .as(AccountColumns.HIGH_PRIORITY_TICKETS),
            count(when(solvedInWindow.and(col("satisfaction").equalTo("bad")), lit(1)))
                .as(AccountColumns.BAD_CSAT_TICKETS),
            expr("percentile(case when first_reply_day between date_sub(date'" + asOfDate + "', "
                    + (windowDays - 1) + ") and date'" + asOfDate + "' then first_reply_hours end, 0.5)")
                .as(AccountColumns.FIRST_REPLY_HOURS_MEDIAN))
        .withColumn(AccountColumns.AS_OF_DATE, asOf)
        .withColumn(AccountColumns.WINDOW_DAYS, lit(windowDays))
        .select(AccountColumns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }
}
