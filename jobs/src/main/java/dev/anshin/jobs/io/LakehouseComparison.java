package dev.anshin.jobs.io;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.hll_sketch_estimate;
import static org.apache.spark.sql.functions.round;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Compares two lakehouses table by table, row by row: the proof that a backfill and a replay of
 * nightly runs wrote the same tables.
 *
 * <p>What a run stamps on its own (the run log, wall-clock timestamps, a model's folder) is left
 * out; doubles are compared to 9 decimal places, since a sum of doubles may round differently
 * when Spark adds its parts in another order; and a HyperLogLog sketch by its estimate, since the
 * same users added in another order give other bytes for the same sketch.
 */
public final class LakehouseComparison {

  /** Tables that record the runs themselves, not their results. */
  static final Set<String> RUN_RECORDS = Set.of("run_log");

  /** Columns that hold when or where a run wrote a row, per table. */
  static final Map<String, List<String>> RUN_COLUMNS =
      Map.of("customer_scores", List.of("scored_at"), "model_registry", List.of("trained_at", "path"));

  static final int DOUBLE_DECIMALS = 9;

  /** One table's comparison: rows in each, and rows found in one but not the other. */
  public record TableDifference(String table, long rowsLeft, long rowsRight, long onlyLeft, long onlyRight) {
    public boolean same() {
      return rowsLeft == rowsRight && onlyLeft == 0 && onlyRight == 0;
    }

    @Override
    public String toString() {
      return String.format("%-28s %,12d %,12d %,10d %,10d  %s", table, rowsLeft, rowsRight, onlyLeft, onlyRight,
          same() ? "same" : "DIFFERENT");
    }
  }

  private LakehouseComparison() {}

  /** Every table of either lakehouse (a table missing on one side counts all its rows as different). */
  public static List<TableDifference> compare(Lakehouse left, Lakehouse right) {
    Set<String> tables = new TreeSet<>(left.tables());
    tables.addAll(right.tables());
    tables.removeAll(RUN_RECORDS);
    List<TableDifference> differences = new ArrayList<>();
    for (String table : tables) {
      if (!left.exists(table) || !right.exists(table)) {
        long l = left.exists(table) ? left.read(table).count() : 0;
        long r = right.exists(table) ? right.read(table).count() : 0;
        differences.add(new TableDifference(table, l, r, l, r));
        continue;
      }
      Dataset<Row> l = comparable(table, left.read(table));
      Dataset<Row> r = comparable(table, right.read(table)).select(columns(l));
      differences.add(difference(table, l, r));
    }
    return differences;
  }

  /**
   * Both row counts and both multiset differences in one query: every distinct row with how often
   * it occurs on each side (what two {@code exceptAll} and two counts would find in four).
   */
  private static TableDifference difference(String table, Dataset<Row> l, Dataset<Row> r) {
    String side = "__comparison_side";
    Dataset<Row> occurrences =
        l.withColumn(side, lit(1)).unionByName(r.withColumn(side, lit(-1)))
            .groupBy(columns(l))
            .agg(count_if(col(side).equalTo(1)).as("left_rows"), count_if(col(side).equalTo(-1)).as("right_rows"));
    Row totals =
        occurrences
            .agg(
                coalesce(sum("left_rows"), lit(0L)),
                coalesce(sum("right_rows"), lit(0L)),
                coalesce(sum(greatest(col("left_rows").minus(col("right_rows")), lit(0L))), lit(0L)),
                coalesce(sum(greatest(col("right_rows").minus(col("left_rows")), lit(0L))), lit(0L)))
            .first();
    return new TableDifference(table, totals.getLong(0), totals.getLong(1), totals.getLong(2), totals.getLong(3));
  }

  /** The header of {@link TableDifference#toString()}. */
  public static String header(String left, String right) {
    return String.format("%-28s %12s %12s %10s %10s", "table", left, right, "only left", "only right");
  }

  private static Dataset<Row> comparable(String table, Dataset<Row> rows) {
    for (String column : RUN_COLUMNS.getOrDefault(table, List.of())) {
      rows = rows.drop(column);
    }
    List<Column> columns = new ArrayList<>();
    for (StructField field : rows.schema().fields()) {
      Column column = col("`" + field.name() + "`");
      boolean floating = field.dataType().equals(DataTypes.DoubleType) || field.dataType().equals(DataTypes.FloatType);
      boolean sketch = field.dataType().equals(DataTypes.BinaryType) && field.name().endsWith("_sketch");
      if (floating) {
        columns.add(round(column, DOUBLE_DECIMALS).as(field.name()));
      } else if (sketch) {
        columns.add(hll_sketch_estimate(column).as(field.name()));
      } else {
        columns.add(column);
      }
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  private static Column[] columns(Dataset<Row> rows) {
    return java.util.Arrays.stream(rows.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
  }
}
