package dev.anshin.models.churn;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.customer.CustomerFeatures;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/** The {@code customer_scores} table: one row per account per scored as-of date. */
public final class ChurnScores {
  public static final String TABLE = "customer_scores";

  public static final String AS_OF_DATE = CustomerFeatures.AS_OF_DATE;
  public static final String ACCOUNT_ID = CustomerFeatures.ACCOUNT_ID;
  public static final String CHURN_PROBABILITY = "churn_probability";
  public static final String RISK_TIER = "risk_tier";
  public static final String MRR = "mrr";
  public static final String MRR_AT_RISK = "mrr_at_risk";
  public static final String MODEL_VERSION = "model_version";
  public static final String SCORED_AT = "scored_at";
  /** The log-odds of churn_probability: the model's base value plus the contributions in score_drivers. */
  public static final String CHURN_MARGIN = ChurnExplanations.CHURN_MARGIN;
  /** The features that raise the account's risk most, in words, strongest first (null when fewer do). */
  public static final List<String> RISK_DRIVERS = List.of("risk_driver_1", "risk_driver_2", "risk_driver_3");
  /** The feature that lowers the account's risk most, in words (null when none does). */
  public static final String PROTECTIVE_DRIVER = "protective_driver";

  /** The probability minus the account's probability the day before; null when it was not scored then. */
  public static final String PROBABILITY_CHANGE = "churn_probability_change";
  /** The two features whose contributions moved most since the day before, in words, largest move first. */
  public static final List<String> CHANGE_DRIVERS = List.of("change_driver_1", "change_driver_2");

  /** Every contribution behind each score: {@code score_drivers}. */
  public static final String DRIVERS_TABLE = "score_drivers";
  public static final String FEATURE = "feature";
  public static final String FEATURE_VALUE = "feature_value";
  public static final String CONTRIBUTION = "contribution";
  /** The {@link #FEATURE} of the row holding the model's base value. */
  public static final String BASE = "(base)";

  /** Probability thresholds between the low, medium and high risk tiers. */
  public record RiskTiers(double medium, double high) {
    public RiskTiers {
      if (!(0 < medium && medium < high && high < 1)) {
        throw new IllegalArgumentException(
            "risk tier thresholds must satisfy 0 < medium < high < 1, got medium=" + medium + ", high=" + high);
      }
    }

    Column tierOf(Column probability) {
      return when(probability.geq(high), lit("high"))
          .when(probability.geq(medium), lit("medium"))
          .otherwise(lit("low"));
    }
  }

  private ChurnScores() {}

  /** The churn probability (positive class) of a fitted pipeline's output. */
  public static Column probabilityOf(String probabilityVectorColumn) {
    return vector_to_array(col(probabilityVectorColumn), "float64").getItem(1);
  }

  /** Scores feature rows: probability, tier, expected MRR lost (MRR x probability), model version. */
  public static Dataset<Row> score(
      PipelineModel model, Dataset<Row> features, String modelVersion, RiskTiers tiers) {
    return scores(explained(model, features, modelVersion), tiers);
  }

  /** {@link #explained(PipelineModel, Dataset, String, Calibration)} with the model's own probabilities. */
  public static Dataset<Row> explained(PipelineModel model, Dataset<Row> features, String modelVersion) {
    return explained(model, features, modelVersion, Calibration.IDENTITY);
  }

  /**
   * The scored rows with what explains them, from which both {@link #scores} and {@link #drivers}
   * are taken: one pass of the model over the features serves both tables. The probability is the
   * calibrated one of the margin; the margin and its drivers stay the model's own.
   */
  public static Dataset<Row> explained(PipelineModel model, Dataset<Row> features, String modelVersion, Calibration calibration) {
    return ChurnExplanations.explain(model, model.transform(withPeerMedians(features)))
        .select(
            col(AS_OF_DATE),
            col(ACCOUNT_ID),
            calibration.probability(col(CHURN_MARGIN)).as(CHURN_PROBABILITY),
            col(CustomerFeatures.MRR).as(MRR),
            col(CHURN_MARGIN),
            col(ChurnExplanations.BASE_VALUE),
            col(ChurnExplanations.CONTRIBUTIONS),
            col(ChurnExplanations.VALUES),
            col(PEER_MEDIANS),
            lit(modelVersion).as(MODEL_VERSION));
  }

