package dev.anshin.models.revenue;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.sum;

import dev.anshin.models.revenue.RevenueOutlook.Account;
import dev.anshin.models.revenue.RevenueOutlook.Window;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The revenue forecast of every scored account ({@value #TABLE}), of the portfolio by month
 * ({@value #PORTFOLIO_TABLE}) and the revenue at risk by group ({@value #AT_RISK_TABLE}), from the
 * {@link RevenueOutlook} of each account.
 */
public final class RevenueForecast {
  public static final String TABLE = "revenue_forecast";
  public static final String PORTFOLIO_TABLE = "portfolio_forecast";
  public static final String AT_RISK_TABLE = "revenue_at_risk";

  /** The windows of the forecast, in days: the next 90 days and the next 12 months. */
  public static final int QUARTER_DAYS = 90;
  public static final int YEAR_DAYS = RevenueOutlook.DAYS_PER_YEAR;
  /** Months of the portfolio forecast. */
  public static final int MONTHS = 12;

  /** The input columns. */
  public static final String AS_OF_DATE = "as_of_date";
  public static final String ACCOUNT_ID = "account_id";
  public static final String MRR = "mrr";
  public static final String CHURN_PROBABILITY = "churn_probability";
  public static final String BILLING_INTERVAL = "billing_interval";
  public static final String DAYS_TO_RENEWAL = "days_to_renewal";

  /** The columns the forecast adds. */
  public static final String EXPECTED_REVENUE_90D = "expected_revenue_90d";
  public static final String REVENUE_90D_P50 = "revenue_90d_p50";
  public static final String REVENUE_90D_P10 = "revenue_90d_p10";
  public static final String REVENUE_90D_P90 = "revenue_90d_p90";
  public static final String NAIVE_REVENUE_90D = "naive_revenue_90d";
  public static final String REVENUE_AT_RISK_90D = "revenue_at_risk_90d";
  public static final String EXPECTED_REVENUE_12M = "expected_revenue_12m";
  public static final String REVENUE_12M_P10 = "revenue_12m_p10";
  public static final String REVENUE_12M_P90 = "revenue_12m_p90";
  public static final String NAIVE_REVENUE_12M = "naive_revenue_12m";
  public static final String REVENUE_AT_RISK_12M = "revenue_at_risk_12m";
  private static final String MONTH_MEANS = "_month_means";
  private static final String MONTH_VARIANCES = "_month_variances";

  /** The columns of {@value #PORTFOLIO_TABLE}. */
  public static final String MONTH = "month";
  public static final String MONTH_END = "month_end";
  public static final String EXPECTED_MRR = "expected_mrr";
  public static final String MRR_P10 = "mrr_p10";
  public static final String MRR_P90 = "mrr_p90";
  public static final String NAIVE_MRR = "naive_mrr";
  public static final String ACCOUNTS = "accounts";

  /** The columns of {@value #AT_RISK_TABLE}. */
  public static final String DIMENSION = "dimension";
  public static final String VALUE = "value";

  /** The normal quantile of 90%: a sum over many independent accounts is close to normal. */
  static final double Z_90 = 1.2815515655446004;

  private RevenueForecast() {}

  /**
   * Adds each account's outlook to {@code accounts} (the input columns above and {@link
   * GrowthModel#PREDICTED_MRR_RATIO}; any others are kept): the windows' expected revenue, bounds,
   * flat-MRR ("naive") revenue and revenue at risk, and the monthly MRR means and variances that
   * {@link #portfolio} sums. Accounts without MRR today are left out.
   */
  public static Dataset<Row> outlook(Dataset<Row> accounts, RevenueOutlook.Assumptions assumptions) {
    Dataset<Row> input = accounts.filter(col(MRR).gt(0));
    StructType in = input.schema();
    StructType out = in;
    for (String column : List.of(
        EXPECTED_REVENUE_90D, REVENUE_90D_P50, REVENUE_90D_P10, REVENUE_90D_P90, NAIVE_REVENUE_90D, REVENUE_AT_RISK_90D,
        EXPECTED_REVENUE_12M, REVENUE_12M_P10, REVENUE_12M_P90, NAIVE_REVENUE_12M, REVENUE_AT_RISK_12M)) {
      out = out.add(column, DataTypes.DoubleType, false);
    }
    out = out.add(MONTH_MEANS, DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add(MONTH_VARIANCES, DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    int mrr = in.fieldIndex(MRR);
    int probability = in.fieldIndex(CHURN_PROBABILITY);
    int ratio = in.fieldIndex(GrowthModel.PREDICTED_MRR_RATIO);
    int interval = in.fieldIndex(BILLING_INTERVAL);
    int renewal = in.fieldIndex(DAYS_TO_RENEWAL);
    RevenueOutlook outlook = new RevenueOutlook(assumptions);
    MapPartitionsFunction<Row, Row> perAccount = rows -> new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row row = rows.next();
        double today = ((Number) row.get(mrr)).doubleValue();
        Account account = account(today, row.getDouble(probability), row.getDouble(ratio), (String) row.get(interval),
            row.isNullAt(renewal) ? null : ((Number) row.get(renewal)).intValue());
        Window quarter = outlook.window(account, QUARTER_DAYS);
        Window year = outlook.window(account, YEAR_DAYS);
        double[][] months = outlook.monthlyMrr(account, MONTHS);
        Object[] values = new Object[row.length() + 13];
        for (int i = 0; i < row.length(); i++) {
          values[i] = row.get(i);
        }
        int at = row.length();
        values[at++] = quarter.expected();
        values[at++] = quarter.median();
        values[at++] = quarter.low();
        values[at++] = quarter.high();
        values[at++] = today * 12 * QUARTER_DAYS / RevenueOutlook.DAYS_PER_YEAR;
        values[at++] = quarter.atRisk();
        values[at++] = year.expected();
        values[at++] = year.low();
        values[at++] = year.high();
        values[at++] = today * 12;
        values[at++] = year.atRisk();
        values[at++] = boxed(months[0]);
        values[at] = boxed(months[1]);
        return RowFactory.create(values);
      }
    };
    return input.mapPartitions(perAccount, Encoders.row(out));
  }

  /** An account as the forecast sees it, from its columns: the growth model's ratio held to the ratios it learned from. */
  public static Account account(double mrr, double churnProbability, double predictedRatio, String billingInterval, Integer daysToRenewal) {
    return new Account(mrr, churnProbability, Math.max(0.1, Math.min(GrowthModel.MAX_RATIO, predictedRatio)),
        "annual".equals(billingInterval), daysToRenewal);
  }

  /** The outlook without its monthly arrays: the rows of {@value #TABLE}. */
  public static Dataset<Row> forecast(Dataset<Row> outlook) {
    return outlook.drop(MONTH_MEANS, MONTH_VARIANCES);
  }

  /**
   * {@value #PORTFOLIO_TABLE}: per as-of date and month ahead (1..12, ending {@code month_end}), the
   * expected MRR of today's accounts, an 80% interval that treats accounts as independent (normal,
   * from the summed mean squared deviations of {@link RevenueOutlook#monthlyMrr}), and the flat forecast (today's MRR). New business is not in it.
   */
  public static Dataset<Row> portfolio(Dataset<Row> outlook) {
    Column month = col("_pos").plus(1);
    Dataset<Row> monthly =
        outlook.select(col(AS_OF_DATE), col(MRR), posexplode(col(MONTH_MEANS)).as(new String[] {"_pos", "_mean"}),
                col(MONTH_VARIANCES))
            .withColumn("_variance", col(MONTH_VARIANCES).getItem(col("_pos")))
            .withColumn(MONTH, month);
    return monthly.groupBy(col(AS_OF_DATE), col(MONTH))
        .agg(sum(col("_mean")).as(EXPECTED_MRR), sum(col("_variance")).as("_variance"),
            sum(col(MRR).cast("double")).as(NAIVE_MRR), count(lit(1)).as(ACCOUNTS))
        .select(
            col(AS_OF_DATE), col(MONTH),
            date_add(col(AS_OF_DATE), org.apache.spark.sql.functions.round(col(MONTH).multiply(RevenueOutlook.DAYS_PER_MONTH)).cast("int"))
                .as(MONTH_END),
            col(EXPECTED_MRR),
            col(EXPECTED_MRR).minus(sqrt(col("_variance")).multiply(Z_90)).as(MRR_P10),
            col(EXPECTED_MRR).plus(sqrt(col("_variance")).multiply(Z_90)).as(MRR_P90),
            col(NAIVE_MRR), col(ACCOUNTS));
  }

  /**
   * {@value #AT_RISK_TABLE}: per as-of date, for each of {@code dimensions} and each of its values
   * (null as "(none)"), the accounts, their MRR, expected revenue and revenue at risk.
   */
  public static Dataset<Row> atRisk(Dataset<Row> outlook, List<String> dimensions) {
    Dataset<Row> all = null;
    for (String dimension : dimensions) {
      Dataset<Row> grouped =
          outlook.groupBy(col(AS_OF_DATE), org.apache.spark.sql.functions.coalesce(col(dimension).cast("string"), lit("(none)")).as(VALUE))
              .agg(count(lit(1)).as(ACCOUNTS), sum(col(MRR).cast("double")).as(MRR),
                  sum(col(EXPECTED_REVENUE_90D)).as(EXPECTED_REVENUE_90D), sum(col(REVENUE_AT_RISK_90D)).as(REVENUE_AT_RISK_90D),
                  sum(col(EXPECTED_REVENUE_12M)).as(EXPECTED_REVENUE_12M), sum(col(REVENUE_AT_RISK_12M)).as(REVENUE_AT_RISK_12M))
              .select(col(AS_OF_DATE), lit(dimension).as(DIMENSION), col(VALUE), col(ACCOUNTS), col(MRR),
                  col(EXPECTED_REVENUE_90D), col(REVENUE_AT_RISK_90D), col(EXPECTED_REVENUE_12M), col(REVENUE_AT_RISK_12M));
      all = all == null ? grouped : all.unionByName(grouped);
    }
    return all;
  }

  private static Double[] boxed(double[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }
}
