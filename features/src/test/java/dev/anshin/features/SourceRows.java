package dev.anshin.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import dev.anshin.features.sources.SourceTable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Builds typed source tables from inline rows, for tests. Event sources get their event day and a
 * delivery day equal to it (delivered on time); versioned sources get no delivery day, so each row
 * is the one version known on every date, unless a test adds {@code delivered_on} itself.
 */
public final class SourceRows {
  private SourceRows() {}

  public static Dataset<Row> of(SparkSession spark, SourceTable source, List<Row> rows) {
    Dataset<Row> typed = spark.createDataFrame(rows, source.schema());
    if (source.eventDateColumn().isPresent()) {
      typed =
          typed
              .withColumn(source.eventDateColumn().get(), to_date(col(source.eventTimeColumn().orElseThrow())))
              .withColumn(SourceTable.DELIVERED_ON, col(source.eventDateColumn().get()));
    }
    return typed;
  }
}
