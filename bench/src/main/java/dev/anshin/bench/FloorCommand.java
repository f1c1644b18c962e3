package dev.anshin.bench;

import dev.anshin.errors.ExitCodes;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.cli.PipelineOptions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.SourceReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The floor of a nightly run: one Spark pass that reads every raw file delivered on one day and
 * counts its lines, with the session a nightly run would build. Nothing a nightly does to a day's
 * data can take less than reading it once.
 */
@Command(
    name = "bench-floor",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark yardstick: read every raw file of one day once (as text) and count its lines.",
      "Prints one JSON line: lines read, files, bytes and seconds (the Spark session's start excluded;",
      "time the process to include it). Uses the sources and Spark settings of the configuration."
    })
final class FloorCommand implements Callable<Integer> {
  @Mixin PipelineOptions options;

  @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The delivery day to read.")
  LocalDate date;

  @Override
  public Integer call() throws Exception {
    AnshinConfig config = options.load();
    SparkSession spark = SparkSessions.create(config.spark(), "anshin-bench-floor");
    SourceReader reader = new SourceReader(spark, config);
    List<String> paths = new ArrayList<>();
    for (SourceTable source : SourceTable.values()) {
      paths.addAll(reader.locations(source, date, date));
    }
    long bytes = 0;
    for (String path : paths) {
      org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(path);
      bytes += folder.getFileSystem(spark.sparkContext().hadoopConfiguration()).getContentSummary(folder).getLength();
    }
    long started = System.nanoTime();
    long lines = spark.read().text(paths.toArray(String[]::new)).count();
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.println(String.format(Locale.ROOT, "{\"date\":\"%s\",\"lines\":%d,\"folders\":%d,\"bytes\":%d,\"seconds\":%.3f}",
        date, lines, paths.size(), bytes, seconds));
    return ExitCodes.OK;
  }
}
