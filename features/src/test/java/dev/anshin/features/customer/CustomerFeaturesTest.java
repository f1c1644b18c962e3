package dev.anshin.features.customer;

import static dev.anshin.features.customer.CustomerFeatures.*;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomerFeaturesTest extends SparkTestBase {

  private Map<String, Row> byDate;

  @BeforeAll
  void buildFeatures() {
    var accounts = SourceRows.of(spark, SourceTable.ACCOUNTS, List.of(
        row("a1", "Acme, Inc.", "mid", "retail", "emea", ts("2025-01-01T10:00:00Z"), 10, "csm1"),
        row("a2", "Later", "smb", "retail", "emea", ts("2025-03-01T10:00:00Z"), 5, "csm1"),
        row("a3", "Gone", "smb", "retail", "emea", ts("2024-01-01T10:00:00Z"), 5, "csm1")));
    var subscriptions = SourceRows.of(spark, SourceTable.SUBSCRIPTIONS, List.of(
        row("s1", "a1", "team", 10, new BigDecimal("100.00"), "USD", "monthly", date("2025-01-15"), null, null),
        // an add-on whose last active day is 03-04 (ended_at is exclusive)
        row("s2", "a1", "addon", 0, new BigDecimal("20.00"), "USD", "monthly", date("2025-02-01"), date("2025-03-05"), "voluntary"),
        // starts after the range: a2 has no row
        row("s3", "a2", "starter", 5, new BigDecimal("50.00"), "USD", "monthly", date("2025-03-06"), null, null),
        // last active day 03-02, before the range: a3 has no row
        row("s4", "a3", "starter", 5, new BigDecimal("50.00"), "USD", "annual", date("2024-03-03"), date("2025-03-03"), "voluntary")));
    var events = SourceRows.of(spark, SourceTable.USAGE_EVENTS, List.of(
        row("e1", "a1", "u1", ts("2025-03-05T08:00:00Z"), "login"),
        row("e2", "a1", "u2", ts("2025-03-05T09:00:00Z"), "login"),
        row("e3", "a1", "u2", ts("2025-03-05T23:59:59Z"), "report"),
        row("e4", "a1", "u3", ts("2025-02-27T12:00:00Z"), "login"), // 6 days before 03-05: in the 7-day window
        row("e5", "a1", "u1", ts("2025-02-05T12:00:00Z"), "login"), // 28 days before 03-05: previous 28 days
        row("e6", "a1", "u1", ts("2025-02-05T13:00:00Z"), "login")));
    var requests = SourceRows.of(spark, SourceTable.API_REQUESTS, List.of(
        row("r1", ts("2025-03-05T01:00:00Z"), "a1", "/v1/x", 200, 100.0),
        row("r2", ts("2025-03-05T01:00:01Z"), "a1", "/v1/x", 503, 50.0),
        row("r3", ts("2025-03-05T01:00:02Z"), "a1", "/v1/x", 404, 10.0),
        row("r4", ts("2025-03-05T01:00:03Z"), "a1", "/v1/x", 200, 900.0)));
    var tickets = SourceRows.of(spark, SourceTable.TICKETS, List.of(
        // solved at the first second of 03-04: open at the end of 03-03, not at the end of 03-04
        row("t1", "a1", ts("2025-03-01T10:00:00Z"), ts("2025-03-01T11:00:00Z"), ts("2025-03-04T00:00:00Z"),
            "high", "email", "billing", "bad", 0, 1, 30.0)));
    var invoices = SourceRows.of(spark, SourceTable.INVOICES, List.of(
        // first attempt failed when issued on 03-02, paid on 03-05
        row("i1", "a1", "s1", new BigDecimal("100.00"), "USD", date("2025-03-15"), date("2025-04-14"),
            ts("2025-03-02T00:00:00Z"), "paid", 1, ts("2025-03-05T10:00:00Z"))));
    var daily = AccountDaily.rollup(events, requests, tickets);

    List<Row> rows =
        CustomerFeatures.build(
                new CustomerFeatures.Inputs(daily, accounts, subscriptions, invoices, tickets),
                LocalDate.parse("2025-03-03"),
                LocalDate.parse("2025-03-05"))
            .collectAsList();
    assertThat(rows).extracting(r -> r.<String>getAs(ACCOUNT_ID)).containsOnly("a1");
    byDate = rows.stream().collect(Collectors.toMap(r -> r.getAs(AS_OF_DATE).toString(), r -> r));
  }

  @Test
  void oneRowPerActiveAccountAndDate() {
    assertThat(byDate).containsOnlyKeys("2025-03-03", "2025-03-04", "2025-03-05");
  }

  @Test
  void subscriptionStateIsTakenAtTheEndOfTheDay() {
    assertThat(byDate.get("2025-03-04").<BigDecimal>getAs(MRR)).isEqualByComparingTo("120.00");
    assertThat(byDate.get("2025-03-04").<Long>getAs(SUBSCRIPTION_COUNT)).isEqualTo(2L);
    assertThat(byDate.get("2025-03-05").<BigDecimal>getAs(MRR)).isEqualByComparingTo("100.00");
    assertThat(byDate.get("2025-03-05").<String>getAs(PLAN)).isEqualTo("team");
    // s1 started 01-15 and renews monthly: next renewal after 03-05 is 03-15.
    assertThat(byDate.get("2025-03-05").<Integer>getAs(DAYS_TO_RENEWAL)).isEqualTo(10);
    assertThat(byDate.get("2025-03-05").<Integer>getAs(TENURE_DAYS)).isEqualTo(63);
  }

  @Test
  void usageWindowsIncludeTheAsOfDayAndExcludeDayTwentyEight() {
    Row row = byDate.get("2025-03-05");
    // 03-05: 3 events (u1, u2); 02-27 (6 days back): 1 event (u3); 02-05 (28 days back): 2 events (u1)
    assertThat(row.<Long>getAs(EVENTS_7D)).isEqualTo(4L);
    assertThat(row.<Long>getAs(EVENTS_28D)).isEqualTo(4L);
    assertThat(row.<Long>getAs(EVENTS_PREV_28D)).isEqualTo(2L);
    assertThat(row.<Long>getAs(ACTIVE_DAYS_28D)).isEqualTo(2L);
    assertThat(row.<Long>getAs(ACTIVE_USERS_7D)).isEqualTo(3L);
    assertThat(row.<Long>getAs(ACTIVE_USERS_28D)).isEqualTo(3L);
    assertThat(row.<Double>getAs(SEAT_UTILIZATION)).isCloseTo(3.0 / 10, within(1e-9));
    assertThat(row.<Double>getAs(USAGE_TREND)).isCloseTo(4.0 / 2, within(1e-9));
    // On 03-03 the only usage in reach is 02-27 (1 event) and 02-05 (26 days back, 2 events).
    assertThat(byDate.get("2025-03-03").<Long>getAs(EVENTS_28D)).isEqualTo(3L);
    assertThat(byDate.get("2025-03-03").<Long>getAs(EVENTS_7D)).isEqualTo(1L);
  }

  @Test
  void errorAndSlowRatesCountOnlyValidRequests() {
    Row row = byDate.get("2025-03-05");
    // valid: 200, 503, 200 (the 404 is the caller's); good: 2 of 3; fast (<= 500 ms): 100, 50 -> 2 of 3
    assertThat(row.<Long>getAs(REQUESTS_28D)).isEqualTo(4L);
    assertThat(row.<Double>getAs(ERROR_RATE_7D)).isCloseTo(1.0 / 3, within(1e-9));
    assertThat(row.<Double>getAs(SLOW_RATE_28D)).isCloseTo(1.0 / 3, within(1e-9));
    assertThat(byDate.get("2025-03-03").<Object>getAs(ERROR_RATE_7D)).as("no requests, no rate").isNull();
  }

  @Test
  void ticketsAndInvoicesAreSeenAsTheyWereAtTheEndOfTheDay() {
    assertThat(byDate.get("2025-03-03").<Long>getAs(OPEN_TICKETS)).isEqualTo(1L);
    assertThat(byDate.get("2025-03-04").<Long>getAs(OPEN_TICKETS)).isZero();
    assertThat(byDate.get("2025-03-03").<Long>getAs(BAD_CSAT_90D)).isZero();
    assertThat(byDate.get("2025-03-04").<Long>getAs(BAD_CSAT_90D)).isEqualTo(1L);
    assertThat(byDate.get("2025-03-05").<Long>getAs(TICKETS_28D)).isEqualTo(1L);
    assertThat(byDate.get("2025-03-05").<Long>getAs(HIGH_PRIORITY_TICKETS_90D)).isEqualTo(1L);

    assertThat(byDate.values()).allSatisfy(r -> assertThat(r.<Long>getAs(FAILED_PAYMENTS_90D)).isEqualTo(1L));
    assertThat(byDate.get("2025-03-04").<Long>getAs(PAST_DUE_INVOICES)).isEqualTo(1L);
    assertThat(byDate.get("2025-03-05").<Long>getAs(PAST_DUE_INVOICES)).isZero();
    // on 03-04 i1 both failed in 90 days and is past due: one invoice with a billing problem
    assertThat(byDate.get("2025-03-04").<Long>getAs(CustomerFeatures.BILLING_ISSUE_INVOICES)).isEqualTo(1L);
  }
}
