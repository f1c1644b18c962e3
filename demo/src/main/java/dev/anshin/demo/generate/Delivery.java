package dev.anshin.demo.generate;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.demo.generate.World.Account;
import dev.anshin.demo.generate.World.CrmVersion;
import dev.anshin.demo.generate.World.Invoice;
import dev.anshin.demo.generate.World.Subscription;
import dev.anshin.demo.generate.World.Ticket;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * How the mutable sources (accounts, subscriptions, invoices, tickets) reach the pipeline: one change
 * file per observed day D, holding every row created or changed on D in its state at the end of D
 * (23:59:59 UTC). The first day's file is also the initial export: every row that exists at the end
 * of that day. A row that changes on several days is in several files, with the same id; within one
 * file an id appears once.
 *
 * <p>Rows are arrays of strings in the columns of {@link SourceTable}, in the order of the world's
 * lists. Nothing after the last observed day is shown. Everything here is a function of the world and
 * the seed: the random parts (cancellation notices, the CRM lag, ticket timelines) draw from hashes
 * and streams of their own, so the simulated world and the traffic do not depend on them.
 */
final class Delivery {
  /** Share of the accounts created during the observed days whose CRM row is delivered a day late. */
  static final double CRM_LAG_SHARE = 0.10;
  /** A voluntary cancellation is recorded 0 to this many days before it takes effect. */
  static final int MAX_NOTICE_DAYS = 30;
  /** A rating arrives 0 to this many days after the final solve. */
  static final int MAX_RATING_DELAY_DAYS = 3;

  private static final long LAG_SALT = 0x1A6_C2A1L;
  private static final long NOTICE_SALT = 0x2071_CE5EL;
  private static final long TICKET_SALT = 0x71C_4E75L;

  /** One state of a ticket, from {@code at} on; timestamps are null while not reached. */
  record TicketStep(
      Instant at, Instant firstReplyAt, Instant solvedAt, String satisfaction, int reopens,
      int agentReplies, double handleMinutes) {}

  private final WorldSettings settings;
  private final Map<SourceTable, List<List<String[]>>> rowsByDay = new EnumMap<>(SourceTable.class);

  private Delivery(WorldSettings settings) {
    this.settings = settings;
    for (SourceTable table :
        List.of(SourceTable.ACCOUNTS, SourceTable.SUBSCRIPTIONS, SourceTable.INVOICES, SourceTable.TICKETS)) {
      List<List<String[]>> days = new ArrayList<>(settings.days());
      for (int i = 0; i < settings.days(); i++) {
        days.add(new ArrayList<>());
      }
      rowsByDay.put(table, days);
    }
  }

  /** The change files of the mutable sources of {@code world}. */
  static Delivery of(World world) {
    Delivery delivery = new Delivery(world.settings());
    Map<String, Account> accounts = new HashMap<>();
    for (Account account : world.accounts()) {
      accounts.put(account.id(), account);
      delivery.account(account);
    }
    Map<String, Integer> months = new HashMap<>();
    for (Subscription subscription : world.subscriptions()) {
      Account account = accounts.get(subscription.accountId());
      delivery.subscription(subscription, account.index(), account.currency());
      months.put(subscription.id(), subscription.interval().equals("annual") ? 12 : 1);
    }
    for (Invoice invoice : world.invoices()) {
      delivery.invoice(invoice, accounts.get(invoice.accountId()).currency(), months.getOrDefault(invoice.subscriptionId(), 1));
    }
    SplittableRandom tickets = new SplittableRandom(Sampling.mix(world.settings().seed() ^ TICKET_SALT));
    for (Ticket ticket : world.tickets()) {
      // One split per ticket in the world's order: a ticket's timeline does not depend on the others'.
      delivery.ticket(ticket, tickets.split());
    }
    return delivery;
  }

  /** The rows of {@code table}'s file for the observed day {@code dayIndex} (0 = the start). */
  List<String[]> rows(SourceTable table, int dayIndex) {
    return rowsByDay.get(table).get(dayIndex);
  }

  /**
   * Whether the account's CRM row is delivered the day after its created day (its subscription
   * rows and traffic are not held back). Only accounts created during the observed days, and never
   * on the last one, whose row would then fall outside the export.
   */
  static boolean crmLagged(WorldSettings settings, Account account) {
    LocalDate created = day(account.createdAt());
    return !created.isBefore(settings.start())
        && created.isBefore(settings.lastDay())
        && Sampling.hashUniform(Sampling.mix(settings.seed() ^ LAG_SALT), account.index()) < CRM_LAG_SHARE;
  }