  /** Per row, in {@link ChurnExplanations#DRIVERS} order: the plan's median of the driver that day, or null. */
  static final String PEER_MEDIANS = "_peer_medians";

  /**
   * The drivers a value is compared with the account's peers on: usage, API traffic and errors,
   * tickets. Not the account's own terms (seats, MRR, renewal date, tenure), nor rare counts whose
   * median is 0 almost everywhere.
   */
  static final java.util.Set<String> PEER_COMPARED = java.util.Set.of(
      CustomerFeatures.EVENTS_7D, CustomerFeatures.EVENTS_28D, CustomerFeatures.ACTIVE_DAYS_28D,
      CustomerFeatures.ACTIVE_USERS_7D, CustomerFeatures.ACTIVE_USERS_28D, CustomerFeatures.SEAT_UTILIZATION,
      CustomerFeatures.REQUESTS_28D, CustomerFeatures.ERROR_RATE_7D, CustomerFeatures.ERROR_RATE_28D,
      CustomerFeatures.SLOW_RATE_28D, CustomerFeatures.TICKETS_28D, CustomerFeatures.TICKETS_90D);

  /**
   * {@code features} with {@link #PEER_MEDIANS}: for each compared driver, its median over the
   * accounts of the same plan scored the same day (the others' entries are null). Only the day's own
   * rows enter, so a nightly and a backfill compare with the same peers.
   */
  static Dataset<Row> withPeerMedians(Dataset<Row> features) {
    // A window, not an aggregate joined back: one more stage of the scoring's own job, no second read.
    org.apache.spark.sql.expressions.WindowSpec peers =
        org.apache.spark.sql.expressions.Window.partitionBy(col(AS_OF_DATE), col(CustomerFeatures.PLAN));
    Column[] medians = ChurnExplanations.DRIVERS.stream()
        .map(d -> PEER_COMPARED.contains(d)
            // Exact, not approximate: an approximation could differ between a nightly and a backfill.
            ? functions.percentile(col(d).cast("double"), lit(0.5)).over(peers)
            : lit(null).cast("double"))
        .toArray(Column[]::new);
    return features.withColumn(PEER_MEDIANS, array(medians));
  }

  /** The {@code customer_scores} rows of explained rows. */
  public static Dataset<Row> scores(Dataset<Row> explained, RiskTiers tiers) {
    Column probability = col(CHURN_PROBABILITY);
    UDF3<scala.collection.Seq<Object>, scala.collection.Seq<Object>, scala.collection.Seq<Object>, String[]> strongest =
        ChurnScores::strongestDrivers;
    Column phrases = udf(strongest, DataTypes.createArrayType(DataTypes.StringType))
        .apply(col(ChurnExplanations.CONTRIBUTIONS), col(ChurnExplanations.VALUES), col(PEER_MEDIANS));
    return explained.select(
        col(AS_OF_DATE),
        col(ACCOUNT_ID),
        probability,
        tiers.tierOf(probability).as(RISK_TIER),
        col(MRR),
        round(col(MRR).multiply(probability), 2).as(MRR_AT_RISK),
        col(MODEL_VERSION),
        current_timestamp().as(SCORED_AT),
        col(CHURN_MARGIN),
        phrases.getItem(0).as(RISK_DRIVERS.get(0)),
        phrases.getItem(1).as(RISK_DRIVERS.get(1)),
        phrases.getItem(2).as(RISK_DRIVERS.get(2)),
        phrases.getItem(3).as(PROTECTIVE_DRIVER));
  }

  /**
   * The {@code score_drivers} rows of explained rows: one per account, date and model input with its
   * value and contribution to the log-odds, and one {@link #BASE} row with the model's base value, so
   * that an account's contributions sum to its {@link #CHURN_MARGIN}.
   */
  public static Dataset<Row> drivers(Dataset<Row> explained) {
    return drivers(explained, List.of(AS_OF_DATE, ACCOUNT_ID), ChurnExplanations.DRIVERS, List.of(MODEL_VERSION));
  }

