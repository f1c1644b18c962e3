package dev.anshin.demo.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.demo.generate.World.Account;
import dev.anshin.demo.generate.World.Invoice;
import dev.anshin.demo.generate.World.Subscription;
import dev.anshin.demo.generate.World.Ticket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The day-by-day delivery checked against the world's story: each change file holds the rows that
 * changed that day in their state at the end of the day, the last version of each row is the
 * world's state at the export, events are late by the share asked for, and CRM-lagged accounts
 * arrive after their first rows. Checked on the files of a tiny world and, for the rarer cases, on
 * the rows planned for a larger world (the same rows the writer writes, without the traffic).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeliveryTest {
  static final WorldSettings TINY = WorldGeneratorTest.TINY.withDirty(false);
  /**
   * A tiny world with a CRM-lagged account that starts paying, and using the product, on its created
   * day (a weekday). Such accounts are rare: new accounts mostly start with a trial without usage.
   */
  static final WorldSettings LAGGED = new WorldSettings(30, 60, 65, LocalDate.of(2025, 3, 1), 90, false);
  static final WorldSettings LARGE = new WorldSettings(1000, 240, 5, LocalDate.of(2025, 1, 1), 90, false);

  @TempDir static Path scratch;
  World tiny;
  Map<String, List<Delivered>> tinyFiles;
  Map<String, List<Delivered>> onTimeFiles;
  World large;
  Map<String, List<Delivered>> largePlan;

  /** A row as delivered: the day of the file it came in, and its values by the file's column names. */
  record Delivered(LocalDate day, Map<String, String> row) {
    String get(String column) {
      return row.get(column);
    }

    int integer(String column) {
      return Integer.parseInt(row.get(column));
    }

    Instant instant(String column) {
      return row.get(column) == null ? null : Instant.parse(row.get(column));
    }
  }

  @BeforeAll
  void deliver() throws IOException {
    tiny = WorldGenerator.simulate(TINY);
    tinyFiles = read(WorldGeneratorTest.writeWorld(TINY, scratch.resolve("tiny")), TINY);
    onTimeFiles =
        read(WorldGeneratorTest.writeWorld(TINY.withLateShare(0), scratch.resolve("on-time")), TINY);
    large = WorldGenerator.simulate(LARGE);
    largePlan = plan(large);
  }

  @Test
  void everyDayHasEveryFileWithTheContractsColumns() throws IOException {
    Path root = scratch.resolve("tiny");
    Set<String> expected = new TreeSet<>();
    for (LocalDate day = TINY.start(); !day.isAfter(TINY.lastDay()); day = day.plusDays(1)) {
      expected.addAll(
          List.of(
              "accounts/date=" + day + "/accounts.csv",
              "subscriptions/date=" + day + "/subscriptions.csv",
              "invoices/date=" + day + "/invoices.csv",
              "usage/date=" + day + "/events.jsonl",
              "requests/date=" + day + "/requests.jsonl",
              "tickets/date=" + day + "/tickets.jsonl",
              "cs_activities/date=" + day + "/activities.csv",
              "help_center/date=" + day + "/views.jsonl"));
    }
    assertThat(SourceFilesTest.sourceFiles(root)).isEqualTo(expected);
    assertThat(root.resolve("accounts.csv")).doesNotExist();
    Map<String, String> headers =
        Map.of(
            "accounts", "account_id,name,segment,industry,region,created_at,seats,csm_owner",
            "subscriptions",
            "subscription_id,account_id,plan,seats,mrr,currency,interval,started_at,ended_at,cancel_reason",
            "invoices",
            "invoice_id,account_id,subscription_id,amount,currency,period_start,period_end,issued_at,status,"
                + "failed_attempts,paid_at",
            "cs_activities", "activity_id,account_id,activity_time,activity_type,owner");
    int emptyCsv = 0;
    for (String file : expected) {
      List<String> lines = Files.readAllLines(root.resolve(file));
      if (file.endsWith(".csv")) {
        // A CSV file always has its header, also when nothing changed that day.
        assertThat(lines.get(0)).as(file).isEqualTo(headers.get(file.substring(0, file.indexOf('/'))));
        emptyCsv += lines.size() == 1 ? 1 : 0;
      }
    }
    assertThat(emptyCsv).as("days without any change of some CSV source").isPositive();
    assertThat(
            Files.readAllLines(root.resolve("help_center/date=" + TINY.start().plusDays(40) + "/views.jsonl")))
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith("{\"view_id\":\"hcv-")
                    .contains("\"user_id\":\"u-", "\"view_time\":", "\"article_id\":\"kb-",
                        "\"article_title\":", "\"category\":"));
    assertThat(Files.readAllLines(root.resolve("tickets/date=" + TINY.start().plusDays(40) + "/tickets.jsonl")))
        .allSatisfy(
            line ->
                assertThat(line)
                    .startsWith("{\"ticket_id\":")
                    .contains("\"created_at\":", "\"first_reply_at\":", "\"solved_at\":", "\"satisfaction\":",
                        "\"reopens\":", "\"agent_replies\":", "\"handle_minutes\":"));
  }

  @Test
  void theFirstFileIsTheInitialExportAndEveryIdIsOncePerFile() {
    for (Map<String, List<Delivered>> delivered : List.of(tinyFiles, largePlan)) {
      for (Map.Entry<String, List<Delivered>> source : delivered.entrySet()) {
        String id = SourceTable.byName(source.getKey()).idColumn();
        Set<String> seen = new HashSet<>();
        for (Delivered row : source.getValue()) {
          assertThat(seen.add(row.day() + "/" + row.get(id))).as("%s once per file", row.row()).isTrue();
        }
      }
    }
    // The first file holds every account created before the start, every subscription running at
    // the end of the first day and every invoice issued before.
    WorldSettings settings = large.settings();
    Set<String> firstAccounts = ids(largePlan.get("accounts"), "account_id", settings.start());
    assertThat(large.accounts().stream().filter(a -> day(a.createdAt()).isBefore(settings.start())))
        .allSatisfy(a -> assertThat(firstAccounts).contains(a.id()))
        .isNotEmpty();
    Set<String> firstSubscriptions = ids(largePlan.get("subscriptions"), "subscription_id", settings.start());
    for (Subscription s : large.subscriptions()) {
      assertThat(firstSubscriptions.contains(s.id())).as(s.id()).isEqualTo(!s.startedAt().isAfter(settings.start()));
    }
    Set<String> firstInvoices = ids(largePlan.get("invoices"), "invoice_id", settings.start());
    assertThat(large.invoices().stream().filter(i -> day(i.issuedAt()).isBefore(settings.start())))
        .allSatisfy(i -> assertThat(firstInvoices).contains(i.id()))
        .isNotEmpty();
  }

  @Test
  void noRowShowsATimeAfterTheEndOfItsFilesDay() {
    for (Map<String, List<Delivered>> delivered : List.of(tinyFiles, largePlan)) {
      for (Map.Entry<String, List<Delivered>> source : delivered.entrySet()) {
        SourceTable table = SourceTable.byName(source.getKey());
        List<String> times =
            table.columns().stream()
                .filter(c -> c.type().equals(org.apache.spark.sql.types.DataTypes.TimestampType))
                .map(SourceTable.Column::name)
                .toList();
        for (Delivered row : source.getValue()) {
          Instant end = endOf(row.day());
          for (String column : times) {
            Instant time = row.instant(column);
            if (time != null && !time.isBefore(end)) {
              throw new AssertionError(column + " after the end of " + row.day() + ": " + row.row());
            }
          }
        }
      }
    }
  }

  @Test
  void ticketVersionsFollowTheTicketsStory() {
    checkTickets(tiny, tinyFiles.get("tickets"));
    checkTickets(large, largePlan.get("tickets"));
  }

  void checkTickets(World world, List<Delivered> delivered) {
    Instant export = endOf(world.settings().lastDay());
    Map<String, List<Delivered>> versions = byId(delivered, "ticket_id");
    int reopened = 0;
    int ratedLater = 0;
    for (Ticket t : world.tickets()) {
      List<Delivered> ticket = versions.remove(t.id());
      if (!t.createdAt().isBefore(export)) {
        assertThat(ticket).as(t.id()).isNull();
        continue;
      }
      assertThat(ticket).as(t.id()).isNotNull();
      // The first version is in the file of the created day, with nothing done yet.
      Delivered first = ticket.get(0);
      assertThat(first.day()).isEqualTo(day(t.createdAt()));
      Delivered previous = null;
      for (Delivered v : ticket) {
        assertThat(v.get("account_id")).isEqualTo(t.accountId());
        assertThat(v.instant("created_at")).isEqualTo(seconds(t.createdAt()));
        assertThat(List.of(v.get("priority"), v.get("channel"), v.get("category")))
            .isEqualTo(List.of(t.priority(), t.channel(), t.category()));
        assertThat(v.integer("reopens")).isBetween(0, t.reopens());
        assertThat(v.integer("agent_replies")).isBetween(0, t.agentReplies());
        assertThat(Double.parseDouble(v.get("handle_minutes"))).isBetween(0.0, t.handleMinutes());
        String satisfaction = v.get("satisfaction");
        boolean everSolved = v.get("solved_at") != null || v.integer("reopens") > 0;
        if (t.satisfaction().equals("unoffered") || !everSolved) {
          assertThat(satisfaction).as("%s on %s", t.id(), v.day()).isEqualTo("unoffered");
        } else {
          assertThat(satisfaction).isIn("offered", t.satisfaction());
        }
        if (previous != null) {
          assertThat(v.day()).as(t.id()).isAfter(previous.day());
          assertThat(v.integer("reopens")).isGreaterThanOrEqualTo(previous.integer("reopens"));
          assertThat(v.integer("agent_replies")).isGreaterThanOrEqualTo(previous.integer("agent_replies"));
          assertThat(Double.parseDouble(v.get("handle_minutes")))
              .isGreaterThanOrEqualTo(Double.parseDouble(previous.get("handle_minutes")));
          // Each later version is in the file of the day of a change: a reply, a solve, a reopen or
          // the rating.
          boolean replied = previous.get("first_reply_at") == null && v.get("first_reply_at") != null;
          boolean solved = v.get("solved_at") != null && !v.get("solved_at").equals(previous.get("solved_at"));
          boolean reopen = v.integer("reopens") > previous.integer("reopens");
          boolean rated = isRating(satisfaction) && !isRating(previous.get("satisfaction"));
          assertThat(replied || solved || reopen || rated).as("%s changes on %s", t.id(), v.day()).isTrue();
          if (replied) {
            assertThat(day(v.instant("first_reply_at"))).isEqualTo(v.day());
          }
          if (solved) {
            assertThat(day(v.instant("solved_at"))).isEqualTo(v.day());
          }
          if (reopen) {
            reopened++;
            // A reopen clears solved_at, unless the ticket was solved again that same day.
            assertThat(v.get("solved_at") == null || solved).as("%s reopened on %s", t.id(), v.day()).isTrue();
          }
          if (rated) {
            // The rating arrives 0-3 days after the final solve.
            assertThat(v.instant("solved_at")).isEqualTo(seconds(t.solvedAt()));
            assertThat(ChronoUnit.DAYS.between(day(t.solvedAt()), v.day())).isBetween(0L, 3L);
            ratedLater += v.day().isAfter(day(t.solvedAt())) ? 1 : 0;
          }
        }
        previous = v;
      }
      // The last version: the world's final ticket as far as it is known at the export.
      Delivered last = ticket.get(ticket.size() - 1);
      assertThat(last.instant("first_reply_at"))
          .isEqualTo(t.firstReplyAt().isBefore(export) ? seconds(t.firstReplyAt()) : null);
      if (t.solvedAt().isBefore(export)) {
        assertThat(last.instant("solved_at")).isEqualTo(seconds(t.solvedAt()));
        assertThat(last.integer("reopens")).isEqualTo(t.reopens());
        assertThat(last.integer("agent_replies")).isEqualTo(t.agentReplies());
        assertThat(Double.parseDouble(last.get("handle_minutes"))).isEqualTo(t.handleMinutes());
        if (t.solvedAt().plus(3, ChronoUnit.DAYS).isBefore(export)) {
          assertThat(last.get("satisfaction")).isEqualTo(t.satisfaction());
        }
      } else {
        assertThat(last.instant("solved_at")).isNotEqualTo(seconds(t.solvedAt()));
        assertThat(last.get("satisfaction")).isIn("unoffered", "offered");
      }
    }
    assertThat(versions).as("tickets the world does not have").isEmpty();
    if (world == large) {
      assertThat(reopened).as("reopens seen").isPositive();
      assertThat(ratedLater).as("ratings that arrive on a later day than the solve").isPositive();
    }
  }

  @Test
  void invoiceVersionsFollowThePaymentStory() {
    for (World world : List.of(tiny, large)) {
      Map<String, List<Delivered>> versions = byId((world == tiny ? tinyFiles : largePlan).get("invoices"), "invoice_id");
      WorldSettings settings = world.settings();
      Instant export = endOf(settings.lastDay());
      int withSeveralVersions = 0;
      for (Invoice invoice : world.invoices()) {
        List<Delivered> rows = versions.remove(invoice.id());
        if (!invoice.issuedAt().isBefore(export)) {
          assertThat(rows).as(invoice.id()).isNull();
          continue;
        }
        // A version on the issue day (the first file for older invoices) and on each payment event.
        LocalDate first = later(day(invoice.issuedAt()), settings.start());
        TreeSet<LocalDate> days = new TreeSet<>(List.of(first));
        invoice.failedCharges().forEach(t -> days.add(later(day(t), first)));
        if (invoice.paidAt() != null) {
          days.add(later(day(invoice.paidAt()), first));
        }
        if (invoice.givenUpAt() != null) {
          days.add(later(day(invoice.givenUpAt()), first));
        }
        assertThat(rows.stream().map(Delivered::day).toList())
            .as(invoice.id())
            .isEqualTo(List.copyOf(days.headSet(settings.lastDay(), true)));
        withSeveralVersions += rows.size() > 1 ? 1 : 0;
        for (Delivered row : rows) {
          Instant end = endOf(row.day());
          boolean paid = invoice.paidAt() != null && invoice.paidAt().isBefore(end);
          boolean givenUp = invoice.givenUpAt() != null && invoice.givenUpAt().isBefore(end);
          assertThat(row.get("status")).as("%s on %s", invoice.id(), row.day())
              .isEqualTo(paid ? "paid" : givenUp ? "failed" : "open");
          assertThat(row.integer("failed_attempts"))
              .isEqualTo(invoice.failedCharges().stream().filter(t -> t.isBefore(end)).count());
          assertThat(row.instant("paid_at")).isEqualTo(paid ? seconds(invoice.paidAt()) : null);
          assertThat(row.instant("issued_at")).isEqualTo(seconds(invoice.issuedAt()));
        }
      }
      assertThat(versions).isEmpty();
      assertThat(withSeveralVersions).isPositive();
    }
  }

  @Test
  void subscriptionsAndInvoicesAreBilledInTheAccountsCurrencyAndConvertBackToTheWorldsDollars() {
    Map<String, Integer> byCurrency = new TreeMap<>();
    for (World world : List.of(tiny, large)) {
      Map<String, String> currency =
          world.accounts().stream().collect(Collectors.toMap(a -> a.id(), a -> a.currency()));
      Map<String, Long> dollars = new HashMap<>();
      Map<String, Integer> months = new HashMap<>();
      world.subscriptions().forEach(s -> {
        dollars.put(s.id(), s.mrrCents());
        months.put(s.id(), s.interval().equals("annual") ? 12 : 1);
      });
      world.invoices().forEach(i -> {
        dollars.put(i.id(), i.amountCents());
        months.put(i.id(), months.get(i.subscriptionId()));
      });
      Map<String, List<Delivered>> files = world == tiny ? tinyFiles : largePlan;
      // An invoice charges exactly its months of the subscription's stated MRR, in any currency, as
      // the dollar world does (mrr_invoice_check finds them all in agreement).
      Map<String, java.math.BigDecimal> billedMrr = new HashMap<>();
      files.get("subscriptions").forEach(r -> billedMrr.put(r.get("subscription_id"), new java.math.BigDecimal(r.get("mrr"))));
      for (Delivered invoice : files.get("invoices")) {
        assertThat(new java.math.BigDecimal(invoice.get("amount"))).as(invoice.get("invoice_id"))
            .isEqualByComparingTo(billedMrr.get(invoice.get("subscription_id")).multiply(
                java.math.BigDecimal.valueOf(months.get(invoice.get("invoice_id")))));
      }
      for (String[] source : new String[][] {{"subscriptions", "subscription_id", "mrr"}, {"invoices", "invoice_id", "amount"}}) {
        for (Delivered row : files.get(source[0])) {
          String code = row.get("currency");
          assertThat(code).isEqualTo(currency.get(row.get("account_id")));
          byCurrency.merge(code, 1, Integer::sum);
          java.math.BigDecimal billed = new java.math.BigDecimal(row.get(source[2]));
          if (code.equals("JPY")) {
            assertThat(billed.stripTrailingZeros().scale()).as("whole yen").isLessThanOrEqualTo(0);
          }
          java.math.BigDecimal rate = code.equals("USD") ? java.math.BigDecimal.ONE : WorldGenerator.EXCHANGE_RATES.get(code);
          // What Anshin reports at the same constant rate, rounded half up to the cent, is the world's
          // dollars within a cent per month billed (each month's price is rounded in its currency).
          java.math.BigDecimal reported = billed.multiply(rate).setScale(2, java.math.RoundingMode.HALF_UP);
          String id = row.get(source[1]);
          assertThat(Math.abs(reported.movePointRight(2).longValueExact() - dollars.get(id)))
              .as("%s %s %s", id, billed, code).isLessThanOrEqualTo(months.get(id));
        }
      }
    }
    // EMEA bills in euros and pounds, a third of APAC in yen, the rest in dollars.
    assertThat(byCurrency).containsOnlyKeys("USD", "EUR", "GBP", "JPY");
    assertThat(byCurrency.get("USD")).isGreaterThan(byCurrency.get("EUR"));
    assertThat(byCurrency.get("EUR")).isGreaterThan(byCurrency.get("GBP"));
  }

  @Test
  void subscriptionsAreDeliveredWhenTheyStartAndWhenTheirEndIsRecorded() {
    int voluntary = 0;
    int noticeAhead = 0;
    for (World world : List.of(tiny, large)) {
      Map<String, List<Delivered>> versions =
          byId((world == tiny ? tinyFiles : largePlan).get("subscriptions"), "subscription_id");
      WorldSettings settings = world.settings();
      for (Subscription s : world.subscriptions()) {
        List<Delivered> rows = versions.remove(s.id());
        if (s.startedAt().isAfter(settings.lastDay())) {
          assertThat(rows).isNull();
          continue;
        }
        assertThat(rows.get(0).day()).isEqualTo(later(s.startedAt(), settings.start()));
        assertThat(rows).hasSizeBetween(1, 2);
        assertThat(rows).allSatisfy(r -> assertThat(r.get("seats")).isEqualTo(Integer.toString(s.seats())));
        Delivered recorded = rows.stream().filter(r -> r.get("ended_at") != null).findFirst().orElse(null);
        if (recorded == null) {
          // Not known at the export: still running, or ends (or is cancelled) after the last day.
          assertThat(s.endedAt() == null || s.endedAt().isAfter(settings.lastDay())).as(s.id()).isTrue();
          assertThat(rows).hasSize(1);
          continue;
        }
        assertThat(rows.get(rows.size() - 1)).isSameAs(recorded);
        assertThat(recorded.get("ended_at")).isEqualTo(s.endedAt().toString());
        assertThat(recorded.get("cancel_reason")).isEqualTo(s.cancelReason());
        if ("voluntary".equals(s.cancelReason())) {
          // Notice 0-30 days ahead, but not before the start of the row nor of the files.
          LocalDate earliest = later(later(s.endedAt().minusDays(30), s.startedAt()), settings.start());
          assertThat(recorded.day()).as(s.id()).isBetween(earliest, s.endedAt());
          voluntary++;
          noticeAhead += recorded.day().isBefore(s.endedAt()) ? 1 : 0;
        } else {
          // Involuntary ends and rows closed by a seat change are recorded when they happen.
          assertThat(recorded.day()).as(s.id()).isEqualTo(s.endedAt());
        }
      }
      assertThat(versions).isEmpty();
    }
    // With notice uniform over 0..30 days, about 30 in 31 are recorded before they take effect.
    assertThat(voluntary).isGreaterThan(50);
    assertThat((double) noticeAhead / voluntary).isGreaterThan(0.8);
  }

  @Test
  void accountsShowTheCrmAsOfEachDayAndSeatsFollowTheLicensedSeats() {
    for (World world : List.of(tiny, large)) {
      WorldSettings settings = world.settings();
      Map<String, List<Delivered>> versions = byId((world == tiny ? tinyFiles : largePlan).get("accounts"), "account_id");
      Map<String, List<Subscription>> main =
          world.subscriptions().stream().filter(s -> !s.addOn())
              .collect(Collectors.groupingBy(Subscription::accountId));
      for (Account account : world.accounts()) {
        List<Delivered> rows = versions.remove(account.id());
        LocalDate created = day(account.createdAt());
        LocalDate first = rows.get(0).day();
        boolean lagged = !created.isBefore(settings.start()) && first.equals(created.plusDays(1));
        assertThat(lagged || first.equals(later(created, settings.start()))).as(account.id()).isTrue();
        for (int i = 0; i < rows.size(); i++) {
          Delivered row = rows.get(i);
          assertThat(List.of(row.get("name"), row.get("industry"), row.get("region")))
              .isEqualTo(List.of(account.name(), account.industry(), account.region()));
          assertThat(row.instant("created_at")).isEqualTo(seconds(account.createdAt()));
          // The licensed seats: those of the latest main subscription started by that day.
          List<Subscription> started =
              main.getOrDefault(account.id(), List.of()).stream()
                  .filter(s -> !s.startedAt().isAfter(row.day()))
                  .sorted((a, b) -> a.startedAt().compareTo(b.startedAt()))
                  .toList();
          if (!started.isEmpty()) {
            assertThat(row.integer("seats")).as("%s on %s", account.id(), row.day())
                .isEqualTo(started.get(started.size() - 1).seats());
          }
          World.CrmVersion crm = account.crmOn(row.day());
          assertThat(List.of(row.get("segment"), row.get("csm_owner"))).isEqualTo(List.of(crm.segment(), crm.csmOwner()));
          if (i > 0) {
            Delivered before = rows.get(i - 1);
            assertThat(List.of(row.get("segment"), row.get("seats"), row.get("csm_owner")))
                .as("%s changes on %s", account.id(), row.day())
                .isNotEqualTo(List.of(before.get("segment"), before.get("seats"), before.get("csm_owner")));
            if (!row.get("segment").equals(before.get("segment"))) {
              assertThat(Set.of(row.get("segment"), before.get("segment"))).contains("mid");
            }
          }
        }
        // The CRM starts with the segment that drives the account's behaviour.
        assertThat(account.crm().get(0).segment()).isEqualTo(account.segment());
      }
      assertThat(versions).isEmpty();
    }
  }

  @Test
  void crmEditsHappenAtTheirRates() {
    WorldSettings settings = large.settings();
    Map<String, List<Delivered>> versions = byId(largePlan.get("accounts"), "account_id");
    long accountDays = 0;
    int reclassified = 0;
    int reassigned = 0;
    int eligible = 0;
    int lagged = 0;
    for (Account account : large.accounts()) {
      LocalDate created = day(account.createdAt());
      accountDays += ChronoUnit.DAYS.between(later(created.plusDays(1), settings.start()), settings.lastDay()) + 1;
      List<Delivered> rows = versions.get(account.id());
      for (int i = 1; i < rows.size(); i++) {
        reclassified += rows.get(i).get("segment").equals(rows.get(i - 1).get("segment")) ? 0 : 1;
        reassigned += rows.get(i).get("csm_owner").equals(rows.get(i - 1).get("csm_owner")) ? 0 : 1;
      }
      if (!created.isBefore(settings.start()) && created.isBefore(settings.lastDay())) {
        eligible++;
        lagged += rows.get(0).day().equals(created.plusDays(1)) ? 1 : 0;
      }
    }
    // Poisson counts: within four standard deviations of their means (4% and 10% a year).
    double expectedReclassified = accountDays * 0.04 / 365;
    double expectedReassigned = accountDays * 0.10 / 365;
    assertThat((double) reclassified)
        .isBetween(expectedReclassified - 4 * Math.sqrt(expectedReclassified),
            expectedReclassified + 4 * Math.sqrt(expectedReclassified));
    assertThat((double) reassigned)
        .isBetween(expectedReassigned - 4 * Math.sqrt(expectedReassigned),
            expectedReassigned + 4 * Math.sqrt(expectedReassigned));
    // 10% of the accounts created during the observed days (but the last) reach the CRM a day late.
    double share = (double) lagged / eligible;
    double sd = Math.sqrt(0.1 * 0.9 / eligible);
    assertThat(eligible).isGreaterThan(300);
    assertThat(share).isBetween(0.1 - 4 * sd, 0.1 + 4 * sd);
  }

  @Test
  void crmLaggedAccountsHaveRowsBeforeTheirAccountRow() throws IOException {
    Map<String, List<Delivered>> files = read(WorldGeneratorTest.writeWorld(LAGGED, scratch.resolve("lagged")), LAGGED);
    World world = WorldGenerator.simulate(LAGGED);
    int withEarlierRows = 0;
    for (Account account : world.accounts()) {
      LocalDate created = day(account.createdAt());
      LocalDate firstRow =
          files.get("accounts").stream().filter(r -> r.get("account_id").equals(account.id()))
              .map(Delivered::day).min(LocalDate::compareTo).orElseThrow();
      if (!firstRow.equals(created.plusDays(1))) {
        continue;
      }
      // Lagged: its subscriptions, events and requests are not held back.
      for (String source : List.of("subscriptions", "usage_events", "api_requests")) {
        assertThat(files.get(source).stream().filter(r -> r.get("account_id").equals(account.id())))
            .allSatisfy(r -> assertThat(r.day()).isAfterOrEqualTo(created));
      }
      boolean eventsBefore =
          files.get("usage_events").stream()
              .anyMatch(r -> r.get("account_id").equals(account.id()) && r.day().isBefore(firstRow));
      boolean subscriptionBefore =
          files.get("subscriptions").stream()
              .anyMatch(r -> r.get("account_id").equals(account.id()) && r.day().isBefore(firstRow));
      withEarlierRows += eventsBefore && subscriptionBefore ? 1 : 0;
    }
    assertThat(withEarlierRows).as("lagged accounts with a subscription and events before their CRM row").isPositive();
    // The same in the large world's plan: subscriptions delivered before their account's CRM row,
    // on a day the account is active (so its traffic is drawn that day too).
    Map<String, List<Delivered>> accounts = byId(largePlan.get("accounts"), "account_id");
    Map<String, Account> byAccountId =
        large.accounts().stream().collect(Collectors.toMap(Account::id, a -> a));
    int subscriptionFirst = 0;
    for (Delivered subscription : largePlan.get("subscriptions")) {
      Account account = byAccountId.get(subscription.get("account_id"));
      LocalDate firstRow = accounts.get(account.id()).get(0).day();
      if (subscription.day().isBefore(firstRow)) {
        assertThat(firstRow).isEqualTo(day(account.createdAt()).plusDays(1));
        int dayIndex = (int) ChronoUnit.DAYS.between(LARGE.start(), subscription.day());
        assertThat(large.accountDays().get(account.index()).engagement()[dayIndex]).isNotNaN();
        subscriptionFirst++;
      }
    }
    assertThat(subscriptionFirst).isPositive();
  }

  @Test
  void aShareOfEventsIsDelivered1To3DaysLateAndNoneWithoutLateness() {
    LocalDate last = TINY.lastDay();
    for (String source : List.of("usage_events", "api_requests")) {
      String time = source.equals("usage_events") ? "event_time" : "request_time";
      String id = source.equals("usage_events") ? "event_id" : "request_id";
      // --late-share 0: every row in its own day's file.
      assertThat(onTimeFiles.get(source)).isNotEmpty()
          .allSatisfy(r -> assertThat(day(r.instant(time))).isEqualTo(r.day()));
      // The default 2%: late rows keep their time and id, 1-3 days late. Rows of the last three days
      // that would arrive after the export are not written; among the days before, every row is.
      long rows = 0;
      long late = 0;
      long[] byDelay = new long[4];
      for (Delivered r : tinyFiles.get(source)) {
        long delay = ChronoUnit.DAYS.between(day(r.instant(time)), r.day());
        assertThat(delay).as("%s", r.row()).isBetween(0L, 3L);
        if (!day(r.instant(time)).isAfter(last.minusDays(3))) {
          rows++;
          late += delay > 0 ? 1 : 0;
          byDelay[(int) delay]++;
        }
      }
      // Binomial(rows, 0.02): within five standard deviations (about 30 rows in 1,000 here).
      double p = WorldSettings.DEFAULT_LATE_SHARE;
      assertThat((double) late).isBetween(rows * p - 5 * Math.sqrt(rows * p * (1 - p)),
          rows * p + 5 * Math.sqrt(rows * p * (1 - p)));
      // Each delay of 1, 2 or 3 days a third of the late rows, within five standard deviations.
      for (int delay = 1; delay <= 3; delay++) {
        assertThat((double) byDelay[delay]).isBetween(late / 3.0 - 5 * Math.sqrt(late * 2 / 9.0),
            late / 3.0 + 5 * Math.sqrt(late * 2 / 9.0));
      }
      // The same rows, byte for byte, only in other files: lateness does not change the content.
      Map<String, Map<String, String>> onTime = new HashMap<>();
      onTimeFiles.get(source).forEach(r -> onTime.put(r.get(id), r.row()));
      Set<String> delivered = new HashSet<>();
      for (Delivered r : tinyFiles.get(source)) {
        assertThat(r.row()).isEqualTo(onTime.get(r.get(id)));
        delivered.add(r.get(id));
      }
      onTime.keySet().removeAll(delivered);
      // What is missing is in flight at the export: from the last three days only.
      assertThat(onTime.values()).isNotEmpty()
          .allSatisfy(r -> assertThat(day(Instant.parse(r.get(time)))).isAfter(last.minusDays(3)));
    }
  }

  @Test
  void activitiesAndViewsAreDeliveredOnceInTheirDaysFileOrUpTo3DaysLate() throws IOException {
    // A high late share, so that even the tiny world's few views include late ones.
    WorldSettings lateOften = TINY.withLateShare(0.3);
    Map<String, List<Delivered>> files =
        read(WorldGeneratorTest.writeWorld(lateOften, scratch.resolve("late-often")), lateOften);
    LocalDate last = TINY.lastDay();
    Map<String, World.HelpCenterArticle> articles =
        tiny.articles().stream().collect(Collectors.toMap(World.HelpCenterArticle::id, a -> a));
    // What the world says each row is: every activity and view of the observed days, by id.
    Map<String, Map<String, String>> activities = new HashMap<>();
    for (World.CsActivity a : tiny.activities()) {
      if (!day(a.time()).isAfter(last)) {
        activities.put(a.id(), Map.of("activity_id", a.id(), "account_id", a.accountId(),
            "activity_time", a.time().toString(), "activity_type", a.type(), "owner", a.owner()));
      }
    }
    Map<String, Map<String, String>> views = new HashMap<>();
    for (World.HelpCenterView v : tiny.helpCenterViews()) {
      World.HelpCenterArticle article = articles.get(v.articleId());
      views.put(v.id(), Map.of("view_id", v.id(), "account_id", v.accountId(), "user_id", v.userId(),
          "view_time", v.time().toString(), "article_id", v.articleId(), "article_title", article.title(),
          "category", article.category()));
    }
    assertThat(activities).hasSizeGreaterThan(100);
    assertThat(views).isNotEmpty();
    for (String source : List.of("cs_activities", "help_center_views")) {
      Map<String, Map<String, String>> expected = source.equals("cs_activities") ? activities : views;
      String id = SourceTable.byName(source).idColumn();
      String time = SourceTable.byName(source).eventTimeColumn().orElseThrow();
      // --late-share 0: exactly the world's rows, each in its own day's file.
      Map<String, Map<String, String>> onTime = new HashMap<>();
      for (Delivered r : onTimeFiles.get(source)) {
        assertThat(day(r.instant(time))).isEqualTo(r.day());
        assertThat(onTime.put(r.get(id), normalised(r.row(), time))).as("%s once", r.get(id)).isNull();
      }
      assertThat(onTime).as(source).isEqualTo(expected);
      // 30% late: the same rows, 1-3 days late; only those due after the export are missing.
      long rows = 0;
      long late = 0;
      Set<String> delivered = new HashSet<>();
      for (Delivered r : files.get(source)) {
        assertThat(normalised(r.row(), time)).isEqualTo(expected.get(r.get(id)));
        assertThat(delivered.add(r.get(id))).as("%s once", r.get(id)).isTrue();
        long delay = ChronoUnit.DAYS.between(day(r.instant(time)), r.day());
        assertThat(delay).isBetween(0L, 3L);
        if (!day(r.instant(time)).isAfter(last.minusDays(3))) {
          rows++;
          late += delay > 0 ? 1 : 0;
        }
      }
      Map<String, Map<String, String>> missing = new HashMap<>(expected);
      missing.keySet().removeAll(delivered);
      assertThat(missing.values())
          .allSatisfy(r -> assertThat(day(Instant.parse(r.get(time)))).isAfter(last.minusDays(3)));
      double p = lateOften.lateShare();
      double sd = Math.sqrt(rows * p * (1 - p));
      assertThat((double) late).as(source).isBetween(rows * p - 5 * sd, rows * p + 5 * sd).isPositive();
    }
  }

  /** A delivered row with its event time as an Instant's canonical text, to compare with the world. */
  static Map<String, String> normalised(Map<String, String> row, String timeColumn) {
    Map<String, String> copy = new HashMap<>(row);
    copy.put(timeColumn, Instant.parse(row.get(timeColumn)).toString());
    copy.values().removeIf(java.util.Objects::isNull);
    return copy;
  }

  // --- reading what was delivered ---

  /** The good rows of every source, file by file in day order, read from the files under root. */
  static Map<String, List<Delivered>> read(Path root, WorldSettings settings) throws IOException {
    Map<String, List<Delivered>> rows = new LinkedHashMap<>();
    for (SourceTable table : SourceTable.values()) {
      List<String> columns = fileColumns(table);
      boolean csv = SourceFilesTest.FILES.get(table).endsWith(".csv");
      List<Delivered> delivered = new ArrayList<>();
      for (LocalDate day = settings.start(); !day.isAfter(settings.lastDay()); day = day.plusDays(1)) {
        List<String> lines = Files.readAllLines(root.resolve(SourceFilesTest.file(table, day)));
        for (String line : csv ? lines.subList(1, lines.size()) : lines) {
          Map<String, String> row = csv ? SourceFilesTest.csvRow(line, columns) : SourceFilesTest.jsonRow(line, columns);
          delivered.add(new Delivered(day, row));
        }
      }
      rows.put(table.tableName(), delivered);
    }
    return rows;
  }

  /** The rows the writer would write for the mutable sources of a world, without its traffic. */
  static Map<String, List<Delivered>> plan(World world) {
    Delivery delivery = Delivery.of(world);
    Map<String, List<Delivered>> rows = new LinkedHashMap<>();
    for (SourceTable table :
        List.of(SourceTable.ACCOUNTS, SourceTable.SUBSCRIPTIONS, SourceTable.INVOICES, SourceTable.TICKETS)) {
      List<String> columns = fileColumns(table);
      List<Delivered> delivered = new ArrayList<>();
      for (int i = 0; i < world.settings().days(); i++) {
        for (String[] values : delivery.rows(table, i)) {
          Map<String, String> row = new HashMap<>();
          for (int c = 0; c < columns.size(); c++) {
            row.put(columns.get(c), values[c]);
          }
          delivered.add(new Delivered(world.settings().start().plusDays(i), row));
        }
      }
      rows.put(table.tableName(), delivered);
    }
    return rows;
  }

  static List<String> fileColumns(SourceTable table) {
    return table.columnNames().stream().map(c -> c.equals("billing_interval") ? "interval" : c).toList();
  }

  /** The versions of each id, in the order delivered (day order). */
  static Map<String, List<Delivered>> byId(List<Delivered> rows, String id) {
    Map<String, List<Delivered>> byId = new LinkedHashMap<>();
    rows.forEach(r -> byId.computeIfAbsent(r.get(id), k -> new ArrayList<>()).add(r));
    return byId;
  }

  static Set<String> ids(List<Delivered> rows, String id, LocalDate day) {
    return rows.stream().filter(r -> r.day().equals(day)).map(r -> r.get(id)).collect(Collectors.toSet());
  }

  static boolean isRating(String satisfaction) {
    return satisfaction.equals("good") || satisfaction.equals("bad");
  }

  static LocalDate day(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  static Instant endOf(LocalDate day) {
    return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  static Instant seconds(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS);
  }

  static LocalDate later(LocalDate a, LocalDate b) {
    return a.isAfter(b) ? a : b;
  }
}