  /**
   * The day the end of a subscription is recorded: a voluntary cancellation 0-30 days before it
   * takes effect (the same notice for every subscription of the account ending that day), but not
   * before the subscription started nor before the first observed day; any other end (involuntary,
   * or a row closed by a seat change) on its {@code ended_at}. Null while the subscription runs.
   */
  static LocalDate endRecordedOn(WorldSettings settings, int accountIndex, Subscription subscription) {
    LocalDate ended = subscription.endedAt();
    if (ended == null) {
      return null;
    }
    if (!"voluntary".equals(subscription.cancelReason())) {
      return ended;
    }
    long salt = Sampling.mix(settings.seed() ^ NOTICE_SALT ^ Sampling.mix(accountIndex + 1L));
    int notice = (int) (Sampling.hashUniform(salt, ended.toEpochDay()) * (MAX_NOTICE_DAYS + 1));
    return latest(ended.minusDays(notice), subscription.startedAt(), settings.start());
  }

  private void account(Account account) {
    LocalDate created = day(account.createdAt());
    LocalDate first =
        crmLagged(settings, account) ? created.plusDays(1) : latest(created, settings.start());
    TreeSet<LocalDate> days = new TreeSet<>();
    days.add(first);
    for (CrmVersion version : account.crm()) {
      days.add(latest(version.from(), first));
    }
    for (LocalDate day : days.headSet(settings.lastDay(), true)) {
      CrmVersion crm = account.crmOn(day);
      deliver(
          SourceTable.ACCOUNTS, day,
          new String[] {
            account.id(), account.name(), crm.segment(), account.industry(), account.region(),
            WorldWriter.seconds(account.createdAt()), Integer.toString(crm.seats()), crm.csmOwner()
          });
    }
  }

  private void subscription(Subscription s, int accountIndex, String currency) {
    if (s.startedAt().isAfter(settings.lastDay())) {
      return;
    }
    LocalDate first = latest(s.startedAt(), settings.start());
    LocalDate endRecorded = endRecordedOn(settings, accountIndex, s);
    TreeSet<LocalDate> days = new TreeSet<>();
    days.add(first);
    if (endRecorded != null) {
      days.add(latest(endRecorded, first));
    }
    for (LocalDate day : days.headSet(settings.lastDay(), true)) {
      boolean endKnown = endRecorded != null && !endRecorded.isAfter(day);
      deliver(
          SourceTable.SUBSCRIPTIONS, day,
          new String[] {
            s.id(), s.accountId(), s.plan(), Integer.toString(s.seats()),
            WorldWriter.money(WorldGenerator.billedCents(s.mrrCents(), currency)), currency, s.interval(), s.startedAt().toString(), endKnown ? s.endedAt().toString() : null,
            endKnown ? s.cancelReason() : null
          });
    }
  }

  private void invoice(Invoice invoice, String currency, int months) {
    LocalDate first = latest(day(invoice.issuedAt()), settings.start());
    if (first.isAfter(settings.lastDay())) {
      return;
    }
    TreeSet<LocalDate> days = new TreeSet<>();
    days.add(first);
    for (Instant failure : invoice.failedCharges()) {
      days.add(latest(day(failure), first));
    }
    if (invoice.paidAt() != null) {
      days.add(latest(day(invoice.paidAt()), first));
    }
    if (invoice.givenUpAt() != null) {
      days.add(latest(day(invoice.givenUpAt()), first));
    }
    for (LocalDate day : days.headSet(settings.lastDay(), true)) {
      deliver(SourceTable.INVOICES, day, invoiceRow(invoice, currency, months, endOf(day)));
    }
  }

  /**
   * An invoice of {@code months} months as the billing system shows it just before {@code cutoff}, in
   * the account's currency.
   */
  static String[] invoiceRow(Invoice i, String currency, int months, Instant cutoff) {
    boolean paid = i.paidAt() != null && i.paidAt().isBefore(cutoff);
    boolean failed = i.givenUpAt() != null && i.givenUpAt().isBefore(cutoff);
    long failures = i.failedCharges().stream().filter(t -> t.isBefore(cutoff)).count();
    return new String[] {
      i.id(), i.accountId(), i.subscriptionId(), WorldWriter.money(WorldGenerator.billedCents(i.amountCents(), currency, months)),
      currency,
      i.periodStart().toString(), i.periodEnd().toString(), WorldWriter.seconds(i.issuedAt()),
      paid ? "paid" : failed ? "failed" : "open", Long.toString(failures),
      paid ? WorldWriter.seconds(i.paidAt()) : null
    };
  }

