package dev.anshin.demo.generate;

import static dev.anshin.demo.generate.Sampling.chance;
import static dev.anshin.demo.generate.Sampling.logNormal;
import static dev.anshin.demo.generate.Sampling.poisson;
import static dev.anshin.demo.generate.Sampling.weighted;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.demo.generate.World.AccountDays;
import dev.anshin.demo.generate.World.CsActivity;
import dev.anshin.demo.generate.World.HelpCenterArticle;
import dev.anshin.demo.generate.World.HelpCenterView;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the outside world sees of a {@link World}, delivered day by day: for every observed
 * day D one file per source under {@code <source folder>/date=D/}. The mutable sources (accounts,
 * subscriptions, invoices as CSV, tickets as JSON lines) are change files, planned by {@link
 * Delivery}; usage events and API requests (JSON lines), customer-success activities (CSV) and
 * help-centre views (JSON lines) are append-only, most in their own day's file and a share {@link
 * WorldSettings#lateShare()} 1-3 days late. Usage and request traffic is drawn here, per account and
 * day, from the hidden state the simulation recorded; the activities and views are the world's.
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
  // An incident reaches an account's requests as an outage of some hours, not as a bad day: on each
  // day of it, a window of OUTAGE_HOURS_PER_SEVERITY x severity hours (at most twice that) starting
  // at a random time fails OUTAGE_SERVER_ERROR_RATE of the requests and slows them down. A typical
  // platform incident (severity 0.75 for 2.5 days) then fails 2.5 x 0.75 h x 20% / 24 h = 1.6% of a
  // day's requests, 56% of a 28-day 99.9% budget (2.8% of a day); a long severe one exhausts it. The
  // platform's 28-day availability is then about 99.92%, and its burn-rate alerts page during the
  // outage hours, as a CRE team would see them.
  static final double OUTAGE_HOURS_PER_SEVERITY = 1.0;
  static final double OUTAGE_SERVER_ERROR_RATE = 0.2;
  /** A late event or request arrives 1 to this many days after its own day. */
  static final int MAX_DELAY_DAYS = 3;
  private static final long LATE_SALT = 0x1A7E_D0E5L;

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

  /** An event or request delivered late: the index of the day whose file it goes into, and the row. */
  private record Late(int dayIndex, String[] row) {}

  /** One day's traffic: the rows delivered on time and those that go into a later day's file. */
  private record DayTraffic(
      List<String[]> events, List<Late> lateEvents, List<String[]> requests, List<Late> lateRequests) {}

  private final World world;
  private final WorldSettings settings;
  private final Path out;
  private final Delivery delivery;
  /** The files of the append-only sources the world lists (not drawn here), by day index. */
  private final Map<SourceTable, List<List<String[]>>> worldEvents = new EnumMap<>(SourceTable.class);
  private final Map<SourceTable, Long> goodRows = new EnumMap<>(SourceTable.class);
  private final Map<SourceTable, DirtyRows> dirty = new EnumMap<>(SourceTable.class);
  private long bytes;
  private char[] chars = new char[1024];

  private WorldWriter(World world, Path out) {
    this.world = world;
    this.settings = world.settings();
    this.out = out;
    this.delivery = Delivery.of(world);
    worldEvents.put(SourceTable.CS_ACTIVITIES, deliveredByDay(SourceTable.CS_ACTIVITIES, activityRows()));
    worldEvents.put(SourceTable.HELP_CENTER_VIEWS, deliveredByDay(SourceTable.HELP_CENTER_VIEWS, viewRows()));
    // Bad rows draw from their own generator: the good rows must not change with --dirty.
    SplittableRandom dirtyRandom = new SplittableRandom(Sampling.mix(settings.seed() ^ 0xD1127L));
    for (SourceTable table : SourceTable.values()) {
      // The change files and the world's events are planned already; traffic is drawn later, and a
      // day has plenty.
      IntUnaryOperator goodRowsOn =
          drawnTraffic(table) ? day -> Integer.MAX_VALUE : day -> plannedRows(table, day).size();
      dirty.put(
          table,
          new DirtyRows(
              new SourceFormat(table), dirtyRandom.split(), settings.dirty(), settings.days(), goodRowsOn));
      goodRows.put(table, 0L);
    }
  }

  /** The folder of a source under --out; each day's file is in {@code <folder>/date=YYYY-MM-DD/}. */
  static String folder(SourceTable table) {
    return switch (table) {
      case ACCOUNTS -> "accounts";
      case SUBSCRIPTIONS -> "subscriptions";
      case INVOICES -> "invoices";
      case USAGE_EVENTS -> "usage";
      case API_REQUESTS -> "requests";
      case TICKETS -> "tickets";
      case CS_ACTIVITIES -> "cs_activities";
      case HELP_CENTER_VIEWS -> "help_center";
    };
  }

  /** The name of a source's file in each day's folder. */
  static String fileName(SourceTable table) {
    return switch (table) {
      case ACCOUNTS -> "accounts.csv";
      case SUBSCRIPTIONS -> "subscriptions.csv";
      case INVOICES -> "invoices.csv";
      case USAGE_EVENTS -> "events.jsonl";
      case API_REQUESTS -> "requests.jsonl";
      case TICKETS -> "tickets.jsonl";
      case CS_ACTIVITIES -> "activities.csv";
      case HELP_CENTER_VIEWS -> "views.jsonl";
    };
  }

  /** Whether the source's rows are drawn here, day by day, rather than listed by the world. */
  static boolean drawnTraffic(SourceTable table) {
    return table == SourceTable.USAGE_EVENTS || table == SourceTable.API_REQUESTS;
  }

  /** The rows of a source that is not drawn here, in its file of the day {@code dayIndex}. */
  private List<String[]> plannedRows(SourceTable table, int dayIndex) {
    return switch (table) {
      case ACCOUNTS, SUBSCRIPTIONS, INVOICES, TICKETS -> delivery.rows(table, dayIndex);
      case CS_ACTIVITIES, HELP_CENTER_VIEWS -> worldEvents.get(table).get(dayIndex);
      case USAGE_EVENTS, API_REQUESTS -> throw new IllegalArgumentException(table + " is drawn day by day");
    };
  }

  /** The activities of the observed days as rows of cs_activities, by the day they happened. */
  private List<List<String[]>> activityRows() {
    List<List<String[]>> byDay = emptyDays();
    for (CsActivity activity : world.activities()) {
      int dayIndex = observedIndex(activity.time());
      if (dayIndex >= 0 && dayIndex < settings.days()) {
        byDay.get(dayIndex).add(
            new String[] {
              activity.id(), activity.accountId(), seconds(activity.time()), activity.type(), activity.owner()
            });
      }
    }
    return byDay;
  }

  /** The help-centre views as rows, with their article's title and section, by the day they happened. */
  private List<List<String[]>> viewRows() {
    Map<String, HelpCenterArticle> articles = new HashMap<>();
    world.articles().forEach(a -> articles.put(a.id(), a));
    List<List<String[]>> byDay = emptyDays();
    for (HelpCenterView view : world.helpCenterViews()) {
      int dayIndex = observedIndex(view.time());
      HelpCenterArticle article = articles.get(view.articleId());
      long millisOfDay = Math.floorMod(view.time().toEpochMilli(), 86_400_000L);
      byDay.get(dayIndex).add(
          new String[] {
            view.id(), view.accountId(), view.userId(),
            settings.start().plusDays(dayIndex) + "T" + clock(millisOfDay), article.id(), article.title(),
            article.category()
          });
    }
    return byDay;
  }

  /**
   * The files of an append-only source whose rows of each day are known: each day's own rows with
   * a share {@link WorldSettings#lateShare()} held back 1-3 days, by the same rule as the traffic;
   * those due after the last observed day are in flight at the export and not written.
   */
  private List<List<String[]>> deliveredByDay(SourceTable table, List<List<String[]>> rowsByDay) {
    List<List<String[]>> waiting = emptyDays();
    List<List<String[]>> files = new ArrayList<>(settings.days());
    for (int dayIndex = 0; dayIndex < settings.days(); dayIndex++) {
      List<Late> late = new ArrayList<>();
      List<String[]> onTime = delay(table, dayIndex, rowsByDay.get(dayIndex), late);
      schedule(late, waiting);
      files.add(arrivals(onTime, waiting, dayIndex));
    }
    return files;
  }

  private List<List<String[]>> emptyDays() {
    List<List<String[]>> days = new ArrayList<>(settings.days());
    for (int i = 0; i < settings.days(); i++) {
      days.add(new ArrayList<>());
    }
    return days;
  }

  private int observedIndex(Instant time) {
    return (int) ChronoUnit.DAYS.between(settings.start(), Delivery.day(time));
  }

  /** Writes the sources of {@code world} under {@code out} and returns the row counts. */
  public static Written write(World world, Path out) {
    WorldWriter writer = new WorldWriter(world, out);
    try {
      Files.createDirectories(out);
      writer.writeDays();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the generated sources under " + out, e);
    }
    Map<SourceTable, Map<DirtyRows.Kind, Integer>> dirtyRows = new EnumMap<>(SourceTable.class);
    writer.dirty.forEach((table, rows) -> dirtyRows.put(table, new EnumMap<>(rows.written())));
    return new Written(new EnumMap<>(writer.goodRows), dirtyRows, writer.bytes);
  }

  private void writeFile(SourceTable table, SourceFormat format, int dayIndex, List<String[]> rows)
      throws IOException {
    LocalDate day = settings.start().plusDays(dayIndex);
    Path directory = out.resolve(folder(table)).resolve("date=" + day);
    Files.createDirectories(directory);
    try (BufferedWriter writer = open(directory.resolve(fileName(table)))) {
      if (format.csv()) {
        writer.write(format.header());
        writer.write("\r\n");
      }
      writeLines(writer, format, dirty.get(table).mix(rows, dayIndex, day));
    }
    goodRows.merge(table, (long) rows.size(), Long::sum);
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

  private void writeDays() throws IOException {
    long started = System.nanoTime();
    Map<SourceTable, SourceFormat> formats = new EnumMap<>(SourceTable.class);
    for (SourceTable table : SourceTable.values()) {
      formats.put(table, new SourceFormat(table));
    }
    // Late rows waiting for the file of their delivery day, by day index.
    List<List<String[]>> lateEvents = new ArrayList<>();
    List<List<String[]>> lateRequests = new ArrayList<>();
    for (int i = 0; i < settings.days(); i++) {
      lateEvents.add(new ArrayList<>());
      lateRequests.add(new ArrayList<>());
    }
    long inFlight = 0;
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
      Future<DayTraffic> next = drawer.submit(() -> dayTraffic(0));
      for (int dayIndex = 0; dayIndex < settings.days(); dayIndex++) {
        LocalDate day = settings.start().plusDays(dayIndex);
        DayTraffic traffic = await(next);
        if (dayIndex + 1 < settings.days()) {
          int nextIndex = dayIndex + 1;
          next = drawer.submit(() -> dayTraffic(nextIndex));
        }
        inFlight += schedule(traffic.lateEvents(), lateEvents) + schedule(traffic.lateRequests(), lateRequests);
        for (SourceTable table : SourceTable.values()) {
          List<String[]> rows =
              switch (table) {
                case USAGE_EVENTS -> arrivals(traffic.events(), lateEvents, dayIndex);
                case API_REQUESTS -> arrivals(traffic.requests(), lateRequests, dayIndex);
                case ACCOUNTS, SUBSCRIPTIONS, INVOICES, TICKETS, CS_ACTIVITIES, HELP_CENTER_VIEWS ->
                    plannedRows(table, dayIndex);
              };
          writeFile(table, formats.get(table), dayIndex, rows);
        }
        if ((dayIndex + 1) % 60 == 0 || dayIndex + 1 == settings.days()) {
          LOG.info(
              "Wrote the files of the days up to {}: {} usage events, {} requests, {} tickets so far ({} s)",
              day, goodRows.get(SourceTable.USAGE_EVENTS), goodRows.get(SourceTable.API_REQUESTS),
              goodRows.get(SourceTable.TICKETS), (System.nanoTime() - started) / 1_000_000_000);
        }
      }
    } finally {
      drawer.shutdownNow();
    }
    LOG.info(
        "Wrote {} accounts, {} subscriptions, {} invoices, {} tickets (row versions); {} late events "
            + "and requests are still in flight at the export and not written",
        goodRows.get(SourceTable.ACCOUNTS), goodRows.get(SourceTable.SUBSCRIPTIONS),
        goodRows.get(SourceTable.INVOICES), goodRows.get(SourceTable.TICKETS), inFlight);
  }

  /** Queues late rows for their delivery day; returns how many fall after the last observed day. */
  private int schedule(List<Late> late, List<List<String[]>> waiting) {
    int inFlight = 0;
    for (Late row : late) {
      if (row.dayIndex() < waiting.size()) {
        waiting.get(row.dayIndex()).add(row.row());
      } else {
        inFlight++;
      }
    }
    return inFlight;
  }

  /** A day's file: its own rows on time, then the late rows of earlier days that arrive with it. */
  private static List<String[]> arrivals(
      List<String[]> onTime, List<List<String[]>> waiting, int dayIndex) {
    List<String[]> late = waiting.set(dayIndex, List.of());
    if (late.isEmpty()) {
      return onTime;
    }
    List<String[]> rows = new ArrayList<>(onTime.size() + late.size());
    rows.addAll(onTime);
    rows.addAll(late);
    return rows;
  }

  /**
   * Usage events and API requests of every account on one observed day, in account order, split into
   * the rows delivered on time and the late ones. Lateness draws from a stream of its own per source
   * and day, the same number of draws for every row, so that the rows themselves do not depend on
   * --late-share, and a row late at a smaller share is late (by the same delay) at a larger one.
   */
  private DayTraffic dayTraffic(int dayIndex) {
    LocalDate day = settings.start().plusDays(dayIndex);
    List<String[]> events = new ArrayList<>();
    List<String[]> requests = new ArrayList<>();
    String prefix = day + "T";
    String compactDay = day.toString().replace("-", "");
    for (AccountDays account : world.accountDays()) {
      traffic(account, dayIndex, day, prefix, compactDay, events, requests);
    }
    List<Late> lateEvents = new ArrayList<>();
    List<Late> lateRequests = new ArrayList<>();
    List<String[]> onTimeEvents = delay(SourceTable.USAGE_EVENTS, dayIndex, events, lateEvents);
    List<String[]> onTimeRequests = delay(SourceTable.API_REQUESTS, dayIndex, requests, lateRequests);
    return new DayTraffic(onTimeEvents, lateEvents, onTimeRequests, lateRequests);
  }

  /** The rows delivered on their own day; the others go to {@code late} with their delivery day. */
  private List<String[]> delay(SourceTable table, int dayIndex, List<String[]> rows, List<Late> late) {
    double share = settings.lateShare();
    if (share == 0) {
      return rows;
    }
    SplittableRandom random =
        new SplittableRandom(Sampling.seedFor(settings.seed() ^ LATE_SALT, table.ordinal(), dayIndex));
    List<String[]> onTime = new ArrayList<>(rows.size());
    for (String[] row : rows) {
      boolean isLate = random.nextDouble() < share;
      int delay = 1 + random.nextInt(MAX_DELAY_DAYS);
      if (isLate) {
        late.add(new Late(dayIndex + delay, row));
      } else {
        onTime.add(row);
      }
    }
    return onTime;
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
    double scale = settings.trafficScale();
    double eventsPerUser = scale * EVENTS_PER_USER[segment] * (0.4 + 1.2 * engagement);
    double requestsPerUser = scale * REQUESTS_PER_USER * (0.5 + engagement);
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
    int integration = poisson(random, scale * account.apiRequestsPerDay() * (weekend ? 0.6 : 1.0));
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
    long outageStart = -1;
    long outageEnd = -1;
    if (severity > 0) {
      outageStart = random.nextInt(86_400_000);
      outageEnd = outageStart + Math.round(OUTAGE_HOURS_PER_SEVERITY * Math.min(severity, 2.0) * 3_600_000);
    }
    for (int i = 0; i < requestCount; i++) {
      long key = requestKeys[i];
      long millis = key >>> 20;
      boolean inOutage = millis >= outageStart && millis < outageEnd;
      double serverErrors = BASE_SERVER_ERROR_RATE + (inOutage ? OUTAGE_SERVER_ERROR_RATE : 0);
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
          logNormal(random, ROUTE_LATENCY_MS[route] * (inOutage ? 1 + 1.5 * severity : 1), LATENCY_SPREAD)
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

  static String seconds(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static BufferedWriter open(Path file) throws IOException {
    return new BufferedWriter(
        new java.io.OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
  }
}
