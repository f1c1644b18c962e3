package dev.anshin.jobs.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.features.sources.Quarantine;
import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
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

/** Ingest on hand-written exports in the default layout: daily CSV change files and daily JSON lines. */
class IngestStepTest extends SparkTestBase {

  private static final LocalDate DAY1 = LocalDate.parse("2025-03-01");
  private static final LocalDate DAY2 = LocalDate.parse("2025-03-02");

  private Path sources;

  @BeforeAll
  void writeSources() throws IOException {
    sources = scratch.resolve("sources");
    write("accounts/date=2025-03-01/accounts.csv", """
        account_id,name,segment,industry,region,created_at,seats,csm_owner
        a1,"Acme, Inc.",mid,retail,emea,2024-01-01T00:00:00Z,10,csm1
        a2,Beta,smb,media,apac,2024-02-01T00:00:00Z,5,csm2
        a3,Gamma,huge,media,apac,2024-02-01T00:00:00Z,5,csm2
        a4,Delta,smb,media
        """);
    // a1 moves to enterprise; a5, whose subscription came a day earlier, reaches the CRM export
    write("accounts/date=2025-03-02/accounts.csv", """
        account_id,name,segment,industry,region,created_at,seats,csm_owner
        a1,"Acme, Inc.",enterprise,retail,emea,2024-01-01T00:00:00Z,10,csm1
        a5,Epsilon,smb,media,apac,2025-03-01T00:00:00Z,3,csm2
        """);
    // the file's header says `interval`, mapped to billing_interval by the default configuration;
    // zz never reaches the CRM, a5 does a day later
    write("subscriptions/date=2025-03-01/subscriptions.csv", """
        subscription_id,account_id,plan,seats,mrr,currency,interval,started_at,ended_at,cancel_reason
        s1,a1,team,10,100.00,USD,monthly,2024-01-01,,
        s2,a2,starter,5,25.50,USD,annual,2024-02-01,,
        s3,zz,starter,5,25.50,USD,annual,2024-02-01,,
        s4,a5,starter,3,15.00,USD,monthly,2025-03-01,,
        """);
    // s1's cancellation is recorded before it takes effect
    write("subscriptions/date=2025-03-02/subscriptions.csv", """
        subscription_id,account_id,plan,seats,mrr,currency,interval,started_at,ended_at,cancel_reason
        s1,a1,team,10,100.00,USD,monthly,2024-01-01,2025-03-20,voluntary
        """);
    write("invoices/date=2025-03-01/invoices.csv", """
        invoice_id,account_id,subscription_id,amount,currency,period_start,period_end,issued_at,status,failed_attempts,paid_at
        i1,a1,s1,100.00,USD,2025-03-01,2025-03-31,2025-03-01T00:00:00Z,paid,0,2025-03-01T01:00:00Z
        i2,a1,s1,-100.00,USD,2025-03-01,2025-03-31,2025-03-01T00:00:00Z,paid,0,2025-03-01T01:00:00Z
        """);
    write("invoices/date=2025-03-02/invoices.csv", """
        invoice_id,account_id,subscription_id,amount,currency,period_start,period_end,issued_at,status,failed_attempts,paid_at
        """);
    write("usage/date=2025-03-01/events.jsonl", """
        {"event_id":"e1","account_id":"a1","user_id":"u1","event_time":"2025-03-01T10:00:00Z","event_name":"login"}
        {"event_id":"e2","account_id":"a1","user_id":"u2","event_time":"2025-03-01T11:00:00Z","event_name":"login"}
        {"event_id":"e2","account_id":"a1","user_id":"u2","event_time":"2025-03-01T11:00:00Z","event_name":"login"}
        {"event_id":"e3","account_id":"a1",
        """);
    // e5 lies in the future of its file; e6 arrives two days late; e8 is 30 days late
    write("usage/date=2025-03-02/events.jsonl", """
        {"event_id":"e4","account_id":"a2","user_id":"u9","event_time":"2025-03-02T00:00:00Z","event_name":"login"}
        {"event_id":"e5","account_id":"a2","user_id":"u9","event_time":"2025-03-03T00:00:00Z","event_name":"login"}
        {"event_id":"e6","account_id":"a2","user_id":"u9","event_time":"2025-02-28T12:00:00Z","event_name":"login"}
        {"event_id":"e7","account_id":"a5","user_id":"u7","event_time":"2025-03-02T08:00:00Z","event_name":"login"}
        {"event_id":"e8","account_id":"a2","user_id":"u9","event_time":"2025-01-31T12:00:00Z","event_name":"login"}
        """);
    write("requests/date=2025-03-01/requests.jsonl", """
        {"request_id":"r1","request_time":"2025-03-01T10:00:00Z","account_id":"a1","route":"/v1/x","status":200,"latency_ms":120.5}
        {"request_id":"r2","request_time":"2025-03-01T10:00:01Z","account_id":"a1","route":"/v1/x","status":503,"latency_ms":30}
        """);
    write("requests/date=2025-03-02/requests.jsonl", "");
    write("tickets/date=2025-03-01/tickets.jsonl", """
        {"ticket_id":"t1","account_id":"a1","created_at":"2025-03-01T09:00:00Z","first_reply_at":null,"solved_at":null,"priority":"high","channel":"email","category":"billing","satisfaction":null,"reopens":0,"agent_replies":0,"handle_minutes":null}
        """);
    // t1 again, now solved: a new version, not a duplicate
    write("tickets/date=2025-03-02/tickets.jsonl", """
        {"ticket_id":"t1","account_id":"a1","created_at":"2025-03-01T09:00:00Z","first_reply_at":"2025-03-01T10:00:00Z","solved_at":"2025-03-02T09:00:00Z","priority":"high","channel":"email","category":"billing","satisfaction":"offered","reopens":0,"agent_replies":1,"handle_minutes":12.5}
        """);
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
  void keepsGoodRowsAndEveryVersionQuarantinesBadOnesAndRerunsChangeNothing() {
    PipelineContext context = context(scratch.resolve("lakehouse-rerun"));
    IngestStep.Summary first = IngestStep.ingest(context, DAY1, DAY2);

    // accounts: a1, a2 and then a1 again and a5; subscriptions: s1, s2, s1 cancelled, and s4
    // entering on day 2 with its account; usage: e1, e2, then e4, the late e6 and e7
    assertThat(first.written())
        .containsEntry("accounts", 4L)
        .containsEntry("subscriptions", 4L)
        .containsEntry("invoices", 1L)
        .containsEntry("usage_events", 5L)
        .containsEntry("api_requests", 2L)
        .containsEntry("tickets", 2L);
    assertThat(quarantineCounts(context))
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "accounts/invalid_value", 1L,
            "accounts/malformed_record", 1L,
            "invoices/negative_amount", 1L,
            "usage_events/duplicate_id", 1L,
            "usage_events/malformed_record", 1L,
            "usage_events/timestamp_out_of_range", 1L,
            "usage_events/too_late", 1L));
    Row malformed =
        context.lakehouse().read(Quarantine.TABLE).filter("reason_code = 'malformed_record' AND source = 'usage_events'").first();
    assertThat(malformed.<String>getAs(Quarantine.RAW_RECORD)).isEqualTo("{\"event_id\":\"e3\",\"account_id\":\"a1\",");
    assertThat(malformed.<java.sql.Date>getAs(Quarantine.RUN_DATE)).isEqualTo(date("2025-03-01"));
    // s3 waits for its account (7 days by default); s4 waited one day and entered with a5
    assertThat(context.lakehouse().read("held_rows").select("record").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .hasSize(2).anySatisfy(r -> assertThat(r).contains("s3")).anySatisfy(r -> assertThat(r).contains("s4"));
    Row s4 = context.lakehouse().read("subscriptions").filter("subscription_id = 's4'").first();
    assertThat(s4.<java.sql.Date>getAs("delivered_on")).isEqualTo(date("2025-03-02"));
    assertThat(s4.<java.math.BigDecimal>getAs("mrr")).isEqualByComparingTo("15.00");
    assertThat(context.lakehouse().read("subscriptions").filter("subscription_id = 's1'").orderBy("delivered_on")
            .collectAsList())
        .extracting(r -> r.<Object>getAs("ended_at"))
        .containsExactly(null, date("2025-03-20"));
    // account_daily, by account, activity day and delivery day: a1 on day 1 (events, requests and
    // a ticket), a2 on day 2 and its late event of 02-28, a5 on day 2
    assertThat(context.lakehouse().read("account_daily").orderBy("account_id", "activity_date").collectAsList())
        .extracting(r -> r.getAs("account_id") + " " + r.getAs("activity_date") + " " + r.getAs("delivered_on")
            + " " + r.getAs("events") + " " + r.getAs("tickets_opened"))
        .containsExactly(
            "a1 2025-03-01 2025-03-01 2 1", "a2 2025-02-28 2025-03-02 1 0", "a2 2025-03-02 2025-03-02 1 0",
            "a5 2025-03-02 2025-03-02 1 0");

    Map<String, Long> tablesBefore = rowCounts(context);
    IngestStep.Summary again = IngestStep.ingest(context, DAY1, DAY2);
    assertThat(rowCounts(context)).isEqualTo(tablesBefore);
    assertThat(again.rejected()).isEqualTo(first.rejected());

    // One day at a time writes what the range wrote.
    PipelineContext daily = context(scratch.resolve("lakehouse-daily"));
    IngestStep.ingest(daily, DAY1, DAY1);
    IngestStep.ingest(daily, DAY2, DAY2);
    assertThat(dev.anshin.jobs.io.LakehouseComparison.compare(context.lakehouse(), daily.lakehouse()))
        .allSatisfy(d -> assertThat(d.same()).as(d.toString()).isTrue());
  }

