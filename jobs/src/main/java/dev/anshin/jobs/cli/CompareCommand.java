package dev.anshin.jobs.cli;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.io.LakehouseComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare two lakehouses table by table, row by row.",
      "Proves that a backfill and a replay of nightly runs (or two backfills) wrote the same tables.",
      "The run log, run timestamps and model folders are left out; doubles are compared to 9 decimals.",
      "Exit 0 when every table is the same, 1 when any differs (as diff does)."
    })
final class CompareCommand extends PipelineCommand {
  @Parameters(index = "0", paramLabel = "LEFT", description = "A lakehouse folder.")
  Path left;

  @Parameters(index = "1", paramLabel = "RIGHT", description = "Another lakehouse folder.")
  Path right;

  @Override
  public Integer call() {
    for (Path folder : List.of(left, right)) {
      if (!Files.isDirectory(folder)) {
        throw AnshinException.missingInput("lakehouse " + folder + " does not exist");
      }
    }
    List<LakehouseComparison.TableDifference> differences =
        withReadOnlyContext("compare", context ->
            LakehouseComparison.compare(new Lakehouse(context.spark(), left), new Lakehouse(context.spark(), right)));
    System.out.println(LakehouseComparison.header(left.getFileName().toString(), right.getFileName().toString()));
    differences.forEach(System.out::println);
    long different = differences.stream().filter(d -> !d.same()).count();
    System.out.println(different == 0
        ? "every table is the same (" + differences.size() + " tables)"
        : different + " of " + differences.size() + " tables differ");
    return different == 0 ? ExitCodes.OK : 1;
  }
}
