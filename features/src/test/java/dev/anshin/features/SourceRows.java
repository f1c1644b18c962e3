package dev.anshin.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import dev.anshin.features.sources.SourceTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Builds typed source tables (with their partition columns) from inline rows, for tests. */
public final class SourceRows {
  private SourceRows() {}

  public static Dataset<Row> of(SparkSession spark, SourceTable source, List<Row> rows) {
    Dataset<Row> typed = spark.createDataFrame(rows, source.schema());
    if (source.partitionColumn().isPresent()) {
      typed =
          typed.withColumn(
              source.partitionColumn().get(), to_date(col(source.eventTimeColumn().orElseThrow())));
    }
    return typed;
  }
}
