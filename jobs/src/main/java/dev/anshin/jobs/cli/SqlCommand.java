package dev.anshin.jobs.cli;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run Spark SQL over the lakehouse tables.",
      "Every Delta table of the lakehouse is registered under its name.",
      "Example: anshin sql \"SELECT risk_tier, count(*) FROM customer_scores GROUP BY risk_tier\""
    })
final class SqlCommand implements Callable<Integer> {
  enum Format { table, csv, json }

  @Mixin PipelineOptions options;

  @Option(names = "--format", defaultValue = "table", description = "Output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--limit", defaultValue = "100", description = "At most this many rows are printed. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL query.")
  String query;

  @Override
  public Integer call() {
    AnshinConfig config = options.load();
    SparkSession spark = SparkSessions.create(config.spark(), "anshin-sql");
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse());
    List<String> tables = lakehouse.registerViews();
    Dataset<Row> result;
    try {
      result = spark.sql(query);
    } catch (Exception e) {
      // Spark's AnalysisException (a bad query) is a checked exception Scala does not declare.
      if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
        throw e;
      }
      throw AnshinException.usage("the query failed: " + e.getMessage() + "\ntables: " + String.join(", ", tables));
    }
    switch (format) {
      case table -> result.show(limit, false);
      case csv -> {
        System.out.println(String.join(",", result.columns()));
        result.limit(limit).toDF().collectAsList().forEach(r -> System.out.println(csvLine(r)));
      }
      case json -> result.limit(limit).toJSON().collectAsList().forEach(System.out::println);
      default -> throw new IllegalStateException();
    }
    return ExitCodes.OK;
  }

  private static String csvLine(Row row) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < row.size(); i++) {
      if (i > 0) {
        line.append(',');
      }
      Object value = row.get(i);
      String text = value == null ? "" : value.toString();
      if (text.contains(",") || text.contains("\"") || text.contains("\n")) {
        text = '"' + text.replace("\"", "\"\"") + '"';
      }
      line.append(text);
    }
    return line.toString();
  }
}
