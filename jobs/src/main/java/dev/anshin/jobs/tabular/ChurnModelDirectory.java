package dev.anshin.jobs.tabular;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anshin.errors.AnshinException;
import dev.anshin.jobs.io.Json;
import dev.anshin.models.churn.Calibration;
import dev.anshin.models.tabular.BinaryLabel;
import dev.anshin.models.tabular.ColumnTyping;
import dev.anshin.models.tabular.TabularChurn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;

/**
 * A model of {@code anshin churn fit} on disk: the MLlib pipeline in {@code pipeline/} and, in
 * {@link #MANIFEST}, what scoring needs besides it (the id column, the typing of every input column,
 * the label and the calibration) and what a person wants to know of it (the holdout metrics, the
 * skipped columns, the settings). The manifest is plain JSON, readable without Anshin.
 *
 * <p>A model is written next to its destination and moved into place, so a crash leaves the previous
 * model (or none), never half of one.
 */
public final class ChurnModelDirectory {
  /** The manifest's file name; its presence is what makes a folder an Anshin churn model. */
  public static final String MANIFEST = "anshin-model.json";

  private static final String PIPELINE = "pipeline";
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChurnModelDirectory() {}

  /** Saves {@code model} to {@code directory}, replacing a model there. {@code details} are added to the manifest. */
  public static void save(TabularChurn.Model model, Path directory, Map<String, Object> details) {
    Path target = directory.toAbsolutePath().normalize();
    if (Files.exists(target) && !isModel(target) && !isEmptyDirectory(target)) {
      throw AnshinException.usage("--model " + directory + " exists and is not an Anshin churn model (no " + MANIFEST
          + "); choose a new folder, or remove it");
    }
    Path staging = target.resolveSibling("." + target.getFileName() + ".writing-" + System.nanoTime());
    try {
      Files.createDirectories(target.getParent());
      model.pipeline().write().save(staging.resolve(PIPELINE).toUri().toString());
      Files.writeString(staging.resolve(MANIFEST), Json.write(manifest(model, details)) + "\n", StandardCharsets.UTF_8);
      Path previous = null;
      if (Files.exists(target)) {
        previous = target.resolveSibling("." + target.getFileName() + ".replaced-" + System.nanoTime());
        Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      if (previous != null) {
        deleteRecursively(previous);
      }
    } catch (IOException e) {
      deleteQuietly(staging);
      throw AnshinException.cannotCreate("cannot write the model to " + directory + ": " + e.getMessage(), e);
    }
  }

  /** Loads the model saved in {@code directory}. */
  public static TabularChurn.Model load(Path directory) {
    Path manifestFile = directory.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw AnshinException.missingInput("--model " + directory + " is not an Anshin churn model: it has no " + MANIFEST
          + " (train one with `anshin churn fit`)");
    }
    JsonNode manifest;
    try {
      manifest = JSON.readTree(manifestFile.toFile());
    } catch (IOException e) {
      throw AnshinException.badData("cannot read " + manifestFile + ": " + e.getMessage());
    }
    if (manifest.path("format").asInt() != FORMAT) {
      throw AnshinException.badData(manifestFile + " is of format " + manifest.path("format") + "; this Anshin reads format " + FORMAT);
    }
    List<ColumnTyping.TypedColumn> columns = new ArrayList<>();
    for (JsonNode column : manifest.path("columns")) {
      columns.add(new ColumnTyping.TypedColumn(column.path("source").asText(), column.path("name").asText(),
          ColumnTyping.Kind.valueOf(column.path("kind").asText()),
          column.path("true_value").isNull() || column.path("true_value").isMissingNode() ? null : column.path("true_value").asText()));
    }
    List<ColumnTyping.SkippedColumn> skipped = new ArrayList<>();
    for (JsonNode column : manifest.path("skipped")) {
      skipped.add(new ColumnTyping.SkippedColumn(column.path("source").asText(), column.path("reason").asText()));
    }
    JsonNode label = manifest.path("label");
    JsonNode calibration = manifest.path("calibration");
    return new TabularChurn.Model(
        new ColumnTyping(manifest.path("id").asText(), columns, skipped),
        new BinaryLabel(label.path("column").asText(), label.path("positive").asText(), label.path("negative").asText()),
        PipelineModel.load(directory.resolve(PIPELINE).toAbsolutePath().toUri().toString()),
        new Calibration(calibration.path("slope").asDouble(), calibration.path("intercept").asDouble()));
  }

  private static Map<String, Object> manifest(TabularChurn.Model model, Map<String, Object> details) {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format", FORMAT);
    manifest.put("created_at", Instant.now().toString());
    manifest.put("id", model.typing().idColumn());
    manifest.put("label", Map.of("column", model.label().column(), "positive", model.label().positive(),
        "negative", model.label().negative()));
    manifest.put("calibration", Map.of("slope", model.calibration().slope(), "intercept", model.calibration().intercept()));
    List<Object> columns = new ArrayList<>();
    for (ColumnTyping.TypedColumn column : model.typing().columns()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("source", column.source());
      entry.put("name", column.name());
      entry.put("kind", column.kind().name());
      entry.put("true_value", column.trueValue());
      columns.add(entry);
    }
    manifest.put("columns", columns);
    manifest.put("skipped", model.typing().skipped().stream()
        .map(s -> (Object) Map.of("source", s.source(), "reason", s.reason())).toList());
    manifest.putAll(details);
    return manifest;
  }

  private static boolean isModel(Path directory) {
    return Files.isRegularFile(directory.resolve(MANIFEST));
  }

  private static boolean isEmptyDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static void deleteQuietly(Path root) {
    try {
      if (Files.exists(root)) {
        deleteRecursively(root);
      }
    } catch (IOException ignored) {
      // Best effort: a leftover staging folder is hidden and harmless.
    }
  }
}
