package dev.anshin.jobs.cli;

import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.steps.Nightly;
import java.time.LocalDate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "nightly",
    mixinStandardHelpOptions = true,
    description = {
      "Run every step for a date, or a range with --from, in order.",
      "The steps: ingest, features, analytics, train (on anshin.churn.retrain's days), maintain (compaction",
      "and vacuum, on anshin.maintenance.cadence's days), score, publish (to the SQL warehouse, when",
      "anshin.warehouse.url is set) and the run report (when anshin.report.enabled).",
      "Idempotent: running a date again replaces that date's rows. With --from, backfills a range and",
      "writes exactly what one run per date would: every day from what was delivered by its end, the",
      "model retrained on the same days, every date scored with the newest model trained through it.",
      "A retraining day whose data cannot train a model is skipped (the newest earlier model scores);",
      "with no model at all, every other table is written (and published) and the run exits 65.",
      "Exit codes: 0 done, 64 bad command line, 65 bad data, 66 missing source, 70 bug,",
      "75 another run holds the lakehouse (retry later), 78 bad configuration (docs/operations.md)."
    })
final class NightlyCommand extends PipelineCommand {
  @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The run date.")
  LocalDate date;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day of a backfill. Default: --date.")
  LocalDate from;

  @Option(names = "--skip-train", description = "Do not train, even on a retraining day: score with the newest registered model.")
  boolean skipTrain;

  @Override
  public Integer call() {
    LocalDate first = firstDay(from, date);
    withContext("nightly", context -> Nightly.run(context, first, date, new Nightly.Options(!skipTrain)));
    System.out.println("nightly " + date + ": done (see the run_log table for what each step wrote)");
    return ExitCodes.OK;
  }
}
