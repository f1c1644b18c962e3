package dev.anshin.jobs.cli;

import dev.anshin.errors.AnshinException;
import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.LakehouseLock;
import dev.anshin.jobs.steps.PipelineContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;

/**
 * A command that runs steps: binds and validates the whole configuration first, takes the
 * lakehouse's lock (a command that writes), opens Spark, runs, and writes the run log in a {@code
 * finally}, so that a failed run leaves its record too.
 */
public abstract class PipelineCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineCommand.class);

  @Mixin protected PipelineOptions options;

  /** Runs {@code body} with a context, holding the lakehouse's lock. */
  protected <T> T withContext(String name, Function<PipelineContext, T> body) {
    return withContext(name, UnaryOperator.identity(), body);
  }

  /** As {@link #withContext(String, Function)}, with the loaded configuration adjusted first. */
  protected <T> T withContext(String name, UnaryOperator<AnshinConfig> adjust, Function<PipelineContext, T> body) {
    AnshinConfig config = adjust.apply(options.load());
    try (LakehouseLock lock = LakehouseLock.acquire(config.lakehouse(), config.lock().waitFor(), "anshin " + name)) {
      return run(name, config, body);
    }
  }

  /** Runs {@code body} without the lock, for commands that only read. */
  protected <T> T withReadOnlyContext(String name, Function<PipelineContext, T> body) {
    return run(name, options.load(), body);
  }

  private static <T> T run(String name, AnshinConfig config, Function<PipelineContext, T> body) {
    Instant started = Instant.now();
    SparkSession spark = SparkSessions.create(config.spark(), "anshin-" + name);
    PipelineContext context = new PipelineContext(spark, config);
    boolean failed = true;
    try {
      T result = body.apply(context);
      failed = false;
      return result;
    } finally {
      flushRunLog(context, failed);
      LOG.info("{} {} in {} s (lakehouse {})", name, failed ? "failed" : "finished",
          Duration.between(started, Instant.now()).toSeconds(), context.lakehouse().root());
    }
  }

  private static void flushRunLog(PipelineContext context, boolean failed) {
    try {
      context.flushRunLog();
    } catch (Exception e) { // Scala code throws checked exceptions (SparkException) undeclared.
      if (!failed) {
        throw e;
      }
      // The run's own failure is the one to report; the log says why its record is missing.
      LOG.warn("could not write run_log after the failure: {}", e.toString());
    }
  }

  protected static LocalDate firstDay(LocalDate from, LocalDate date) {
    if (from == null) {
      return date;
    }
    if (from.isAfter(date)) {
      throw AnshinException.usage("--from " + from + " is after --date " + date);
    }
    return from;
  }
}
