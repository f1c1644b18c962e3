package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import dev.anshin.models.explain.TreeEnsemble;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * Why the churn model scored a row as it did: each input feature's contribution to the row's
 * log-odds ({@code churn_margin}), computed in Spark, row by row, next to the scoring.
 *
 * <ul>
 *   <li>Gradient-boosted trees: exact Shapley values (TreeSHAP on MLlib's own trees, {@link
 *       TreeEnsemble}); the base value is the model's mean log-odds over its training data.
 *   <li>Logistic regression: coefficient x standardised (centred) value; the base value is the
 *       intercept, the log-odds of an account at the training means.
 * </ul>
 *
 * <p>Either way the base value plus the contributions equals the row's log-odds, whose logistic is
 * the churn probability. A categorical feature's contribution is the sum over its one-hot slots.
 */
public final class ChurnExplanations {
  /** The nightly model's inputs contributions are reported for: the numeric features, then the categorical ones. */
  public static final List<String> DRIVERS = ModelInputs.CUSTOMER_FEATURES.drivers();

  /** The log-odds of the churn probability: base value plus contributions. */
  public static final String CHURN_MARGIN = "churn_margin";
  /** The model's base value (the same for every row of one model). */
  public static final String BASE_VALUE = "_base_value";
  /** Contributions in {@link #DRIVERS} order. */
  public static final String CONTRIBUTIONS = "_contributions";
  /** The feature values as text, in {@link #DRIVERS} order. */
  public static final String VALUES = "_values";

  private ChurnExplanations() {}

  /** A fitted model's per-row attribution over its assembled feature vector. */
  interface Explainer extends Serializable {
    double baseValue();

    /** One contribution per slot of the model's feature vector. */
    double[] contributions(Vector features);
  }

  /** {@link #explain(PipelineModel, Dataset, List)} for the nightly model's {@link #DRIVERS}. */
  public static Dataset<Row> explain(PipelineModel model, Dataset<Row> transformed) {
    return explain(model, transformed, DRIVERS);
  }

  /**
   * The transformed rows (the output of a churn pipeline fitted on {@code driverNames}, {@link
   * ModelInputs#drivers()}) with {@link #CHURN_MARGIN}, the base value, the contributions per driver
   * and the drivers' values, both in {@code driverNames} order.
   */
  public static Dataset<Row> explain(PipelineModel model, Dataset<Row> transformed, List<String> driverNames) {
    Transformer last = model.stages()[model.stages().length - 1];
    Explainer explainer = explainer(last);
    int[] driverOfSlot = driverOfSlot(transformed.schema(), "raw_features", driverNames);
    int drivers = driverNames.size();
    UDF1<Vector, double[]> perDriver =
        features -> {
          double[] bySlot = explainer.contributions(features);
          double[] grouped = new double[drivers];
          for (int slot = 0; slot < bySlot.length; slot++) {
            grouped[driverOfSlot[slot]] += bySlot[slot];
          }
          return grouped;
        };
    Column contributions =
        udf(perDriver, DataTypes.createArrayType(DataTypes.DoubleType)).apply(col(ChurnTrainer.FEATURES));
    double base = explainer.baseValue();
    return transformed
        .withColumn(CONTRIBUTIONS, contributions)
        .withColumn(BASE_VALUE, lit(base))
        .withColumn(CHURN_MARGIN, lit(base).plus(aggregate(col(CONTRIBUTIONS), lit(0.0), (sum, c) -> sum.plus(c))))
        .withColumn(VALUES, array(driverNames.stream().map(d -> asText(transformed.schema(), d)).toArray(Column[]::new)));
  }

  private static Explainer explainer(Transformer last) {
    if (last instanceof GBTClassificationModel gbt) {
      TreeEnsemble ensemble = TreeEnsemble.of(gbt);
      return new Explainer() {
        @Override
        public double baseValue() {
          return ensemble.baseValue();
        }

        @Override
        public double[] contributions(Vector features) {
          return ensemble.contributions(features);
        }
      };
    }
    if (last instanceof LogisticRegressionModel logistic) {
      double[] coefficients = logistic.coefficients().toArray();
      double intercept = logistic.intercept();
      return new Explainer() {
        @Override
        public double baseValue() {
          return intercept;
        }

        @Override
        public double[] contributions(Vector features) {
          // Features are standardised with their training mean, so each term is centred.
          double[] values = features.toArray();
          double[] result = new double[coefficients.length];
          for (int i = 0; i < coefficients.length; i++) {
            result[i] = coefficients[i] * values[i];
          }
          return result;
        }
      };
    }
    throw new IllegalArgumentException("cannot explain a churn model ending in " + last.getClass().getSimpleName());
  }

  /**
   * Which driver each slot of the assembled vector belongs to, from the names VectorAssembler gives
   * the slots: {@code <feature>_filled} for a numeric feature, {@code <category>_vector_<value>} for
   * a one-hot slot of a categorical one. Where two drivers' names could claim a slot (a user's table
   * with columns {@code plan} and {@code plan_vector_x}), the longer name wins: it is the more specific.
   */
  static int[] driverOfSlot(StructType schema, String vectorColumn, List<String> driverNames) {
    Attribute[] attributes = AttributeGroup.fromStructField(schema.apply(vectorColumn)).attributes().get();
    int[] driver = new int[attributes.length];
    for (int slot = 0; slot < attributes.length; slot++) {
      String name = attributes[slot].name().get();
      driver[slot] = -1;
      for (int d = 0; d < driverNames.size(); d++) {
        String feature = driverNames.get(d);
        boolean claims = name.equals(feature + "_filled") || name.startsWith(feature + "_vector_") || name.equals(feature + "_vector");
        if (claims && (driver[slot] < 0 || feature.length() > driverNames.get(driver[slot]).length())) {
          driver[slot] = d;
        }
      }
      if (driver[slot] < 0) {
        throw new IllegalStateException("slot " + slot + " of " + vectorColumn + " (" + name + ") belongs to no model input");
      }
    }
    return driver;
  }

  /** A feature's value as text: numbers to at most 4 decimals, categories as they are, null when missing. */
  private static Column asText(StructType schema, String feature) {
    Column value = col("`" + feature.replace("`", "``") + "`");
    if (schema.apply(feature).dataType() instanceof NumericType) {
      value = when(value.isNull(), lit(null)).otherwise(round(value, 4).cast("string"));
    }
    return value.cast("string");
  }
}
