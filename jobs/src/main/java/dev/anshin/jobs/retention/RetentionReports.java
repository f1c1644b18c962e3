package dev.anshin.jobs.retention;

import dev.anshin.jobs.io.Json;

import dev.anshin.models.retention.BetaGeometricNbdModel;
import dev.anshin.models.retention.GammaGammaModel;
import dev.anshin.models.retention.ShiftedBetaGeometricModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Text and JSON output of the retention commands, and the sBG result table. */
public final class RetentionReports {

  /** One period of an sBG fit: observed survivors (null beyond the data) and the model's values. */
  public record PeriodRow(
      int period, Long survivorsObserved, double survivorsExpected, Double retentionRate, boolean projected) {}

  private RetentionReports() {}

  public static void printSbg(
      PrintWriter out,
      boolean json,
      String column,
      long cohortSize,
      ShiftedBetaGeometricModel model,
      List<PeriodRow> projection,
      double discountRate) {
    double derl = model.discountedExpectedResidualLifetime(discountRate, model.fitPeriods());
    out.printf(Locale.ROOT, "sBG fit of %s on periods 0..%d (cohort size %d)%n", column, model.fitPeriods(), cohortSize);
    out.printf(Locale.ROOT, "alpha           %.4f%n", model.alpha());
    out.printf(Locale.ROOT, "beta            %.4f%n", model.beta());
    out.printf(Locale.ROOT, "log_likelihood  %.3f%n", model.logLikelihood());
    out.printf(Locale.ROOT, "converged       %s%n", model.converged());
    out.printf(Locale.ROOT, "DERL after %d renewals at %.0f%% discount: %.3f periods%n",
        model.fitPeriods(), 100 * discountRate, derl);
    out.printf(Locale.ROOT, "%6s %10s %10s %10s%n", "period", "actual", "expected", "retention");
    for (PeriodRow row : projection) {
      out.printf(
          Locale.ROOT,
          "%6d %10s %10.1f %10s%s%n",
          row.period(),
          row.survivorsObserved() == null ? "-" : row.survivorsObserved().toString(),
          row.survivorsExpected(),
          row.retentionRate() == null ? "-" : String.format(Locale.ROOT, "%.4f", row.retentionRate()),
          row.projected() ? "  projected" : "");
    }
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("model", "sbg");
      result.put("column", column);
      result.put("cohort_size", cohortSize);
      result.put("fit_periods", model.fitPeriods());
      result.put("alpha", model.alpha());
      result.put("beta", model.beta());
      result.put("log_likelihood", model.logLikelihood());
      result.put("converged", model.converged());
      result.put("discount_rate", discountRate);
      result.put("derl", derl);
      List<Object> periods = new ArrayList<>();
      for (PeriodRow row : projection) {
        Map<String, Object> period = new LinkedHashMap<>();
        period.put("period", row.period());
        period.put("survivors_observed", row.survivorsObserved());
        period.put("survivors_expected", row.survivorsExpected());
        period.put("retention_rate_expected", row.retentionRate());
        period.put("is_projection", row.projected());
        periods.add(period);
      }
      result.put("projection", periods);
      out.println(Json.write(result));
    }
  }

  /** The sBG result as a table: one row per period, the fit repeated on each row. */
  public static Dataset<Row> sbgTable(
      SparkSession spark, String column, ShiftedBetaGeometricModel model, long cohortSize, List<PeriodRow> projection) {
    StructType schema =
        new StructType()
            .add("series", DataTypes.StringType, false)
            .add("cohort_size", DataTypes.LongType, false)
            .add("fit_periods", DataTypes.IntegerType, false)
            .add("alpha", DataTypes.DoubleType, false)
            .add("beta", DataTypes.DoubleType, false)
            .add("log_likelihood", DataTypes.DoubleType, false)
            .add("converged", DataTypes.BooleanType, false)
            .add("period", DataTypes.IntegerType, false)
            .add("survivors_observed", DataTypes.LongType, true)
            .add("survivors_expected", DataTypes.DoubleType, false)
            .add("retention_rate_expected", DataTypes.DoubleType, true)
            .add("is_projection", DataTypes.BooleanType, false);
    List<Row> rows = new ArrayList<>();
    for (PeriodRow row : projection) {
      rows.add(
          RowFactory.create(
              column, cohortSize, model.fitPeriods(), model.alpha(), model.beta(), model.logLikelihood(),
              model.converged(), row.period(), row.survivorsObserved(), row.survivorsExpected(),
              row.retentionRate(), row.projected()));
    }
    return spark.createDataFrame(rows, schema);
  }

  public static void printBgnbd(
      PrintWriter out,
      boolean json,
      BetaGeometricNbdModel purchases,
      GammaGammaModel value,
      long customers,
      double holdoutWeeks,
      List<Row> byFrequency) {
    out.printf(Locale.ROOT, "BG/NBD on %d customers (%s)%n", customers, purchases.converged() ? "converged" : "NOT converged");
    out.printf(Locale.ROOT, "r               %.4f%n", purchases.r());
    out.printf(Locale.ROOT, "alpha           %.4f%n", purchases.alpha());
    out.printf(Locale.ROOT, "a               %.4f%n", purchases.a());
    out.printf(Locale.ROOT, "b               %.4f%n", purchases.b());
    out.printf(Locale.ROOT, "log_likelihood  %.3f%n", purchases.logLikelihood());
    out.printf(Locale.ROOT, "Gamma-Gamma on %d repeat customers (%s)%n", value.customers(), value.converged() ? "converged" : "NOT converged");
    out.printf(Locale.ROOT, "gg_p            %.4f%n", value.p());
    out.printf(Locale.ROOT, "gg_q            %.4f%n", value.q());
    out.printf(Locale.ROOT, "gg_gamma        %.4f%n", value.gamma());
    out.printf(Locale.ROOT, "gg_log_likelihood %.3f%n", value.logLikelihood());
    long actual = 0;
    double predicted = 0;
    if (!byFrequency.isEmpty()) {
      out.printf(Locale.ROOT, "holdout of %.2f weeks, repeat transactions by calibration frequency:%n", holdoutWeeks);
      out.printf(Locale.ROOT, "%6s %10s %10s %10s%n", "x", "customers", "actual", "predicted");
      for (Row row : byFrequency) {
        long group = row.getLong(0);
        actual += row.getLong(2);
        predicted += row.getDouble(3);
        out.printf(Locale.ROOT, "%6s %10d %10d %10.1f%n", group >= 7 ? "7+" : Long.toString(group), row.getLong(1), row.getLong(2), row.getDouble(3));
      }
      out.printf(Locale.ROOT, "%6s %10d %10d %10.1f%n", "total", customers, actual, predicted);
    }
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("model", "bgnbd");
      result.put("r", purchases.r());
      result.put("alpha", purchases.alpha());
      result.put("a", purchases.a());
      result.put("b", purchases.b());
      result.put("gg_p", value.p());
      result.put("gg_q", value.q());
      result.put("gg_gamma", value.gamma());
      result.put("log_likelihood", purchases.logLikelihood());
      result.put("gg_log_likelihood", value.logLikelihood());
      result.put("converged", purchases.converged() && value.converged());
      result.put("customers", customers);
      result.put("repeat_customers", value.customers());
      if (!byFrequency.isEmpty()) {
        result.put("holdout_weeks", holdoutWeeks);
        result.put("holdout_actual", actual);
        result.put("holdout_predicted", predicted);
      }
      out.println(Json.write(result));
    }
  }

  /** One summary line per cohort, then (with json) one JSON object with the cohorts' fits. */
  public static void printCohorts(PrintWriter out, boolean json, List<Row> forecast) {
    out.printf(Locale.ROOT, "%-10s %6s %8s %8s %8s %-16s %12s%n",
        "cohort", "size", "observed", "alpha", "beta", "status", "last_expected");
    List<Object> cohorts = new ArrayList<>();
    for (int i = 0; i < forecast.size(); i++) {
      Row row = forecast.get(i);
      boolean lastOfCohort =
          i + 1 == forecast.size() || !forecast.get(i + 1).getAs("cohort_month").equals(row.getAs("cohort_month"));
      if (!lastOfCohort) {
        continue;
      }
      Double alpha = row.getAs("alpha");
      Double beta = row.getAs("beta");
      Double expected = row.getAs("survivors_expected");
      out.printf(Locale.ROOT, "%-10s %6d %8d %8s %8s %-16s %12s%n",
          row.getAs("cohort_month").toString(), (Long) row.getAs("cohort_size"), (Integer) row.getAs("observed_periods"),
          alpha == null ? "-" : String.format(Locale.ROOT, "%.4f", alpha),
          beta == null ? "-" : String.format(Locale.ROOT, "%.4f", beta),
          row.getAs("status"),
          expected == null ? "-" : String.format(Locale.ROOT, "%.1f", expected));
      Map<String, Object> cohort = new LinkedHashMap<>();
      cohort.put("cohort_month", row.getAs("cohort_month").toString());
      cohort.put("cohort_size", row.getAs("cohort_size"));
      cohort.put("observed_periods", row.getAs("observed_periods"));
      cohort.put("alpha", alpha);
      cohort.put("beta", beta);
      cohort.put("log_likelihood", row.getAs("log_likelihood"));
      cohort.put("converged", row.getAs("converged"));
      cohort.put("status", row.getAs("status"));
      cohort.put("last_period", row.getAs("period"));
      cohort.put("last_survivors_expected", expected);
      cohorts.add(cohort);
    }
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("model", "sbg_cohorts");
      result.put("cohorts", cohorts);
      out.println(Json.write(result));
    }
  }
}
