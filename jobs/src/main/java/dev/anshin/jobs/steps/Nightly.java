package dev.anshin.jobs.steps;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The nightly run: every step in order for a run date, or a backfill of the range ending at it.
 *
 * <p>A backfill and one run per date give the same tables: each step computes every date of the
 * range from what was delivered by that date's end; the churn model is retrained on the dates the
 * cadence names ({@code anshin.churn.retrain}), in date order; and every date is scored with the
 * newest model trained through it.
 */
public final class Nightly {
  private Nightly() {}

  /** Which optional steps to run. */
  public record Options(boolean train) {}

  /** The steps, in order; the same ones the single-step commands run. */
  public static List<Step> steps(Options options) {
    List<Step> steps = new ArrayList<>(List.of(IngestStep.INSTANCE, FeaturesStep.STEP, AnalyticsStep.INSTANCE));
    if (options.train()) {
      steps.add(TrainStep.onCadence());
    }
    // Before scoring: a lakehouse with no model yet ends its nightly at the score step (exit 65), and
    // would otherwise never be maintained in its first year. customer_scores, written after it, is
    // partitioned by day and never needs compacting.
    steps.add(MaintenanceStep.ON_CADENCE);
    steps.add(ScoreStep.STEP);
    steps.add(TraceabilityStep.INSTANCE);
    return steps;
  }

  /**
   * Runs the steps, then publishes to the warehouse when one is configured and writes the run report
   * when it is enabled. With no model yet the score step fails (exit 65) after every other table but
   * the traceability ones is written: those are written without scores, then everything is published
   * and reported before the run ends with that failure, so a young lakehouse's dashboards and report
   * still fill.
   */
  public static List<StepReport> run(PipelineContext context, LocalDate from, LocalDate date, Options options) {
    List<Step> last = new ArrayList<>();
    if (context.config().warehouse().configured()) {
      last.add(PublishStep.STEP);
    }
    if (context.config().report().enabled()) {
      last.add(new ReportStep(null, false));
    }
    List<StepReport> reports = new ArrayList<>();
    for (Step step : steps(options)) {
      try {
        reports.addAll(context.run(List.of(step), from, date));
      } catch (AnshinException e) {
        if (step == ScoreStep.STEP && e.exitCode() == ExitCodes.DATA_ERROR) {
          List<Step> rest = new ArrayList<>(List.of(TraceabilityStep.INSTANCE));
          rest.addAll(last);
          context.run(rest, from, date);
        }
        throw e;
      }
    }
    reports.addAll(context.run(last, from, date));
    return reports;
  }
}
