package dev.anshin.jobs.steps;

import dev.anshin.jobs.io.Lakehouse;
import java.time.LocalDate;

/** The nightly run: every step in order for a run date (or a backfill range ending at it). */
public final class Nightly {
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
      context.step("train", date, () -> {
        TrainStep.Result result = TrainStep.run(context, date);
        return new PipelineContext.StepReport(
            result.trainExamples(), 0, String.format(java.util.Locale.ROOT, "model %s test AUC-ROC %.3f", result.version(), result.test().aucRoc()));
      });
    }
    context.step("score", date, () -> {
      Lakehouse.WriteResult written = ScoreStep.run(context, date);
      return new PipelineContext.StepReport(written.rowsWritten(), 0, null);
    });
    context.flushRunLog();
  }
}
