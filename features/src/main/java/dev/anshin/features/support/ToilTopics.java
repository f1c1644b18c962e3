package dev.anshin.features.support;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.Versions;
import java.sql.Date;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.expressions.Window;

/**
 * Toil topics: ticket categories per ISO week (Monday to Sunday, UTC), ranked by how much
 * repetitive handling a help article or an automation could save.
 *
 * <p>A ticket is a repeat when the same account opened another ticket of the same category within
 * the {@code repeatWindowDays} days before it. The toil score is the category's total handle
 * minutes in the week times its repeat rate: the handling spent on problems customers had already
 * raised. The trend compares the week's tickets with the mean of the four weeks before it (weeks
 * without tickets count as zero). Tickets count in the week they were created. A week is computed
 * from the tickets as delivered by its end (its Sunday, or the last day for the week in progress):
 * an open ticket's handle minutes can still grow until then, and the week's row is final once its
 * Sunday has been run.
 */
public final class ToilTopics {

  public static final String TABLE = "toil_topics";

  /** The columns of {@code toil_topics}. */
  public static final class Columns {
    public static final String WEEK_START = "week_start";
    public static final String CATEGORY = "category";
    public static final String WEEK_COMPLETE = "week_complete";
    /** The day whose deliveries the row counts: the week's Sunday, or the last day of a week in progress. */
    public static final String AS_OF_DATE = "as_of_date";
    public static final String TICKETS = "tickets";
    public static final String TOTAL_HANDLE_MINUTES = "total_handle_minutes";
    public static final String MEAN_HANDLE_MINUTES = "mean_handle_minutes";
    public static final String ACCOUNTS_AFFECTED = "accounts_affected";
    public static final String REPEAT_TICKETS = "repeat_tickets";
    public static final String REPEAT_RATE = "repeat_rate";
    public static final String PREVIOUS_4_WEEK_MEAN_TICKETS = "previous_4_week_mean_tickets";
    public static final String TICKET_TREND = "ticket_trend";
    public static final String TOIL_SCORE = "toil_score";
    public static final String TOIL_RANK = "toil_rank";

    public static final List<String> ALL =
        List.of(
            WEEK_START, CATEGORY, WEEK_COMPLETE, AS_OF_DATE, TICKETS, TOTAL_HANDLE_MINUTES,
            MEAN_HANDLE_MINUTES, ACCOUNTS_AFFECTED, REPEAT_TICKETS, REPEAT_RATE,
            PREVIOUS_4_WEEK_MEAN_TICKETS, TICKET_TREND, TOIL_SCORE, TOIL_RANK);

    private Columns() {}
  }

  /** The default repeat window: another ticket of the same category within 30 days. */
  public static final int DEFAULT_REPEAT_WINDOW_DAYS = 30;

  private static final int TREND_WEEKS = 4;
  private static final String KNOWN_AT = "_known_at";

  private ToilTopics() {}

