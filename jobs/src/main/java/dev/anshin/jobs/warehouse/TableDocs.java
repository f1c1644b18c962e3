package dev.anshin.jobs.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The descriptions of docs/tables.md (packed into the jar), read as the warehouse's table and column
 * comments, so that a BI tool's column help says what the docs say and the two cannot drift apart.
 *
 * <p>A section is a level-2 heading naming a table ({@code ## `customer_features`}, {@code ##
 * customer_slo_daily}); its first paragraph describes the table, and the rows of its markdown tables
 * whose header starts with {@code column} describe columns (a cell may name several: {@code
 * as_of_date, account_id}). A heading that names several tables lends its description to each
 * that has no section of its own.
 */
public final class TableDocs {
  private static final Pattern HEADING = Pattern.compile("^##\\s+(.*)$");

  private final Map<String, String> tables;
  private final Map<String, Map<String, String>> columns;

  private TableDocs(Map<String, String> tables, Map<String, Map<String, String>> columns) {
    this.tables = tables;
    this.columns = columns;
  }

  /** The docs packed into the jar. */
  public static TableDocs load() {
    try (InputStream in = TableDocs.class.getResourceAsStream("tables.md")) {
      if (in == null) {
        return parse("");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TableDocs parse(String markdown) {
    Map<String, String> tables = new LinkedHashMap<>();
    Map<String, Map<String, String>> columns = new LinkedHashMap<>();
    List<String> current = List.of();
    StringBuilder paragraph = null;
    boolean inColumnTable = false;
    for (String line : markdown.split("\n", -1)) {
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        current = tableNames(heading.group(1));
        paragraph = new StringBuilder();
        inColumnTable = false;
        continue;
      }
      if (current.isEmpty() || line.startsWith("#")) {
        if (line.startsWith("#")) {
          current = List.of();
        }
        continue;
      }
      String trimmed = line.trim();
      if (trimmed.startsWith("|")) {
        List<String> cells = cells(trimmed);
        if (cells.isEmpty() || cells.get(0).matches("-+")) {
          continue;
        }
        if (cells.get(0).equalsIgnoreCase("column")) {
          inColumnTable = true;
          continue;
        }
        if (inColumnTable && cells.size() >= 2) {
          String meaning = clean(cells.get(cells.size() - 1));
          for (String name : cells.get(0).split(",")) {
            String column = name.replace("`", "").trim();
            if (column.matches("[a-z_][a-z0-9_]*")) {
              for (String table : current) {
                columns.computeIfAbsent(table, t -> new LinkedHashMap<>()).putIfAbsent(column, meaning);
              }
            }
          }
        }
        continue;
      }
      inColumnTable = false;
      if (paragraph != null) {
        if (trimmed.isEmpty()) {
          if (paragraph.length() > 0) {
            String text = clean(paragraph.toString());
            for (String table : current) {
              // A table's own section describes it better than a heading shared with others.
              if (current.size() == 1) {
                tables.put(table, text);
              } else {
                tables.putIfAbsent(table, text);
              }
            }
            paragraph = null;
          }
        } else {
          paragraph.append(paragraph.length() > 0 ? " " : "").append(trimmed);
        }
      }
    }
    return new TableDocs(tables, columns);
  }

  /** The table's description, if the docs have one. */
  public Optional<String> table(String table) {
    return Optional.ofNullable(tables.get(table));
  }

  /** The column's description, if the docs have one. */
  public Optional<String> column(String table, String column) {
    return Optional.ofNullable(columns.getOrDefault(table, Map.of()).get(column));
  }

  private static List<String> tableNames(String heading) {
    // "`customer_features`", "customer_slo_daily", "Month tables: revenue_movements, revenue_summary, ..."
    String names = heading.contains(":") ? heading.substring(heading.indexOf(':') + 1) : heading;
    List<String> found = new ArrayList<>();
    for (String part : names.split(",")) {
      String name = part.replace("`", "").trim();
      if (name.matches("[a-z][a-z0-9_]*")) {
        found.add(name);
      }
    }
    return found;
  }

  private static List<String> cells(String row) {
    String inner = row.substring(1, row.endsWith("|") && row.length() > 1 ? row.length() - 1 : row.length());
    List<String> cells = new ArrayList<>();
    for (String cell : inner.split("(?<!\\\\)\\|", -1)) {
      cells.add(cell.trim());
    }
    return cells;
  }

  /** Markdown to plain text: no backticks, emphasis or link targets. */
  private static String clean(String text) {
    return text
        .replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
        .replace("`", "")
        .replace("**", "")
        .replace("\\|", "|")
        .replaceAll("<(https?://[^>]*)>", "$1")
        .trim();
  }
}