  private void ticket(Ticket ticket, SplittableRandom random) {
    List<TicketStep> steps = timeline(ticket, random);
    // The state at the end of each day with a change: the last step of that day wins.
    TicketStep dayState = null;
    LocalDate stateDay = null;
    for (TicketStep step : steps) {
      LocalDate day = latest(day(step.at()), settings.start());
      if (day.isAfter(settings.lastDay())) {
        break;
      }
      if (stateDay != null && !day.equals(stateDay)) {
        deliver(SourceTable.TICKETS, stateDay, ticketRow(ticket, dayState));
      }
      stateDay = day;
      dayState = step;
    }
    if (stateDay != null) {
      deliver(SourceTable.TICKETS, stateDay, ticketRow(ticket, dayState));
    }
  }

  /**
   * The states of a ticket over time, consistent with its final state in the world: created; the
   * first reply; {@code reopens} earlier solves each followed by a reopen, at random times between
   * the first reply and the final solve; the final solve; and, for a rated ticket, the rating 0-3
   * days after it. Replies and handle time grow with the first reply and each solve and end at the
   * world's values. A survey is offered at a solve: {@code satisfaction} is "unoffered" before,
   * "offered" after (for tickets whose survey goes out at all), and the rating when it arrives.
   */
  static List<TicketStep> timeline(Ticket t, SplittableRandom random) {
    int reopens = t.reopens();
    int replies = t.agentReplies();
    double minutes = t.handleMinutes();
    int workSteps = reopens + 2;
    String offered = t.satisfaction().equals("unoffered") ? "unoffered" : "offered";
    List<TicketStep> steps = new ArrayList<>(2 * reopens + 4);
    steps.add(new TicketStep(t.createdAt(), null, null, "unoffered", 0, 0, 0.0));
    steps.add(
        new TicketStep(
            t.firstReplyAt(), t.firstReplyAt(), null, "unoffered", 0, 1,
            share(minutes, 1, workSteps)));
    long span = Math.max(0, ChronoUnit.SECONDS.between(t.firstReplyAt(), t.solvedAt()));
    long[] offsets = new long[2 * reopens];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = random.nextLong(span + 1);
    }
    Arrays.sort(offsets);
    for (int k = 1; k <= reopens; k++) {
      Instant solved = t.firstReplyAt().plusSeconds(offsets[2 * k - 2]);
      Instant reopened = t.firstReplyAt().plusSeconds(offsets[2 * k - 1]);
      int repliesSoFar = 1 + (replies - 1) * k / (reopens + 1);
      double minutesSoFar = share(minutes, k + 1, workSteps);
      steps.add(
          new TicketStep(solved, t.firstReplyAt(), solved, offered, k - 1, repliesSoFar, minutesSoFar));
      steps.add(
          new TicketStep(reopened, t.firstReplyAt(), null, offered, k, repliesSoFar, minutesSoFar));
    }
    steps.add(
        new TicketStep(t.solvedAt(), t.firstReplyAt(), t.solvedAt(), offered, reopens, replies, minutes));
    if (t.satisfaction().equals("good") || t.satisfaction().equals("bad")) {
      Instant rated = t.solvedAt().plusSeconds(random.nextLong(MAX_RATING_DELAY_DAYS * 86_400L + 1));
      steps.add(
          new TicketStep(
              rated, t.firstReplyAt(), t.solvedAt(), t.satisfaction(), reopens, replies, minutes));
    }
    return steps;
  }

  private static double share(double minutes, int step, int steps) {
    return Math.round(minutes * step / steps * 10) / 10.0;
  }

  private static String[] ticketRow(Ticket t, TicketStep state) {
    return new String[] {
      t.id(), t.accountId(), WorldWriter.seconds(t.createdAt()), seconds(state.firstReplyAt()),
      seconds(state.solvedAt()), t.priority(), t.channel(), t.category(), state.satisfaction(),
      Integer.toString(state.reopens()), Integer.toString(state.agentReplies()),
      Double.toString(state.handleMinutes())
    };
  }

  private void deliver(SourceTable table, LocalDate day, String[] row) {
    int index = (int) ChronoUnit.DAYS.between(settings.start(), day);
    rowsByDay.get(table).get(index).add(row);
  }

  private static String seconds(Instant instant) {
    return instant == null ? null : WorldWriter.seconds(instant);
  }

  static LocalDate day(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  /** The first instant after {@code day}: a state "at the end of the day" is everything before it. */
  static Instant endOf(LocalDate day) {
    return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static LocalDate latest(LocalDate first, LocalDate... others) {
    LocalDate latest = first;
    for (LocalDate other : others) {
      if (other.isAfter(latest)) {
        latest = other;
      }
    }
    return latest;
  }
}
