package dev.anshin.features.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.SourceRows;
import dev.anshin.features.slo.SloSettings.CallerErrors;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class AccountHourlyTest extends SparkTestBase {

  private Dataset<Row> requests() {
    return SourceRows.of(spark, SourceTable.API_REQUESTS, List.of(
        row("r1", ts("2025-03-05T10:00:00Z"), "a1", "/v1/x", 200, 100.0),
        row("r2", ts("2025-03-05T10:59:59.999Z"), "a1", "/v1/x", 503, 50.0),
        row("r3", ts("2025-03-05T10:30:00Z"), "a1", "/v1/x", 404, 10.0),
        row("r4", ts("2025-03-05T10:31:00Z"), "a1", "/v1/x", 429, 10.0),
        row("r5", ts("2025-03-05T11:00:00Z"), "a1", "/v1/x", 201, 900.0),
        row("r6", ts("2025-03-05T23:59:59Z"), "a2", "/v1/x", 200, 250.0)));
  }

  private static Map<String, Row> byHour(Dataset<Row> hourly) {
    return hourly.collectAsList().stream()
        .collect(Collectors.toMap(
            r -> r.getString(0) + " " + r.<java.sql.Timestamp>getAs(AccountHourly.ACTIVITY_HOUR).toInstant(), r -> r));
  }

  @Test
  void countsEachUtcHourWhateverTheSessionTimeZone() {
    String zone = spark.conf().get("spark.sql.session.timeZone");
    try {
      // Kathmandu is UTC+05:45: truncating in the session's zone would put the hours at :15.
      spark.conf().set("spark.sql.session.timeZone", "Asia/Kathmandu");
      Map<String, Row> hours = byHour(AccountHourly.rollup(requests(), CallerErrors.allClientErrors()));
      assertThat(hours.keySet())
          .containsExactlyInAnyOrder("a1 2025-03-05T10:00:00Z", "a1 2025-03-05T11:00:00Z", "a2 2025-03-05T23:00:00Z");
      Row ten = hours.get("a1 2025-03-05T10:00:00Z");
      // 404 and 429 are the caller's: valid 200 and 503, good the 200; both within 100 ms.
      assertThat(ten.<Long>getAs(AccountHourly.VALID_REQUESTS)).isEqualTo(2L);
      assertThat(ten.<Long>getAs(AccountHourly.GOOD_REQUESTS)).isEqualTo(1L);
      assertThat(ten.<Long>getAs(AccountDaily.validAtOrBelow(100))).isEqualTo(2L);
      Row eleven = hours.get("a1 2025-03-05T11:00:00Z");
      assertThat(eleven.<Long>getAs(AccountDaily.validAtOrBelow(500))).isZero();
      assertThat(eleven.<Long>getAs(AccountDaily.validAtOrBelow(1000))).isEqualTo(1L);
      assertThat(hours.get("a2 2025-03-05T23:00:00Z").<Long>getAs(AccountDaily.validAtOrBelow(250))).isEqualTo(1L);
    } finally {
      spark.conf().set("spark.sql.session.timeZone", zone);
    }
  }

  @Test
  void aRateLimitThatIsNotListedAsTheCallersErrorCountsAgainstTheSlo() {
    CallerErrors without429 = CallerErrors.parse(List.of("400-428", " 430 - 499 "));
    Row ten = byHour(AccountHourly.rollup(requests(), without429)).get("a1 2025-03-05T10:00:00Z");
    // 200, 503 and 429 are valid; only the 200 is good.
    assertThat(ten.<Long>getAs(AccountHourly.VALID_REQUESTS)).isEqualTo(3L);
    assertThat(ten.<Long>getAs(AccountHourly.GOOD_REQUESTS)).isEqualTo(1L);
    // The daily rollup classifies the same way.
    Row day =
        AccountDaily.rollup(
                SourceRows.of(spark, SourceTable.USAGE_EVENTS, List.of()),
                requests().filter("account_id = 'a1'"),
                SourceRows.of(spark, SourceTable.TICKETS, List.of()),
                without429)
            .first();
    assertThat(day.<Long>getAs(AccountDaily.VALID_REQUESTS)).isEqualTo(4L);
    assertThat(day.<Long>getAs(AccountDaily.GOOD_REQUESTS)).isEqualTo(2L);
  }
}
