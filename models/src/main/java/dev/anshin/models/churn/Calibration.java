package dev.anshin.models.churn;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pmod;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Platt scaling of a churn model's log-odds: {@code p = 1 / (1 + exp(-(slope x margin + intercept)))},
 * fitted by logistic regression of the realised outcome on the margin over out-of-time examples.
 *
 * <p>Platt rather than isotonic regression because it keeps the explanations exact: the calibrated
 * log-odds are a linear function of the margin, so the drivers in {@code score_drivers}, which sum to
 * the margin, still say how much each feature moved the calibrated score (times the slope). An
 * isotonic step function would break that sum. With a few hundred test examples a two-parameter fit
 * is also the one that does not overfit.
 */
public record Calibration(double slope, double intercept) {
  /** The model's own probabilities. */
  public static final Calibration IDENTITY = new Calibration(1.0, 0.0);

  /** Equal-width bins of the reliability table and of the expected calibration error. */
  public static final int BINS = 10;

  /** Below this distance from 0 or 1 a probability's log-odds are clamped (a tree can say 0 or 1). */
  private static final double EDGE = 1e-15;

  public Calibration {
    if (!Double.isFinite(slope) || !Double.isFinite(intercept)) {
      throw new IllegalArgumentException("a calibration needs a finite slope and intercept, got " + slope + " and " + intercept);
    }
  }

  /** The calibrated probability of a margin (log-odds) column. */
  public Column probability(Column margin) {
    return lit(1.0).divide(lit(1.0).plus(exp(margin.multiply(-slope).minus(intercept))));
  }

  /** The calibrated probability of a margin. */
  public double probability(double margin) {
    return 1.0 / (1.0 + Math.exp(-(slope * margin + intercept)));
  }

  /** The log-odds of a probability column, clamped away from 0 and 1. */
  public static Column logOdds(Column probability) {
    Column p = least(greatest(probability, lit(EDGE)), lit(1.0 - EDGE));
    return log(p.divide(lit(1.0).minus(p)));
  }

  /**
   * The slope and intercept of the outcome ({@code labelColumn}, 0 or 1) on the margin ({@code
   * marginColumn}) by maximum likelihood against Platt's targets: a churned example counts as
   * (N+ + 1) / (N+ + 2) of a churn and a retained one as 1 / (N- + 2) (Platt 1999, "Probabilistic
   * outputs for support vector machines"). Plain 0/1 targets let a few test examples that the margin
   * separates perfectly drive the slope to infinity; these keep the fit finite and shrink it toward
   * the base rate as the examples get fewer. Each example enters twice, as a churn weighted by its
   * target and as a stay weighted by the rest.
   */
  public static Calibration fit(Dataset<Row> rows, String marginColumn, String labelColumn) {
    // The examples are a model's out-of-time test predictions, a few per account and two numbers each,
    // which the driver holds easily (a million are 16 MB). Fitted there, the two parameters cost one
    // Spark job instead of the dozen of MLlib's optimiser, three times per training.
    List<Row> collected = rows.select(col(marginColumn).cast("double"), col(labelColumn).cast("double")).collectAsList();
    double[] margin = new double[collected.size()];
    double[] label = new double[collected.size()];
    for (int i = 0; i < margin.length; i++) {
      Row row = collected.get(i);
      if (row.isNullAt(0) || row.isNullAt(1)) {
        throw new IllegalArgumentException("a calibration example without a " + (row.isNullAt(0) ? marginColumn : labelColumn));
      }
      margin[i] = row.getDouble(0);
      label[i] = row.getDouble(1);
    }
    // In a fixed order, so that the sums, and the fit to the last bit, do not depend on the partitions.
    Integer[] order = new Integer[margin.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingDouble(i -> margin[i]).thenComparingDouble(i -> label[i]));
    double[] sortedMargin = new double[margin.length];
    double[] sortedLabel = new double[margin.length];
    for (int i = 0; i < order.length; i++) {
      sortedMargin[i] = margin[order[i]];
      sortedLabel[i] = label[order[i]];
    }
    return fit(sortedMargin, sortedLabel);
  }

