package dev.anshin.jobs.retention;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.trim;

import dev.anshin.errors.AnshinException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Where and how a retention command reads its input: a CSV file (with or without a header, comma,
 * tab or whitespace separated), Parquet, or a Delta table folder (detected by its {@code _delta_log}).
 */
public final class InputTable {

  @Option(
      names = "--input-format",
      defaultValue = "auto",
      description =
          "auto (Delta if the folder has _delta_log, Parquet for .parquet files or folders of them,"
              + " else CSV), csv, parquet or delta. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--no-header", description = "The CSV file has no header line; name the columns with --columns.")
  boolean noHeader;

  @Option(
      names = "--delimiter",
      defaultValue = ",",
      description = "CSV field separator: a character, 'tab', or 'whitespace' (runs of spaces and tabs,"
          + " leading spaces ignored, as in CDNOW_sample.txt). Default: '${DEFAULT-VALUE}'.")
  String delimiter;

  @Option(
      names = "--columns",
      split = ",",
      description = "Column names for a CSV file without a header, in file order, e.g. customer,id,date,cds,dollars.")
  List<String> columns;

  /** Reads the file or table; every CSV column comes back as a string. */
  public Dataset<Row> read(SparkSession spark, Path path) {
    if (!Files.exists(path)) {
      throw AnshinException.missingInput("input " + path + " does not exist");
    }
    if (!Files.isReadable(path)) {
      throw AnshinException.missingInput("input " + path + " is not readable");
    }
    String resolved = resolveFormat(path);
    Dataset<Row> data =
        switch (resolved) {
          case "delta" -> spark.read().format("delta").load(path.toString());
          case "parquet" -> spark.read().parquet(path.toString());
          case "csv" -> readCsv(spark, path);
          default -> throw AnshinException.usage(
              "--input-format is '" + format + "'; expected auto, csv, parquet or delta");
        };
    return data;
  }

  /** The format the input will be read as, after auto-detection. */
  public String resolveFormat(Path path) {
    String chosen = format == null ? "auto" : format.toLowerCase();
    if (!chosen.equals("auto")) {
      return chosen;
    }
    if (Files.isDirectory(path)) {
      if (Files.isDirectory(path.resolve("_delta_log"))) {
        return "delta";
      }
      try (Stream<Path> files = Files.list(path)) {
        if (files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"))) {
          return "parquet";
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return "csv";
    }
    return path.getFileName().toString().endsWith(".parquet") ? "parquet" : "csv";
  }

  private Dataset<Row> readCsv(SparkSession spark, Path path) {
    if (noHeader && (columns == null || columns.isEmpty())) {
      throw AnshinException.usage("--no-header needs --columns to name the columns");
    }
    if ("whitespace".equalsIgnoreCase(delimiter)) {
      if (!noHeader) {
        throw AnshinException.usage(
            "--delimiter whitespace reads files without a header; add --no-header and --columns");
      }
      // Fixed-width-looking files with leading spaces defeat Spark's CSV reader; split by regex.
      Column fields = split(trim(col("value")), "\\s+");
      List<Column> named = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        named.add(fields.getItem(i).as(columns.get(i).strip()));
      }
      return spark.read().text(path.toString())
          .where(trim(col("value")).notEqual(""))
          .select(named.toArray(Column[]::new));
    }
    String separator = "tab".equalsIgnoreCase(delimiter) ? "\t" : delimiter;
    Dataset<Row> data =
        spark.read()
            .option("header", Boolean.toString(!noHeader))
            .option("sep", separator)
            .option("mode", "FAILFAST")
            .csv(path.toString());
    if (noHeader) {
      if (data.columns().length != columns.size()) {
        throw AnshinException.badData(
            path + " has " + data.columns().length + " columns but --columns names " + columns.size()
                + ": " + columns);
      }
      data = data.toDF(columns.stream().map(String::strip).toArray(String[]::new));
    }
    return data;
  }

  /** Fails with a clear message unless every named column exists. */
  public static void requireColumns(Dataset<Row> data, Path path, String... names) {
    List<String> present = Arrays.asList(data.columns());
    for (String name : names) {
      if (!present.contains(name)) {
        throw AnshinException.badData(
            "column '" + name + "' is not in " + path + "; its columns are " + String.join(", ", present));
      }
    }
  }
}
