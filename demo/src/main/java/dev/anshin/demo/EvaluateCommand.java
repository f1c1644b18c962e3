package dev.anshin.demo;

import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.cli.PipelineCommand;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the churn scores of many dates against realised outcomes.",
      "Joins customer_scores of every --every-days over the last --over-days scored days with a truth folder (the",
      "synthetic generator's truth/) and prints one JSON object: AUC-ROC, AUC-PR, Brier, expected calibration error",
      "and top-decile lift over those dates, each with a 95% interval from a bootstrap over accounts (_ci_low,",
      "_ci_high), the same for the generator's own probability (oracle_...), and the health score's AUCs.",
      "The oracle is the generator's Monte Carlo simulation from the true hidden state, which it records on every",
      "7th of the last 180 days back from its last day (the defaults' dates); on other dates the closed form",
      "(oracle_method says which)."
    })
public final class EvaluateCommand extends PipelineCommand {
  @Option(names = "--truth", required = true, paramLabel = "DIR", description = "The truth folder, e.g. lakehouse/sources/truth.")
  Path truth;

  @Option(names = "--every-days", defaultValue = "7", description = "Measure one scored date in this many. Default: ${DEFAULT-VALUE}.")
  int everyDays;

  @Option(names = "--over-days", defaultValue = "180", description = "How far back from the last scored date. Default: ${DEFAULT-VALUE}.")
  int overDays;

  @Option(names = "--bootstrap", defaultValue = "200", description = "Bootstrap replicates for the intervals. Default: ${DEFAULT-VALUE}.")
  int replicates;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the bootstrap. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() {
    Evaluation.Options options = new Evaluation.Options(everyDays, overDays, replicates, seed);
    Map<String, Object> result = withReadOnlyContext("evaluate", context -> Evaluation.run(context, truth, options));
    System.out.println(Evaluation.toJson(result));
    return ExitCodes.OK;
  }
}
