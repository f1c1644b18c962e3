package dev.anshin.jobs.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.features.sources.Quarantine;
import dev.anshin.jobs.cli.AnshinException;
import dev.anshin.jobs.cli.ExitCodes;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.testing.SparkTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ingest on hand-written exports in the default layout: CSV snapshots and daily JSON lines. */
class IngestStepTest extends SparkTestBase {

  private static final LocalDate DAY1 = LocalDate.parse("2025-03-01");
  private static final LocalDate DAY2 = LocalDate.parse("2025-03-02");

  private Path sources;

  @BeforeAll
  void writeSources() throws IOException {
    sources = scratch.resolve("sources");
    write("accounts.csv", """
        account_id,name,segment,industry,region,created_at,seats,csm_owner
        a1,"Acme, Inc.",mid,retail,emea,2024-01-01T00:00:00Z,10,csm1
        a2,Beta,smb,media,apac,2024-02-01T00:00:00Z,5,csm2
        a3,Gamma,huge,media,apac,2024-02-01T00:00:00Z,5,csm2
        a4,Delta,smb,media
        """);
    // the file's header says `interval`, mapped to billing_interval by the default configuration
    write("subscriptions.csv", """
        subscription_id,account_id,plan,seats,mrr,currency,interval,started_at,ended_at,cancel_reason
        s1,a1,team,10,100.00,USD,monthly,2024-01-01,,
        s2,a2,starter,5,25.50,USD,annual,2024-02-01,,
        s3,zz,starter,5,25.50,USD,annual,2024-02-01,,
        """);
    write("invoices.csv", """
        invoice_id,account_id,subscription_id,amount,currency,period_start,period_end,issued_at,status,failed_attempts,paid_at
        i1,a1,s1,100.00,USD,2025-03-01,2025-03-31,2025-03-01T00:00:00Z,paid,0,2025-03-01T01:00:00Z
        i2,a1,s1,-100.00,USD,2025-03-01,2025-03-31,2025-03-01T00:00:00Z,paid,0,2025-03-01T01:00:00Z
        """);
    write("usage/date=2025-03-01/events.jsonl", """
        {"event_id":"e1","account_id":"a1","user_id":"u1","event_time":"2025-03-01T10:00:00Z","event_name":"login"}
        {"event_id":"e2","account_id":"a1","user_id":"u2","event_time":"2025-03-01T11:00:00Z","event_name":"login"}
        {"event_id":"e2","account_id":"a1","user_id":"u2","event_time":"2025-03-01T11:00:00Z","event_name":"login"}
        {"event_id":"e3","account_id":"a1",
        """);
    write("usage/date=2025-03-02/events.jsonl", """
        {"event_id":"e4","account_id":"a2","user_id":"u9","event_time":"2025-03-02T00:00:00Z","event_name":"login"}
        {"event_id":"e5","account_id":"a2","user_id":"u9","event_time":"2025-03-03T00:00:00Z","event_name":"login"}
        """);
    write("requests/date=2025-03-01/requests.jsonl", """
        {"request_id":"r1","request_time":"2025-03-01T10:00:00Z","account_id":"a1","route":"/v1/x","status":200,"latency_ms":120.5}
        {"request_id":"r2","request_time":"2025-03-01T10:00:01Z","account_id":"a1","route":"/v1/x","status":503,"latency_ms":30}
        """);
    write("requests/date=2025-03-02/requests.jsonl", "");
    write("tickets/date=2025-03-01/tickets.jsonl", """
        {"ticket_id":"t1","account_id":"a1","created_at":"2025-03-01T09:00:00Z","first_reply_at":null,"solved_at":null,"priority":"high","channel":"email","category":"billing","satisfaction":null,"reopens":0,"agent_replies":0,"handle_minutes":null}
        """);
    write("tickets/date=2025-03-02/tickets.jsonl", "");
  }

  private void write(String relative, String text) throws IOException {
    Path file = sources.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private PipelineContext context(Path lakehouse) {
    return new PipelineContext(spark, AnshinConfig.load(null).withLocations(lakehouse, sources));
  }

  private Map<String, Long> quarantineCounts(PipelineContext context) {
    return context.lakehouse().read(Quarantine.TABLE).collectAsList().stream()
        .collect(Collectors.groupingBy(
            r -> r.<String>getAs(Quarantine.SOURCE) + "/" + r.<String>getAs(Quarantine.REASON_CODE), Collectors.counting()));
  }

  @Test
  void keepsGoodRowsQuarantinesBadOnesAndRerunsChangeNothing() {
    PipelineContext context = context(scratch.resolve("lakehouse-rerun"));
    IngestStep.Summary first = IngestStep.run(context, DAY1, DAY2);

    assertThat(first.written())
        .containsEntry("accounts", 2L)
        .containsEntry("subscriptions", 2L)
        .containsEntry("invoices", 1L)
        .containsEntry("usage_events", 3L)
        .containsEntry("api_requests", 2L)
        .containsEntry("tickets", 1L);
    assertThat(quarantineCounts(context))
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "accounts/invalid_value", 1L,
            "accounts/malformed_record", 1L,
            "subscriptions/unknown_account", 1L,
            "invoices/negative_amount", 1L,
            "usage_events/duplicate_id", 1L,
            "usage_events/malformed_record", 1L,
            "usage_events/timestamp_out_of_range", 1L));
    Row malformed =
        context.lakehouse().read(Quarantine.TABLE).filter("reason_code = 'malformed_record' AND source = 'usage_events'").first();
    assertThat(malformed.<String>getAs(Quarantine.RAW_RECORD)).isEqualTo("{\"event_id\":\"e3\",\"account_id\":\"a1\",");
    assertThat(malformed.<java.sql.Date>getAs(Quarantine.RUN_DATE)).isEqualTo(date("2025-03-01"));
    assertThat(context.lakehouse().read("subscriptions").filter("subscription_id = 's1'").first().<String>getAs("billing_interval"))
        .isEqualTo("monthly");
    // account_daily: a1 on day 1 (events, requests, a ticket), a2 on day 2
    assertThat(context.lakehouse().read("account_daily").count()).isEqualTo(2);

    Map<String, Long> tablesBefore = rowCounts(context);
    IngestStep.Summary again = IngestStep.run(context, DAY1, DAY2);
    assertThat(rowCounts(context)).isEqualTo(tablesBefore);
    assertThat(again.rejected()).isEqualTo(first.rejected());
  }

  private Map<String, Long> rowCounts(PipelineContext context) {
    return context.lakehouse().tables().stream()
        .collect(Collectors.toMap(t -> t, t -> context.lakehouse().read(t).count()));
  }

  @Test
  void aMissingDayStopsTheRunBeforeAnythingIsWritten() {
    Path lakehouse = scratch.resolve("lakehouse-missing");
    PipelineContext context = context(lakehouse);
    assertThatThrownBy(() -> IngestStep.run(context, DAY1, LocalDate.parse("2025-03-03")))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("source usage_events is missing")
        .hasMessageContaining("usage/date=2025-03-03")
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.NO_INPUT));
    assertThat(context.lakehouse().tables()).isEmpty();
  }
}
