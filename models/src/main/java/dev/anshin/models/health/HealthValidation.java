package dev.anshin.models.health;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import dev.anshin.features.health.HealthScore;
import dev.anshin.features.health.HealthSettings;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Matrices;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Whether the health score means what it says: how well each component and the score rank the
 * accounts that went on to churn (ROC AUC of 100 - score), the churn rate each colour band realised,
 * and the weights the labelled history itself would give the components.
 *
 * <p>The fitted weights come from a logistic regression of the churn label on each component's
 * deficit, {@code (100 - score) / 100}, with coefficients held non-negative (MLlib's bound-constrained
 * L-BFGS-B): a component may only lower the score, as on the scorecard. Divided by their sum they are
 * scorecard weights, and where every component has data the health score they give ranks accounts
 * exactly as the fitted model's log-odds do, since the score is 100 minus 100 times the weighted mean
 * deficit. A component without data is filled with its mean deficit for the fit; the score leaves it
 * out, as it always does.
 *
 * <p>The weights are fitted on the training examples and every figure is measured on the later,
 * out-of-time test examples, so that the fitted weights are not praised on the data they came from.
 */
public final class HealthValidation {

  /** Per training date, weight set and component (and the score itself): weight, AUC, examples. */
  public static final String COMPONENTS_TABLE = "health_validation";
  /** Per training date, weight set and colour band: examples and the churn they realised. */
  public static final String BANDS_TABLE = "health_band_churn";

  /** Values of {@code weights}: the configured scorecard, and the weights fitted from history. */
  public static final String CONFIGURED = "configured";
  public static final String FITTED = "fitted";
  /** The {@code component} row of the health score itself. */
  public static final String HEALTH_SCORE = "health_score";

  public static final StructType COMPONENTS_SCHEMA =
      new StructType()
          .add("trained_through", DataTypes.DateType, false)
          .add("weights", DataTypes.StringType, false)
          .add("component", DataTypes.StringType, false)
          .add("weight", DataTypes.DoubleType, true)
          .add("auc_roc", DataTypes.DoubleType, true)
          .add("examples", DataTypes.LongType, false)
          .add("churned", DataTypes.LongType, false)
          .add("test_from", DataTypes.DateType, false)
          .add("test_to", DataTypes.DateType, false);

  public static final StructType BANDS_SCHEMA =
      new StructType()
          .add("trained_through", DataTypes.DateType, false)
          .add("weights", DataTypes.StringType, false)
          .add("health_band", DataTypes.StringType, false)
          .add("examples", DataTypes.LongType, false)
          .add("churned", DataTypes.LongType, false)
          .add("churn_rate", DataTypes.DoubleType, true)
          .add("test_from", DataTypes.DateType, false)
          .add("test_to", DataTypes.DateType, false);

  private HealthValidation() {}

  /** The two tables' rows of one validation, and the fitted weights (null when nothing was learned). */
  public record Result(HealthSettings.Weights fitted, Dataset<Row> components, Dataset<Row> bands) {}

