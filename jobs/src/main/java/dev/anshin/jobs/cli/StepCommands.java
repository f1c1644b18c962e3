package dev.anshin.jobs.cli;

import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.steps.EvaluateStep;
import dev.anshin.jobs.steps.FeaturesStep;
import dev.anshin.jobs.steps.IngestStep;
import dev.anshin.jobs.steps.PipelineContext;
import dev.anshin.jobs.steps.ScoreStep;
import dev.anshin.jobs.steps.TrainStep;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The pipeline steps, one subcommand each. */
final class StepCommands {
  private StepCommands() {}

  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description = {
        "Validate and store every source for a day (or a range with --from).",
        "Writes the typed source tables, rejected rows to `quarantine` with their reasons, and the",
        "daily rollup `account_daily`. Stops before writing anything if a source is missing (exit 66)."
      })
  static final class Ingest extends PipelineCommand {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The run date (last day to ingest).")
    LocalDate date;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day to ingest, for a backfill. Default: --date.")
    LocalDate from;

    @Override
    public Integer call() {
      LocalDate first = firstDay(from, date);
      IngestStep.Summary summary = withContext("ingest", context -> IngestStep.run(context, first, date));
      System.out.println("ingested " + first + " .. " + date + ": kept " + summary.written() + ", quarantined " + summary.rejected());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "features",
      mixinStandardHelpOptions = true,
      description = "Build `customer_features` (one row per active account) for a day, or a range with --from.")
  static final class Features extends PipelineCommand {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The as-of date (last one, with --from).")
    LocalDate date;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First as-of date, for a backfill. Default: --date.")
    LocalDate from;

    @Override
    public Integer call() {
      LocalDate first = firstDay(from, date);
      long rows =
          withContext("features", context -> context.step("features", date, () -> {
            Lakehouse.WriteResult written = FeaturesStep.run(context, first, date);
            return new PipelineContext.StepReport(written.rowsWritten(), 0, null);
          }).rowsWritten());
      System.out.println("customer_features " + first + " .. " + date + ": " + rows + " rows");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = {
        "Train and register the churn model as of --date.",
        "Learns from the feature history whose outcome is known by --date, measures the model out of",
        "time, and registers it as version churn-<date> (training the same date again replaces it)."
      })
  static final class Train extends PipelineCommand {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "Last day whose outcomes are known.")
    LocalDate date;

    @Override
    public Integer call() {
      TrainStep.Result result =
          withContext("train", context -> {
            TrainStep.Result[] out = new TrainStep.Result[1];
            context.step("train", date, () -> {
              out[0] = TrainStep.run(context, date);
              return new PipelineContext.StepReport(out[0].trainExamples(), 0, "test AUC-ROC " + String.format("%.3f", out[0].test().aucRoc()));
            });
            return out[0];
          });
      System.out.printf("model %s: out-of-time test %s .. %s, AUC-ROC %.3f, AUC-PR %.3f (base rate %.3f), Brier %.4f%n",
          result.version(), result.testFrom(), result.testTo(), result.test().aucRoc(), result.test().aucPr(),
          result.test().baseRate(), result.test().brier());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = "Score every active account for --date into `customer_scores` with the newest model trained through that date.")
  static final class Score extends PipelineCommand {
    @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The as-of date to score.")
    LocalDate date;

    @Override
    public Integer call() {
      long rows =
          withContext("score", context -> context.step("score", date, () -> {
            Lakehouse.WriteResult written = ScoreStep.run(context, date);
            return new PipelineContext.StepReport(written.rowsWritten(), 0, null);
          }).rowsWritten());
      System.out.println("customer_scores " + date + ": " + rows + " accounts scored");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "evaluate",
      mixinStandardHelpOptions = true,
      description = {
        "Measure the last scored date against realised outcomes.",
        "Joins customer_scores with a truth folder (the synthetic generator's truth/) and prints one JSON",
        "object with the model's metrics next to the generator's own probability (the oracle)."
      })
  static final class Evaluate extends PipelineCommand {
    @Option(names = "--truth", required = true, paramLabel = "DIR", description = "The truth folder, e.g. lakehouse/sources/truth.")
    Path truth;

    @Override
    public Integer call() {
      Map<String, Object> result = withContext("evaluate", context -> EvaluateStep.run(context, truth));
      System.out.println(EvaluateStep.toJson(result));
      return ExitCodes.OK;
    }
  }
}
