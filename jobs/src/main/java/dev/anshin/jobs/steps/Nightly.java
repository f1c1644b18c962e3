package dev.anshin.jobs.steps;

import dev.anshin.jobs.cli.AnshinException;
import dev.anshin.jobs.cli.ExitCodes;
import dev.anshin.jobs.io.Lakehouse;
import java.time.LocalDate;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly run: every step in order for a run date, or a backfill of the range ending at it.
 *
 * <p>A backfill and one run per date give the same tables: each step computes every date of the
 * range from what was delivered by that date's end; the churn model is retrained on the dates the
 * cadence names ({@code anshin.churn.retrain}), in date order; and every date is scored with the
 * newest model trained through it.
 */
public final class Nightly {
  private static final Logger LOG = LoggerFactory.getLogger(Nightly.class);

  private Nightly() {}

  /** Which optional steps to run. */
  public record Options(boolean train) {}

  public static void run(PipelineContext context, LocalDate from, LocalDate date, Options options) {
    IngestStep.run(context, from, date);
    context.step("features", date, () -> {
      Lakehouse.WriteResult written = FeaturesStep.run(context, from, date);
      return new PipelineContext.StepReport(written.rowsWritten(), 0, null);
    });
    AnalyticsStep.run(context, from, date);
    if (options.train()) {
      for (LocalDate day = from; !day.isAfter(date); day = day.plusDays(1)) {
        if (context.config().churn().retrainsOn(day)) {
          train(context, day);
        }
      }
    }
    context.step("score", date, () -> {
      Lakehouse.WriteResult written = ScoreStep.run(context, from, date);
      return new PipelineContext.StepReport(written.rowsWritten(), 0, null);
    });
    context.flushRunLog();
  }

  /** Trains on a cadence date; when the data cannot train a model yet, the newest earlier one keeps scoring. */
  private static void train(PipelineContext context, LocalDate day) {
    try {
      context.step("train", day, () -> {
        TrainStep.Result result = TrainStep.run(context, day);
        return new PipelineContext.StepReport(
            result.trainExamples(), 0, String.format(Locale.ROOT, "model %s test AUC-ROC %.3f", result.version(), result.test().aucRoc()));
      });
    } catch (AnshinException e) {
      if (e.exitCode() != ExitCodes.DATA_ERROR) {
        throw e;
      }
      boolean older = ModelRegistry.all(context.lakehouse()).stream().anyMatch(m -> m.trainedThrough().isBefore(day));
      LOG.warn("train {}: skipped ({}): {}", day,
          older ? "the newest earlier model keeps scoring" : "no model yet, so no churn scores until one is trained",
          e.getMessage());
    }
  }
}
