package dev.anshin.demo.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.cli.AnshinCli;
import dev.anshin.testing.SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The files as a reader sees them, checked with parsers independent of the writer (Jackson for JSON
 * lines, a small RFC 4180 reader for CSV): every day has one file per source, every good row parses
 * and shows nothing after the end of its file's day, events are at most 3 days late, and the bad
 * rows found match the manifest, kind by kind.
 */
class SourceFilesTest extends SparkTestBase {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> BAD_YEARS = Set.of("1970", "2099");
  /** Each source's file in the folder of day D, as the layout contract names it. */
  static final Map<SourceTable, String> FILES =
      Map.of(
          SourceTable.ACCOUNTS, "accounts/date=%s/accounts.csv",
          SourceTable.SUBSCRIPTIONS, "subscriptions/date=%s/subscriptions.csv",
          SourceTable.INVOICES, "invoices/date=%s/invoices.csv",
          SourceTable.USAGE_EVENTS, "usage/date=%s/events.jsonl",
          SourceTable.API_REQUESTS, "requests/date=%s/requests.jsonl",
          SourceTable.TICKETS, "tickets/date=%s/tickets.jsonl",
          SourceTable.CS_ACTIVITIES, "cs_activities/date=%s/activities.csv",
          SourceTable.HELP_CENTER_VIEWS, "help_center/date=%s/views.jsonl");
  /** The event time of the append-only sources: at most 3 days before the file's day. */
  static final Map<SourceTable, String> EVENT_TIMES =
      Map.of(SourceTable.USAGE_EVENTS, "event_time", SourceTable.API_REQUESTS, "request_time",
          SourceTable.CS_ACTIVITIES, "activity_time", SourceTable.HELP_CENTER_VIEWS, "view_time");

  Path clean;
  Path dirty;
  Scan cleanScan;

  @BeforeAll
  void writeWorlds() throws IOException {
    clean = WorldGeneratorTest.writeWorld(WorldGeneratorTest.TINY.withDirty(false), scratch.resolve("clean"));
    dirty = WorldGeneratorTest.writeWorld(WorldGeneratorTest.TINY, scratch.resolve("dirty"));
    cleanScan = scan(clean);
  }

  @Test
  void everyGoodRowParsesAndDailyTimestampsFallOnTheirDay() throws IOException {
    Scan scan = cleanScan;
    assertThat(scan.defects).isEmpty();
    JsonNode counts = JSON.readTree(clean.resolve("truth/source_counts.json").toFile());
    assertThat(iterable(counts.fieldNames())).containsExactly(SourceTable.names());
    for (SourceTable table : SourceTable.values()) {
      assertThat(scan.goodRows.getOrDefault(table.tableName(), 0L))
          .as(table.tableName())
          .isEqualTo(counts.get(table.tableName()).asLong())
          .isPositive();
    }
    // Some names hold a comma, so the CSV must quote them.
    assertThat(Files.readAllLines(clean.resolve(file(SourceTable.ACCOUNTS, WorldGeneratorTest.TINY.start()))))
        .anyMatch(line -> line.matches(".*,\"[^\"]*,[^\"]*\",.*"));
  }