  @Test
  void aRowWhoseAccountNeverComesIsQuarantinedWhenItsWaitEnds() throws IOException {
    Path conf = scratch.resolve("lateness-1.conf");
    Files.writeString(conf, "anshin.ingest.lateness-days = 1\n");
    PipelineContext context =
        new PipelineContext(spark, AnshinConfig.load(conf).withLocations(scratch.resolve("lakehouse-lateness"), sources));
    IngestStep.ingest(context, DAY1, DAY2);
    Row expired = context.lakehouse().read(Quarantine.TABLE).filter("reason_code = 'unknown_account'").first();
    assertThat(expired.<String>getAs(Quarantine.SOURCE)).isEqualTo("subscriptions");
    assertThat(expired.<String>getAs(Quarantine.RAW_RECORD)).startsWith("s3,zz,");
    assertThat(expired.<java.sql.Date>getAs(Quarantine.RUN_DATE)).isEqualTo(date("2025-03-02"));
    assertThat(context.lakehouse().read("subscriptions").filter("subscription_id = 's4'").count()).isEqualTo(1);
  }

  private Map<String, Long> rowCounts(PipelineContext context) {
    return context.lakehouse().tables().stream()
        .collect(Collectors.toMap(t -> t, t -> context.lakehouse().read(t).count()));
  }

