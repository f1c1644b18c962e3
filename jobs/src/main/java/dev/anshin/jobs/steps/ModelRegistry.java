package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.jobs.cli.AnshinException;
import dev.anshin.jobs.io.Lakehouse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Models versioned in the lakehouse: each trained model is saved under
 * {@code <lakehouse>/models/churn/<version>/} with its metrics, and listed in the Delta table
 * {@code model_registry}. A version is named after the date it was trained through, so training
 * the same date again replaces that version instead of adding one.
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
          .add("test_brier", DataTypes.DoubleType, false);

  /** A registered model version. */
  public record Entry(String version, LocalDate trainedThrough, String path) {}

  private ModelRegistry() {}

  public static String versionFor(LocalDate trainedThrough) {
    return MODEL_NAME + "-" + trainedThrough;
  }

  public static String modelPath(Lakehouse lakehouse, String version) {
    return lakehouse.root().resolve("models").resolve(MODEL_NAME).resolve(version).toString();
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

  /** The newest version trained through {@code date} or earlier (a model never sees its own future). */
  public static Entry latestUpTo(Lakehouse lakehouse, LocalDate date) {
    if (!lakehouse.exists(TABLE)) {
      throw AnshinException.missingInput("no churn model has been trained yet in " + lakehouse.root() + "; run `anshin train` first");
    }
    List<Row> rows =
        lakehouse.read(TABLE)
            .filter(col("model_name").equalTo(MODEL_NAME).and(col("trained_through").leq(lit(Date.valueOf(date)))))
            .orderBy(col("trained_through").desc())
            .limit(1)
            .collectAsList();
    if (rows.isEmpty()) {
      throw AnshinException.missingInput("no churn model trained through " + date + " or earlier; run `anshin train --date " + date + "`");
    }
    Row row = rows.get(0);
    return new Entry(row.getAs("version"), row.<Date>getAs("trained_through").toLocalDate(), row.getAs("path"));
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
        .map(row -> new Entry(row.getAs("version"), row.<Date>getAs("trained_through").toLocalDate(), row.getAs("path")))
        .toList();
  }

  public static PipelineModel load(Entry entry) {
    return PipelineModel.load(entry.path());
  }
}
