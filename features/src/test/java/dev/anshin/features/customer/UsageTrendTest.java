package dev.anshin.features.customer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.SourceRows;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class UsageTrendTest extends SparkTestBase {

  @Test
  void anAccountYoungerThanTwoWindowsHasNoTrend() {
    // Created 02-10: on 04-06 it is 55 days old, on 04-07 56. One event on 03-05 and one on 04-06.
    var accounts = SourceRows.of(spark, SourceTable.ACCOUNTS, List.<Row>of(
        row("y", "Young", "smb", "retail", "emea", ts("2025-02-10T09:00:00Z"), 5, "csm1")));
    var subscriptions = SourceRows.of(spark, SourceTable.SUBSCRIPTIONS, List.<Row>of(
        row("s", "y", "starter", 5, new BigDecimal("50.00"), "USD", "monthly", date("2025-02-10"), null, null)));
    var events = SourceRows.of(spark, SourceTable.USAGE_EVENTS, List.<Row>of(
        row("e1", "y", "u1", ts("2025-03-05T10:00:00Z"), "login"),
        row("e2", "y", "u1", ts("2025-04-06T10:00:00Z"), "login")));
    var none = SourceRows.of(spark, SourceTable.API_REQUESTS, List.<Row>of());
    var tickets = SourceRows.of(spark, SourceTable.TICKETS, List.<Row>of());
    var invoices = SourceRows.of(spark, SourceTable.INVOICES, List.<Row>of());
    Map<String, Row> byDate =
        CustomerFeatures.build(
                new CustomerFeatures.Inputs(AccountDaily.rollup(events, none, tickets), accounts, subscriptions, invoices, tickets),
                LocalDate.parse("2025-04-06"), LocalDate.parse("2025-04-07"))
            .collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getAs(CustomerFeatures.AS_OF_DATE).toString(), r -> r));
    // 04-06: the previous window (02-10..03-09) starts on the day the account was created, at 09:00,
    // so it is not 28 whole days of its life: no trend (its 1 event against 1 would read as flat).
    Row young = byDate.get("2025-04-06");
    assertThat(young.<Long>getAs(CustomerFeatures.EVENTS_PREV_28D)).isEqualTo(1L);
    assertThat(young.<Object>getAs(CustomerFeatures.USAGE_TREND)).isNull();
    // 04-07: 56 days old; 04-06 is in the last 28 days, 03-05 (33 days back) in the 28 before.
    assertThat(byDate.get("2025-04-07").<Double>getAs(CustomerFeatures.USAGE_TREND)).isCloseTo(1.0, within(1e-9));
  }
}