  /**
   * One row per category and ISO week that had tickets, for the weeks from the one containing
   * {@code from} to the one containing {@code to}, using the tickets created by the end of
   * {@code to}; the week of {@code to} is marked incomplete unless {@code to} is its Sunday.
   *
   * @param tickets the ticket history (earlier tickets feed repeats and the trend); with {@code
   *     delivered_on}, every delivered version
   */
  public static Dataset<Row> weekly(
      Dataset<Row> tickets, LocalDate from, LocalDate to, int repeatWindowDays) {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("the last day " + to + " is before the first " + from);
    }
    if (repeatWindowDays < 1) {
      throw new IllegalArgumentException(
          "repeat window days is " + repeatWindowDays + "; it must be at least 1");
    }
    LocalDate firstWeek = from.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));

    // Each week is computed as known at its end (its Sunday, or `to` for the week in progress), so
    // a backfill gives each week the row that the nightly run of its last day wrote.
    List<Date> cuts = new ArrayList<>();
    for (LocalDate week = firstWeek; !week.isAfter(to); week = week.plusDays(7)) {
      LocalDate sunday = week.plusDays(6);
      cuts.add(Date.valueOf(sunday.isBefore(to) ? sunday : to));
    }
    Dataset<Row> knownAt =
        tickets.sparkSession()
            .createDataFrame(cuts.stream().map(d -> RowFactory.create(d)).toList(),
                new StructType().add(KNOWN_AT, DataTypes.DateType, false));
    int lookback = 6 + Math.max(7 * TREND_WEEKS, repeatWindowDays);
    Column day = TicketTimes.utcDay("created_at");
    Dataset<Row> known =
        Versions.withValidity(tickets, "ticket_id", to)
            .join(
                broadcast(knownAt),
                Versions.validOn(col(KNOWN_AT))
                    .and(day.leq(col(KNOWN_AT)))
                    .and(day.gt(date_sub(col(KNOWN_AT), lookback))));

    // dayofweek is 1 on Sunday .. 7 on Saturday; (dayofweek + 5) mod 7 is days since Monday.
    Column weekStart = date_sub(day, pmod(dayofweek(day).plus(5), lit(7)));
    Dataset<Row> flagged =
        known
            .withColumn(
                "previous_created_at",
                lag(col("created_at"), 1)
                    .over(
                        Window.partitionBy(KNOWN_AT, "account_id", "category")
                            .orderBy(col("created_at"), col("ticket_id"))))
            .withColumn(
                "repeat",
                col("previous_created_at").isNotNull()
                    .and(TicketTimes.withinDays("previous_created_at", "created_at", repeatWindowDays)))
            .withColumn(Columns.WEEK_START, weekStart);

    Dataset<Row> weekly =
        flagged
            .groupBy(col(KNOWN_AT), col(Columns.WEEK_START), col(Columns.CATEGORY))
            .agg(
                count(lit(1)).as(Columns.TICKETS),
                coalesce(sum("handle_minutes"), lit(0.0)).as(Columns.TOTAL_HANDLE_MINUTES),
                avg("handle_minutes").as(Columns.MEAN_HANDLE_MINUTES),
                countDistinct(col("account_id")).as(Columns.ACCOUNTS_AFFECTED),
                count(when(col("repeat"), lit(1))).as(Columns.REPEAT_TICKETS));

    Dataset<Row> previous =
        weekly.select(
            col(KNOWN_AT).as("previous_known_at"),
            col(Columns.WEEK_START).as("previous_week"),
            col(Columns.CATEGORY).as("previous_category"),
            col(Columns.TICKETS).as("previous_tickets"));
    // The week each knowledge date reports on: the one it ends (or is in).
    Column reportedWeek = date_sub(col(KNOWN_AT), pmod(dayofweek(col(KNOWN_AT)).plus(5), lit(7)));
    Dataset<Row> current = weekly.filter(col(Columns.WEEK_START).equalTo(reportedWeek));
    Dataset<Row> trend =
        current
            .select(KNOWN_AT, Columns.WEEK_START, Columns.CATEGORY)
            .join(
                previous,
                col("previous_known_at").equalTo(col(KNOWN_AT))
                    .and(col("previous_category").equalTo(col(Columns.CATEGORY)))
                    .and(col("previous_week").geq(date_sub(col(Columns.WEEK_START), 7 * TREND_WEEKS)))
                    .and(col("previous_week").lt(col(Columns.WEEK_START))))
            .groupBy(col(Columns.WEEK_START).as("trend_week"), col(Columns.CATEGORY).as("trend_category"))
            .agg(sum("previous_tickets").as("previous_tickets"));

    Column previousMean = coalesce(col("previous_tickets"), lit(0L)).cast("double").divide(TREND_WEEKS);
    Dataset<Row> scored =
        current
            .join(
                trend,
                col("trend_week").equalTo(col(Columns.WEEK_START))
                    .and(col("trend_category").equalTo(col(Columns.CATEGORY))),
                "left")
            .withColumn(Columns.WEEK_COMPLETE, date_add(col(Columns.WEEK_START), 6).leq(lit(to)))
            .withColumn(Columns.AS_OF_DATE, col(KNOWN_AT))
            .withColumn(
                Columns.REPEAT_RATE,
                col(Columns.REPEAT_TICKETS).cast("double").divide(col(Columns.TICKETS)))
            .withColumn(Columns.PREVIOUS_4_WEEK_MEAN_TICKETS, previousMean)
            .withColumn(
                Columns.TICKET_TREND,
                when(previousMean.gt(0), col(Columns.TICKETS).cast("double").divide(previousMean)))
            .withColumn(
                Columns.TOIL_SCORE,
                col(Columns.TOTAL_HANDLE_MINUTES).multiply(col(Columns.REPEAT_RATE)))
            .withColumn(
                Columns.TOIL_RANK,
                row_number()
                    .over(
                        Window.partitionBy(Columns.WEEK_START)
                            .orderBy(
                                col(Columns.TOIL_SCORE).desc(),
                                col(Columns.TOTAL_HANDLE_MINUTES).desc(),
                                col(Columns.CATEGORY))));
    return scored.select(Columns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }
}
