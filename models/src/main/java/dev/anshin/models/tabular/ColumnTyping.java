package dev.anshin.models.tabular;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.anshin.errors.AnshinException;
import dev.anshin.models.churn.ModelInputs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * How the columns of a user's table become a churn model's inputs, decided by looking at the values
 * (a CSV gives every column as text):
 *
 * <ul>
 *   <li>a <b>number</b>: a numeric column, or text whose every value that is present parses as a
 *       number; blanks and the usual missing markers ({@link #MISSING_MARKERS}) are missing values;
 *   <li>a <b>flag</b>: a boolean, or text whose values are one yes/no pair ({@link #FLAG_PAIRS}),
 *       read as 1 and 0;
 *   <li>a <b>category</b>: any other text with at most {@code maxCategories} distinct values that
 *       are not mostly unique; a blank is the category {@link #BLANK}.
 * </ul>
 *
 * <p>Skipped, with the reason: dates and times, text that is an identifier or free text (too many
 * distinct values), columns with a single value, and nested types. A column without a single value
 * is an error: it is almost always a broken export, and naming it beats training without it.
 *
 * <p>The typing is decided once, when the model is fitted, and saved with it; scoring applies the
 * same typing to the new table, so a column that looks different there cannot change its meaning.
 * Inputs are named after their columns with anything but letters, digits and {@code _} replaced by
 * {@code _}, so that every name is safe in Spark SQL and in the drivers a person reads.
 */
public record ColumnTyping(String idColumn, List<TypedColumn> columns, List<SkippedColumn> skipped) {

  /** What a column is read as. */
  public enum Kind {
    NUMBER,
    FLAG,
    CATEGORY
  }

  /**
   * One model input: the table's column {@code source}, read as {@code kind} into the column {@code
   * name}; for a flag read from text, {@code trueValue} is its "yes" (lower case).
   */
  public record TypedColumn(String source, String name, Kind kind, String trueValue) {}

  /** A column of the table that is not a model input, and why. */
  public record SkippedColumn(String source, String reason) {}

  /** Values that mean "missing" in a column of numbers stored as text (compared in lower case, trimmed). */
  public static final Set<String> MISSING_MARKERS = Set.of("", "na", "n/a", "nan", "null", "none", "-", "?");

  /** Yes/no pairs a flag column may use, in lower case: the first of each pair is read as 1. */
  public static final List<List<String>> FLAG_PAIRS =
      List.of(List.of("yes", "no"), List.of("true", "false"), List.of("y", "n"), List.of("t", "f"));

  /** The category a blank or missing text value becomes. */
  public static final String BLANK = "(blank)";

  /** The column that carries the 0/1 label in a typed table. */
  public static final String LABEL = "_anshin_label";

  /** Default cap on the distinct values of a category; more than that reads as an identifier or free text. */
  public static final int MAX_CATEGORIES = 100;

  /** Aggregates per column in the typing's first pass: present, distinct, numbers, whole numbers, min, max. */
  private static final int STATS = 6;

  /** Names of identifier columns: ...id, ...number, ...no, ...key, ...index, row... */
  private static final java.util.regex.Pattern IDENTIFIER_NAME = java.util.regex.Pattern.compile(
      "(?i:(^|[^a-z])(id|number|no|num|key|index|idx)$|^row)|(?<=[a-z])(Id|ID|Number|No|Num|Key|Index)$");

  /** Names the churn pipeline gives its own columns; an input with one of them is renamed. */
  private static final Set<String> RESERVED =
      Set.of("features", "raw_features", "prediction", "probability", "rawprediction", "churn_margin",
          "churn_probability", LABEL.toLowerCase(Locale.ROOT));

  public ColumnTyping {
    columns = List.copyOf(columns);
    skipped = List.copyOf(skipped);
  }

  /**
   * The typing of {@code table}'s columns other than {@code idColumn}, {@code labelColumn} (may be
   * null) and {@code excluded}. Fails when no column is usable or a column holds no value at all.
   */
  public static ColumnTyping infer(
      Dataset<Row> table, String idColumn, String labelColumn, Set<String> excluded, int maxCategories) {
    List<StructField> candidates = new ArrayList<>();
    List<SkippedColumn> skipped = new ArrayList<>();
    for (StructField field : table.schema().fields()) {
      String name = field.name();
      if (name.equals(idColumn) || name.equals(labelColumn)) {
        continue;
      }
      if (excluded.contains(name)) {
        skipped.add(new SkippedColumn(name, "excluded by --exclude"));
      } else if (isTyped(field.dataType())) {
        candidates.add(field);
      } else {
        skipped.add(new SkippedColumn(name, "a " + field.dataType().simpleString() + " column; derive a number from it to use it"));
      }
    }
    if (candidates.isEmpty()) {
      throw AnshinException.badData("the table has no column to learn from besides the id and the label");
    }

    // One pass for every column's counts; a second, only over the few-valued text columns, for their values.
    List<Column> stats = new ArrayList<>();
    stats.add(count(lit(1)));
    for (StructField field : candidates) {
      Column value = col(quoted(field.name()));
      Column present = isPresent(value, field.dataType());
      stats.add(sum(when(present, 1).otherwise(0)));
      stats.add(approx_count_distinct(when(present, normalised(value, field.dataType()))));
      stats.add(field.dataType() instanceof StringType
          ? sum(when(present.and(trim(value).try_cast("double").isNotNull()), 1).otherwise(0))
          : lit(0L));
      // For telling a row counter or a numeric identifier from a measure: whole numbers, their range.
      Column number = field.dataType() instanceof StringType ? trim(value).try_cast("double") : value.cast("double");
      Column countable = when(present, number);
      stats.add(sum(when(countable.equalTo(floor(countable)), 1).otherwise(0)));
      stats.add(min(countable));
      stats.add(max(countable));
    }
    Row counts = table.agg(stats.get(0), stats.subList(1, stats.size()).toArray(Column[]::new)).first();
    long rows = counts.getLong(0);
    if (rows == 0) {
      throw AnshinException.badData("the table has no rows");
    }

    List<StructField> fewValued = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      StructField field = candidates.get(i);
      if (field.dataType() instanceof StringType && counts.getLong(1 + STATS * i + 1) <= 2) {
        fewValued.add(field);
      }
    }
    Map<String, List<String>> valuesOf = new java.util.HashMap<>();
    if (!fewValued.isEmpty()) {
      List<Column> sets = fewValued.stream()
          .map(f -> collect_set(when(isPresent(col(quoted(f.name())), f.dataType()), normalised(col(quoted(f.name())), f.dataType()))))
          .toList();
      Row values = table.agg(sets.get(0), sets.subList(1, sets.size()).toArray(Column[]::new)).first();
      for (int i = 0; i < fewValued.size(); i++) {
        valuesOf.put(fewValued.get(i).name(), values.getList(i));
      }
    }

    Set<String> taken = new HashSet<>();
    taken.add(idColumn.toLowerCase(Locale.ROOT));
    List<TypedColumn> typed = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      StructField field = candidates.get(i);
      String source = field.name();
      int at = 1 + STATS * i;
      long present = counts.getLong(at);
      long distinct = counts.getLong(at + 1);
      long numbers = counts.getLong(at + 2);
      long wholeNumbers = counts.isNullAt(at + 3) ? 0 : counts.getLong(at + 3);
      if (present == 0) {
        throw AnshinException.badData(
            "column '" + source + "' is empty in all " + rows + " rows; fix the export, or leave the column out with --exclude '"
                + source + "'");
      }
      DataType type = field.dataType();
      Kind kind;
      String trueValue = null;
      if (type instanceof BooleanType) {
        kind = Kind.FLAG;
      } else if (type instanceof NumericType) {
        kind = Kind.NUMBER;
      } else if (numbers == present) {
        kind = Kind.NUMBER;
      } else if ((trueValue = flagTrueValue(valuesOf.get(source))) != null) {
        kind = Kind.FLAG;
      } else if (distinct > maxCategories) {
        skipped.add(new SkippedColumn(source, "text with about " + distinct + " distinct values (more than " + maxCategories
            + "): an identifier, a date or free text, not a category"));
        continue;
      } else if (distinct > 10 && distinct * 2 > present) {
        skipped.add(new SkippedColumn(source, "text with a different value in most rows (about " + distinct + " in " + present
            + "): an identifier or free text, not a category"));
        continue;
      } else {
        kind = Kind.CATEGORY;
      }
      // The distinct count is approximate (about 5% either way): 80% stands for "about every row".
      if (kind == Kind.NUMBER && wholeNumbers == present && present == rows && rows >= 100 && distinct >= 0.8 * present) {
        // A different whole number in (about) every row is a row counter or a numeric identifier when its
        // values run without a gap or its name says so; a count that happens to differ everywhere is kept.
        double range = counts.getDouble(at + 5) - counts.getDouble(at + 4) + 1;
        if (range == rows || IDENTIFIER_NAME.matcher(source).find()) {
          skipped.add(new SkippedColumn(source, "a different whole number in every row"
              + (range == rows ? ", running without a gap" : "") + ": a row number or an identifier, not a measure"));
          continue;
        }
      }
      if (distinct == 1 && present == rows) {
        skipped.add(new SkippedColumn(source, "the same value in every row"));
        continue;
      }
      typed.add(new TypedColumn(source, safeName(source, taken), kind, trueValue));
    }
    if (typed.isEmpty()) {
      throw AnshinException.badData("no column of the table can be a model input: "
          + skipped.stream().map(s -> s.source() + " (" + s.reason() + ")").toList());
    }
    return new ColumnTyping(idColumn, typed, skipped);
  }

  /** The model's inputs: the typed columns (numbers and flags are numeric) and the label column. */
  public ModelInputs inputs() {
    List<String> numeric = columns.stream().filter(c -> c.kind() != Kind.CATEGORY).map(TypedColumn::name).toList();
    List<String> categorical = columns.stream().filter(c -> c.kind() == Kind.CATEGORY).map(TypedColumn::name).toList();
    return new ModelInputs(numeric, categorical, LABEL);
  }

  /**
   * The table typed: the id column (as it is), {@code label}'s column as {@link #LABEL} when {@code
   * label} is not null, then every input. Fails, naming them, when columns of the typing are missing.
   */
  public Dataset<Row> apply(Dataset<Row> table, BinaryLabel label) {
    Set<String> present = Set.of(table.columns());
    List<String> missing = new ArrayList<>();
    if (!present.contains(idColumn)) {
      missing.add(idColumn);
    }
    columns.stream().map(TypedColumn::source).filter(s -> !present.contains(s)).forEach(missing::add);
    if (!missing.isEmpty()) {
      throw AnshinException.badData("the table lacks column(s) the model reads: " + String.join(", ", missing)
          + "; its columns are " + String.join(", ", table.columns()));
    }
    List<Column> selected = new ArrayList<>();
    selected.add(col(quoted(idColumn)));
    if (label != null) {
      selected.add(label.asDouble(table).as(LABEL));
    }
    for (TypedColumn column : columns) {
      DataType type = table.schema().apply(column.source()).dataType();
      Column value = col(quoted(column.source()));
      Column typedValue = switch (column.kind()) {
        case NUMBER -> type instanceof NumericType
            ? value.cast("double")
            : when(isPresent(value, type), trim(value).try_cast("double"));
        case FLAG -> type instanceof BooleanType
            ? value.cast("double")
            : when(isPresent(value, type), when(lower(trim(value)).equalTo(column.trueValue()), 1.0).otherwise(0.0));
        case CATEGORY -> when(isPresent(value, type), trim(value.cast("string"))).otherwise(lit(BLANK));
      };
      selected.add(typedValue.as(column.name()));
    }
    return table.select(selected.toArray(Column[]::new));
  }

  /**
   * Fails, naming examples, when {@code table} lacks {@code idColumn}, or an id is empty or repeats:
   * a label and a score belong to one customer each.
   */
  public static void requireUniqueIds(Dataset<Row> table, String idColumn) {
    if (!List.of(table.columns()).contains(idColumn)) {
      throw AnshinException.badData(
          "the id column '" + idColumn + "' is not in the table; its columns are " + String.join(", ", table.columns()));
    }
    Column id = col(quoted(idColumn));
    Row counts = table.agg(count(lit(1)), sum(when(id.isNull().or(trim(id.cast("string")).equalTo("")), 1).otherwise(0))).first();
    if (counts.getLong(1) > 0) {
      throw AnshinException.badData("the id column '" + idColumn + "' is empty in " + counts.getLong(1) + " of "
          + counts.getLong(0) + " rows");
    }
    Dataset<Row> repeated = table.groupBy(id.cast("string").as("_id")).count().filter(col("count").gt(1)).cache();
    try {
      List<Row> examples = repeated.orderBy(col("count").desc(), col("_id")).limit(3).collectAsList();
      if (!examples.isEmpty()) {
        long ids = repeated.count();
        throw AnshinException.badData("the id column '" + idColumn + "' repeats: " + ids
            + (ids == 1 ? " id appears" : " ids appear") + " in more than one row, e.g. "
            + String.join(", ", examples.stream().map(r -> "'" + r.getString(0) + "' (" + r.getLong(1) + " rows)").toList())
            + "; the table needs one row per customer");
      }
    } finally {
      repeated.unpersist();
    }
  }

  /** A column name quoted for Spark, whatever characters it holds. */
  public static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  private static boolean isTyped(DataType type) {
    return type instanceof StringType || type instanceof NumericType || type instanceof BooleanType;
  }

  /** Whether a value is there: not null, and for text not blank nor a missing marker. */
  static Column isPresent(Column value, DataType type) {
    if (!(type instanceof StringType)) {
      return value.isNotNull().and(type instanceof NumericType ? value.cast("double").equalTo(value.cast("double")) : lit(true));
    }
    return value.isNotNull().and(lower(trim(value)).isin(MISSING_MARKERS.toArray()).unary_$bang());
  }

  private static Column normalised(Column value, DataType type) {
    return type instanceof StringType ? lower(trim(value)) : value;
  }

  /** The "yes" of the flag pair the values (lower case, trimmed) are drawn from, or null if they are not a flag. */
  private static String flagTrueValue(List<String> values) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    for (List<String> pair : FLAG_PAIRS) {
      if (pair.containsAll(values)) {
        return pair.get(0);
      }
    }
    return null;
  }

  /** The column's name made safe for SQL and unique (case-insensitively) among {@code taken}. */
  static String safeName(String source, Set<String> taken) {
    String name = source.replace("\uFEFF", "").strip().replaceAll("[^A-Za-z0-9_]", "_");
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      name = "c_" + name;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (RESERVED.contains(lower) || lower.endsWith("_filled") || lower.endsWith("_index") || lower.endsWith("_vector")) {
      name = name + "_input";
    }
    String unique = name;
    for (int n = 2; taken.contains(unique.toLowerCase(Locale.ROOT)); n++) {
      unique = name + "_" + n;
    }
    taken.add(unique.toLowerCase(Locale.ROOT));
    return unique;
  }
}
