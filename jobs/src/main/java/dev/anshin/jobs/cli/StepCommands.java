package dev.anshin.jobs.cli;

import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.steps.AnalyticsStep;
import dev.anshin.jobs.steps.FeaturesStep;
import dev.anshin.jobs.steps.IngestStep;
import dev.anshin.jobs.steps.MaintenanceStep;
import dev.anshin.jobs.steps.PublishStep;
import dev.anshin.jobs.steps.ReportStep;
import dev.anshin.jobs.steps.ScoreStep;
import dev.anshin.jobs.steps.TraceabilityStep;
import dev.anshin.jobs.steps.Step;
import dev.anshin.jobs.steps.StepReport;
import dev.anshin.jobs.steps.TrainStep;
import dev.anshin.jobs.warehouse.Warehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The pipeline steps, one subcommand each, so that a scheduler can run one task per step. Each runs
 * the same {@link Step} the nightly runs, under the same lock and run log.
 */
final class StepCommands {
  private StepCommands() {}

  /** A command that runs one step for --date, or for a range with --from. */
  abstract static class StepCommand extends PipelineCommand {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The run date (the last one, with --from).")
    LocalDate date;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First date, for a backfill. Default: --date.")
    LocalDate from;

    abstract Step step();

    @Override
    public Integer call() {
      LocalDate first = firstDay(from, date);
      Step step = step();
      StepReport report = withContext(step.name(), context -> context.run(List.of(step), first, date).get(0));
      System.out.println(step.name() + " " + (first.equals(date) ? date : first + " .. " + date) + ": "
          + report.rowsWritten() + " rows written" + (report.rowsRejected() > 0 ? ", " + report.rowsRejected() + " rejected" : "")
          + (report.details() == null ? "" : "; " + report.details()));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description = {
        "Validate and store every source for a day (or a range with --from).",
        "Writes the typed source tables, rejected rows to `quarantine` with their reasons, and the",
        "daily rollup `account_daily`. Stops before writing anything if a source is missing (exit 66)."
      })
  static final class Ingest extends StepCommand {
    @Override
    Step step() {
      return IngestStep.INSTANCE;
    }
  }

  @Command(
      name = "features",
      mixinStandardHelpOptions = true,
      description = "Build `customer_features` (one row per active account) for a day, or a range with --from.")
  static final class Features extends StepCommand {
    @Override
    Step step() {
      return FeaturesStep.STEP;
    }
  }

  @Command(
      name = "analytics",
      mixinStandardHelpOptions = true,
      description = {
        "Build the CRE analytics tables (SLOs, support, revenue, retention, health) for a day or range.",
        "Writes customer_slo_daily, support_daily, toil_topics, mrr_movements, revenue_movements, revenue_summary,",
        "mrr_invoice_check, cohort_retention, cohort_retention_forecast and customer_health; needs the features",
        "of those dates."
      })
  static final class Analytics extends StepCommand {
    @Override
    Step step() {
      return AnalyticsStep.INSTANCE;
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = {
        "Train and register the churn model, and the revenue model trained with it, as of --date.",
        "With --from: on each retraining day of the range that anshin.churn.retrain names, as the nightly does.",
        "Learns from the feature history whose outcome is known by --date, measures the model out of",
        "time, calibrates its probabilities on those test examples (Platt scaling; churn_calibration holds the",
        "reliability tables), and registers it as version churn-<date> (training the same date again replaces it).",
        "On the same test dates it validates the health score (health_validation, health_band_churn): each",
        "component's AUC, each band's churn, and the weights the history would give (logged as configuration).",
        "The revenue model's growth regression learns the MRR ratio a horizon ahead from the accounts that stayed",
        "before the test dates; its errors on the test dates' staying accounts make the forecasts' intervals.",
        "Exits 65 when the data cannot train a model yet, saying how much history it needs (with --from or",
        "--on-cadence, such a day is skipped, as in the nightly)."
      })
  static final class Train extends StepCommand {
    @Option(names = "--on-cadence",
        description = "Train only if --date is a retraining day of anshin.churn.retrain, as the nightly does (a scheduler's daily task).")
    boolean onCadence;

