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
      "Measure the last scored date against realised outcomes.",
      "Joins customer_scores with a truth folder (the synthetic generator's truth/) and prints one JSON",
      "object with the model's metrics next to the generator's own probability (the oracle)."
    })
public final class EvaluateCommand extends PipelineCommand {
  @Option(names = "--truth", required = true, paramLabel = "DIR", description = "The truth folder, e.g. lakehouse/sources/truth.")
  Path truth;

  @Override
  public Integer call() {
    Map<String, Object> result = withReadOnlyContext("evaluate", context -> Evaluation.run(context, truth));
    System.out.println(Evaluation.toJson(result));
    return ExitCodes.OK;
  }
}