  /**
   * {@link #fit(Dataset, String, String)} on arrays: Newton's method with a backtracking line search
   * on the log-likelihood of Platt's targets, as Lin, Lin and Weng (2007, "A note on Platt's
   * probabilistic outputs for support vector machines") give it, which converges from Platt's
   * starting point (slope 0, the prior's log-odds) in a few steps and never overshoots.
   */
  public static Calibration fit(double[] margin, double[] label) {
    int n = margin.length;
    if (n == 0) {
      throw new IllegalArgumentException("a calibration needs at least one example");
    }
    double positives = 0;
    for (double y : label) {
      positives += y;
    }
    double negatives = n - positives;
    double[] target = new double[n];
    for (int i = 0; i < n; i++) {
      target[i] = label[i] == 1.0 ? (positives + 1) / (positives + 2) : 1 / (negatives + 2);
    }
    double slope = 0;
    double intercept = Math.log((positives + 1) / (negatives + 1));
    double value = logLikelihood(margin, target, slope, intercept);
    for (int iteration = 0; iteration < 100; iteration++) {
      // Gradient and (minus) Hessian of the log-likelihood in (slope, intercept); a tiny ridge keeps
      // the Hessian invertible when every margin is the same.
      double gSlope = 0;
      double gIntercept = 0;
      double hSlope = 1e-12;
      double hCross = 0;
      double hIntercept = 1e-12;
      for (int i = 0; i < n; i++) {
        double p = logistic(slope * margin[i] + intercept);
        double w = p * (1 - p);
        gSlope += (target[i] - p) * margin[i];
        gIntercept += target[i] - p;
        hSlope += w * margin[i] * margin[i];
        hCross += w * margin[i];
        hIntercept += w;
      }
      if (Math.abs(gSlope) < 1e-10 * n && Math.abs(gIntercept) < 1e-10 * n) {
        break;
      }
      double determinant = hSlope * hIntercept - hCross * hCross;
      double dSlope = (hIntercept * gSlope - hCross * gIntercept) / determinant;
      double dIntercept = (hSlope * gIntercept - hCross * gSlope) / determinant;
      double ascent = gSlope * dSlope + gIntercept * dIntercept;
      double step = 1;
      while (step >= 1e-10) {
        double candidate = logLikelihood(margin, target, slope + step * dSlope, intercept + step * dIntercept);
        if (candidate >= value + 1e-4 * step * ascent) {
          slope += step * dSlope;
          intercept += step * dIntercept;
          value = candidate;
          break;
        }
        step /= 2;
      }
      if (step < 1e-10) {
        break;
      }
    }
    return new Calibration(slope, intercept);
  }

  /** sum t log p + (1 - t) log(1 - p) with p the logistic of slope x m + intercept, computed without overflow. */
  private static double logLikelihood(double[] margin, double[] target, double slope, double intercept) {
    double total = 0;
    for (int i = 0; i < margin.length; i++) {
      double z = slope * margin[i] + intercept;
      // log(1 + e^z), stable for large |z|.
      double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      total += target[i] * z - softplus;
    }
    return total;
  }

  private static double logistic(double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }

  /** The reliability tables of each training's test examples, before and after calibration. */
  public static final String TABLE = "churn_calibration";

  public static final StructType TABLE_SCHEMA =
      new StructType()
          .add("trained_through", DataTypes.DateType, false)
          .add("probabilities", DataTypes.StringType, false)
          .add("bin", DataTypes.IntegerType, false)
          .add("lower", DataTypes.DoubleType, false)
          .add("upper", DataTypes.DoubleType, false)
          .add("examples", DataTypes.LongType, false)
          .add("mean_predicted", DataTypes.DoubleType, false)
          .add("observed_rate", DataTypes.DoubleType, false);

  /** A calibration fitted on every example, and the reliability of the probabilities before it and, out of fold, after it. */
  public record CrossFitted(Calibration calibration, List<Bin> before, List<Bin> after) {
    public double eceBefore() {
      return expectedError(before);
    }

    /** NaN when the examples have a single date, which cannot be split into two halves. */
    public double eceAfter() {
      return after.isEmpty() ? Double.NaN : expectedError(after);
    }

    /** The rows of {@link #TABLE} for a training date: {@code model} (before) and {@code calibrated} (after). */
    public Dataset<Row> reliabilityRows(SparkSession spark, LocalDate trainedThrough) {
      List<Row> rows = new ArrayList<>();
      for (var table : List.of(Map.entry("model", before), Map.entry("calibrated", after))) {
        for (Bin b : table.getValue()) {
          rows.add(RowFactory.create(Date.valueOf(trainedThrough), table.getKey(), b.bin(), b.lower(), b.upper(),
              b.examples(), b.meanPredicted(), b.observedRate()));
        }
      }
      return spark.createDataFrame(rows, TABLE_SCHEMA);
    }
  }

