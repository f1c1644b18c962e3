package dev.anshin.models.tabular;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

import dev.anshin.errors.AnshinException;
import dev.anshin.models.churn.BinaryMetrics;
import dev.anshin.models.churn.Calibration;
import dev.anshin.models.churn.ChurnExplanations;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.churn.ChurnScores;
import dev.anshin.models.churn.ChurnTrainer;
import dev.anshin.models.churn.ModelInputs;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;

/**
 * The nightly's churn model on any labelled table (a dbt model of customer features, an export):
 * the same pipeline, the same exact drivers (TreeSHAP, or coefficient x centred value) and the same
 * Platt calibration, on columns typed by {@link ColumnTyping}.
 *
 * <p>A holdout, chosen by a hash of the id and the seed (so it does not depend on how the table is
 * partitioned or ordered), is kept out of the fit. The model is fitted on the rest and measured on
 * the holdout; the calibration is fitted on the holdout, and its own error is measured by fitting
 * each half of the holdout on the other. The saved model is the one measured.
 */
public final class TabularChurn {
  public static final String CHURN_PROBABILITY = ChurnScores.CHURN_PROBABILITY;
  public static final String CHURN_MARGIN = ChurnExplanations.CHURN_MARGIN;

  private TabularChurn() {}

  /** A fitted model: the typing of the raw table, the MLlib pipeline over the typed one, and the calibration. */
  public record Model(ColumnTyping typing, BinaryLabel label, PipelineModel pipeline, Calibration calibration) {

    /**
     * Typed rows ({@link ColumnTyping#apply}) scored and explained: the id, {@link #CHURN_PROBABILITY}
     * (calibrated), {@link #CHURN_MARGIN} (the model's log-odds), the label if the rows have it, and
     * the base value, contributions and values that {@link #scores} and {@link #drivers} read.
     */
    public Dataset<Row> explained(Dataset<Row> typed) {
      ModelInputs inputs = typing.inputs();
      Dataset<Row> explained = ChurnExplanations.explain(pipeline, pipeline.transform(typed), inputs.drivers());
      List<Column> columns = new ArrayList<>();
      columns.add(col(ColumnTyping.quoted(typing.idColumn())));
      columns.add(calibration.probability(col(CHURN_MARGIN)).as(CHURN_PROBABILITY));
      columns.add(col(CHURN_MARGIN));
      if (List.of(typed.columns()).contains(ColumnTyping.LABEL)) {
        columns.add(col(ColumnTyping.LABEL));
      }
      columns.add(col(ChurnExplanations.BASE_VALUE));
      columns.add(col(ChurnExplanations.CONTRIBUTIONS));
      columns.add(col(ChurnExplanations.VALUES));
      return explained.select(columns.toArray(Column[]::new));
    }

    /**
     * One row per id: the probability, the margin, the three inputs that raise the risk most and the
     * one that lowers it most, as "Contract = Month-to-month", "Partner: no" or "TotalCharges missing".
     */
    public Dataset<Row> scores(Dataset<Row> explained) {
      List<String> names = typing.inputs().drivers();
      List<String> kinds = names.stream()
          .map(name -> typing.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow().kind().name())
          .toList();
      UDF2<scala.collection.Seq<Object>, scala.collection.Seq<Object>, String[]> strongest =
          (contributions, values) -> {
            int[] positions = ChurnScores.strongest(contributions);
            String[] phrases = new String[positions.length];
            for (int rank = 0; rank < positions.length; rank++) {
              int i = positions[rank];
              phrases[rank] = i < 0 ? null : phrase(names.get(i), kinds.get(i), (String) values.apply(i));
            }
            return phrases;
          };
      Column phrases = udf(strongest, DataTypes.createArrayType(DataTypes.StringType))
          .apply(col(ChurnExplanations.CONTRIBUTIONS), col(ChurnExplanations.VALUES));
      return explained.select(
          col(ColumnTyping.quoted(typing.idColumn())),
          col(CHURN_PROBABILITY),
          col(CHURN_MARGIN),
          phrases.getItem(0).as(ChurnScores.RISK_DRIVERS.get(0)),
          phrases.getItem(1).as(ChurnScores.RISK_DRIVERS.get(1)),
          phrases.getItem(2).as(ChurnScores.RISK_DRIVERS.get(2)),
          phrases.getItem(3).as(ChurnScores.PROTECTIVE_DRIVER));
    }

    /** Every contribution: id, feature, feature_value, contribution, with a (base) row per id; they sum to the margin. */
    public Dataset<Row> drivers(Dataset<Row> explained) {
      return ChurnScores.drivers(explained, List.of(typing.idColumn()), typing.inputs().drivers(), List.of());
    }
  }

  /** How the fitted model did on the holdout. */
  public record HoldoutMetrics(
      long trainExamples,
      long trainPositives,
      long examples,
      long positives,
      double aucRoc,
      double aucPr,
      double brier,
      double ece,
      double brierUncalibrated,
      double eceUncalibrated) {}

