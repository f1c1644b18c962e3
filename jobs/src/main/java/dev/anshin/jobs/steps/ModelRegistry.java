package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anshin.jobs.io.Json;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.models.revenue.RevenueModel;
import dev.anshin.models.revenue.RevenueOutlook;
import dev.anshin.models.churn.Calibration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.LoggerFactory;

/**
 * Models versioned in the lakehouse: each trained model is saved under
 * {@code <lakehouse>/models/churn/<version>/<attempt>/} with its metrics, and listed in the Delta
 * table {@code model_registry}. A version is named after the date it was trained through, so
 * training the same date again replaces that version instead of adding one.
 *
 * <p>A model is written to a temporary folder, moved into place in one rename, and only then
 * registered; each training writes a new attempt folder, so the registered model's files are never
 * overwritten. A run killed at any moment leaves the registry pointing at complete files; the
 * folders it left are removed when that version is next trained.
 */
public final class ModelRegistry {
  public static final String TABLE = "model_registry";
  public static final String MODEL_NAME = "churn";

  static final StructType SCHEMA =
      new StructType()
          .add("model_name", DataTypes.StringType, false)
          .add("version", DataTypes.StringType, false)
          .add("trained_through", DataTypes.DateType, false)
          .add("trained_at", DataTypes.TimestampType, false)
          .add("path", DataTypes.StringType, false)
          .add("learner", DataTypes.StringType, false)
          .add("horizon_days", DataTypes.IntegerType, false)
          .add("train_examples", DataTypes.LongType, false)
          .add("train_positives", DataTypes.LongType, false)
          .add("test_examples", DataTypes.LongType, false)
          .add("test_positives", DataTypes.LongType, false)
          .add("test_from", DataTypes.DateType, false)
          .add("test_to", DataTypes.DateType, false)
          .add("test_auc_roc", DataTypes.DoubleType, false)
          .add("test_auc_pr", DataTypes.DoubleType, false)
          .add("test_brier", DataTypes.DoubleType, false)
          // Platt scaling of the margin, fitted on the test examples (dev.anshin.models.churn.Calibration),
          // and the expected calibration error on them before and after (the latter cross-fitted).
          .add("calibration_slope", DataTypes.DoubleType, false)
          .add("calibration_intercept", DataTypes.DoubleType, false)
          .add("test_ece", DataTypes.DoubleType, false)
          .add("test_ece_calibrated", DataTypes.DoubleType, false);

  /** A registered model version and the calibration of its margin. */
  public record Entry(String version, LocalDate trainedThrough, String path, Calibration calibration) {}

  private ModelRegistry() {}

  public static String versionFor(LocalDate trainedThrough) {
    return MODEL_NAME + "-" + trainedThrough;
  }

  static Path versionFolder(Lakehouse lakehouse, String version) {
    return lakehouse.root().resolve("models").resolve(MODEL_NAME).resolve(version);
  }

