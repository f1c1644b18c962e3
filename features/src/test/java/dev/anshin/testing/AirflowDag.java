package dev.anshin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Airflow DAG's tasks ({@code airflow/anshin_tasks.json}), read through the DAG's own helper
 * ({@code airflow/anshin_tasks.py}) with Python, so that tests run exactly the commands the DAG runs.
 */
public final class AirflowDag {
  /** The repository's {@code airflow/} folder, found from any module's working directory. */
  public static final Path FOLDER = findFolder();

  private static final ObjectMapper JSON = new ObjectMapper();

  private AirflowDag() {}

  /** One task of the DAG for a date: its {@code anshin} arguments, and the exit codes that skip it. */
  public record Task(String taskId, List<String> arguments, List<Integer> skipExitCodes) {}

  /** A finished Python process. */
  public record Python(int exitCode, String output) {}

  /** The DAG's tasks for a run date, in the order it runs them. */
  public static List<Task> tasks(String date) {
    Python rendered = python("-B", "anshin_tasks.py", "--date", date);
    if (rendered.exitCode() != 0) {
      throw new IllegalStateException("anshin_tasks.py failed: " + rendered.output());
    }
    try {
      List<Task> tasks = new ArrayList<>();
      for (JsonNode task : JSON.readTree(rendered.output())) {
        List<String> arguments = new ArrayList<>();
        task.get("arguments").forEach(argument -> arguments.add(argument.asText()));
        List<Integer> skip = new ArrayList<>();
        task.get("skip_exit_codes").forEach(code -> skip.add(code.asInt()));
        tasks.add(new Task(task.get("task_id").asText(), List.copyOf(arguments), List.copyOf(skip)));
      }
      return tasks;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs Debian's python3 (or the first on the PATH) in the airflow folder. */
  public static Python python(String... arguments) {
    List<String> command = new ArrayList<>(List.of(Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3"));
    command.addAll(Arrays.asList(arguments));
    try {
      Path output = Files.createTempFile("python", ".out");
      try {
        Process process = new ProcessBuilder(command).directory(FOLDER.toFile()).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("python did not finish in 60 s: " + command);
        }
        return new Python(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path findFolder() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("airflow/anshin_tasks.json"))) {
        return dir.resolve("airflow");
      }
    }
    throw new IllegalStateException("no airflow/anshin_tasks.json above " + Path.of("").toAbsolutePath());
  }
}
