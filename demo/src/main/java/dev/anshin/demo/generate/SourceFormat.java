package dev.anshin.demo.generate;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.io.Json;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * How one source's rows look on disk: CSV with a header (accounts, subscriptions, invoices, CS
 * activities) or JSON lines (usage events, API requests, tickets, help-centre views), with the columns of {@link SourceTable} in their
 * order. Rows are arrays of strings in that order; null means empty (CSV) or JSON null.
 */
final class SourceFormat {
  private final SourceTable table;
  private final List<String> fileColumns;
  private final boolean[] numeric;
  private final int idColumn;
  private final int accountColumn;
  private final int amountColumn;
  private final int timestampColumn;
  private final List<Integer> blankableRequiredColumns;

  SourceFormat(SourceTable table) {
    this.table = table;
    List<String> names = table.columnNames();
    // The billing export calls the interval column `interval`; the pipeline maps it (reference.conf).
    this.fileColumns =
        names.stream().map(n -> n.equals("billing_interval") ? "interval" : n).toList();
    this.numeric = new boolean[names.size()];
    List<Integer> blankable = new ArrayList<>();
    int timestamp = -1;
    for (int i = 0; i < names.size(); i++) {
      SourceTable.Column column = table.columns().get(i);
      DataType type = column.type();
      numeric[i] =
          type.equals(DataTypes.IntegerType)
              || type.equals(DataTypes.DoubleType)
              || type.equals(DataTypes.LongType);
      boolean isTime = type.equals(DataTypes.TimestampType) || type.equals(DataTypes.DateType);
      if (isTime && column.required() && timestamp < 0) {
        timestamp = i;
      }
      if (column.required()
          && !column.name().equals(table.idColumn())
          && !column.name().equals("account_id")) {
        blankable.add(i);
      }
    }
    this.idColumn = names.indexOf(table.idColumn());
    this.accountColumn = names.indexOf("account_id");
    this.amountColumn = names.contains("mrr") ? names.indexOf("mrr") : names.indexOf("amount");
    this.timestampColumn = timestamp;
    this.blankableRequiredColumns = List.copyOf(blankable);
  }

  SourceTable table() {
    return table;
  }

  /**
   * The CRM, billing and CS-platform exports are CSV; the product's events, requests, tickets and
   * help-centre views JSON lines.
   */
  boolean csv() {
    return switch (table) {
      case ACCOUNTS, SUBSCRIPTIONS, INVOICES, CS_ACTIVITIES -> true;
      case USAGE_EVENTS, API_REQUESTS, TICKETS, HELP_CENTER_VIEWS -> false;
    };
  }

  int idColumn() {
    return idColumn;
  }

  int accountColumn() {
    return accountColumn;
  }

  /** The money column, or -1 when the source has none. */
  int amountColumn() {
    return amountColumn;
  }

  /** The first required timestamp or date column: the one a bad timestamp goes into. */
  int timestampColumn() {
    return timestampColumn;
  }

  /** The index of a column of the source's schema, or -1. */
  int column(String name) {
    return table.columnNames().indexOf(name);
  }

  List<Integer> blankableRequiredColumns() {
    return blankableRequiredColumns;
  }

  String header() {
    return String.join(",", fileColumns);
  }

  String render(String[] values) {
    StringBuilder out = new StringBuilder(160);
    render(values, out);
    return out.toString();
  }

  void render(String[] values, StringBuilder out) {
    if (csv()) {
      for (int i = 0; i < values.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        csvField(values[i], out);
      }
    } else {
      out.append('{');
      for (int i = 0; i < values.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append('"').append(fileColumns.get(i)).append("\":");
        if (values[i] == null) {
          out.append("null");
        } else if (numeric[i]) {
          out.append(values[i]);
        } else {
          jsonString(values[i], out);
        }
      }
      out.append('}');
    }
  }

  /** A record that cannot be parsed: a CSV row short of its last field, or a cut-off JSON line. */
  String malformed(String[] values) {
    if (csv()) {
      String[] shorter = new String[values.length - 1];
      System.arraycopy(values, 0, shorter, 0, shorter.length);
      return render(shorter);
    }
    String line = render(values);
    return line.substring(0, line.length() * 3 / 5);
  }

  /** RFC 4180: quote a field that holds a comma, a quote or a line break; double inner quotes. */
  static void csvField(String value, StringBuilder out) {
    if (value == null) {
      return;
    }
    boolean quote =
        value.indexOf(',') >= 0
            || value.indexOf('"') >= 0
            || value.indexOf('\n') >= 0
            || value.indexOf('\r') >= 0;
    if (!quote) {
      out.append(value);
      return;
    }
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        out.append('"');
      }
      out.append(c);
    }
    out.append('"');
  }

  static void jsonString(String value, StringBuilder out) {
    Json.appendString(out, value);
  }
}