  /**
   * Saves a trained model and its metrics to a temporary folder, then moves it into place in one
   * rename; returns the path to register (the model itself, under the attempt's folder).
   */
  static Path save(Lakehouse lakehouse, String version, PipelineModel model, String metricsJson, RevenueModel revenue) {
    Path folder = versionFolder(lakehouse, version);
    String attempt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
        + "-" + UUID.randomUUID().toString().substring(0, 8);
    Path temporary = folder.resolve(TEMPORARY_PREFIX + attempt);
    Path target = folder.resolve(attempt);
    try {
      Files.createDirectories(folder);
      model.write().save(temporary.resolve("model").toString());
      Files.writeString(temporary.resolve("metrics.json"), metricsJson, StandardCharsets.UTF_8);
      if (revenue != null) {
        revenue.growth().write().save(temporary.resolve(REVENUE).resolve(GROWTH).toString());
        Files.writeString(temporary.resolve(REVENUE).resolve(ASSUMPTIONS), assumptionsJson(revenue.assumptions()), StandardCharsets.UTF_8);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save model " + version + " under " + folder, e);
    }
    return target.resolve("model");
  }

  /** Removes the folders of {@code version} other than the registered one: earlier attempts, and those of killed runs. */
  static void removeUnregistered(Lakehouse lakehouse, String version, Path registered) {
    Path keep = registered.getParent();
    try (Stream<Path> children = Files.list(versionFolder(lakehouse, version))) {
      for (Path child : children.filter(p -> !p.equals(keep)).toList()) {
        try (Stream<Path> walk = Files.walk(child)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } catch (IOException e) {
      // Left-over folders waste space but are never read; the next training of this version tries again.
      LoggerFactory.getLogger(ModelRegistry.class).warn("could not remove old folders of {}: {}", version, e.toString());
    }
  }

  static final String TEMPORARY_PREFIX = "_tmp-";

  /** Removes a version from the registry and its files, if it is there (a retraining that no longer succeeds). */
  static void unregister(Lakehouse lakehouse, String version) {
    if (lakehouse.exists(TABLE) && !lakehouse.read(TABLE).filter(col("version").equalTo(version)).isEmpty()) {
      io.delta.tables.DeltaTable.forPath(lakehouse.spark(), lakehouse.path(TABLE))
          .delete(col("model_name").equalTo(MODEL_NAME).and(col("version").equalTo(version)));
      LoggerFactory.getLogger(ModelRegistry.class).warn("{}: unregistered (its retraining did not succeed this time)", version);
    }
    Path folder = versionFolder(lakehouse, version);
    if (Files.isDirectory(folder)) {
      try (Stream<Path> walk = Files.walk(folder)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        LoggerFactory.getLogger(ModelRegistry.class).warn("could not remove {}: {}", folder, e.toString());
      }
    }
  }

  static void register(Lakehouse lakehouse, Row entry) {
    lakehouse.merge(
        TABLE,
        lakehouse.spark().createDataFrame(List.of(entry), SCHEMA),
        List.of("model_name", "version"));
  }

  static Row entry(Object... values) {
    return RowFactory.create(values);
  }

  /** Every registered churn model, oldest first (none when nothing was trained yet). */
  public static List<Entry> all(Lakehouse lakehouse) {
    if (!lakehouse.exists(TABLE)) {
      return List.of();
    }
    return lakehouse.read(TABLE)
        .filter(col("model_name").equalTo(MODEL_NAME))
        .orderBy(col("trained_through"))
        .collectAsList().stream()
        .map(row -> new Entry(row.getAs("version"), row.<Date>getAs("trained_through").toLocalDate(), row.getAs("path"),
            calibrationOf(row)))
        .toList();
  }

  /** A model registered before calibration existed (no such columns, or null in them) keeps its own probabilities. */
  private static Calibration calibrationOf(Row row) {
    java.util.List<String> fields = java.util.Arrays.asList(row.schema().fieldNames());
    if (!fields.contains("calibration_slope") || row.isNullAt(row.fieldIndex("calibration_slope"))
        || row.isNullAt(row.fieldIndex("calibration_intercept"))) {
      return Calibration.IDENTITY;
    }
    return new Calibration(row.getDouble(row.fieldIndex("calibration_slope")), row.getDouble(row.fieldIndex("calibration_intercept")));
  }

  /** The revenue model saved with a churn model: its folder beside the churn model's, under the same attempt. */
  static final String REVENUE = "revenue";
  static final String GROWTH = "growth";
  static final String ASSUMPTIONS = "assumptions.json";

  static String assumptionsJson(RevenueOutlook.Assumptions assumptions) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("horizon_days", assumptions.horizonDays());
    json.put("annual_renewal_churn", Double.toString(assumptions.annualRenewalChurn()));
    // Every digit: a forecast read back must equal the one the training run would have made.
    json.put("ratio_errors", Arrays.stream(assumptions.ratioErrors()).mapToObj(Double::toString).toList());
    return Json.write(json) + "\n";
  }

  /**
   * The revenue model trained with a registered churn model; empty for a model trained before
   * revenue forecasts existed, or whose history had no account that stayed.
   */
  public static Optional<RevenueModel> loadRevenue(Lakehouse lakehouse, Entry entry) {
    return revenueAssumptions(lakehouse, entry).map(assumptions ->
        new RevenueModel(PipelineModel.load(revenueFolder(lakehouse, entry).resolve(GROWTH).toString()), assumptions));
  }

  /** The assumptions of the revenue model trained with {@code entry}, without loading its growth model. */
  public static Optional<RevenueOutlook.Assumptions> revenueAssumptions(Lakehouse lakehouse, Entry entry) {
    Path file = revenueFolder(lakehouse, entry).resolve(ASSUMPTIONS);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode json = new ObjectMapper().readTree(file.toFile());
      double[] errors = new double[json.get("ratio_errors").size()];
      for (int i = 0; i < errors.length; i++) {
        errors[i] = Double.parseDouble(json.get("ratio_errors").get(i).asText());
      }
      return Optional.of(
          new RevenueOutlook.Assumptions(json.get("horizon_days").asInt(), Double.parseDouble(json.get("annual_renewal_churn").asText()), errors));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the revenue model of " + entry.version() + " in " + file, e);
    }
  }

  private static Path revenueFolder(Lakehouse lakehouse, Entry entry) {
    return lakehouse.root().resolve(entry.path()).getParent().resolve(REVENUE);
  }

  /** Loads a registered model; its path is relative to the lakehouse (absolute in registries of older versions). */
  public static PipelineModel load(Lakehouse lakehouse, Entry entry) {
    return PipelineModel.load(lakehouse.root().resolve(entry.path()).toString());
  }
}
