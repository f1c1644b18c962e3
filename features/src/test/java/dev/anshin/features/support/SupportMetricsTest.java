package dev.anshin.features.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.support.SupportMetrics.AccountColumns;
import dev.anshin.features.support.SupportMetrics.DailyColumns;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SupportMetricsTest extends SparkTestBase {

  static final StructType TICKETS = SourceTable.TICKETS.schema().add("created_date", DataTypes.DateType);
  private static final double EPS = 1e-9;

  private Dataset<Row> tickets;

  static Row ticket(
      String id, String account, String created, String firstReply, String solved,
      String priority, String category, String satisfaction, Integer reopens,
      Integer agentReplies, Double handleMinutes) {
    return row(
        id, account, ts(created), firstReply == null ? null : ts(firstReply),
        solved == null ? null : ts(solved), priority, "email", category, satisfaction, reopens,
        agentReplies, handleMinutes, date(created.substring(0, 10)));
  }

  @BeforeAll
  void data() {
    tickets =
        dataset(
            TICKETS,
            // first reply 2 h (on 03-01), resolution 72 h, solved on 03-04
            ticket("t1", "a", "2024-03-01T10:00:00Z", "2024-03-01T12:00:00Z",
                "2024-03-04T10:00:00Z", "high", "billing", "good", 0, 1, 30.0),
            // first reply 24 h, solved at the last second of 03-04: 39 h 59 min 59 s
            ticket("t2", "a", "2024-03-03T08:00:00Z", "2024-03-04T08:00:00Z",
                "2024-03-04T23:59:59Z", "urgent", "bug", "bad", 1, 3, 60.0),
            // first reply 1 h; solved at the first second of 03-05 (15 h): open at the end of 03-04
            ticket("t3", "b", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z",
                "2024-03-05T00:00:00Z", "normal", "billing", null, 0, 1, 10.0),
            // first reply 1.5 h, never solved
            ticket("t4", "b", "2024-03-04T20:00:00Z", "2024-03-04T21:30:00Z", null,
                "low", "how_to", null, 0, 1, 5.0),
            // opened long ago, never answered
            ticket("t5", "c", "2024-02-20T00:00:00Z", null, null,
                "normal", "how_to", null, null, null, null),
            // created at the last second of 03-04; first reply 4 h and solved 6 h later, on 03-05
            ticket("t6", "c", "2024-03-04T23:59:59Z", "2024-03-05T03:59:59Z",
                "2024-03-05T05:59:59Z", "normal", "billing", "good", null, null, 20.0));
  }

  private Map<LocalDate, Row> daily() {
    Dataset<Row> daily =
        SupportMetrics.daily(tickets, LocalDate.parse("2024-03-04"), LocalDate.parse("2024-03-06"));
    assertThat(daily.columns()).containsExactlyElementsOf(DailyColumns.ALL);
    return daily.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getDate(0).toLocalDate(), r -> r));
  }

  private static long count(Row r, String column) {
    return r.getLong(r.fieldIndex(column));
  }

  private static double dbl(Row r, String column) {
    return r.getDouble(r.fieldIndex(column));
  }

  @Test
  void countsEachEventOnItsUtcDayAndTheBacklogAtTheEndOfTheDay() {
    Map<LocalDate, Row> days = daily();
    assertThat(days).hasSize(3);
    Row march4 = days.get(LocalDate.parse("2024-03-04"));
    assertThat(count(march4, DailyColumns.TICKETS_CREATED)).isEqualTo(3); // t3, t4, t6
    assertThat(count(march4, DailyColumns.TICKETS_SOLVED)).isEqualTo(2); // t1, t2 (23:59:59)
    // created by the end of 03-04: t1..t6 = 6, solved by then: t1, t2; t3 solved at 00:00:00 on
    // 03-05 is still in the backlog
    assertThat(count(march4, DailyColumns.BACKLOG)).isEqualTo(4);
    Row march5 = days.get(LocalDate.parse("2024-03-05"));
    assertThat(count(march5, DailyColumns.TICKETS_CREATED)).isZero();
    assertThat(count(march5, DailyColumns.TICKETS_SOLVED)).isEqualTo(2); // t3, t6
    assertThat(count(march5, DailyColumns.BACKLOG)).isEqualTo(2); // t4, t5
    Row march6 = days.get(LocalDate.parse("2024-03-06"));
    assertThat(count(march6, DailyColumns.TICKETS_SOLVED)).isZero();
    assertThat(count(march6, DailyColumns.BACKLOG)).isEqualTo(2);
    assertThat(march6.isNullAt(march6.fieldIndex(DailyColumns.RESOLUTION_HOURS_P50))).isTrue();
    assertThat(march6.isNullAt(march6.fieldIndex(DailyColumns.CSAT))).isTrue();
  }

  @Test
  void daysAreUtcDaysWhateverTheSessionTimeZone() {
    String zone = spark.conf().get("spark.sql.session.timeZone");
    try {
      // UTC-6: 2024-03-04T23:59:59Z is still 17:59:59 on 03-04 there, 00:00:00Z is 18:00 on 03-04
      spark.conf().set("spark.sql.session.timeZone", "America/Bahia_Banderas");
      Row march4 = daily().get(LocalDate.parse("2024-03-04"));
      assertThat(count(march4, DailyColumns.TICKETS_CREATED)).isEqualTo(3);
      assertThat(count(march4, DailyColumns.TICKETS_SOLVED)).isEqualTo(2);
      assertThat(count(march4, DailyColumns.BACKLOG)).isEqualTo(4);
    } finally {
      spark.conf().set("spark.sql.session.timeZone", zone);
    }
  }

  @Test
  void percentilesAreExactOverTheRightTickets() {
    Map<LocalDate, Row> days = daily();
    Row march4 = days.get(LocalDate.parse("2024-03-04"));
    // resolution of the tickets solved on 03-04 only: 72 h and 39 h 59 min 59 s
    double r1 = 143_999.0 / 3600;
    double r2 = 72.0;
    // exact percentile of two values: p50 the mean, p90 = low + 0.9 x (high - low)
    assertThat(dbl(march4, DailyColumns.RESOLUTION_HOURS_P50)).isCloseTo((r1 + r2) / 2, within(EPS));
    assertThat(dbl(march4, DailyColumns.RESOLUTION_HOURS_P90))
        .isCloseTo(r1 + 0.9 * (r2 - r1), within(EPS));
    // first replies made on 03-04: t2 24 h, t3 1 h, t4 1.5 h (t1's reply was on 03-01); sorted
    // 1, 1.5, 24: p50 = 1.5; p90 at rank 0.9 x 2 = 1.8: 1.5 + 0.8 x (24 - 1.5) = 19.5
    assertThat(count(march4, DailyColumns.FIRST_REPLIES)).isEqualTo(3);
    assertThat(dbl(march4, DailyColumns.FIRST_REPLY_HOURS_P50)).isCloseTo(1.5, within(EPS));
    assertThat(dbl(march4, DailyColumns.FIRST_REPLY_HOURS_P90)).isCloseTo(19.5, within(EPS));
    Row march5 = days.get(LocalDate.parse("2024-03-05"));
    // solved on 03-05: t3 15 h, t6 6 h: p50 10.5, p90 6 + 0.9 x 9 = 14.1
    assertThat(dbl(march5, DailyColumns.RESOLUTION_HOURS_P50)).isCloseTo(10.5, within(EPS));
    assertThat(dbl(march5, DailyColumns.RESOLUTION_HOURS_P90)).isCloseTo(14.1, within(EPS));
    assertThat(dbl(march5, DailyColumns.FIRST_REPLY_HOURS_P50)).isCloseTo(4.0, within(EPS));
  }

  @Test
  void oneTouchMeansExactlyOneAgentReplyAsZendeskCountsIt() {
    // Solved on 03-10 with 0, 1, 1 and 2 agent replies: Zendesk's one-touch is exactly one reply,
    // so a ticket closed without any reply (a duplicate, spam) is not one: 2 of 4.
    Dataset<Row> solved =
        dataset(
            TICKETS,
            ticket("z0", "a", "2024-03-10T01:00:00Z", null, "2024-03-10T02:00:00Z", "low", "spam", null, 0, 0, 1.0),
            ticket("z1", "a", "2024-03-10T01:00:00Z", "2024-03-10T01:30:00Z", "2024-03-10T03:00:00Z",
                "low", "how_to", null, 0, 1, 5.0),
            ticket("z2", "b", "2024-03-10T04:00:00Z", "2024-03-10T04:10:00Z", "2024-03-10T05:00:00Z",
                "low", "how_to", null, 0, 1, 5.0),
            ticket("z3", "b", "2024-03-10T06:00:00Z", "2024-03-10T06:10:00Z", "2024-03-10T09:00:00Z",
                "low", "bug", null, 0, 2, 5.0));
    Row march10 = SupportMetrics.daily(solved, LocalDate.parse("2024-03-10"), LocalDate.parse("2024-03-10")).first();
    assertThat(dbl(march10, DailyColumns.ONE_TOUCH_RATE)).isCloseTo(0.5, within(EPS));
  }

  @Test
  void ratesAreOverTheDaysSolvedTickets() {
    Map<LocalDate, Row> days = daily();
    Row march4 = days.get(LocalDate.parse("2024-03-04"));
    // solved t1 (no reopen, 1 reply, good), t2 (reopened, 3 replies, bad)
    assertThat(dbl(march4, DailyColumns.REOPEN_RATE)).isCloseTo(0.5, within(EPS));
    assertThat(dbl(march4, DailyColumns.ONE_TOUCH_RATE)).isCloseTo(0.5, within(EPS));
    assertThat(count(march4, DailyColumns.RATED_TICKETS)).isEqualTo(2);
    assertThat(dbl(march4, DailyColumns.CSAT)).isCloseTo(0.5, within(EPS));
    Row march5 = days.get(LocalDate.parse("2024-03-05"));
    // solved t3 (1 reply, unrated), t6 (reply count unknown: left out, good)
    assertThat(dbl(march5, DailyColumns.ONE_TOUCH_RATE)).isCloseTo(1.0, within(EPS));
    assertThat(dbl(march5, DailyColumns.REOPEN_RATE)).isCloseTo(0.0, within(EPS));
    assertThat(count(march5, DailyColumns.RATED_TICKETS)).isEqualTo(1);
    assertThat(dbl(march5, DailyColumns.CSAT)).isCloseTo(1.0, within(EPS));
  }

  @Test
  void perAccountFiguresUseOnlyWhatWasKnownAtTheEndOfTheDay() {
    Dataset<Row> perAccount = SupportMetrics.perAccount(tickets, LocalDate.parse("2024-03-04"), 7);
    assertThat(perAccount.columns()).containsExactlyElementsOf(AccountColumns.ALL);
    Map<String, Row> rows =
        perAccount.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
    assertThat(rows.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    Row a = rows.get("a");
    // window 02-27..03-04: t1, t2 opened, both solved by 03-04, both high or urgent, t2 rated bad
    assertThat(count(a, AccountColumns.TICKETS_OPENED)).isEqualTo(2);
    assertThat(count(a, AccountColumns.OPEN_TICKETS)).isZero();
    assertThat(count(a, AccountColumns.HIGH_PRIORITY_TICKETS)).isEqualTo(2);
    assertThat(count(a, AccountColumns.BAD_CSAT_TICKETS)).isEqualTo(1);
    assertThat(dbl(a, AccountColumns.FIRST_REPLY_HOURS_MEDIAN)).isCloseTo((2 + 24) / 2.0, within(EPS));
    Row b = rows.get("b");
    // t3 is solved at 00:00:00 on 03-05: open at the end of 03-04, as t4
    assertThat(count(b, AccountColumns.OPEN_TICKETS)).isEqualTo(2);
    assertThat(dbl(b, AccountColumns.FIRST_REPLY_HOURS_MEDIAN)).isCloseTo(1.25, within(EPS));
    Row c = rows.get("c");
    // t5 opened before the window but still open; t6 opened at 23:59:59, replied only on 03-05
    assertThat(count(c, AccountColumns.TICKETS_OPENED)).isEqualTo(1);
    assertThat(count(c, AccountColumns.OPEN_TICKETS)).isEqualTo(2);
    assertThat(c.isNullAt(c.fieldIndex(AccountColumns.FIRST_REPLY_HOURS_MEDIAN))).isTrue();
    assertThat(c.getDate(c.fieldIndex(AccountColumns.AS_OF_DATE))).isEqualTo(date("2024-03-04"));
  }

  @Test
  void theSameTicketsDoNotCountADayEarlierThanTheyHappened() {
    Map<String, Row> rows =
        SupportMetrics.perAccount(tickets, LocalDate.parse("2024-03-03"), 7).collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r));
    // as of 03-03: b and c's 03-04 tickets do not exist; c has only t5 open
    assertThat(rows.keySet()).containsExactlyInAnyOrder("a", "c");
    assertThat(count(rows.get("a"), AccountColumns.OPEN_TICKETS)).isEqualTo(2);
    assertThat(count(rows.get("a"), AccountColumns.BAD_CSAT_TICKETS)).isZero();
    assertThat(count(rows.get("c"), AccountColumns.OPEN_TICKETS)).isEqualTo(1);
    assertThat(count(rows.get("c"), AccountColumns.TICKETS_OPENED)).isZero();
  }

  @Test
  void eachDayCountsTheTicketsAsDeliveredByItsEnd() {
    // t7 opened on 03-01; its solve on 03-02 (2 h after a 1 h first reply) is delivered on 03-03
    Dataset<Row> versions =
        dataset(TICKETS, ticket("t7", "a", "2024-03-01T10:00:00Z", null, null, "normal", "bug", null, 0, 0, 5.0))
            .withColumn(SourceTable.DELIVERED_ON, org.apache.spark.sql.functions.lit(date("2024-03-01")))
            .unionByName(
                dataset(TICKETS, ticket("t7", "a", "2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z",
                        "2024-03-02T10:00:00Z", "normal", "bug", "offered", 0, 1, 9.0))
                    .withColumn(SourceTable.DELIVERED_ON, org.apache.spark.sql.functions.lit(date("2024-03-03"))));
    LocalDate first = LocalDate.parse("2024-03-01");
    LocalDate last = LocalDate.parse("2024-03-03");
    Map<String, Row> days = byDate(SupportMetrics.daily(versions, first, last));
    assertThat(days.get("2024-03-01").<Long>getAs(DailyColumns.TICKETS_CREATED)).isEqualTo(1L);
    // As known on 03-02, t7 is still open and not replied to.
    assertThat(days.get("2024-03-02").<Long>getAs(DailyColumns.BACKLOG)).isEqualTo(1L);
    assertThat(days.get("2024-03-02").<Long>getAs(DailyColumns.TICKETS_SOLVED)).isZero();
    assertThat(days.get("2024-03-03").<Long>getAs(DailyColumns.BACKLOG)).isZero();
    assertThat(days.get("2024-03-03").<Long>getAs(DailyColumns.TICKETS_SOLVED)).isZero();
    // One day at a time gives the same rows (compared on the driver: cheaper than planning a union).
    assertThat(days).hasSize(3);
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      assertThat(SupportMetrics.daily(versions, day, day).collectAsList()).as("%s", day).containsExactly(days.get(day.toString()));
    }
  }

  private static Map<String, Row> byDate(Dataset<Row> daily) {
    return daily.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs(DailyColumns.DATE).toString(), r -> r));
  }

  @Test
  void businessHoursAndSlasFollowTheScheduleOfTheAccountsRegion() {
    // emea works 09:00-17:00 UTC on weekdays; every other region runs on calendar hours.
    // urgent: first reply 1 h, resolution 4 h; normal: 4 h and 16 h; low has no SLA.
    java.util.Map<java.time.DayOfWeek, java.util.List<BusinessSchedule.Interval>> hours = new java.util.EnumMap<>(java.time.DayOfWeek.class);
    for (java.time.DayOfWeek day : java.time.DayOfWeek.values()) {
      if (day.getValue() <= 5) {
        hours.put(day, java.util.List.of(BusinessSchedule.Interval.parse("09:00-17:00")));
      }
    }
    SupportSettings settings =
        new SupportSettings(
            BusinessSchedule.always(),
            Map.of("EMEA", new BusinessSchedule(java.time.ZoneId.of("UTC"), hours, java.util.Set.of())),
            Map.of(
                "urgent", new SupportSettings.SlaTarget(java.time.Duration.ofHours(1), java.time.Duration.ofHours(4)),
                "Normal", new SupportSettings.SlaTarget(java.time.Duration.ofHours(4), java.time.Duration.ofHours(16))));
    Dataset<Row> regions =
        dataset(
            new StructType().add("account_id", DataTypes.StringType).add("region", DataTypes.StringType),
            row("a", "emea"), row("b", "na"));
    Dataset<Row> slaTickets =
        dataset(
            TICKETS,
            // Friday 16:30 to Monday 09:20: 30 + 20 business minutes, within the hour (due Monday 09:30);
            // solved Monday 12:00 after 3.5 business hours, within 4 (due 12:30)
            ticket("s1", "a", "2024-03-01T16:30:00Z", "2024-03-04T09:20:00Z", "2024-03-04T12:00:00Z",
                "urgent", "bug", null, 0, 1, 10.0),
            // calendar hours: replied after 2 h (due 11:00) and solved the next day (due 14:00): both breached on 03-04
            ticket("s2", "b", "2024-03-04T10:00:00Z", "2024-03-04T12:00:00Z", "2024-03-05T09:00:00Z",
                "urgent", "bug", null, 0, 1, 10.0),
            // solved after one business hour without a reply: no first reply breach, resolution achieved
            ticket("s3", "a", "2024-03-04T15:00:00Z", null, "2024-03-04T16:00:00Z",
                "normal", "how_to", null, 0, 0, 10.0),
            // never answered: first reply due Wednesday 12:00 (1 + 3 h), resolution Thursday 16:00 (1 + 8 + 7 h)
            ticket("s4", "a", "2024-03-05T16:00:00Z", null, null, "normal", "how_to", null, 0, 0, null),
            // no SLA for low priority; an account without a region runs on calendar hours
            ticket("s5", "c", "2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z", null, "low", "how_to", null, 0, 1, 5.0));
    Map<LocalDate, Row> days =
        SupportMetrics.daily(slaTickets, regions, LocalDate.parse("2024-03-01"), LocalDate.parse("2024-03-07"), settings)
            .collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getDate(0).toLocalDate(), r -> r));
    //                              first reply achieved, breached; resolution achieved, breached
    assertSla(days.get(LocalDate.parse("2024-03-01")), 0, 0, 0, 0);
    assertSla(days.get(LocalDate.parse("2024-03-04")), 1, 1, 2, 1);
    assertSla(days.get(LocalDate.parse("2024-03-05")), 0, 0, 0, 0);
    assertSla(days.get(LocalDate.parse("2024-03-06")), 0, 1, 0, 0);
    assertSla(days.get(LocalDate.parse("2024-03-07")), 0, 0, 0, 1);
    Row monday = days.get(LocalDate.parse("2024-03-04"));
    // first replies that day: s1 50/60 h, s2 2 h, s5 1 h on calendar hours; the median is 1 h
    assertThat(monday.getDouble(monday.fieldIndex(DailyColumns.FIRST_REPLY_BUSINESS_HOURS_P50))).isCloseTo(1.0, within(EPS));
    // solved that day: s1 3.5 h, s3 1 h
    assertThat(monday.getDouble(monday.fieldIndex(DailyColumns.RESOLUTION_BUSINESS_HOURS_P50))).isCloseTo(2.25, within(EPS));
    // calendar hours for the same tickets: s1 took 64 h 50 min to its reply
    assertThat(monday.getDouble(monday.fieldIndex(DailyColumns.FIRST_REPLY_HOURS_P90)))
        .isCloseTo(2.0 + 0.8 * (64 + 50 / 60.0 - 2.0), within(EPS));
  }

  private static void assertSla(Row day, long replyAchieved, long replyBreached, long solveAchieved, long solveBreached) {
    assertThat(new long[] {
          day.getLong(day.fieldIndex(DailyColumns.FIRST_REPLY_SLA_ACHIEVED)),
          day.getLong(day.fieldIndex(DailyColumns.FIRST_REPLY_SLA_BREACHED)),
          day.getLong(day.fieldIndex(DailyColumns.RESOLUTION_SLA_ACHIEVED)),
          day.getLong(day.fieldIndex(DailyColumns.RESOLUTION_SLA_BREACHED))})
        .as("%s", day.getDate(0))
        .containsExactly(replyAchieved, replyBreached, solveAchieved, solveBreached);
  }
}
