package dev.anshin.features.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.SourceRows;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class AccountDailyTest extends SparkTestBase {

  @Test
  void countsValidGoodAndFastRequestsAndJoinsDaysOfAnyActivity() {
    var events =
        SourceRows.of(spark, SourceTable.USAGE_EVENTS, List.of(
            row("e1", "a1", "u1", ts("2025-03-05T08:00:00Z"), "login"),
            row("e2", "a1", "u1", ts("2025-03-05T09:00:00Z"), "report"),
            row("e3", "a1", "u2", ts("2025-03-05T23:59:59Z"), "login")));
    var requests =
        SourceRows.of(spark, SourceTable.API_REQUESTS, List.of(
            row("r1", ts("2025-03-05T01:00:00Z"), "a1", "/v1/x", 200, 100.0),
            row("r2", ts("2025-03-05T01:00:01Z"), "a1", "/v1/x", 503, 50.0),
            row("r3", ts("2025-03-05T01:00:02Z"), "a1", "/v1/x", 404, 10.0),
            row("r4", ts("2025-03-05T01:00:03Z"), "a1", "/v1/x", 200, 500.0),
            row("r5", ts("2025-03-05T01:00:04Z"), "a1", "/v1/x", 201, 900.0)));
    var tickets =
        SourceRows.of(spark, SourceTable.TICKETS, List.of(
            row("t1", "a2", ts("2025-03-06T10:00:00Z"), null, null, "urgent", "email", "billing", null, 0, 0, null)));

    List<Row> rows =
        AccountDaily.rollup(events, requests, tickets).orderBy("account_id", "activity_date").collectAsList();

    assertThat(rows).hasSize(2);
    Row a1 = rows.get(0);
    assertThat(a1.<Long>getAs(AccountDaily.EVENTS)).isEqualTo(3L);
    assertThat(a1.<Integer>getAs(AccountDaily.ACTIVE_USERS)).isEqualTo(2);
    assertThat(a1.<Long>getAs(AccountDaily.REQUESTS)).isEqualTo(5L);
    // 404 is the caller's error: 4 valid requests, of which the 503 is bad.
    assertThat(a1.<Long>getAs(AccountDaily.VALID_REQUESTS)).isEqualTo(4L);
    assertThat(a1.<Long>getAs(AccountDaily.GOOD_REQUESTS)).isEqualTo(3L);
    assertThat(a1.<Long>getAs(AccountDaily.SERVER_ERRORS)).isEqualTo(1L);
    assertThat(a1.<Long>getAs(AccountDaily.CLIENT_ERRORS)).isEqualTo(1L);
    // Valid latencies 100, 50, 500, 900: at or below 100 -> 2; 500 -> 3 (the bound is included); 1000 -> 4.
    assertThat(a1.<Long>getAs(AccountDaily.validAtOrBelow(100))).isEqualTo(2L);
    assertThat(a1.<Long>getAs(AccountDaily.validAtOrBelow(250))).isEqualTo(2L);
    assertThat(a1.<Long>getAs(AccountDaily.validAtOrBelow(500))).isEqualTo(3L);
    assertThat(a1.<Long>getAs(AccountDaily.validAtOrBelow(1000))).isEqualTo(4L);
    assertThat(a1.<Long>getAs(AccountDaily.TICKETS_OPENED)).isZero();

    Row a2 = rows.get(1);
    assertThat(a2.<java.sql.Date>getAs(AccountDaily.ACTIVITY_DATE)).isEqualTo(date("2025-03-06"));
    assertThat(a2.<Long>getAs(AccountDaily.TICKETS_OPENED)).isEqualTo(1L);
    assertThat(a2.<Long>getAs(AccountDaily.HIGH_PRIORITY_TICKETS_OPENED)).isEqualTo(1L);
    assertThat(a2.<Long>getAs(AccountDaily.EVENTS)).isZero();
    assertThat(a2.<Object>getAs(AccountDaily.ACTIVE_USERS_SKETCH)).isNull();
  }
}