  @Test
  void theManifestCountsTheBadRowsActuallyWritten() throws IOException {
    Scan scan = scan(dirty);
    JsonNode manifest = JSON.readTree(dirty.resolve("truth/dirty_manifest.json").toFile());
    Map<String, Map<String, Long>> expected = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> sources = manifest.fields(); sources.hasNext(); ) {
      Map.Entry<String, JsonNode> source = sources.next();
      for (Iterator<Map.Entry<String, JsonNode>> kinds = source.getValue().fields(); kinds.hasNext(); ) {
        Map.Entry<String, JsonNode> kind = kinds.next();
        expected.computeIfAbsent(source.getKey(), k -> new TreeMap<>()).put(kind.getKey(), kind.getValue().asLong());
      }
    }
    assertThat(scan.defects).isEqualTo(expected);
    assertThat(expected.keySet()).containsExactlyInAnyOrder(SourceTable.names());
    assertThat(expected.get("invoices")).containsKeys("negative_amount", "duplicate_id", "malformed_record");
    assertThat(expected.get("usage_events")).doesNotContainKeys("negative_amount", "negative_duration").containsKey("too_late");
    assertThat(expected.get("api_requests")).containsKey("too_late");
    assertThat(expected.get("cs_activities")).containsKeys("too_late", "unknown_account", "missing_required_field")
        .doesNotContainKeys("negative_amount", "negative_duration");
    assertThat(expected.get("help_center_views")).containsKeys("too_late", "duplicate_id", "malformed_record");
    assertThat(expected.get("tickets")).containsKeys("unknown_account", "timestamp_out_of_range", "negative_duration")
        .doesNotContainKey("too_late");
    assertThat(expected.get("accounts")).doesNotContainKey("unknown_account");
    // Every kind that applies to a source is there three to five times (the tiny world has room).
    for (Map<String, Long> kinds : expected.values()) {
      assertThat(kinds.values()).allSatisfy(count -> assertThat(count).isBetween(3L, 5L));
    }
    // The good rows are untouched by --dirty.
    assertThat(scan.goodRows).isEqualTo(cleanScan.goodRows);
  }

  @Test
  void truthIsWrittenAsParquetWithOneRowPerActiveAccountDay() {
    World world = WorldGenerator.simulate(WorldGeneratorTest.TINY);
    Path out = scratch.resolve("truth-world");
    TruthWriter.writeChurn(spark, world, out);
    Dataset<Row> churn = spark.read().parquet(out.resolve("truth/churn").toString());
    assertThat(churn.columns())
        .containsExactly("as_of_date", "account_id", "churn_probability", "oracle_probability", "churned_within_horizon",
            "churn_date", "engagement", "pain", "realised_revenue");
    // The Monte Carlo oracle is null off its days.
    assertThat(churn.filter("oracle_probability IS NOT NULL").count())
        .isEqualTo(world.truth().stream().filter(t -> t.oracleProbability() != null).count())
        .isPositive()
        .isLessThan(world.truth().size());
    assertThat(churn.count()).isEqualTo(world.truth().size());
    assertThat(churn.agg(org.apache.spark.sql.functions.sum("realised_revenue")).first().getDouble(0))
        .isCloseTo(world.truth().stream().mapToDouble(World.TruthRow::realisedRevenue).sum(), org.assertj.core.api.Assertions.within(1e-6));
    assertThat(churn.select("as_of_date", "account_id").distinct().count()).isEqualTo(world.truth().size());
    assertThat(churn.schema().apply("as_of_date").dataType()).isEqualTo(DataTypes.DateType);
    assertThat(churn.schema().apply("churn_date").dataType()).isEqualTo(DataTypes.DateType);
    assertThat(churn.filter("churned_within_horizon").count())
        .isEqualTo(world.truth().stream().filter(World.TruthRow::churnedWithinHorizon).count());
  }

  @Test
  void helpDescribesEveryOptionAndBadValuesAreUsageErrors() {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(text, true, StandardCharsets.UTF_8));
      exit = AnshinCli.run("generate", "--help");
    } finally {
      System.setOut(original);
    }
    assertThat(exit).isZero();
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("--out", "--accounts", "--days", "--seed", "--start", "--horizon", "--dirty",
            "--late-share", "default: 400", "default: 2025-01-01", "default: 0.02", "dirty_manifest.json",
            "accounts/date=D/accounts.csv", "cs_activities/date=D/activities.csv",
            "help_center/date=D/views.jsonl", "help_center_articles.csv", "too_late");
    assertThat(AnshinCli.run("generate", "--out", scratch.resolve("bad").toString(), "--accounts", "0"))
        .isEqualTo(64);
    assertThat(AnshinCli.run("generate", "--out", scratch.resolve("bad").toString(), "--start", "2025-13-01"))
        .isEqualTo(64);
    assertThat(AnshinCli.run("generate", "--out", scratch.resolve("bad").toString(), "--late-share", "1.5"))
        .isEqualTo(64);
  }

  // --- an independent reader of the generated files ---

  /** Good rows per source and bad rows per source and kind, found by reading the files. */
  record Scan(Map<String, Long> goodRows, Map<String, Map<String, Long>> defects) {}

  static String file(SourceTable table, LocalDate day) {
    return String.format(FILES.get(table), day);
  }

  Scan scan(Path root) throws IOException {
    WorldSettings settings = WorldGeneratorTest.TINY;
    Map<String, Long> good = new TreeMap<>();
    Map<String, Map<String, Long>> defects = new TreeMap<>();
    // Every day has one file of every source, and there are no others.
    Set<String> expectedFiles = new TreeSet<>();
    for (LocalDate day = settings.start(); !day.isAfter(settings.lastDay()); day = day.plusDays(1)) {
      for (SourceTable table : SourceTable.values()) {
        expectedFiles.add(file(table, day));
      }
    }
    assertThat(sourceFiles(root)).isEqualTo(expectedFiles);
    // Accounts first, from every day: only the good ones are known accounts for the other sources.
    List<Map<String, String>> accountRows = new ArrayList<>();
    for (LocalDate day = settings.start(); !day.isAfter(settings.lastDay()); day = day.plusDays(1)) {
      classify(SourceTable.ACCOUNTS, Files.readAllLines(root.resolve(file(SourceTable.ACCOUNTS, day))),
          day, null, good, defects, accountRows);
    }
    Set<String> accounts = new HashSet<>();
    accountRows.forEach(row -> accounts.add(row.get("account_id")));
    for (SourceTable table : SourceTable.values()) {
      if (table == SourceTable.ACCOUNTS) {
        continue;
      }
      for (LocalDate day = settings.start(); !day.isAfter(settings.lastDay()); day = day.plusDays(1)) {
        classify(table, Files.readAllLines(root.resolve(file(table, day))), day, accounts, good,
            defects, new ArrayList<>());
      }
    }
    return new Scan(good, defects);
  }

  static Set<String> sourceFiles(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .filter(p -> !p.startsWith("truth"))
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  /**
   * Sorts the lines of one file into good rows and defects.
   *
   * @param accounts the known accounts, or null for the accounts files themselves
   */
  void classify(
      SourceTable table, List<String> lines, LocalDate fileDay, Set<String> accounts,
      Map<String, Long> good, Map<String, Map<String, Long>> defects, List<Map<String, String>> goodRows) {
    boolean csv = SourceFilesTest.FILES.get(table).endsWith(".csv");
    List<String> columns =
        table.columnNames().stream().map(c -> c.equals("billing_interval") ? "interval" : c).toList();
    int first = 0;
    if (csv) {
      assertThat(lines.get(0)).isEqualTo(String.join(",", columns));
      first = 1;
    }
    Set<String> ids = new HashSet<>();
    for (int i = first; i < lines.size(); i++) {
      String line = lines.get(i);
      List<String> found = new ArrayList<>();
      Map<String, String> row = csv ? csvRow(line, columns) : jsonRow(line, columns);
      if (i > first && line.equals(lines.get(i - 1))) {
        found.add("duplicate_id");
      } else if (row == null) {
        found.add("malformed_record");
      } else {
        found.addAll(defectsOf(table, row, fileDay, accounts));
      }
      if (found.size() > 1) {
        throw new AssertionError(table.tableName() + " line " + i + " has defects " + found + ": " + line);
      }
      if (found.isEmpty()) {
        good.merge(table.tableName(), 1L, Long::sum);
        goodRows.add(row);
        // Within one file an id appears once (a duplicate_id copy is a bad row).
        if (!ids.add(row.get(table.idColumn()))) {
          throw new AssertionError(table.tableName() + " id twice in the file of " + fileDay + ": " + line);
        }
      } else {
        defects.computeIfAbsent(table.tableName(), k -> new TreeMap<>()).merge(found.get(0), 1L, Long::sum);
        String kind = found.get(0);
        LocalDate last = WorldGeneratorTest.TINY.lastDay();
        if (kind.equals("unknown_account") && fileDay.isAfter(last.minusDays(8))) {
          throw new AssertionError("unknown_account less than 8 days before the end: " + fileDay + " " + line);
        }
        if (kind.equals("too_late") && fileDay.isBefore(WorldGeneratorTest.TINY.start().plusDays(30))) {
          throw new AssertionError("too_late in the first 30 days: " + fileDay + " " + line);
        }
      }
    }
  }

  /**
   * The defects of a parsed row; for a good row, also asserts that every value has its type. A
   * timestamp after the end of the file's day is out of range in every source (no version shows
   * the future); an event more than 3 days before its file's day is too late.
   */
  List<String> defectsOf(SourceTable table, Map<String, String> row, LocalDate fileDay, Set<String> accounts) {
    List<String> found = new ArrayList<>();
    boolean missing = false;
    boolean badTime = false;
    boolean tooLate = false;
    Instant endOfDay = fileDay.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    for (SourceTable.Column column : table.columns()) {
      String value = row.get(column.name().equals("billing_interval") ? "interval" : column.name());
      if (value == null || value.isEmpty()) {
        missing |= column.required();
        continue;
      }
      DataType type = column.type();
      if (type.equals(DataTypes.TimestampType) || type.equals(DataTypes.DateType)) {
        badTime |= BAD_YEARS.contains(value.substring(0, 4));
        if (type.equals(DataTypes.TimestampType)) {
          Instant instant = Instant.parse(value);
          badTime |= !instant.isBefore(endOfDay);
          if (column.name().equals(EVENT_TIMES.get(table))) {
            tooLate = LocalDate.ofInstant(instant, ZoneOffset.UTC).isBefore(fileDay.minusDays(3));
          }
        } else {
          LocalDate.parse(value);
        }
      } else if (type.equals(DataTypes.IntegerType)) {
        // Plain checks in this hot loop: an AssertJ assertion per value would dominate the test.
        if (Integer.parseInt(value) < 0) {
          throw new AssertionError(column.name() + " is negative in " + row);
        }
      } else if (type.equals(DataTypes.DoubleType)) {
        if (Double.parseDouble(value) < 0) {
          throw new AssertionError(column.name() + " is negative in " + row);
        }
      } else if (column.name().equals("mrr") || column.name().equals("amount")) {
        BigDecimal amount = new BigDecimal(value);
        assertThat(amount.scale()).isEqualTo(2);
        if (amount.signum() < 0) {
          found.add("negative_amount");
        }
      }
    }
    if (missing) {
      found.add("missing_required_field");
    }
    if (badTime) {
      found.add("timestamp_out_of_range");
    } else if (tooLate) {
      found.add("too_late");
    } else if (table == SourceTable.TICKETS && notEmpty(row.get("created_at")) && notEmpty(row.get("first_reply_at"))
        && Instant.parse(row.get("first_reply_at")).isBefore(Instant.parse(row.get("created_at")))) {
      found.add("negative_duration");
    }
    if (accounts != null && row.get("account_id") != null && !accounts.contains(row.get("account_id"))) {
      found.add("unknown_account");
    }
    if (found.isEmpty()) {
      assertValues(table, row, fileDay);
    }
    return found;
  }

  private static boolean notEmpty(String value) {
    return value != null && !value.isEmpty();
  }

  static void assertValues(SourceTable table, Map<String, String> row, LocalDate fileDay) {
    switch (table) {
      case ACCOUNTS -> assertThat(row.get("segment")).isIn("smb", "mid", "enterprise");
      case SUBSCRIPTIONS -> {
        assertThat(row.get("interval")).isIn("monthly", "annual");
        assertThat(row.get("currency")).isIn("USD", "EUR", "GBP", "JPY");
        assertThat(row.get("cancel_reason")).isIn(null, "voluntary", "involuntary");
        assertThat(LocalDate.parse(row.get("started_at"))).isBeforeOrEqualTo(fileDay);
        if (row.get("ended_at") != null) {
          LocalDate ended = LocalDate.parse(row.get("ended_at"));
          assertThat(ended).isAfter(LocalDate.parse(row.get("started_at")));
          if (!"voluntary".equals(row.get("cancel_reason"))) {
            // Only a voluntary cancellation is known before it takes effect (up to 30 days).
            assertThat(ended).isBeforeOrEqualTo(fileDay);
          } else {
            assertThat(ended).isBeforeOrEqualTo(fileDay.plusDays(30));
          }
        } else {
          assertThat(row.get("cancel_reason")).isNull();
        }
      }
      case INVOICES -> {
        assertThat(LocalDate.parse(row.get("period_start"))).isBeforeOrEqualTo(fileDay);
        assertThat(row.get("status")).isIn("paid", "failed", "open");
        assertThat(row.get("paid_at") != null).isEqualTo(row.get("status").equals("paid"));
        if (row.get("status").equals("failed")) {
          assertThat(row.get("failed_attempts")).isIn("1", "2", "3");
        }
      }
      case TICKETS -> {
        assertThat(row.get("priority")).isIn("low", "normal", "high", "urgent");
        assertThat(row.get("channel")).isIn("email", "chat", "web");
        assertThat(row.get("satisfaction")).isIn("good", "bad", "offered", "unoffered");
        if (row.get("first_reply_at") != null) {
          assertThat(Instant.parse(row.get("first_reply_at"))).isAfterOrEqualTo(Instant.parse(row.get("created_at")));
        }
      }
      case API_REQUESTS -> {
        int status = Integer.parseInt(row.get("status"));
        if (status < 200 || status > 599) {
          throw new AssertionError("status out of range: " + row);
        }
      }
      case USAGE_EVENTS -> {
        if (!row.get("user_id").startsWith("u-")) {
          throw new AssertionError("user_id does not start with u-: " + row);
        }
      }
      case CS_ACTIVITIES -> {
        assertThat(row.get("activity_id")).matches("act-\\d{5}-\\d{4}");
        assertThat(row.get("activity_type")).isIn("email", "call", "business_review", "playbook");
        assertThat(row.get("owner")).isIn(WorldGenerator.CSM_OWNERS);
      }
      case HELP_CENTER_VIEWS -> {
        // The same user ids as the usage events: u-<the account's number>-<four digits>.
        assertThat(row.get("user_id")).matches("u-" + row.get("account_id").substring(4) + "-\\d{4}");
        assertThat(row.get("category")).isIn((Object[]) WorldGenerator.TICKET_CATEGORIES);
        assertThat(row.get("article_id")).startsWith("kb-" + row.get("category") + "-");
        assertThat(row.get("article_title")).isNotBlank();
      }
    }
  }

  /** A JSON line as column -> text (null for JSON null or absent), or null if it does not parse. */
  static Map<String, String> jsonRow(String line, List<String> columns) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
    if (node == null || !node.isObject()) {
      return null;
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!columns.contains(name)) {
        throw new AssertionError("unexpected field " + name + " in " + line);
      }
    }
    Map<String, String> row = new TreeMap<>();
    for (String column : columns) {
      JsonNode value = node.get(column);
      row.put(column, value == null || value.isNull() ? null : value.asText());
    }
    return row;
  }

  /** An RFC 4180 line as column -> text (null for empty), or null if it has the wrong field count. */
  static Map<String, String> csvRow(String line, List<String> columns) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    if (fields.size() != columns.size()) {
      return null;
    }
    Map<String, String> row = new TreeMap<>();
    for (int i = 0; i < columns.size(); i++) {
      row.put(columns.get(i), fields.get(i).isEmpty() ? null : fields.get(i));
    }
    return row;
  }

  static List<String> iterable(Iterator<String> names) {
    List<String> list = new ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }
}