  /**
   * Explained rows ({@link ChurnExplanations#explain}) as one row per input and key: the {@code keys}
   * columns, {@link #FEATURE} (one of {@code driverNames}, or {@link #BASE}), {@link #FEATURE_VALUE},
   * {@link #CONTRIBUTION}, then the {@code trailing} columns.
   */
  public static Dataset<Row> drivers(Dataset<Row> explained, List<String> keys, List<String> driverNames, List<String> trailing) {
    Column names = array(driverNames.stream().map(functions::lit).toArray(Column[]::new));
    Column base = struct(lit(BASE).as(FEATURE), lit(null).cast("string").as(FEATURE_VALUE),
        col(ChurnExplanations.BASE_VALUE).as(CONTRIBUTION));
    Column perFeature = functions.transform(names, (name, i) -> struct(name.as(FEATURE),
        element_at(col(ChurnExplanations.VALUES), i.plus(1)).as(FEATURE_VALUE),
        element_at(col(ChurnExplanations.CONTRIBUTIONS), i.plus(1)).as(CONTRIBUTION)));
    List<Column> exploded = new java.util.ArrayList<>(keys.stream().map(ChurnScores::column).toList());
    trailing.forEach(c -> exploded.add(column(c)));
    exploded.add(explode(functions.concat(array(base), perFeature)).as("driver"));
    List<Column> flat = new java.util.ArrayList<>(keys.stream().map(ChurnScores::column).toList());
    flat.add(col("driver." + FEATURE).as(FEATURE));
    flat.add(col("driver." + FEATURE_VALUE).as(FEATURE_VALUE));
    flat.add(col("driver." + CONTRIBUTION).as(CONTRIBUTION));
    trailing.forEach(c -> flat.add(column(c)));
    return explained.select(exploded.toArray(Column[]::new)).select(flat.toArray(Column[]::new));
  }

  /** A column by name, whatever characters the name holds. */
  private static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  /**
   * Why each score changed since the day before: {@code scores} (the {@link #scores} rows of the run's
   * dates) with {@link #PROBABILITY_CHANGE} and {@link #CHANGE_DRIVERS}. The day before is looked up
   * among the run's own rows and in {@code earlierScores} and {@code earlierDrivers} (the tables' rows
   * of the day before the run; null when the tables do not exist yet), so a nightly and a backfill find
   * the same. A change driver reads
   * "renewal in 18 days (was renewal in 25 days): +0.42", the move of its contribution to the log-odds;
   * moves under {@link #NEGLIGIBLE} are left out. On the day a new model takes over, the moves include
   * its different view of the same account.
   */
  public static Dataset<Row> withChanges(
      Dataset<Row> scores, Dataset<Row> drivers, Dataset<Row> earlierScores, Dataset<Row> earlierDrivers) {
    Column[] probabilityColumns = {col(AS_OF_DATE), col(ACCOUNT_ID), col(CHURN_PROBABILITY)};
    Dataset<Row> probabilities = scores.select(probabilityColumns);
    Column[] driverColumns = {col(AS_OF_DATE), col(ACCOUNT_ID), col(FEATURE), col(FEATURE_VALUE), col(CONTRIBUTION)};
    Dataset<Row> contributions = drivers.select(driverColumns);
    // Null when the tables do not exist yet: the first scoring run has no day before.
    if (earlierScores != null && earlierDrivers != null) {
      probabilities = probabilities.unionByName(earlierScores.select(probabilityColumns));
      contributions = contributions.unionByName(earlierDrivers.select(driverColumns));
    }
    probabilities = probabilities.select(
        col(AS_OF_DATE).as("_before_date"), col(ACCOUNT_ID).as("_before_account"), col(CHURN_PROBABILITY).as("_before_p"));
    contributions = contributions.filter(col(FEATURE).notEqual(BASE));
    Dataset<Row> before = contributions.select(col(AS_OF_DATE).as("_b_date"), col(ACCOUNT_ID).as("_b_account"),
        col(FEATURE).as("_b_feature"), col(FEATURE_VALUE).as("_b_value"), col(CONTRIBUTION).as("_b_contribution"));
    UDF4<String, String, String, Double, String> phrase = ChurnScores::changePhrase;
    Dataset<Row> moves =
        drivers.filter(col(FEATURE).notEqual(BASE))
            .join(before, col(ACCOUNT_ID).equalTo(col("_b_account")).and(col(FEATURE).equalTo(col("_b_feature")))
                .and(col("_b_date").equalTo(functions.date_sub(col(AS_OF_DATE), 1))))
            .withColumn("_move", col(CONTRIBUTION).minus(col("_b_contribution")))
            .filter(functions.abs(col("_move")).gt(NEGLIGIBLE))
            .withColumn("_rank", functions.row_number().over(
                org.apache.spark.sql.expressions.Window.partitionBy(AS_OF_DATE, ACCOUNT_ID)
                    .orderBy(functions.abs(col("_move")).desc(), col(FEATURE))))
            .filter(col("_rank").leq(CHANGE_DRIVERS.size()))
            .withColumn("_phrase", udf(phrase, DataTypes.StringType).apply(col(FEATURE), col(FEATURE_VALUE), col("_b_value"), col("_move")))
            .groupBy(col(AS_OF_DATE).as("_m_date"), col(ACCOUNT_ID).as("_m_account"))
            .agg(functions.max(when(col("_rank").equalTo(1), col("_phrase"))).as(CHANGE_DRIVERS.get(0)),
                functions.max(when(col("_rank").equalTo(2), col("_phrase"))).as(CHANGE_DRIVERS.get(1)));
    List<Column> columns = new java.util.ArrayList<>(java.util.Arrays.stream(scores.columns()).map(c -> col(c)).toList());
    columns.add(col(CHURN_PROBABILITY).minus(col("_before_p")).as(PROBABILITY_CHANGE));
    CHANGE_DRIVERS.forEach(c -> columns.add(col(c)));
    return scores
        .join(probabilities, col(ACCOUNT_ID).equalTo(col("_before_account"))
            .and(col("_before_date").equalTo(functions.date_sub(col(AS_OF_DATE), 1))), "left")
        .join(moves, col(ACCOUNT_ID).equalTo(col("_m_account")).and(col(AS_OF_DATE).equalTo(col("_m_date"))), "left")
        .select(columns.toArray(Column[]::new));
  }

