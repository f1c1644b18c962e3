package dev.anshin.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.steps.Nightly;
import dev.anshin.jobs.steps.Step;
import dev.anshin.testing.AirflowDag;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Airflow DAG in {@code airflow/}, as far as it can be tested without Airflow (which our package
 * mirror cannot install): its Python compiles and its helper's tests pass; it runs the nightly's
 * steps in the nightly's order, each a command line that {@code anshin} accepts; and it knows every
 * exit code. NightlyEndToEndTest runs the same commands on a small world.
 */
class AirflowDagTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theDagAndItsHelperCompileAndTheHelpersTestsPass() {
    // compile() without writing __pycache__ into the repository.
    AirflowDag.Python compiled = AirflowDag.python("-B", "-c", "import sys\nfor p in sys.argv[1:]: compile(open(p).read(), p, 'exec')",
        "anshin_nightly.py", "anshin_tasks.py", "test_anshin_tasks.py");
    assertThat(compiled.exitCode()).as(compiled.output()).isZero();
    AirflowDag.Python tests = AirflowDag.python("-B", "-m", "unittest", "discover", "-s", ".", "-p", "test_*.py");
    assertThat(tests.exitCode()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("OK");
  }

  @Test
  void theDagRunsTheNightlysStepsInItsOrderAsCommandsAnshinAccepts() {
    List<AirflowDag.Task> tasks = AirflowDag.tasks("2026-03-01");
    List<String> nightly = new ArrayList<>(Nightly.steps(new Nightly.Options(true)).stream().map(Step::name).toList());
    nightly.addAll(List.of("publish", "report"));
    assertThat(tasks).extracting(AirflowDag.Task::taskId).isEqualTo(nightly);
    for (AirflowDag.Task task : tasks) {
      assertThat(task.arguments()).as(task.toString()).startsWith(task.taskId()).containsSequence("--date", "2026-03-01");
      List<String> arguments = new ArrayList<>(task.arguments());
      arguments.addAll(List.of("--conf", "anshin.conf"));
      // Parsing checks every option without running the step.
      CommandLine.ParseResult parsed = AnshinCli.commandLine().parseArgs(arguments.toArray(String[]::new));
      assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(task.taskId());
    }
  }

  @Test
  void theDagKnowsEveryExitCodeAndRetriesOnlyWhatARetryCanFix() throws Exception {
    JsonNode exitCodes = JSON.readTree(AirflowDag.FOLDER.resolve("anshin_tasks.json").toFile()).get("exit_codes");
    Set<String> declared = new TreeSet<>();
    for (Field field : ExitCodes.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getInt(null) != ExitCodes.OK) {
        declared.add(Integer.toString(field.getInt(null)));
      }
    }
    Set<String> known = new TreeSet<>();
    exitCodes.fieldNames().forEachRemaining(known::add);
    assertThat(known).isEqualTo(declared);
    // docs/operations.md: retry on 66 and 75, never on 64, 65 or 78.
    for (int retried : new int[] {ExitCodes.NO_INPUT, ExitCodes.TEMPFAIL}) {
      assertThat(exitCodes.get(Integer.toString(retried)).get("retry").asBoolean()).as("%d", retried).isTrue();
    }
    for (int final_ : new int[] {ExitCodes.USAGE, ExitCodes.DATA_ERROR, ExitCodes.CONFIG}) {
      assertThat(exitCodes.get(Integer.toString(final_)).get("retry").asBoolean()).as("%d", final_).isFalse();
    }
  }
}