  /** The model and its holdout metrics. */
  public record Fitted(Model model, HoldoutMetrics holdout) {}

  /**
   * Fits on {@code typed} ({@link ColumnTyping#apply} with the label) less the holdout, a fraction
   * {@code holdoutFraction} of the ids chosen by {@code seed}, and measures on the holdout. Fails
   * when either part lacks churned or retained examples.
   */
  public static Fitted fit(
      Dataset<Row> typed, ColumnTyping typing, BinaryLabel label, ChurnModelSettings settings, double holdoutFraction) {
    if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
      throw AnshinException.usage("--holdout is " + holdoutFraction + "; it must be between 0 and 1 (exclusive)");
    }
    Column id = col(ColumnTyping.quoted(typing.idColumn())).cast("string");
    Column inHoldout = inHoldout(typing.idColumn(), holdoutFraction, settings.seed());
    Dataset<Row> train = typed.filter(inHoldout.unary_$bang());
    Dataset<Row> holdout = typed.filter(inHoldout);
    long[] trainCounts = classCounts(train, "training part");
    long[] holdoutCounts = classCounts(holdout, "holdout");

    PipelineModel pipeline = ChurnTrainer.pipeline(settings, typing.inputs()).fit(train);
    Model uncalibrated = new Model(typing, label, pipeline, Calibration.IDENTITY);
    Dataset<Row> measured = uncalibrated.explained(holdout)
        .select(id.as("_id"), col(CHURN_MARGIN), col(CHURN_PROBABILITY), col(ColumnTyping.LABEL))
        .cache();
    try {
      BinaryMetrics raw = BinaryMetrics.of(measured, CHURN_PROBABILITY, ColumnTyping.LABEL);
      double eceRaw = Calibration.expectedError(Calibration.reliability(measured, CHURN_PROBABILITY, ColumnTyping.LABEL));
      Calibration calibration = Calibration.fit(measured, CHURN_MARGIN, ColumnTyping.LABEL);
      // The holdout's halves by another hash of the id: each is calibrated by a fit on the other.
      Column half = pmod(xxhash64(col("_id"), lit(settings.seed() + 1)), lit(2L));
      Dataset<Row> outOfFold = Calibration.outOfFold(measured, half, CHURN_MARGIN, CHURN_PROBABILITY, ColumnTyping.LABEL)
          .orElseGet(() -> measured.withColumn(CHURN_PROBABILITY, calibration.probability(col(CHURN_MARGIN))));
      double ece = Calibration.expectedError(Calibration.reliability(outOfFold, CHURN_PROBABILITY, ColumnTyping.LABEL));
      double brier = outOfFold.agg(avg(pow(col(CHURN_PROBABILITY).minus(col(ColumnTyping.LABEL)), 2))).first().getDouble(0);
      HoldoutMetrics metrics = new HoldoutMetrics(trainCounts[0], trainCounts[1], holdoutCounts[0], holdoutCounts[1],
          raw.aucRoc(), raw.aucPr(), brier, ece, raw.brier(), eceRaw);
      return new Fitted(new Model(typing, label, pipeline, calibration), metrics);
    } finally {
      measured.unpersist();
    }
  }

  /**
   * Whether a row is in the holdout: a hash of its id (as text) and the seed, so the same ids are held
   * out whatever the table's order or partitioning.
   */
  public static Column inHoldout(String idColumn, double holdoutFraction, long seed) {
    Column id = col(ColumnTyping.quoted(idColumn)).cast("string");
    return pmod(xxhash64(id, lit(seed)), lit(10_000L)).lt(Math.round(holdoutFraction * 10_000));
  }

  /** Examples and positives of a part; fails when it lacks either class. */
  private static long[] classCounts(Dataset<Row> part, String what) {
    Row counts = part.agg(count(lit(1)), sum(col(ColumnTyping.LABEL))).first();
    long examples = counts.getLong(0);
    long positives = examples == 0 ? 0 : Math.round(counts.getDouble(1));
    if (positives == 0 || positives == examples) {
      throw AnshinException.badData(
          "the " + what + " has " + examples + " rows of which " + positives + " churned; it needs both churned and"
              + " retained rows (a larger table, or another --holdout or --seed)");
    }
    return new long[] {examples, positives};
  }

  /** "Contract = Month-to-month", "Partner: yes", "tenure = 2", "TotalCharges missing". */
  static String phrase(String name, String kind, String value) {
    if (value == null) {
      return name + " missing";
    }
    return switch (kind) {
      case "FLAG" -> name + ": " + (Double.parseDouble(value) == 1.0 ? "yes" : "no");
      case "NUMBER" -> name + " = " + (value.endsWith(".0") ? value.substring(0, value.length() - 2) : value);
      default -> name + " = " + value;
    };
  }
}