  /**
   * Platt scaling fitted on every example, and its error measured honestly: the example dates
   * ({@code dateColumn}, one every {@code exampleEveryDays}) alternate between two halves, each half
   * is calibrated by a fit on the other, and the reliability of those out-of-fold probabilities is the
   * "after". {@code probabilityColumn} holds the model's own probability, {@code marginColumn} its log-odds.
   */
  public static CrossFitted crossFitted(
      Dataset<Row> examples, String dateColumn, int exampleEveryDays, String marginColumn, String probabilityColumn, String labelColumn) {
    Column half = pmod(datediff(col(dateColumn), lit(Date.valueOf("1970-01-01"))).divide(exampleEveryDays).cast("long"), lit(2));
    return crossFitted(examples, half, marginColumn, probabilityColumn, labelColumn);
  }

  /**
   * {@link #crossFitted(Dataset, String, int, String, String, String)} with the two halves given by
   * {@code half} (0 or 1 per example), for examples without dates: a hash of their id, say.
   */
  public static CrossFitted crossFitted(
      Dataset<Row> examples, Column half, String marginColumn, String probabilityColumn, String labelColumn) {
    List<Bin> before = reliability(examples, probabilityColumn, labelColumn);
    Calibration all = fit(examples, marginColumn, labelColumn);
    return outOfFold(examples, half, marginColumn, probabilityColumn, labelColumn)
        .map(calibrated -> new CrossFitted(all, before, reliability(calibrated, probabilityColumn, labelColumn)))
        // A single date (or half): no half to measure the other by.
        .orElseGet(() -> new CrossFitted(all, before, List.of()));
  }

  /**
   * The examples with {@code probabilityColumn} replaced by its out-of-fold calibration: each half
   * ({@code half}, 0 or 1) calibrated by a fit on the other. Empty when either half has no example.
   */
  public static java.util.Optional<Dataset<Row>> outOfFold(
      Dataset<Row> examples, Column half, String marginColumn, String probabilityColumn, String labelColumn) {
    Dataset<Row> outOfFold = null;
    for (int fold = 0; fold < 2; fold++) {
      Dataset<Row> fitOn = examples.filter(half.notEqual(fold));
      Dataset<Row> applyTo = examples.filter(half.equalTo(fold));
      if (fitOn.isEmpty() || applyTo.isEmpty()) {
        return java.util.Optional.empty();
      }
      Dataset<Row> calibrated =
          applyTo.withColumn(probabilityColumn, fit(fitOn, marginColumn, labelColumn).probability(col(marginColumn)));
      outOfFold = outOfFold == null ? calibrated : outOfFold.unionByName(calibrated);
    }
    return java.util.Optional.of(outOfFold);
  }

  /** One bin of a reliability table: predictions in [lower, upper), their mean, and the realised rate. */
  public record Bin(int bin, double lower, double upper, long examples, double meanPredicted, double observedRate) {}

  /**
   * The reliability table of {@code probabilityColumn} against {@code labelColumn}: {@link #BINS}
   * equal-width bins of the prediction (1.0 in the last), the non-empty ones, lowest first.
   */
  public static List<Bin> reliability(Dataset<Row> rows, String probabilityColumn, String labelColumn) {
    Column bin = least(floor(col(probabilityColumn).multiply(BINS)), lit(BINS - 1)).cast("int");
    List<Bin> bins = new ArrayList<>();
    for (Row row : rows.groupBy(bin.as("bin"))
        .agg(count(lit(1)), avg(col(probabilityColumn).cast("double")), avg(col(labelColumn).cast("double")))
        .orderBy("bin").collectAsList()) {
      int b = row.getInt(0);
      bins.add(new Bin(b, (double) b / BINS, (double) (b + 1) / BINS, row.getLong(1), row.getDouble(2), row.getDouble(3)));
    }
    return bins;
  }

  /**
   * The expected calibration error of a reliability table: the mean over examples of the gap between
   * the mean prediction and the realised rate of their bin, {@code sum(n_b / N x |mean_b - rate_b|)}.
   */
  public static double expectedError(List<Bin> bins) {
    long total = bins.stream().mapToLong(Bin::examples).sum();
    double error = 0;
    for (Bin b : bins) {
      error += (double) b.examples() / total * Math.abs(b.meanPredicted() - b.observedRate());
    }
    return total == 0 ? Double.NaN : error;
  }
}