  /**
   * Fits weights on {@code train} and measures the configured and the fitted scorecard on {@code test}.
   * Both hold {@code customer_health}'s component columns and a 0/1 {@code labelColumn}.
   */
  public static Result validate(
      Dataset<Row> train, Dataset<Row> test, String labelColumn, HealthSettings settings,
      LocalDate trainedThrough, LocalDate testFrom, LocalDate testTo) {
    HealthSettings.Weights fitted = fitWeights(train, labelColumn);
    Map<String, HealthSettings.Weights> weightSets = new LinkedHashMap<>();
    weightSets.put(CONFIGURED, settings.weights().normalised());
    if (fitted != null) {
      weightSets.put(FITTED, fitted);
    }
    // Every (weight set, component or score, value) with its examples and churns, in one job; the
    // AUCs and the bands follow from these counts exactly.
    List<Column> items = new ArrayList<>();
    for (int i = 0; i < HealthScore.COMPONENTS.size(); i++) {
      items.add(item(CONFIGURED, HealthScore.COMPONENTS.get(i), col(HealthScore.COMPONENT_COLUMNS.get(i))));
    }
    List<Column> components = HealthScore.COMPONENT_COLUMNS.stream().map(c -> col(c)).toList();
    weightSets.forEach((name, weights) -> items.add(item(name, HEALTH_SCORE, HealthScore.weightedScore(components, weights))));
    Map<String, ValueCounts> counts = valueCounts(test, items, labelColumn);

    SparkSession spark = test.sparkSession();
    Date through = Date.valueOf(trainedThrough);
    Date from = Date.valueOf(testFrom);
    Date to = Date.valueOf(testTo);
    List<Row> componentRows = new ArrayList<>();
    List<Row> bandRows = new ArrayList<>();
    for (Map.Entry<String, HealthSettings.Weights> set : weightSets.entrySet()) {
      String name = set.getKey();
      double[] w = array(set.getValue());
      for (int i = 0; i < HealthScore.COMPONENTS.size(); i++) {
        // The components' AUCs do not depend on the weights: measured once, repeated for each set.
        ValueCounts c = counts.get(CONFIGURED + "/" + HealthScore.COMPONENTS.get(i));
        componentRows.add(RowFactory.create(through, name, HealthScore.COMPONENTS.get(i), w[i], c == null ? null : c.aucOfLowScores(),
            c == null ? 0L : c.examples(), c == null ? 0L : c.churned(), from, to));
      }
      ValueCounts score = counts.get(name + "/" + HEALTH_SCORE);
      componentRows.add(RowFactory.create(through, name, HEALTH_SCORE, null, score == null ? null : score.aucOfLowScores(),
          score == null ? 0L : score.examples(), score == null ? 0L : score.churned(), from, to));
      for (String band : List.of(HealthScore.GREEN, HealthScore.YELLOW, HealthScore.RED)) {
        long examples = 0;
        long churned = 0;
        if (score != null) {
          for (Map.Entry<Double, long[]> value : score.byValue().entrySet()) {
            if (HealthScore.band(value.getKey(), settings.bands()).equals(band)) {
              examples += value.getValue()[0];
              churned += value.getValue()[1];
            }
          }
        }
        bandRows.add(RowFactory.create(through, name, band, examples, churned, examples == 0 ? null : (double) churned / examples, from, to));
      }
    }
    return new Result(fitted, spark.createDataFrame(componentRows, COMPONENTS_SCHEMA), spark.createDataFrame(bandRows, BANDS_SCHEMA));
  }

  /**
   * Non-negative weights of the components, summing to 1, from a logistic regression of the label on
   * the components' deficits; null when no component lowers the odds of staying (every coefficient 0).
   */
  public static HealthSettings.Weights fitWeights(Dataset<Row> examples, String labelColumn) {
    List<String> deficits = new ArrayList<>();
    List<Column> columns = new ArrayList<>(List.of(col(labelColumn).cast("double").as("label")));
    for (int i = 0; i < HealthScore.COMPONENT_COLUMNS.size(); i++) {
      String deficit = "deficit_" + HealthScore.COMPONENTS.get(i);
      columns.add(lit(100.0).minus(col(HealthScore.COMPONENT_COLUMNS.get(i))).divide(100.0).as(deficit));
      deficits.add(deficit);
    }
    Dataset<Row> prepared = examples.select(columns.toArray(Column[]::new));
    Row means = prepared.agg(avg(deficits.get(0)), deficits.stream().skip(1).map(d -> avg(d)).toArray(Column[]::new)).first();
    for (int i = 0; i < deficits.size(); i++) {
      // A component no example has data for adds nothing: a constant 0 deficit.
      double mean = means.isNullAt(i) ? 0.0 : means.getDouble(i);
      prepared = prepared.withColumn(deficits.get(i), coalesce(col(deficits.get(i)), lit(mean)));
    }
    Dataset<Row> assembled =
        new VectorAssembler().setInputCols(deficits.toArray(String[]::new)).setOutputCol("features").transform(prepared);
    LogisticRegressionModel model =
        new LogisticRegression()
            .setFamily("binomial")
            .setMaxIter(100)
            .setLowerBoundsOnCoefficients(Matrices.zeros(1, deficits.size()))
            .fit(assembled);
    double[] coefficients = model.coefficients().toArray();
    double total = 0;
    for (double c : coefficients) {
      total += c;
    }
    if (!(total > 0)) {
      return null;
    }
    return new HealthSettings.Weights(
        coefficients[0] / total, coefficients[1] / total, coefficients[2] / total, coefficients[3] / total, coefficients[4] / total);
  }

