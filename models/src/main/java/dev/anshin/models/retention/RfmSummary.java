package dev.anshin.models.retention;

import dev.anshin.errors.AnshinException;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Summarises transactions per customer into the recency-frequency-monetary statistics of BG/NBD and
 * Gamma-Gamma, with pure Dataset aggregations so that it scales with the cluster.
 *
 * <p>Output columns, one row per customer whose first purchase is on or before the calibration end:
 *
 * <ul>
 *   <li>{@code customer_id}: the caller's customer column, renamed
 *   <li>{@code first_purchase}: date of the first purchase
 *   <li>{@code frequency}: x, repeat transactions (purchase days after the first) up to the
 *       calibration end; purchases on one day count as one transaction with the amounts summed
 *   <li>{@code recency_weeks}: t_x, days from the first to the last calibration purchase / 7
 *   <li>{@code age_weeks}: T, days from the first purchase to the calibration end / 7
 *   <li>{@code monetary_value}: mean amount of the x repeat transactions (the first is left out, as
 *       in the paper); null when x = 0
 *   <li>{@code holdout_frequency}: transactions after the calibration end up to the holdout end;
 *       null without a holdout period
 * </ul>
 */
public final class RfmSummary {

  public static final String CUSTOMER_ID = "customer_id";
  public static final String FIRST_PURCHASE = "first_purchase";
  public static final String FREQUENCY = "frequency";
  public static final String RECENCY_WEEKS = "recency_weeks";
  public static final String AGE_WEEKS = "age_weeks";
  public static final String MONETARY_VALUE = "monetary_value";
  public static final String HOLDOUT_FREQUENCY = "holdout_frequency";

  private static final double DAYS_PER_WEEK = 7.0;

  /**
   * Which columns hold what, and the periods: calibration is every day up to and including {@code
   * calibrationEnd}; the holdout, if {@code holdoutEnd} is not null, the days after it up to and
   * including {@code holdoutEnd}.
   */
  public record Settings(
      String customerColumn,
      String dateColumn,
      String amountColumn,
      LocalDate calibrationEnd,
      LocalDate holdoutEnd) {
    public Settings {
      if (calibrationEnd == null) {
        throw new IllegalArgumentException("the calibration end date is required");
      }
      if (holdoutEnd != null && !holdoutEnd.isAfter(calibrationEnd)) {
        throw new IllegalArgumentException(
            "the holdout end " + holdoutEnd + " must be after the calibration end " + calibrationEnd);
      }
    }

    /** Weeks in the holdout period, or 0 without one. */
    public double holdoutWeeks() {
      return holdoutEnd == null
          ? 0
          : (holdoutEnd.toEpochDay() - calibrationEnd.toEpochDay()) / DAYS_PER_WEEK;
    }
  }

  private RfmSummary() {}

