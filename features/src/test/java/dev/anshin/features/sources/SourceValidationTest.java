package dev.anshin.features.sources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class SourceValidationTest extends SparkTestBase {

  private static final SourceValidation.Rules RULES =
      new SourceValidation.Rules(LocalDate.parse("2000-01-01"), 366, 7);

  private static StructType rawSchema(SourceTable source) {
    return source
        .rawSchema()
        .add(RawRecord.TEXT, DataTypes.StringType)
        .add(RawRecord.MALFORMED, DataTypes.BooleanType)
        .add(RawRecord.SOURCE_FILE, DataTypes.StringType)
        .add(RawRecord.DELIVERY_DATE, DataTypes.DateType)
        .add(RawRecord.POSITION, DataTypes.LongType);
  }

  /** Accounts the CRM delivered on 2025-03-01 or before, and a2, first delivered the day after. */
  private Dataset<Row> knownAccounts(String... ids) {
    List<Row> rows = new ArrayList<>();
    for (String id : ids) {
      rows.add(row(id, date("2025-03-01")));
    }
    rows.add(row("a2", date("2025-03-02")));
    return spark.createDataFrame(
        rows,
        new StructType().add("account_id", DataTypes.StringType).add(SourceValidation.FIRST_KNOWN_ON, DataTypes.DateType));
  }

  /** A usage event delivered in the file of 2025-03-01. */
  private static Row event(long position, String id, String account, String user, String time, String name) {
    return row(id, account, user, time, name, "raw-" + position, false, "usage/date=2025-03-01/e.jsonl",
        date("2025-03-01"), position);
  }

  @Test
  void eachBadEventGetsExactlyOneReasonAndGoodOnesComeOutTyped() {
    Dataset<Row> raw =
        dataset(
            rawSchema(SourceTable.USAGE_EVENTS),
            event(1, "e1", "a1", "u1", "2025-03-01T00:00:00Z", "login"),
            // the last second of the day still belongs to it
            event(2, "e2", "a1", "u2", "2025-03-01T23:59:59Z", "report"),
            // the first second of the next day does not
            event(3, "e3", "a1", "u1", "2025-03-02T00:00:00Z", "login"),
            event(4, "e4", "a1", "u1", "2099-01-01T00:00:00Z", "login"),
            event(5, "e5", "", "u1", "2025-03-01T10:00:00Z", "login"),
            event(6, "e6", "a1", "u1", "not a time", "login"),
            event(7, "e1", "a1", "u1", "2025-03-01T00:00:00Z", "login"),
            event(8, "e8", "ghost", "u1", "2025-03-01T10:00:00Z", "login"),
            // the CRM delivers a2 only on 03-02: held, not rejected
            event(10, "e10", "a2", "u1", "2025-03-01T10:00:00Z", "login"),
            // late by 7 days (the allowed lateness) is accepted, by 8 days it is too late
            event(11, "e11", "a1", "u1", "2025-02-22T23:00:00Z", "login"),
            event(12, "e12", "a1", "u1", "2025-02-21T23:59:59Z", "login"),
            row(null, null, null, null, null, "{\"event_id\": \"e9\",", true, "f", date("2025-03-01"), 9L));

    SourceValidation.Classified classified =
        SourceValidation.validate(SourceTable.USAGE_EVENTS, raw, knownAccounts("a1"), RULES);

    Map<String, String> reasonByRaw =
        classified.rejected().collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getAs(Quarantine.RAW_RECORD), r -> r.getAs(Quarantine.REASON_CODE)));
    assertThat(reasonByRaw)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "raw-3", "timestamp_out_of_range",
                "raw-4", "timestamp_out_of_range",
                "raw-5", "missing_required_field",
                "raw-6", "invalid_value",
                "raw-7", "duplicate_id",
                "raw-12", "too_late",
                "{\"event_id\": \"e9\",", "malformed_record"));
    List<Row> valid = classified.valid().orderBy("event_id").collectAsList();
    assertThat(valid).extracting(r -> r.getAs("event_id")).containsExactly("e1", "e11", "e2");
    assertThat(valid.get(2).<java.sql.Timestamp>getAs("event_time")).isEqualTo(ts("2025-03-01T23:59:59Z"));
    // A late event keeps its own day and records the day it was delivered.
    assertThat(valid.get(1).<java.sql.Date>getAs("event_date")).isEqualTo(date("2025-02-22"));
    assertThat(valid).allSatisfy(r -> assertThat(r.<java.sql.Date>getAs(SourceTable.DELIVERED_ON)).isEqualTo(date("2025-03-01")));
    assertThat(classified.held().collectAsList()).extracting(r -> r.getAs("event_id")).containsExactlyInAnyOrder("e8", "e10");
    assertThat(classified.rejected().collectAsList())
        .allSatisfy(
            r -> {
              assertThat(r.<String>getAs(Quarantine.SOURCE)).isEqualTo("usage_events");
              assertThat(r.<String>getAs(Quarantine.REASON)).isNotBlank();
              assertThat(r.<java.sql.Date>getAs(Quarantine.RUN_DATE)).isEqualTo(date("2025-03-01"));
            });
  }

  private static Row subscription(long position, String id, String mrr, String interval, String started, String ended) {
    return row(id, "a1", "team", "10", mrr, "USD", interval, started, ended, null,
        "raw-" + position, false, "subscriptions.csv", date("2025-03-01"), position);
  }

  @Test
  void snapshotRulesCoverMoneyEnumerationsAndDateBounds() {
    Dataset<Row> raw =
        dataset(
            rawSchema(SourceTable.SUBSCRIPTIONS),
            subscription(1, "s1", "120.50", "monthly", "2024-01-15", ""),
            subscription(2, "s2", "-5.00", "monthly", "2024-01-15", null),
            subscription(3, "s3", "99.00", "weekly", "2024-01-15", null),
            subscription(4, "s4", "99.00", "annual", "1970-01-01", null),
            subscription(5, "s5", "abc", "annual", "2024-01-15", null),
            // exactly max-future-days after the delivery day is still accepted
            subscription(6, "s6", "10.00", "annual", "2024-01-15", "2026-03-02"),
            subscription(7, "s7", "10.00", "annual", "2024-01-15", "2026-03-03"),
            // ends before it starts; s9 starts and ends on one day (no active day, but no contradiction)
            subscription(8, "s8", "10.00", "monthly", "2024-01-15", "2024-01-14"),
            subscription(9, "s9", "10.00", "monthly", "2024-01-15", "2024-01-15"));

    SourceValidation.Classified classified =
        SourceValidation.validate(SourceTable.SUBSCRIPTIONS, raw, knownAccounts("a1"), RULES);

    Map<String, String> reasons =
        classified.rejected().collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getAs(Quarantine.RAW_RECORD), r -> r.getAs(Quarantine.REASON_CODE)));
    assertThat(reasons)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "raw-2", "negative_amount",
                "raw-3", "invalid_value",
                "raw-4", "timestamp_out_of_range",
                "raw-5", "invalid_value",
                "raw-7", "timestamp_out_of_range",
                "raw-8", "negative_duration"));
    List<Row> valid = classified.valid().orderBy("subscription_id").collectAsList();
    assertThat(valid).extracting(r -> r.getAs("subscription_id")).containsExactly("s1", "s6", "s9");
    assertThat(valid.get(0).<BigDecimal>getAs("mrr")).isEqualByComparingTo("120.50");
    assertThat(valid.get(0).<Object>getAs("ended_at")).as("an empty optional field is null").isNull();
    assertThat(classified.valid().schema())
        .isEqualTo(SourceTable.SUBSCRIPTIONS.schema().asNullable().add(SourceTable.DELIVERED_ON, DataTypes.DateType));
  }

  /** A ticket delivered in the file of 2025-03-01. */
  private static Row ticket(long position, String id, String created, String firstReply, String solved) {
    return row(id, "a1", created, firstReply, solved, "normal", "email", "billing", null, "0", "1", "5",
        "raw-" + position, false, "tickets/date=2025-03-01/t.jsonl", date("2025-03-01"), position);
  }

  @Test
  void aTicketAnsweredOrSolvedBeforeItWasCreatedIsQuarantined() {
    Dataset<Row> raw =
        dataset(
            rawSchema(SourceTable.TICKETS),
            ticket(1, "t1", "2025-03-01T10:00:00Z", "2025-03-01T09:59:59Z", null),
            ticket(2, "t2", "2025-03-01T10:00:00Z", "2025-03-01T10:30:00Z", "2025-03-01T09:00:00Z"),
            // a reply in the same second as the ticket is a zero duration, not a negative one
            ticket(3, "t3", "2025-03-01T10:00:00Z", "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z"));
    SourceValidation.Classified classified =
        SourceValidation.validate(SourceTable.TICKETS, raw, knownAccounts("a1"), RULES);
    Map<String, Row> rejected =
        classified.rejected().collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getAs(Quarantine.RAW_RECORD), r -> r));
    assertThat(rejected).containsOnlyKeys("raw-1", "raw-2");
    assertThat(rejected.get("raw-1").<String>getAs(Quarantine.REASON_CODE)).isEqualTo("negative_duration");
    assertThat(rejected.get("raw-1").<String>getAs(Quarantine.REASON))
        .startsWith("first_reply_at ").contains(" is before created_at ");
    assertThat(rejected.get("raw-2").<String>getAs(Quarantine.REASON)).startsWith("solved_at ");
    assertThat(classified.valid().collectAsList()).extracting(r -> r.getAs("ticket_id")).containsExactly("t3");
  }
}
