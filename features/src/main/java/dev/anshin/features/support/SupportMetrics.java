package dev.anshin.features.support;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.Versions;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * Support metrics in Zendesk's terms: platform-wide per UTC day, and per account for an as-of date.
 *
 * <p>Each metric is counted on the day its event happened: created on the day of created_at,
 * solved on the day of solved_at, first reply on the day of first_reply_at. Percentiles are exact
 * ({@code percentile}, linear interpolation between the two nearest ranks, as Zendesk Explore's
 * median), never approximate. Point in time: a ticket solved at 23:59:59 UTC on D is solved at D,
 * one solved at 00:00:00 on D + 1 is still open at D. Tickets are versioned: each day reads every
 * ticket as it had been delivered by the end of that day, so reopens and ratings delivered later do
 * not change an earlier day's figures, in a nightly run or in a backfill.
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
    public static final String FIRST_REPLY_BUSINESS_HOURS_P50 = "first_reply_business_hours_p50";
    public static final String FIRST_REPLY_BUSINESS_HOURS_P90 = "first_reply_business_hours_p90";
    public static final String RESOLUTION_BUSINESS_HOURS_P50 = "resolution_business_hours_p50";
    public static final String RESOLUTION_BUSINESS_HOURS_P90 = "resolution_business_hours_p90";
    public static final String FIRST_REPLY_SLA_ACHIEVED = "first_reply_sla_achieved";
    public static final String FIRST_REPLY_SLA_BREACHED = "first_reply_sla_breached";
    public static final String RESOLUTION_SLA_ACHIEVED = "resolution_sla_achieved";
    public static final String RESOLUTION_SLA_BREACHED = "resolution_sla_breached";

    public static final List<String> ALL =
        List.of(
            DATE, TICKETS_CREATED, TICKETS_SOLVED, BACKLOG, FIRST_REPLIES, FIRST_REPLY_HOURS_P50,
            FIRST_REPLY_HOURS_P90, RESOLUTION_HOURS_P50, RESOLUTION_HOURS_P90, REOPEN_RATE,
            ONE_TOUCH_RATE, RATED_TICKETS, CSAT, FIRST_REPLY_BUSINESS_HOURS_P50, FIRST_REPLY_BUSINESS_HOURS_P90,
            RESOLUTION_BUSINESS_HOURS_P50, RESOLUTION_BUSINESS_HOURS_P90, FIRST_REPLY_SLA_ACHIEVED,
            FIRST_REPLY_SLA_BREACHED, RESOLUTION_SLA_ACHIEVED, RESOLUTION_SLA_BREACHED);

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
   * columns {@link DailyColumns#ALL}. Day D counts each ticket in the version delivered by the end
   * of D (see {@link Versions}): a solve or a rating delivered after D does not change D's row.
   *
   * @param tickets rows with the {@code SourceTable.TICKETS} columns (others are ignored), all
   *     history up to {@code to} so that the backlog counts tickets opened before {@code from}; with
   *     {@code delivered_on}, every delivered version
   */
  public static Dataset<Row> daily(Dataset<Row> tickets, LocalDate from, LocalDate to) {
    return daily(tickets, null, from, to, SupportSettings.calendarHours());
  }

  /**
   * As {@link #daily(Dataset, LocalDate, LocalDate)}, with business hours and SLAs measured on the
   * schedule of each ticket's account region.
   *
   * <p>A ticket's SLA deadline for a metric is the instant its priority's target of business time has
   * elapsed since it was created. The first reply SLA is achieved on the day of a first reply at or
   * before its deadline, and breached on the day of the deadline when no reply came by then; a ticket
   * solved without a reply before its deadline is neither (Zendesk stops the clock). Resolution is
   * achieved on the day of a solve at or before its deadline and breached on the deadline's day when
   * the ticket was not solved by then. Each day reads the ticket's version known on it, priority
   * included.
   *
   * @param accountRegions account_id and region of each account (null: every ticket on the default
   *     schedule)
   */
  public static Dataset<Row> daily(
      Dataset<Row> tickets, Dataset<Row> accountRegions, LocalDate from, LocalDate to, SupportSettings settings) {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("the last day " + to + " is before the first " + from);
    }
    Dataset<Row> withRegion =
        accountRegions == null
            ? tickets.withColumn(REGION, lit(null).cast("string"))
            : tickets.join(
                accountRegions.select(col("account_id").as("_r_account_id"), col("region").as(REGION)),
                col("account_id").equalTo(col("_r_account_id")), "left").drop("_r_account_id");
    Dataset<Row> versions =
        withSla(withDays(Versions.withValidity(withRegion, "ticket_id", to)), settings);
    Dataset<Row> days =
        tickets
            .sparkSession()
            .range(1)
            .select(explode(sequence(lit(from), lit(to))).as(DailyColumns.DATE));

    // Each version over the days it is the known one and the ticket matters: from its creation
    // until it is solved (and replied to), or until the last day while it is open. A solve time
    // before the create time (bad data) ends the ticket on its created day.
    Column lastDay =
        when(col(SOLVED_DAY).isNull(), lit(to))
            .otherwise(greatest(col(CREATED_DAY), col(SOLVED_DAY), coalesce(col(FIRST_REPLY_DAY), col(SOLVED_DAY))));
    Column first = Versions.validFrom(greatest(col(CREATED_DAY), lit(from)));
    Column last = Versions.validThrough(least(lastDay, lit(to)));
    Dataset<Row> known =
        versions.withColumn(DAY, explode(when(first.leq(last), sequence(first, last))));

    Column createdToday = col(CREATED_DAY).equalTo(col(DAY));
    Column solvedToday = col(SOLVED_DAY).equalTo(col(DAY));
    Column repliedToday = col(FIRST_REPLY_DAY).equalTo(col(DAY));
    Column open = col(SOLVED_DAY).isNull().or(greatest(col(CREATED_DAY), col(SOLVED_DAY)).gt(col(DAY)));
    Column rated = solvedToday.and(col("satisfaction").isin("good", "bad"));
    Column replyDue = col(FIRST_REPLY_DUE);
    Column solveDue = col(RESOLUTION_DUE);
    Column replyDueToday = TicketTimes.utcDay(FIRST_REPLY_DUE).equalTo(col(DAY));
    Column solveDueToday = TicketTimes.utcDay(RESOLUTION_DUE).equalTo(col(DAY));
    Column repliedInTime = col("first_reply_at").leq(replyDue);
    // No reply by the deadline, unless the ticket was solved before it without one.
    Column replyLate =
        coalesce(col("first_reply_at").gt(replyDue), lit(true))
            .and(col("first_reply_at").isNotNull().or(coalesce(col("solved_at").gt(replyDue), lit(true))));
    Dataset<Row> perDay =
        known
            .groupBy(col(DAY))
            .agg(
                count(when(createdToday, lit(1))).as(DailyColumns.TICKETS_CREATED),
                count(when(solvedToday, lit(1))).as(DailyColumns.TICKETS_SOLVED),
                count(when(open, lit(1))).as(DailyColumns.BACKLOG),
                count(when(repliedToday, lit(1))).as(DailyColumns.FIRST_REPLIES),
                percentileWhen(repliedToday, "first_reply_hours", 0.5).as(DailyColumns.FIRST_REPLY_HOURS_P50),
                percentileWhen(repliedToday, "first_reply_hours", 0.9).as(DailyColumns.FIRST_REPLY_HOURS_P90),
                percentileWhen(solvedToday, "resolution_hours", 0.5).as(DailyColumns.RESOLUTION_HOURS_P50),
                percentileWhen(solvedToday, "resolution_hours", 0.9).as(DailyColumns.RESOLUTION_HOURS_P90),
                avg(when(solvedToday, when(coalesce(col("reopens"), lit(0)).gt(0), lit(1.0)).otherwise(lit(0.0))))
                    .as(DailyColumns.REOPEN_RATE),
                // Zendesk's one-touch: solved with exactly one agent reply (a ticket solved without
                // any reply is not one). A ticket without a reply count is left out rather than guessed.
                avg(when(solvedToday.and(col("agent_replies").isNotNull()),
                        when(col("agent_replies").equalTo(1), lit(1.0)).otherwise(lit(0.0))))
                    .as(DailyColumns.ONE_TOUCH_RATE),
                count(when(rated, lit(1))).as(DailyColumns.RATED_TICKETS),
                avg(when(rated, when(col("satisfaction").equalTo("good"), lit(1.0)).otherwise(lit(0.0))))
                    .as(DailyColumns.CSAT),
                percentileWhen(repliedToday, FIRST_REPLY_BUSINESS_HOURS, 0.5).as(DailyColumns.FIRST_REPLY_BUSINESS_HOURS_P50),
                percentileWhen(repliedToday, FIRST_REPLY_BUSINESS_HOURS, 0.9).as(DailyColumns.FIRST_REPLY_BUSINESS_HOURS_P90),
                percentileWhen(solvedToday, RESOLUTION_BUSINESS_HOURS, 0.5).as(DailyColumns.RESOLUTION_BUSINESS_HOURS_P50),
                percentileWhen(solvedToday, RESOLUTION_BUSINESS_HOURS, 0.9).as(DailyColumns.RESOLUTION_BUSINESS_HOURS_P90),
                count(when(repliedToday.and(repliedInTime), lit(1))).as(DailyColumns.FIRST_REPLY_SLA_ACHIEVED),
                count(when(replyDueToday.and(replyLate), lit(1))).as(DailyColumns.FIRST_REPLY_SLA_BREACHED),
                count(when(solvedToday.and(col("solved_at").leq(solveDue)), lit(1))).as(DailyColumns.RESOLUTION_SLA_ACHIEVED),
                count(when(solveDueToday.and(coalesce(col("solved_at").gt(solveDue), lit(true))), lit(1)))
                    .as(DailyColumns.RESOLUTION_SLA_BREACHED));

    List<String> counts =
        List.of(DailyColumns.TICKETS_CREATED, DailyColumns.TICKETS_SOLVED, DailyColumns.BACKLOG,
            DailyColumns.FIRST_REPLIES, DailyColumns.RATED_TICKETS, DailyColumns.FIRST_REPLY_SLA_ACHIEVED,
            DailyColumns.FIRST_REPLY_SLA_BREACHED, DailyColumns.RESOLUTION_SLA_ACHIEVED,
            DailyColumns.RESOLUTION_SLA_BREACHED);
    Dataset<Row> joined = days.join(perDay, col(DailyColumns.DATE).equalTo(col(DAY)), "left");
    for (String count : counts) {
      joined = joined.withColumn(count, coalesce(col(count), lit(0L)));
    }
    return joined
        .select(DailyColumns.ALL.stream().map(c -> col(c)).toArray(Column[]::new))
        .orderBy(DailyColumns.DATE);
  }

  private static final String DAY = "_day";
  private static final String REGION = "_region";
  private static final String FIRST_REPLY_BUSINESS_HOURS = "_first_reply_business_hours";
  private static final String RESOLUTION_BUSINESS_HOURS = "_resolution_business_hours";
  private static final String FIRST_REPLY_DUE = "_first_reply_due";
  private static final String RESOLUTION_DUE = "_resolution_due";

  /**
   * Each ticket version with its business-hours durations and SLA deadlines, on the schedule of its
   * account's region: computed in the JVM (a schedule walk is no SQL expression), once per version.
   */
  static Dataset<Row> withSla(Dataset<Row> versions, SupportSettings settings) {
    UserDefinedFunction businessHours =
        udf(
            (UDF3<String, Timestamp, Timestamp, Double>) (region, start, end) ->
                start == null || end == null
                    ? null
                    : settings.scheduleFor(region).between(start.toInstant(), end.toInstant()).toNanos() / 3.6e12,
            DataTypes.DoubleType);
    UserDefinedFunction deadline =
        udf(
            (UDF4<String, String, Timestamp, Boolean, Timestamp>) (region, priority, start, firstReply) -> {
              SupportSettings.SlaTarget target = settings.targetFor(priority);
              if (start == null || target == null) {
                return null;
              }
              Instant due =
                  settings.scheduleFor(region)
                      .deadline(start.toInstant(), firstReply ? target.firstReply() : target.resolution());
              return due == null ? null : Timestamp.from(due);
            },
            DataTypes.TimestampType);
    return versions
        .withColumn(FIRST_REPLY_BUSINESS_HOURS, businessHours.apply(col(REGION), col("created_at"), col("first_reply_at")))
        .withColumn(RESOLUTION_BUSINESS_HOURS, businessHours.apply(col(REGION), col("created_at"), col("solved_at")))
        .withColumn(FIRST_REPLY_DUE, deadline.apply(col(REGION), col("priority"), col("created_at"), lit(true)))
        .withColumn(RESOLUTION_DUE, deadline.apply(col(REGION), col("priority"), col("created_at"), lit(false)));
  }

  /** The exact percentile (linear interpolation) of {@code column} over the rows where {@code condition} holds. */
  private static Column percentileWhen(Column condition, String column, double percentage) {
    return org.apache.spark.sql.functions.percentile(when(condition, col(column)), lit(percentage));
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
    Dataset<Row> t = withDays(Versions.latest(tickets, "ticket_id", asOfDate)).filter(col(CREATED_DAY).leq(asOf));
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