  /** The per-customer summary; see the class comment for its columns. */
  public static Dataset<Row> compute(Dataset<Row> transactions, Settings settings) {
    StructField dateField = field(transactions, settings.dateColumn());
    field(transactions, settings.customerColumn());
    StructField amountField = field(transactions, settings.amountColumn());
    DataType dateType = dateField.dataType();
    if (!dateType.equals(DataTypes.DateType) && !dateType.equals(DataTypes.TimestampType)) {
      throw AnshinException.badData(
          "column '" + settings.dateColumn() + "' must be a date or timestamp, not " + dateType.simpleString()
              + "; parse it first (to_date)");
    }
    if (!(amountField.dataType() instanceof org.apache.spark.sql.types.NumericType)) {
      throw AnshinException.badData(
          "column '" + settings.amountColumn() + "' must be numeric, not "
              + amountField.dataType().simpleString());
    }
    Column calibrationEnd = lit(java.sql.Date.valueOf(settings.calibrationEnd()));
    LocalDate lastDay = settings.holdoutEnd() != null ? settings.holdoutEnd() : settings.calibrationEnd();

    // Same-day purchases are one transaction: the models count purchase occasions.
    Dataset<Row> days =
        transactions
            .select(
                col(settings.customerColumn()).as(CUSTOMER_ID),
                col(settings.dateColumn()).cast(DataTypes.DateType).as("day"),
                col(settings.amountColumn()).cast(DataTypes.DoubleType).as("amount"))
            .where(col(CUSTOMER_ID).isNotNull().and(col("day").isNotNull()))
            .where(col("day").leq(lit(java.sql.Date.valueOf(lastDay))))
            .groupBy(CUSTOMER_ID, "day")
            .agg(sum(coalesce(col("amount"), lit(0.0))).as("amount"));

    Column inCalibration = col("day").leq(calibrationEnd);
    Dataset<Row> perCustomer =
        days.groupBy(CUSTOMER_ID)
            .agg(
                min("day").as(FIRST_PURCHASE),
                max(when(inCalibration, col("day"))).as("last_calibration_day"),
                count(when(inCalibration, lit(1))).as("calibration_days"),
                sum(when(inCalibration, col("amount"))).as("calibration_amount"),
                min_by(col("amount"), col("day")).as("first_amount"),
                count(when(col("day").gt(calibrationEnd), lit(1))).as("holdout_days"))
            .where(col(FIRST_PURCHASE).leq(calibrationEnd));

    Column frequency = col("calibration_days").minus(1);
    return perCustomer.select(
        col(CUSTOMER_ID),
        col(FIRST_PURCHASE),
        frequency.as(FREQUENCY),
        datediff(col("last_calibration_day"), col(FIRST_PURCHASE)).divide(DAYS_PER_WEEK).as(RECENCY_WEEKS),
        datediff(calibrationEnd, col(FIRST_PURCHASE)).divide(DAYS_PER_WEEK).as(AGE_WEEKS),
        when(frequency.gt(0), col("calibration_amount").minus(col("first_amount")).divide(frequency))
            .as(MONETARY_VALUE),
        (settings.holdoutEnd() == null ? lit(null).cast(DataTypes.LongType) : col("holdout_days"))
            .as(HOLDOUT_FREQUENCY));
  }

  /** Distinct (x, t_x, T) with their customer counts, collected for the BG/NBD fit. */
  public static List<RfmCount> sufficientStatistics(Dataset<Row> summary) {
    List<RfmCount> counts = new ArrayList<>();
    for (Row row :
        summary.groupBy(FREQUENCY, RECENCY_WEEKS, AGE_WEEKS).count().collectAsList()) {
      counts.add(new RfmCount(row.getLong(0), row.getDouble(1), row.getDouble(2), row.getLong(3)));
    }
    return counts;
  }

  /**
   * Distinct (x, mean value) of customers with x &gt; 0 and a positive mean value, with their counts,
   * collected for the Gamma-Gamma fit. Values are rounded to the cent, which merges near-duplicates
   * without moving the fit.
   */
  public static List<SpendCount> spendStatistics(Dataset<Row> summary) {
    List<SpendCount> counts = new ArrayList<>();
    for (Row row :
        summary
            .where(col(FREQUENCY).gt(0).and(col(MONETARY_VALUE).gt(0)))
            .groupBy(col(FREQUENCY), org.apache.spark.sql.functions.round(col(MONETARY_VALUE), 2).as("m"))
            .count()
            .where(col("m").gt(0))
            .collectAsList()) {
      counts.add(new SpendCount(row.getLong(0), row.getDouble(1), row.getLong(2)));
    }
    return counts;
  }

  private static StructField field(Dataset<Row> data, String name) {
    Set<String> names = Set.of(data.columns());
    if (!names.contains(name)) {
      throw AnshinException.badData(
          "column '" + name + "' is missing; the columns are " + String.join(", ", data.columns()));
    }
    return data.schema().apply(name);
  }
}
