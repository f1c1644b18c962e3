package dev.anshin.features.success;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.SourceTable;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * One account's story in one table: what the customer-success team did (activities), what the
 * customer raised (tickets opened), and how the account's health band, SLO status and churn risk
 * tier changed, each row next to the account's health, SLO status and score on that day.
 *
 * <p>A row belongs to the day it became known ({@code known_on}): an activity or a ticket on the
 * day it was first delivered, a change of state on the day it was computed. A run for [from, to]
 * writes exactly those days, so a nightly run and a backfill write the same rows, and an activity
 * logged a few days late appears when it arrives, with the state of the day it happened (a row more
 * than the lateness before its delivery, such as a ticket exported long after it was opened, shows
 * no state: the nightly that delivered it did not read that far back). An activity delivered again
 * keeps its first delivery. A change
 * compares a day with the day before; an account with no row the day before (new, or back after a
 * gap) shows its state as a change from none.
 */
public final class AccountTimeline {

  public static final String TABLE = "account_timeline";

  /** Values of {@code event_source}. */
  public static final String ACTIVITY = "cs_activity";
  public static final String TICKET = "ticket";
  public static final String HEALTH = "health";
  public static final String SLO = "slo";
  public static final String SCORE = "score";

  /** The columns of {@code account_timeline}. */
  public static final class Columns {
    public static final String KNOWN_ON = "known_on";
    public static final String ACCOUNT_ID = "account_id";
    public static final String EVENT_DATE = "event_date";
    public static final String EVENT_TIME = "event_time";
    public static final String EVENT_SOURCE = "event_source";
    public static final String EVENT_TYPE = "event_type";
    public static final String DETAIL = "detail";
    public static final String OWNER = "owner";
    public static final String HEALTH_SCORE = "health_score";
    public static final String HEALTH_BAND = "health_band";
    public static final String SLO_STATUS = "slo_status";
    public static final String CHURN_PROBABILITY = "churn_probability";
    public static final String RISK_TIER = "risk_tier";
    /**
     * What the row is about, unique within its source and day: the activity's or ticket's id, or for
     * a change of state the account, day and type.
     */
    public static final String EVENT_ID = "event_id";

    public static final List<String> ALL =
        List.of(KNOWN_ON, ACCOUNT_ID, EVENT_DATE, EVENT_TIME, EVENT_SOURCE, EVENT_TYPE, DETAIL, OWNER, HEALTH_SCORE,
            HEALTH_BAND, SLO_STATUS, CHURN_PROBABILITY, RISK_TIER, EVENT_ID);

    private Columns() {}
  }

  /**
   * The day-level states the timeline follows: each as (account_id, as_of_date, value) plus, for
   * the context columns, the score or probability beside it. Any of them may be absent (null).
   *
   * @param health account_id, as_of_date, health_score, health_band
   * @param slo account_id, as_of_date, status
   * @param scores account_id, as_of_date, churn_probability, risk_tier
   */
  public record States(Dataset<Row> health, Dataset<Row> slo, Dataset<Row> scores) {}

  private AccountTimeline() {}