  /** The weights as the configuration writes them, e.g. {@code anshin.health.weights { usage = 0.41, ... }}. */
  public static String asConfiguration(HealthSettings.Weights weights) {
    double[] w = array(weights);
    StringBuilder text = new StringBuilder("anshin.health.weights { ");
    for (int i = 0; i < w.length; i++) {
      text.append(i == 0 ? "" : ", ").append(HealthScore.COMPONENTS.get(i)).append(" = ")
          .append(String.format(java.util.Locale.ROOT, "%.2f", w[i]));
    }
    return text.append(" }").toString();
  }

  private static double[] array(HealthSettings.Weights w) {
    return new double[] {w.usage(), w.reliability(), w.support(), w.billing(), w.trend()};
  }

  private static Column item(String weights, String name, Column value) {
    return item(weights + "/" + name, value);
  }

  /** A score to count by {@link #valueCounts}, under {@code name}. */
  public static Column item(String name, Column value) {
    return struct(lit(name).as("item"), value.cast("double").as("value"));
  }

  /**
   * Per item (its name), the examples and churns at each of its values, leaving out the examples where
   * it is null. Scores carry one decimal, so an item has at most 1,001 values however many examples
   * there are, and the counts come to the driver whatever the table's size.
   */
  public static Map<String, ValueCounts> valueCounts(Dataset<Row> rows, List<Column> items, String labelColumn) {
    List<Row> grouped =
        rows.select(col(labelColumn).cast("double").as("label"), explode(org.apache.spark.sql.functions.array(items.toArray(Column[]::new))).as("i"))
            .filter(col("i.value").isNotNull())
            .groupBy(col("i.item"), col("i.value"))
            .agg(count(lit(1)).as("n"), sum(col("label")).as("churned"))
            .collectAsList();
    Map<String, TreeMap<Double, long[]>> byItem = new TreeMap<>();
    for (Row row : grouped) {
      byItem.computeIfAbsent(row.getString(0), k -> new TreeMap<>())
          .put(row.getDouble(1), new long[] {row.getLong(2), Math.round(row.getDouble(3))});
    }
    Map<String, ValueCounts> result = new TreeMap<>();
    byItem.forEach((item, values) -> result.put(item, new ValueCounts(values)));
    return result;
  }

  /** Examples {@code [n, churned]} at each value of a score, lowest value first. */
  public record ValueCounts(TreeMap<Double, long[]> byValue) {
    public long examples() {
      return byValue.values().stream().mapToLong(c -> c[0]).sum();
    }

    public long churned() {
      return byValue.values().stream().mapToLong(c -> c[1]).sum();
    }

    /**
     * The ROC AUC of the score as a risk ranking, lower meaning riskier: the probability that a
     * churned example scores below a retained one, ties counting one half (the Mann-Whitney U over
     * churned x retained pairs). Null without both outcomes.
     */
    public Double aucOfLowScores() {
      long churned = churned();
      long retained = examples() - churned;
      if (churned == 0 || retained == 0) {
        return null;
      }
      double pairs = 0;
      long retainedBelow = 0;
      // Walking up the scores: a churned example at value v beats every retained example above v.
      for (long[] c : byValue.values()) {
        long retainedHere = c[0] - c[1];
        long retainedAbove = retained - retainedBelow - retainedHere;
        pairs += c[1] * (retainedAbove + 0.5 * retainedHere);
        retainedBelow += retainedHere;
      }
      return pairs / ((double) churned * retained);
    }
  }
}