  @Test
  void aMissingDayStopsTheRunBeforeAnythingIsWritten() {
    Path lakehouse = scratch.resolve("lakehouse-missing");
    PipelineContext context = context(lakehouse);
    assertThatThrownBy(() -> IngestStep.ingest(context, DAY1, LocalDate.parse("2025-03-03")))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("source accounts is missing")
        .hasMessageContaining("accounts/date=2025-03-03")
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.NO_INPUT));
    assertThat(context.lakehouse().tables()).isEmpty();
  }

  @Test
  void aSourceThatFailsKeepsTheRejectionsFoundBeforeItAndTheRunLogSaysWhatFailed() throws IOException {
    // The tickets export of the day is not the Parquet file the configuration says it is.
    write("broken/date=2025-03-01/part-0.parquet", "this is not a Parquet file");
    Path conf = scratch.resolve("broken-tickets.conf");
    Files.writeString(conf, "anshin.sources.tickets { format = parquet, path = \"broken/date={date}\" }\n");
    Path lakehouse = scratch.resolve("lakehouse-broken");
    int exit = dev.anshin.jobs.cli.AnshinCli.run("ingest", "--date", DAY1.toString(), "--conf", conf.toString(),
        "--lakehouse", lakehouse.toString(), "--sources", sources.toString());
    // A file that is not what its format says is bad data, not a bug.
    assertThat(exit).isEqualTo(ExitCodes.DATA_ERROR);

    // Every source before tickets was ingested, and its rejections are kept: day 1's bad rows of the
    // files above (a3's segment, a4's missing fields, i2's negative amount, e2 twice, e3 cut short;
    // s3 and s4 wait for their accounts, tickets had none).
    PipelineContext broken = context(lakehouse);
    assertThat(quarantineCounts(broken)).isEqualTo(Map.of(
        "accounts/invalid_value", 1L,
        "accounts/malformed_record", 1L,
        "invoices/negative_amount", 1L,
        "usage_events/duplicate_id", 1L,
        "usage_events/malformed_record", 1L));

    // The run log was written although the command failed: which step failed, with its error.
    Map<String, Row> log = broken.lakehouse().read(PipelineContext.RUN_LOG).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.<String>getAs("step"), r -> r));
    assertThat(log.get("ingest accounts").<String>getAs("outcome")).isEqualTo("succeeded");
    assertThat(log.get("ingest tickets").<String>getAs("outcome")).isEqualTo("failed");
    assertThat(log.get("ingest tickets").<String>getAs("error")).isNotBlank();
    assertThat(log.get("ingest").<String>getAs("outcome")).isEqualTo("failed");
    assertThat(log).doesNotContainKey("rollup account_daily");
  }
}