  /**
   * The rows known on [from, to].
   *
   * @param activities typed {@code cs_activities} rows delivered in at least [from - lateDays, to]
   *     (an activity delivered again keeps its first delivery), or null when the source is not enabled
   * @param tickets typed {@code tickets} versions
   * @param states the day-level tables, covering at least [from - lateDays, to]
   * @param lateDays how long before the day it became known a row may have happened and still show
   *     the state of its own day (an older ticket shows none): the same rule for every run, so that a
   *     nightly run and a backfill agree
   */
  public static Dataset<Row> rows(
      Dataset<Row> activities, Dataset<Row> tickets, States states, LocalDate from, LocalDate to, int lateDays) {
    List<Dataset<Row>> events = new ArrayList<>();
    if (activities != null) {
      Column delivered = col(SourceTable.DELIVERED_ON);
      events.add(
          activities.filter(delivered.leq(lit(Date.valueOf(to))))
              .groupBy(col("activity_id"))
              .agg(min_by(struct(col("account_id"), col("activity_date"), col("activity_time"), col("activity_type"),
                      col("owner")), delivered).as("_first"), min(delivered).as(Columns.KNOWN_ON))
              .filter(col(Columns.KNOWN_ON).geq(lit(Date.valueOf(from))))
              .select(col(Columns.KNOWN_ON), col("_first.account_id").as(Columns.ACCOUNT_ID),
                  col("_first.activity_date").as(Columns.EVENT_DATE), col("_first.activity_time").as(Columns.EVENT_TIME),
                  lit(ACTIVITY).as(Columns.EVENT_SOURCE), col("_first.activity_type").as(Columns.EVENT_TYPE),
                  concat(col("_first.activity_type"), coalesce(concat(lit(" by "), col("_first.owner")), lit("")))
                      .as(Columns.DETAIL),
                  col("_first.owner").as(Columns.OWNER), col("activity_id").as(Columns.EVENT_ID)));
    }
    // A ticket opens once: its first delivered version, if that delivery falls in the run.
    Column first = col(SourceTable.DELIVERED_ON);
    events.add(
        tickets.filter(first.leq(lit(Date.valueOf(to))))
            .groupBy(col("ticket_id"))
            .agg(min_by(struct(col("account_id"), col("created_at"), col("priority"), col("category")), first).as("_first"),
                min(first).as(Columns.KNOWN_ON))
            .filter(col(Columns.KNOWN_ON).geq(lit(Date.valueOf(from))))
            .select(col(Columns.KNOWN_ON), col("_first.account_id").as(Columns.ACCOUNT_ID),
                col("_first.created_at").cast("date").as(Columns.EVENT_DATE), col("_first.created_at").as(Columns.EVENT_TIME),
                lit(TICKET).as(Columns.EVENT_SOURCE), lit("ticket_opened").as(Columns.EVENT_TYPE),
                concat_ws(" ", col("ticket_id"), col("_first.priority"), col("_first.category")).as(Columns.DETAIL),
                lit(null).cast("string").as(Columns.OWNER), col("ticket_id").as(Columns.EVENT_ID)));
    if (states.health() != null) {
      events.add(changes(states.health(), "health_band", HEALTH, "health_band_changed",
          format_number(col("health_score"), 0), from, to));
    }
    if (states.slo() != null) {
      events.add(changes(states.slo(), "status", SLO, "slo_status_changed", null, from, to));
    }
    if (states.scores() != null) {
      events.add(changes(states.scores(), "risk_tier", SCORE, "risk_tier_changed",
          format_number(col("churn_probability"), 2), from, to));
    }
    Dataset<Row> timeline = events.stream().reduce(Dataset::unionByName).orElseThrow();
    timeline = withState(timeline, states.health(), lateDays, col("health_score").as(Columns.HEALTH_SCORE),
        col("health_band").as(Columns.HEALTH_BAND));
    timeline = withState(timeline, states.slo(), lateDays, col("status").as(Columns.SLO_STATUS));
    timeline = withState(timeline, states.scores(), lateDays, col("churn_probability").as(Columns.CHURN_PROBABILITY),
        col("risk_tier").as(Columns.RISK_TIER));
    for (String column : List.of(Columns.HEALTH_SCORE, Columns.CHURN_PROBABILITY)) {
      if (!List.of(timeline.columns()).contains(column)) {
        timeline = timeline.withColumn(column, lit(null).cast("double"));
      }
    }
    for (String column : List.of(Columns.HEALTH_BAND, Columns.SLO_STATUS, Columns.RISK_TIER)) {
      if (!List.of(timeline.columns()).contains(column)) {
        timeline = timeline.withColumn(column, lit(null).cast("string"));
      }
    }
    return timeline.select(Columns.ALL.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }

  /**
   * The days of [from, to] on which an account's {@code value} differs from the day before's (no
   * row the day before counts as none), with the new value and, when given, a figure beside it.
   */
  private static Dataset<Row> changes(
      Dataset<Row> daily, String value, String source, String type, Column figure, LocalDate from, LocalDate to) {
    Dataset<Row> days =
        daily.filter(col("as_of_date").between(lit(Date.valueOf(from.minusDays(1))), lit(Date.valueOf(to))))
            .withColumn("_previous_day", lag(col("as_of_date"), 1).over(Window.partitionBy(col("account_id")).orderBy(col("as_of_date"))))
            .withColumn("_previous", lag(col(value), 1).over(Window.partitionBy(col("account_id")).orderBy(col("as_of_date"))))
            // Only yesterday's value is a previous state: a gap means the account was not there.
            .withColumn("_previous", when(col("_previous_day").equalTo(date_sub(col("as_of_date"), 1)), col("_previous")))
            .filter(col("as_of_date").geq(lit(Date.valueOf(from)))
                .and(col(value).isNotNull())
                .and(col("_previous").isNull().or(col("_previous").notEqual(col(value)))));
    Column detail = concat(coalesce(col("_previous"), lit("none")), lit(" -> "), col(value));
    if (figure != null) {
      detail = concat(detail, lit(" ("), figure, lit(")"));
    }
    return days.select(col("as_of_date").as(Columns.KNOWN_ON), col("account_id").as(Columns.ACCOUNT_ID),
        col("as_of_date").as(Columns.EVENT_DATE), lit(null).cast("timestamp").as(Columns.EVENT_TIME),
        lit(source).as(Columns.EVENT_SOURCE), lit(type).as(Columns.EVENT_TYPE), detail.as(Columns.DETAIL),
        lit(null).cast("string").as(Columns.OWNER),
        concat_ws(":", lit(type), col("account_id"), col("as_of_date").cast("string")).as(Columns.EVENT_ID));
  }

  /**
   * The account's state on each row's event day, from one day-level table (nothing when absent), for
   * rows that happened at most {@code lateDays} before they became known and not after.
   */
  private static Dataset<Row> withState(Dataset<Row> timeline, Dataset<Row> daily, int lateDays, Column... values) {
    if (daily == null) {
      return timeline;
    }
    List<Column> columns = new ArrayList<>(List.of(col("account_id").as("_s_account"), col("as_of_date").as("_s_date")));
    columns.addAll(List.of(values));
    Column sameDay = col(Columns.ACCOUNT_ID).equalTo(col("_s_account"))
        .and(col(Columns.EVENT_DATE).equalTo(col("_s_date")))
        .and(col(Columns.EVENT_DATE).between(date_sub(col(Columns.KNOWN_ON), lateDays), col(Columns.KNOWN_ON)));
    return timeline.join(daily.select(columns.toArray(Column[]::new)), sameDay, "left").drop("_s_account", "_s_date");
  }
}
