package dev.anshin.jobs.generate;

import static dev.anshin.jobs.generate.Sampling.chance;
import static dev.anshin.jobs.generate.Sampling.logNormal;
import static dev.anshin.jobs.generate.Sampling.poisson;
import static dev.anshin.jobs.generate.Sampling.weighted;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.generate.World.Account;
import dev.anshin.jobs.generate.World.AccountDays;
import dev.anshin.jobs.generate.World.Invoice;
import dev.anshin.jobs.generate.World.Subscription;
import dev.anshin.jobs.generate.World.Ticket;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the outside world sees of a {@link World} at the export, the end of the last observed
 * day: the CRM and billing snapshots as CSV and one JSON-lines file per day for usage, requests and
 * tickets, in the layout the pipeline reads by default (reference.conf). Usage and request traffic
 * is drawn here, per account and day, from the hidden state the simulation recorded.
 */
public final class WorldWriter {
  private static final Logger LOG = LoggerFactory.getLogger(WorldWriter.class);

  static final String[] EVENT_NAMES = {
    "login", "view_dashboard", "run_query", "create_report", "export_csv", "share_report",
    "upload_data", "create_alert", "comment", "update_settings", "invite_user"
  };
  static final double[] EVENT_WEIGHTS = {0.15, 0.3, 0.15, 0.08, 0.07, 0.05, 0.05, 0.05, 0.05, 0.03, 0.02};
  static final String[] ROUTES = {
    "GET /v1/reports", "GET /v1/dashboards", "POST /v1/query", "POST /v1/events", "GET /v1/users",
    "POST /v1/exports", "POST /v1/auth/token", "GET /v1/alerts"
  };
  static final double[] ROUTE_WEIGHTS = {0.2, 0.2, 0.15, 0.2, 0.08, 0.05, 0.07, 0.05};
  // Medians in ms; with the log-normal spread below about 99.75% of requests finish within 500 ms on a
  // quiet day, so a 99% latency SLO holds until an incident slows an account down.
  static final double[] ROUTE_LATENCY_MS = {80, 60, 150, 35, 45, 180, 90, 50};
  static final double LATENCY_SPREAD = 0.5;
  /** Events per active user per day at full engagement, by segment: big customers are lighter users. */
  static final double[] EVENTS_PER_USER = {2.6, 2.0, 1.3};
  static final double REQUESTS_PER_USER = 1.2;
  static final double CLIENT_ERROR_RATE = 0.03;
  // 99.96% availability on a quiet day: inside a 99.9% SLO, so that error budgets are spent by
  // incidents, as on a healthy platform, rather than exhausted for every customer.
  static final double BASE_SERVER_ERROR_RATE = 0.0004;

  /** What was written: good rows and bad rows by source. */
  public record Written(
      Map<SourceTable, Long> goodRows,
      Map<SourceTable, Map<DirtyRows.Kind, Integer>> dirtyRows,
      long bytes) {

    public long dirtyTotal() {
      return dirtyRows.values().stream()
          .flatMap(m -> m.values().stream())
          .mapToLong(Integer::longValue)
          .sum();
    }
  }

  private final World world;
  private final WorldSettings settings;
  private final Path out;
  private final Instant exportedAt;
  private final Map<SourceTable, Long> goodRows = new EnumMap<>(SourceTable.class);
  private final Map<SourceTable, DirtyRows> dirty = new EnumMap<>(SourceTable.class);
  private long bytes;
  private char[] chars = new char[1024];

  private WorldWriter(World world, Path out) {
    this.world = world;
    this.settings = world.settings();
    this.out = out;
    this.exportedAt = settings.lastDay().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    // Bad rows draw from their own generator: the good rows must not change with --dirty.
    SplittableRandom dirtyRandom = new SplittableRandom(Sampling.mix(settings.seed() ^ 0xD1127L));
    for (SourceTable table : SourceTable.values()) {
      int files = new SourceFormat(table).csv() ? 1 : settings.days();
      dirty.put(
          table, new DirtyRows(new SourceFormat(table), dirtyRandom.split(), settings.dirty(), files));
    }
  }