    @Override
    Step step() {
      return from == null && !onCadence ? TrainStep.onDate() : TrainStep.onCadence();
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "Score every active account into `customer_scores` with the newest model trained through the date,",
        "with the drivers in `score_drivers`, and forecast its revenue (`revenue_forecast`, `portfolio_forecast`,",
        "`revenue_at_risk`) with the revenue model trained with it.",
        "With --from, every date of the range. Exits 65 when there is no such model yet."
      })
  static final class Score extends StepCommand {
    @Override
    Step step() {
      return ScoreStep.STEP;
    }
  }

  @Command(
      name = "traceability",
      mixinStandardHelpOptions = true,
      description = {
        "Build account_timeline (activities, tickets, and changes of health band, SLO status and risk tier, each",
        "next to the account's state that day) for a day or range, and, from the optional sources when enabled,",
        "activity_effects (anshin.sources.cs_activities) and help_center_deflection (anshin.sources.help_center_views)",
        "as of --date. Run after score: the timeline shows the risk tiers scored by then."
      })
  static final class Traceability extends StepCommand {
    @Override
    Step step() {
      return TraceabilityStep.INSTANCE;
    }
  }

  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = {
        "Publish the tables people read to the SQL warehouse (anshin.warehouse; PostgreSQL) for BI tools.",
        "Replaces --date's rows (the range with --from) of the per-day tables and the whole month tables and",
        "account list, in one transaction: a dashboard never sees a half-written table, a rerun never",
        "duplicates, a failure leaves the previous state. A table new to the warehouse gets its whole history.",
        "The nightly ends with this step when anshin.warehouse.url is set. Credentials come only from the",
        "environment variables that anshin.warehouse.user-env and password-env name (docs/warehouse.md).",
        "Exit codes: 75 the warehouse is unreachable (retry), 78 wrong database, user or password."
      })
  static final class Publish extends StepCommand {
    @Override
    Step step() {
      return PublishStep.STEP;
    }

    @Override
    public Integer call() {
      // Before the lock and Spark: a missing warehouse is a configuration error, found in a second.
      Warehouse.requireConfigured(options.load().warehouse());
      return super.call();
    }
  }

  @Command(
      name = "maintain",
      mixinStandardHelpOptions = true,
      description = {
        "Compact every table's small files and vacuum the files of old versions, whatever the date.",
        "The nightly does this before scoring, on anshin.maintenance.cadence (weekly, on Sundays).",
        "Vacuum keeps every file that a version younger than anshin.maintenance.retention (7d) reads.",
        "Changes no row; --date names the run in run_log."
      })
  static final class Maintain extends StepCommand {
    @Option(names = "--on-cadence",
        description = "Maintain only if a date of the run is on anshin.maintenance.cadence, as the nightly does (a scheduler's daily task).")
    boolean onCadence;

    @Override
    Step step() {
      return onCadence ? MaintenanceStep.ON_CADENCE : MaintenanceStep.ALWAYS;
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description = {
        "Write the run report of --date: one self-contained HTML page.",
        "It needs no internet and reads on a phone: portfolio risk, the accounts most at risk and why,",
        "revenue (MRR bridge, NRR and GRR, cohort retention, forecast), reliability (SLO status, lowest",
        "error budgets, platform SLI), support (volume, reply and resolution times, toil topics) and the",
        "run itself (steps, timings, quarantine).",
        "The nightly writes it to <lakehouse>/reports/<date>/index.html unless anshin.report.enabled = false."
      })
  static final class Report extends PipelineCommand {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The date to report on.")
    LocalDate date;

    @Option(names = "--out", paramLabel = "DIR",
        description = "Folder to write index.html into. Default: <lakehouse>/reports/<date>.")
    Path out;

    @Override
    public Integer call() {
      ReportStep step = new ReportStep(out, true);
      StepReport report = withContext(step.name(), context -> context.run(List.of(step), date, date).get(0));
      System.out.println(report.details());
      return ExitCodes.OK;
    }
  }
}