  /** "renewal in 18 days (was renewal in 25 days): +0.42" */
  static String changePhrase(String feature, String value, String valueBefore, Double move) {
    String now = DriverPhrases.describe(feature, value);
    String then = DriverPhrases.describe(feature, valueBefore);
    String sign = move >= 0 ? "+" : "";
    return (now.equals(then) ? now + " (unchanged; the model weighs it anew)" : now + " (was " + then + ")")
        + ": " + sign + String.format(java.util.Locale.ROOT, "%.2f", move);
  }

  /** Below this a contribution to the log-odds moves the probability by well under 0.1%: not a driver. */
  static final double NEGLIGIBLE = 1e-3;

  /**
   * The three largest positive contributions and the largest negative one, in words, compared with the
   * plan's median where that says something; null where fewer features push that way by more than
   * {@link #NEGLIGIBLE}.
   */
  static String[] strongestDrivers(
      scala.collection.Seq<Object> contributions, scala.collection.Seq<Object> values, scala.collection.Seq<Object> peerMedians) {
    int[] strongest = strongest(contributions);
    String[] phrases = new String[strongest.length];
    for (int rank = 0; rank < strongest.length; rank++) {
      int i = strongest[rank];
      phrases[rank] = i < 0 ? null : DriverPhrases.describe(ChurnExplanations.DRIVERS.get(i), (String) values.apply(i),
          peerMedians == null ? null : (Double) peerMedians.apply(i));
    }
    return phrases;
  }

  /**
   * The positions of the three largest positive contributions, then of the largest negative one; -1
   * where fewer features push that way by more than {@link #NEGLIGIBLE}.
   */
  public static int[] strongest(scala.collection.Seq<Object> contributions) {
    int n = contributions.size();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare((Double) contributions.apply(b), (Double) contributions.apply(a)));
    int[] strongest = {-1, -1, -1, -1};
    for (int rank = 0; rank < 3 && rank < n; rank++) {
      if ((Double) contributions.apply(order[rank]) > NEGLIGIBLE) {
        strongest[rank] = order[rank];
      }
    }
    if (n > 0 && (Double) contributions.apply(order[n - 1]) < -NEGLIGIBLE) {
      strongest[3] = order[n - 1];
    }
    return strongest;
  }
}
