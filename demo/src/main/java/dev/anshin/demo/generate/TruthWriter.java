package dev.anshin.demo.generate;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.demo.generate.World.TruthRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writes {@code truth/} next to the sources: the churn truth as Parquet (one row per active account
 * and observed day), {@code source_counts.json} and, for a dirty world, {@code dirty_manifest.json}.
 * The pipeline never reads these; the demo and the tests compare the pipeline's results with them.
 */
public final class TruthWriter {
  private TruthWriter() {}

  public static void writeChurn(SparkSession spark, World world, Path out) {
    List<Row> rows = new ArrayList<>(world.truth().size());
    for (TruthRow t : world.truth()) {
      rows.add(
          RowFactory.create(
              t.asOfDate(), t.accountId(), t.churnProbability(), t.churnedWithinHorizon(),
              t.churnDate(), t.engagement(), t.pain()));
    }
    spark
        .createDataFrame(rows, Truth.CHURN_SCHEMA)
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(out.resolve(Truth.FOLDER).resolve(Truth.CHURN).toString());
  }

  /** {@code {"accounts": n, ...}} in the order of {@link SourceTable}. */
  public static void writeCounts(WorldWriter.Written written, Path out) {
    StringBuilder json = new StringBuilder("{\n");
    SourceTable[] tables = SourceTable.values();
    for (int i = 0; i < tables.length; i++) {
      json.append("  \"").append(tables[i].tableName()).append("\": ")
          .append(written.goodRows().getOrDefault(tables[i], 0L))
          .append(i + 1 < tables.length ? ",\n" : "\n");
    }
    write(out.resolve(Truth.FOLDER).resolve(Truth.SOURCE_COUNTS), json.append("}\n").toString());
  }

  /** {@code {"<source>": {"<kind>": count}}}, listing every kind that applies to each source. */
  public static void writeManifest(WorldWriter.Written written, Path out) {
    StringBuilder json = new StringBuilder("{\n");
    SourceTable[] tables = SourceTable.values();
    for (int i = 0; i < tables.length; i++) {
      Map<DirtyRows.Kind, Integer> kinds = written.dirtyRows().get(tables[i]);
      json.append("  \"").append(tables[i].tableName()).append("\": {");
      int k = 0;
      for (Map.Entry<DirtyRows.Kind, Integer> entry : kinds.entrySet()) {
        json.append(k++ > 0 ? ", " : "").append('"').append(entry.getKey().label).append("\": ")
            .append(entry.getValue());
      }
      json.append('}').append(i + 1 < tables.length ? ",\n" : "\n");
    }
    write(out.resolve(Truth.FOLDER).resolve(Truth.DIRTY_MANIFEST), json.append("}\n").toString());
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
