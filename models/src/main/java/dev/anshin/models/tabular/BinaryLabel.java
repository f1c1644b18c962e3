package dev.anshin.models.tabular;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.anshin.errors.AnshinException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;

/**
 * The yes/no outcome a churn model learns: a column with exactly two values, one of which, {@code
 * positive}, means "churned". Values are compared trimmed and in lower case, and whole numbers
 * whatever their type (1, 1.0 and "1" are the same value).
 */
public record BinaryLabel(String column, String positive, String negative) {

  /** Value pairs whose positive is obvious, positive first. */
  private static final List<List<String>> OBVIOUS =
      List.of(List.of("1", "0"), List.of("yes", "no"), List.of("true", "false"), List.of("y", "n"), List.of("t", "f"),
          List.of("churned", "retained"), List.of("churned", "active"), List.of("churn", "no churn"));

  /**
   * The label of {@code table}'s {@code column}: fails with the reason when the column is missing,
   * has an empty value, or has other than two values, or when {@code positive} (null to infer it from
   * the obvious pairs such as yes/no and 1/0) is neither of them.
   */
  public static BinaryLabel infer(Dataset<Row> table, String column, String positive) {
    return infer(table, column, positive, null);
  }

  /**
   * {@link #infer(Dataset, String, String)}, naming in the error for a label of more than two values
   * the rarest value and a row of it by its {@code idColumn} (null for none), so the odd row is found.
   */
  public static BinaryLabel infer(Dataset<Row> table, String column, String positive, String idColumn) {
    if (!List.of(table.columns()).contains(column)) {
      throw AnshinException.badData(
          "the label column '" + column + "' is not in the table; its columns are " + String.join(", ", table.columns()));
    }
    DataType type = table.schema().apply(column).dataType();
    Column value = normalised(col(ColumnTyping.quoted(column)), type);
    Row counts = table.agg(count(lit(1)), sum(when(value.isNull(), 1).otherwise(0))).first();
    long empty = counts.getLong(1);
    if (empty > 0) {
      throw AnshinException.badData(
          "the label column '" + column + "' is empty in " + empty + " of " + counts.getLong(0)
              + " rows; label every row, or drop the unlabelled ones");
    }
    List<String> values = new ArrayList<>();
    for (Row row : table.select(value).distinct().limit(6).collectAsList()) {
      values.add(row.getString(0));
    }
    values.sort(null);
    if (values.size() != 2) {
      String rarest = "";
      if (values.size() > 2 && idColumn != null) {
        Row rare = table.groupBy(value.as("_value")).agg(count(lit(1)).as("_rows"),
                org.apache.spark.sql.functions.min(col(ColumnTyping.quoted(idColumn)).cast("string")).as("_example"))
            .orderBy(col("_rows"), col("_value")).first();
        rarest = "; the rarest, " + rare.getString(0) + ", is in " + rare.getLong(1) + " row" + (rare.getLong(1) == 1 ? "" : "s")
            + ", e.g. " + idColumn + " " + rare.getString(2);
      }
      throw AnshinException.badData(
          "the label column '" + column + "' has " + (values.size() > 5 ? "more than 5" : values.size()) + " distinct value"
              + (values.size() == 1 ? "" : "s") + " (" + String.join(", ", values.subList(0, Math.min(5, values.size())))
              + (values.size() > 5 ? ", ..." : "") + ")" + rarest + "; a churn label needs exactly two, such as yes and no");
    }
    String chosen;
    if (positive != null) {
      chosen = positive.strip().toLowerCase(Locale.ROOT);
      if (chosen.matches("-?\\d+\\.0+")) {
        chosen = chosen.substring(0, chosen.indexOf('.'));
      }
      if (!values.contains(chosen)) {
        throw AnshinException.usage(
            "--positive is '" + positive + "' but the label column '" + column + "' holds " + values.get(0) + " and " + values.get(1));
      }
    } else {
      chosen = OBVIOUS.stream().filter(pair -> pair.containsAll(values)).map(pair -> pair.get(0)).findFirst()
          .orElseThrow(() -> AnshinException.usage(
              "cannot tell which value of the label column '" + column + "' means churned: " + values.get(0) + " or "
                  + values.get(1) + "; name it with --positive"));
    }
    String other = values.get(0).equals(chosen) ? values.get(1) : values.get(0);
    return new BinaryLabel(column, chosen, other);
  }

  /** 1.0 where {@code table}'s label is {@link #positive}, 0.0 where it is the other value. */
  public Column asDouble(Dataset<Row> table) {
    DataType type = table.schema().apply(column).dataType();
    return when(normalised(col(ColumnTyping.quoted(column)), type).equalTo(positive), 1.0).otherwise(0.0);
  }

  /** Trimmed lower-case text; whole numbers without decimals; null when blank. */
  private static Column normalised(Column value, DataType type) {
    Column text = type instanceof NumericType
        ? when(value.cast("double").equalTo(floor(value.cast("double"))), value.cast("double").cast("long").cast("string"))
            .otherwise(value.cast("string"))
        : lower(trim(value.cast("string")));
    Column wholeNumber = text.rlike("^-?\\d+\\.0+$");
    text = when(wholeNumber, substring_index(text, ".", 1)).otherwise(text);
    return when(text.equalTo(""), lit(null)).otherwise(text);
  }
}
