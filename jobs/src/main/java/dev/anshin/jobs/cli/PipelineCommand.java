package dev.anshin.jobs.cli;

import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.steps.PipelineContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;

/** A step of the pipeline: opens Spark on the configured lakehouse, runs, records the run log. */
abstract class PipelineCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineCommand.class);

  @Mixin PipelineOptions options;

  /** Runs {@code body} with a context; the run log is written even when only some steps ran. */
  protected <T> T withContext(String name, Function<PipelineContext, T> body) {
    AnshinConfig config = options.load();
    Instant started = Instant.now();
    SparkSession spark = SparkSessions.create(config.spark(), "anshin-" + name);
    PipelineContext context = new PipelineContext(spark, config);
    try {
      T result = body.apply(context);
      context.flushRunLog();
      return result;
    } finally {
      LOG.info("{} finished in {} s (lakehouse {})", name,
          Duration.between(started, Instant.now()).toSeconds(), context.lakehouse().root());
    }
  }

  static LocalDate firstDay(LocalDate from, LocalDate date) {
    if (from == null) {
      return date;
    }
    if (from.isAfter(date)) {
      throw AnshinException.usage("--from " + from + " is after --date " + date);
    }
    return from;
  }
}
