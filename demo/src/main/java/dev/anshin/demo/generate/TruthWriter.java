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
 * and observed day), {@code source_counts.json}, the help centre's articles and the activities'
 * effects as CSV and, for a dirty world, {@code dirty_manifest.json}.
 * The pipeline never reads these; the demo and the tests compare the pipeline's results with them.
 */
public final class TruthWriter {
  private TruthWriter() {}

  public static void writeChurn(SparkSession spark, World world, Path out) {
    List<Row> rows = new ArrayList<>(world.truth().size());
    for (TruthRow t : world.truth()) {
      rows.add(
          RowFactory.create(
              t.asOfDate(), t.accountId(), t.churnProbability(), t.oracleProbability(), t.churnedWithinHorizon(),
              t.churnDate(), t.engagement(), t.pain(), t.realisedRevenue()));
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

  /**
   * {@code help_center_articles.csv}: every article with its planted deflection probability and
   * failing flag, then a row with only the category for each category without articles; and {@code
   * cs_activity_effects.csv}: the planted effect of each activity type (the {@link WorldModel}
   * constants).
   */
  public static void writeHelpCenterAndActivities(World world, Path out) {
    StringBuilder articles = new StringBuilder(String.join(",", Truth.HELP_CENTER_ARTICLES_COLUMNS)).append("\r\n");
    for (World.HelpCenterArticle article : world.articles()) {
      csvLine(
          articles, article.id(), article.category(), article.title(),
          Double.toString(article.deflectionProbability()), Boolean.toString(article.failing()));
    }
    for (String category : HelpCenter.missingCategories(world.articles())) {
      csvLine(articles, null, category, null, null, null);
    }
    write(out.resolve(Truth.FOLDER).resolve(Truth.HELP_CENTER_ARTICLES), articles.toString());
    StringBuilder effects = new StringBuilder(String.join(",", Truth.CS_ACTIVITY_EFFECTS_COLUMNS)).append("\r\n");
    csvLine(effects, WorldGenerator.EMAIL, "0.0");
    csvLine(effects, WorldGenerator.CALL, Double.toString(WorldModel.CALL_LIFT));
    csvLine(effects, WorldGenerator.BUSINESS_REVIEW, Double.toString(WorldModel.BUSINESS_REVIEW_LIFT));
    csvLine(effects, WorldGenerator.PLAYBOOK, Double.toString(WorldModel.PLAYBOOK_LIFT));
    write(out.resolve(Truth.FOLDER).resolve(Truth.CS_ACTIVITY_EFFECTS), effects.toString());
  }

  /** One RFC 4180 line (null is an empty field), ended with CRLF like the sources' CSV. */
  private static void csvLine(StringBuilder out, String... values) {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      SourceFormat.csvField(values[i], out);
    }
    out.append("\r\n");
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