  /** Writes the sources of {@code world} under {@code out} and returns the row counts. */
  public static Written write(World world, Path out) {
    WorldWriter writer = new WorldWriter(world, out);
    try {
      Files.createDirectories(out);
      writer.writeAccounts();
      writer.writeSubscriptions();
      writer.writeInvoices();
      writer.writeDaily();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the generated sources under " + out, e);
    }
    Map<SourceTable, Map<DirtyRows.Kind, Integer>> dirtyRows = new EnumMap<>(SourceTable.class);
    writer.dirty.forEach((table, rows) -> dirtyRows.put(table, new EnumMap<>(rows.written())));
    return new Written(new EnumMap<>(writer.goodRows), dirtyRows, writer.bytes);
  }

  private void writeAccounts() throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (Account a : world.accounts()) {
      rows.add(
          new String[] {
            a.id(), a.name(), a.segment(), a.industry(), a.region(),
            a.createdAt().truncatedTo(ChronoUnit.SECONDS).toString(), Integer.toString(a.seats()),
            a.csmOwner()
          });
    }
    writeSnapshot(SourceTable.ACCOUNTS, "accounts", "accounts.csv", rows, 5);
  }

  private void writeSubscriptions() throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (Subscription s : world.subscriptions()) {
      if (s.startedAt().isAfter(settings.lastDay())) {
        continue;
      }
      // The end of a subscription is known only once it has happened.
      boolean endKnown = s.endedAt() != null && !s.endedAt().isAfter(settings.lastDay());
      rows.add(
          new String[] {
            s.id(), s.accountId(), s.plan(), Integer.toString(s.seats()), money(s.mrrCents()), "USD",
            s.interval(), s.startedAt().toString(), endKnown ? s.endedAt().toString() : null,
            endKnown ? s.cancelReason() : null
          });
    }
    writeSnapshot(SourceTable.SUBSCRIPTIONS, "subscriptions", "subscriptions.csv", rows, 7);
  }

  private void writeInvoices() throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (Invoice i : world.invoices()) {
      if (!i.issuedAt().isBefore(exportedAt)) {
        continue;
      }
      boolean paid = i.paidAt() != null && i.paidAt().isBefore(exportedAt);
      boolean failed = i.givenUpAt() != null && i.givenUpAt().isBefore(exportedAt);
      long failures = i.failedCharges().stream().filter(t -> t.isBefore(exportedAt)).count();
      rows.add(
          new String[] {
            i.id(), i.accountId(), i.subscriptionId(), money(i.amountCents()), "USD",
            i.periodStart().toString(), i.periodEnd().toString(), seconds(i.issuedAt()),
            paid ? "paid" : failed ? "failed" : "open", Long.toString(failures),
            paid ? seconds(i.paidAt()) : null
          });
    }
    writeSnapshot(SourceTable.INVOICES, "invoices", "invoices.csv", rows, 7);
  }

  /**
   * Writes a CRM or billing source as one CSV file per observed day, in the layout the pipeline reads
   * (reference.conf): each row in the file of the day it first appeared (its {@code dayColumn}, or
   * the first day for rows from before the start), in its state at the export. The bad rows go in
   * the first day's file.
   */
  private void writeSnapshot(SourceTable table, String folder, String file, List<String[]> rows, int dayColumn)
      throws IOException {
    DirtyRows dirtyRows = dirty.get(table);
    SourceFormat format = new SourceFormat(table);
    List<List<String[]>> byDay = new ArrayList<>(settings.days());
    for (int i = 0; i < settings.days(); i++) {
      byDay.add(new ArrayList<>());
    }
    for (String[] row : rows) {
      LocalDate day = LocalDate.parse(row[dayColumn].substring(0, 10));
      long index = Math.max(0, Math.min(settings.days() - 1, ChronoUnit.DAYS.between(settings.start(), day)));
      byDay.get((int) index).add(row);
    }
    for (int i = 0; i < settings.days(); i++) {
      Path directory = out.resolve(folder).resolve("date=" + settings.start().plusDays(i));
      Files.createDirectories(directory);
      try (BufferedWriter writer = open(directory.resolve(file))) {
        writer.write(format.header());
        writer.write("\r\n");
        List<DirtyRows.Line> lines =
            i == 0 ? dirtyRows.mix(byDay.get(0), 0, null) : byDay.get(i).stream().map(DirtyRows.Line::of).toList();
        writeLines(writer, format, lines);
      }
    }
    goodRows.put(table, (long) rows.size());
    LOG.info("Wrote {}/date=*/{}: {} rows, {} bad rows", folder, file, rows.size(), dirtyRows.total());
  }

  private void writeLines(BufferedWriter writer, SourceFormat format, List<DirtyRows.Line> lines)
      throws IOException {
    StringBuilder line = new StringBuilder(256);
    // CSV rows end with CRLF as RFC 4180 says; JSON lines with LF.
    String end = format.csv() ? "\r\n" : "\n";
    for (DirtyRows.Line l : lines) {
      line.setLength(0);
      if (l.raw() != null) {
        line.append(l.raw());
      } else {
        format.render(l.values(), line);
      }
      line.append(end);
      bytes += line.length();
      // Copy the characters out directly: Writer.append(CharSequence) would build a String first.
      if (chars.length < line.length()) {
        chars = new char[line.length() * 2];
      }
      line.getChars(0, line.length(), chars, 0);
      writer.write(chars, 0, line.length());
    }
  }

  private void writeDaily() throws IOException {
    long started = System.nanoTime();
    SourceFormat usage = new SourceFormat(SourceTable.USAGE_EVENTS);
    SourceFormat requests = new SourceFormat(SourceTable.API_REQUESTS);
    SourceFormat tickets = new SourceFormat(SourceTable.TICKETS);
    List<List<String[]>> ticketsByDay = ticketsByDay();
    long usageRows = 0;
    long requestRows = 0;
    long ticketRows = 0;
    // Traffic of the next day is drawn on a second thread while this day is written: each day's
    // rows depend only on (seed, account, day), so the order of work does not change the files.
    ExecutorService drawer =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "anshin-generate-traffic");
              thread.setDaemon(true);
              return thread;
            });
    try {
      Future<List<List<String[]>>> next = drawer.submit(() -> dayTraffic(0));
      for (int dayIndex = 0; dayIndex < settings.days(); dayIndex++) {
        LocalDate day = settings.start().plusDays(dayIndex);
        List<List<String[]>> traffic = await(next);
        if (dayIndex + 1 < settings.days()) {
          int nextIndex = dayIndex + 1;
          next = drawer.submit(() -> dayTraffic(nextIndex));
        }
        List<String[]> dayEvents = traffic.get(0);
        List<String[]> dayRequests = traffic.get(1);
        writeDay(SourceTable.USAGE_EVENTS, usage, "usage", "events.jsonl", day, dayIndex, dayEvents);
        writeDay(SourceTable.API_REQUESTS, requests, "requests", "requests.jsonl", day, dayIndex, dayRequests);
        List<String[]> dayTickets = ticketsByDay.get(dayIndex);
        writeDay(SourceTable.TICKETS, tickets, "tickets", "tickets.jsonl", day, dayIndex, dayTickets);
        usageRows += dayEvents.size();
        requestRows += dayRequests.size();
        ticketRows += dayTickets.size();
        if ((dayIndex + 1) % 60 == 0 || dayIndex + 1 == settings.days()) {
          LOG.info(
              "Wrote daily files up to {}: {} usage events, {} requests, {} tickets so far ({} s)",
              day, usageRows, requestRows, ticketRows, (System.nanoTime() - started) / 1_000_000_000);
        }
      }
    } finally {
      drawer.shutdownNow();
    }
    goodRows.put(SourceTable.USAGE_EVENTS, usageRows);
    goodRows.put(SourceTable.API_REQUESTS, requestRows);
    goodRows.put(SourceTable.TICKETS, ticketRows);
  }

  /** Usage events and API requests of every account on one observed day, in account order. */
  private List<List<String[]>> dayTraffic(int dayIndex) {
    LocalDate day = settings.start().plusDays(dayIndex);
    List<String[]> events = new ArrayList<>();
    List<String[]> requests = new ArrayList<>();
    String prefix = day + "T";
    String compactDay = day.toString().replace("-", "");
    for (AccountDays account : world.accountDays()) {
      traffic(account, dayIndex, day, prefix, compactDay, events, requests);
    }
    return List.of(events, requests);
  }

  private static <T> T await(Future<T> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while drawing traffic", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("drawing traffic failed", e.getCause());
    }
  }

  private void writeDay(
      SourceTable table, SourceFormat format, String folder, String file, LocalDate day,
      int dayIndex, List<String[]> rows) throws IOException {
    Path directory = out.resolve(folder).resolve("date=" + day);
    Files.createDirectories(directory);
    try (BufferedWriter writer = open(directory.resolve(file))) {
      writeLines(writer, format, dirty.get(table).mix(rows, dayIndex, day));
    }
  }

  private List<List<String[]>> ticketsByDay() {
    List<List<String[]>> byDay = new ArrayList<>(settings.days());
    for (int i = 0; i < settings.days(); i++) {
      byDay.add(new ArrayList<>());
    }
    for (Ticket t : world.tickets()) {
      long dayIndex =
          ChronoUnit.DAYS.between(settings.start(), LocalDate.ofInstant(t.createdAt(), ZoneOffset.UTC));
      if (dayIndex < 0 || dayIndex >= settings.days()) {
        continue;
      }
      byDay.get((int) dayIndex)
          .add(
              new String[] {
                t.id(), t.accountId(), seconds(t.createdAt()), known(t.firstReplyAt()),
                known(t.solvedAt()), t.priority(), t.channel(), t.category(), t.satisfaction(),
                Integer.toString(t.reopens()), Integer.toString(t.agentReplies()),
                Double.toString(t.handleMinutes())
              });
    }
    return byDay;
  }

  /** A timestamp the export knows, or null if it lies after the export. */
  private String known(Instant instant) {
    return instant.isBefore(exportedAt) ? seconds(instant) : null;
  }

  /**
   * One account's usage events and API requests for one day, drawn from its hidden state with a
   * generator seeded by (seed, account, day), in time order.
   */
  private void traffic(
      AccountDays account, int dayIndex, LocalDate day, String prefix, String compactDay,
      List<String[]> events, List<String[]> requests) {
    double engagement = account.engagement()[dayIndex];
    if (Double.isNaN(engagement)) {
      return;
    }
    SplittableRandom random =
        new SplittableRandom(Sampling.seedFor(settings.seed(), account.accountIndex(), dayIndex));
    boolean weekend =
        day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
    double activeShare = (0.3 + 0.55 * engagement) * (weekend ? 0.3 : 1.0);
    int segment = Arrays.asList(WorldGenerator.SEGMENTS).indexOf(account.segment());
    double eventsPerUser = EVENTS_PER_USER[segment] * (0.4 + 1.2 * engagement);
    double requestsPerUser = REQUESTS_PER_USER * (0.5 + engagement);
    // Each event or request is encoded as (millisecond of day << 20 | user + 1), then sorted by time.
    long[] eventKeys = new long[64];
    int eventCount = 0;
    long[] requestKeys = new long[64];
    int requestCount = 0;
    int users = account.seatsInUse()[dayIndex];
    for (int user = 0; user < users; user++) {
      if (!chance(random, activeShare)) {
        continue;
      }
      double userHour = account.hourCenter() + 2.5 * random.nextGaussian();
      int n = poisson(random, eventsPerUser);
      for (int i = 0; i < n; i++) {
        eventKeys = grow(eventKeys, eventCount);
        eventKeys[eventCount++] = (millisOfDay(userHour + 1.5 * random.nextGaussian()) << 20) | (user + 1);
      }
      int r = poisson(random, requestsPerUser);
      for (int i = 0; i < r; i++) {
        requestKeys = grow(requestKeys, requestCount);
        requestKeys[requestCount++] =
            (millisOfDay(userHour + 1.5 * random.nextGaussian()) << 20) | (user + 1);
      }
    }
    // Integrations call the API around the clock, without a user.
    int integration = poisson(random, account.apiRequestsPerDay() * (weekend ? 0.6 : 1.0));
    for (int i = 0; i < integration; i++) {
      requestKeys = grow(requestKeys, requestCount);
      requestKeys[requestCount++] = (long) random.nextInt(86_400_000) << 20;
    }
    Arrays.sort(eventKeys, 0, eventCount);
    Arrays.sort(requestKeys, 0, requestCount);
    String accountNumber = account.accountId().substring(4);
    for (int i = 0; i < eventCount; i++) {
      long key = eventKeys[i];
      events.add(
          new String[] {
            "ev-" + compactDay + "-" + pad(events.size() + 1, 7), account.accountId(),
            "u-" + accountNumber + "-" + pad((int) (key & 0xFFFFF), 4),
            prefix + clock(key >>> 20), weighted(random, EVENT_NAMES, EVENT_WEIGHTS)
          });
    }
    double severity = account.incidentSeverity()[dayIndex];
    double serverErrors = BASE_SERVER_ERROR_RATE + 0.12 * Math.min(severity, 2.0);
    for (int i = 0; i < requestCount; i++) {
      long key = requestKeys[i];
      int route = pickIndex(random, ROUTE_WEIGHTS);
      double u = random.nextDouble();
      int status;
      if (u < serverErrors) {
        status = random.nextInt(4) == 0 ? 503 : 500;
      } else if (u < serverErrors + CLIENT_ERROR_RATE) {
        status = new int[] {400, 401, 403, 404, 429}[random.nextInt(5)];
      } else {
        status = route == 2 || route == 3 || route == 5 ? 201 : 200;
      }
      double latency =
          logNormal(random, ROUTE_LATENCY_MS[route] * (1 + 1.5 * severity), LATENCY_SPREAD)
              * (status >= 500 ? 3 : 1);
      requests.add(
          new String[] {
            "rq-" + compactDay + "-" + pad(requests.size() + 1, 7), prefix + clock(key >>> 20),
            account.accountId(), ROUTES[route], Integer.toString(status),
            Double.toString(Math.round(latency * 10) / 10.0)
          });
    }
  }

  private static int pickIndex(SplittableRandom random, double[] weights) {
    double u = random.nextDouble();
    for (int i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private static long[] grow(long[] keys, int count) {
    return count < keys.length ? keys : Arrays.copyOf(keys, keys.length * 2);
  }

  /** The millisecond of the UTC day for an hour that may fall outside 0-24 (wrapped onto the day). */
  private static long millisOfDay(double hour) {
    double wrapped = ((hour % 24) + 24) % 24;
    return Math.min(86_399_999L, (long) (wrapped * 3_600_000));
  }

  /** HH:mm:ss.SSSZ for a millisecond of the day. */
  static String clock(long millis) {
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long secs = millis / 1000 % 60;
    long ms = millis % 1000;
    return pad((int) hours, 2) + ":" + pad((int) minutes, 2) + ":" + pad((int) secs, 2) + "."
        + pad((int) ms, 3) + "Z";
  }

  static String pad(int value, int width) {
    String digits = Integer.toString(value);
    if (digits.length() >= width) {
      return digits;
    }
    return "0".repeat(width - digits.length()) + digits;
  }

  static String money(long cents) {
    String sign = cents < 0 ? "-" : "";
    long abs = Math.abs(cents);
    return sign + (abs / 100) + "." + pad((int) (abs % 100), 2);
  }

  private static String seconds(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static BufferedWriter open(Path file) throws IOException {
    return new BufferedWriter(
        new java.io.OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
  }
}
