package dev.anshin.jobs.generate;

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
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The files as a reader sees them, checked with parsers independent of the writer (Jackson for JSON
 * lines, a small RFC 4180 reader for CSV): every good row parses, daily timestamps fall on their
 * day, and the bad rows found match the manifest, kind by kind.
 */
class SourceFilesTest extends SparkTestBase {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> BAD_YEARS = Set.of("1970", "2099");
  /** The record's own time in a daily file, which must fall on the file's day. */
  static final Set<String> PARTITION_TIMES = Set.of("event_time", "request_time", "created_at");

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
    assertThat(snapshotLines(clean, "accounts", "accounts.csv"))
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
    assertThat(expected.get("usage_events")).doesNotContainKey("negative_amount");
    assertThat(expected.get("accounts")).doesNotContainKey("unknown_account");
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
        .containsExactly("as_of_date", "account_id", "churn_probability", "churned_within_horizon",
            "churn_date", "engagement", "pain");
    assertThat(churn.count()).isEqualTo(world.truth().size());
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
            "default: 400", "default: 2025-01-01", "dirty_manifest.json");
    assertThat(AnshinCli.run("generate", "--out", scratch.resolve("bad").toString(), "--accounts", "0"))
        .isEqualTo(64);
    assertThat(AnshinCli.run("generate", "--out", scratch.resolve("bad").toString(), "--start", "2025-13-01"))
        .isEqualTo(64);
  }

  // --- an independent reader of the generated files ---

  /** Good rows per source and bad rows per source and kind, found by reading the files. */
  record Scan(Map<String, Long> goodRows, Map<String, Map<String, Long>> defects) {}

  Scan scan(Path root) throws IOException {
    Map<String, Long> good = new TreeMap<>();
    Map<String, Map<String, Long>> defects = new TreeMap<>();
    Set<String> accounts = new HashSet<>();
    List<Map<String, String>> accountRows = new ArrayList<>();
    List<String> accountLines = snapshotLines(root, "accounts", "accounts.csv");
    // Accounts first: only the good ones are known accounts for the other sources.
    classify(SourceTable.ACCOUNTS, accountLines, true, null, Set.of(), good, defects, accountRows);
    accountRows.forEach(row -> accounts.add(row.get("account_id")));
    classify(SourceTable.SUBSCRIPTIONS, snapshotLines(root, "subscriptions", "subscriptions.csv"), true,
        null, accounts, good, defects, new ArrayList<>());
    classify(SourceTable.INVOICES, snapshotLines(root, "invoices", "invoices.csv"), true, null,
        accounts, good, defects, new ArrayList<>());
    Map<SourceTable, String> folders =
        Map.of(SourceTable.USAGE_EVENTS, "usage/events.jsonl", SourceTable.API_REQUESTS,
            "requests/requests.jsonl", SourceTable.TICKETS, "tickets/tickets.jsonl");
    for (SourceTable table : List.of(SourceTable.USAGE_EVENTS, SourceTable.API_REQUESTS, SourceTable.TICKETS)) {
      String[] parts = folders.get(table).split("/");
      List<Path> days;
      try (Stream<Path> list = Files.list(root.resolve(parts[0]))) {
        days = list.sorted().toList();
      }
      assertThat(days).hasSize(WorldGeneratorTest.TINY.days());
      for (Path day : days) {
        LocalDate date = LocalDate.parse(day.getFileName().toString().substring("date=".length()));
        classify(table, Files.readAllLines(day.resolve(parts[1])), false, date, accounts, good,
            defects, new ArrayList<>());
      }
    }
    return new Scan(good, defects);
  }

  /** A CRM or billing source's files of every day as one CSV: the header, then every day's rows. */
  static List<String> snapshotLines(Path root, String folder, String file) throws IOException {
    List<Path> days;
    try (Stream<Path> list = Files.list(root.resolve(folder))) {
      days = list.sorted().toList();
    }
    assertThat(days).hasSize(WorldGeneratorTest.TINY.days());
    List<String> lines = new ArrayList<>();
    for (Path day : days) {
      List<String> dayLines = Files.readAllLines(day.resolve(file));
      lines.addAll(lines.isEmpty() ? dayLines : dayLines.subList(1, dayLines.size()));
    }
    return lines;
  }

  void classify(
      SourceTable table, List<String> lines, boolean csv, LocalDate fileDay, Set<String> accounts,
      Map<String, Long> good, Map<String, Map<String, Long>> defects, List<Map<String, String>> goodRows) {
    List<String> columns =
        table.columnNames().stream().map(c -> c.equals("billing_interval") ? "interval" : c).toList();
    int first = 0;
    if (csv) {
      assertThat(lines.get(0)).isEqualTo(String.join(",", columns));
      first = 1;
    }
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
      } else {
        defects.computeIfAbsent(table.tableName(), k -> new TreeMap<>()).merge(found.get(0), 1L, Long::sum);
      }
    }
  }

  /** The defects of a parsed row; for a good row, also asserts that every value has its type. */
  List<String> defectsOf(SourceTable table, Map<String, String> row, LocalDate fileDay, Set<String> accounts) {
    List<String> found = new ArrayList<>();
    boolean missing = false;
    boolean badTime = false;
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
          boolean partitionTime = PARTITION_TIMES.contains(column.name());
          if (fileDay != null && partitionTime) {
            badTime |= !LocalDate.ofInstant(instant, ZoneOffset.UTC).equals(fileDay);
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
    }
    if (table != SourceTable.ACCOUNTS && row.get("account_id") != null
        && !accounts.contains(row.get("account_id"))) {
      found.add("unknown_account");
    }
    if (found.isEmpty()) {
      assertValues(table, row);
    }
    return found;
  }

  static void assertValues(SourceTable table, Map<String, String> row) {
    switch (table) {
      case ACCOUNTS -> assertThat(row.get("segment")).isIn("smb", "mid", "enterprise");
      case SUBSCRIPTIONS -> {
        assertThat(row.get("interval")).isIn("monthly", "annual");
        assertThat(row.get("currency")).isEqualTo("USD");
        assertThat(row.get("cancel_reason")).isIn(null, "voluntary", "involuntary");
        if (row.get("ended_at") != null) {
          assertThat(LocalDate.parse(row.get("ended_at"))).isAfter(LocalDate.parse(row.get("started_at")))
              .isBeforeOrEqualTo(WorldGeneratorTest.TINY.lastDay());
        } else {
          assertThat(row.get("cancel_reason")).isNull();
        }
      }
      case INVOICES -> {
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
      default -> {
        if (!row.get("user_id").startsWith("u-")) {
          throw new AssertionError("user_id does not start with u-: " + row);
        }
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
