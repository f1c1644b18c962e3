package dev.anshin.jobs.cli;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.try_to_timestamp;

import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.retention.InputTable;
import dev.anshin.jobs.retention.RetentionReports;
import dev.anshin.jobs.retention.RetentionTables;
import dev.anshin.models.retention.BetaGeometricNbd;
import dev.anshin.models.retention.BetaGeometricNbdModel;
import dev.anshin.models.retention.CohortRetention;
import dev.anshin.models.retention.CustomerValue;
import dev.anshin.models.retention.GammaGamma;
import dev.anshin.models.retention.GammaGammaModel;
import dev.anshin.models.retention.LifetimeValue;
import dev.anshin.models.retention.RfmCount;
import dev.anshin.models.retention.RfmSummary;
import dev.anshin.models.retention.ShiftedBetaGeometric;
import dev.anshin.models.retention.ShiftedBetaGeometricModel;
import dev.anshin.models.retention.SpendCount;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `anshin retention`: contractual (sBG) and non-contractual (BG/NBD, Gamma-Gamma) retention fits. */
@Command(
    name = "retention",
    mixinStandardHelpOptions = true,
    description = {
      "Retention and lifetime-value statistics (see docs/retention.md).",
      "  sbg    contractual: survivors per renewal period -> shifted-beta-geometric fit and projection",
      "  bgnbd  non-contractual: transactions -> BG/NBD purchases, Gamma-Gamma spend, holdout check",
      "  cohorts  Anshin subscriptions -> monthly signup cohorts -> sBG per cohort (cohort_retention_forecast)"
    },
    subcommands = {RetentionCommand.Sbg.class, RetentionCommand.Bgnbd.class, RetentionCommand.Cohorts.class})
public final class RetentionCommand {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionCommand.class);

  /** Options every retention subcommand shares. */
  static class CommonOptions {
    @Option(names = "--conf", description = "HOCON configuration file (Spark settings, lakehouse).")
    Path conf;

    @Option(
        names = "--format",
        defaultValue = "text",
        description = "Output: text or json (json prints the result as one JSON object on the last line). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--write-table", description = "Also write the per-period / per-customer result as this Delta table.")
    String writeTable;

    @Option(names = "--lakehouse", description = "Lakehouse folder for --write-table (default: the configured one).")
    Path lakehouse;

    AnshinConfig config() {
      if (!format.equals("text") && !format.equals("json")) {
        throw AnshinException.usage("--format is '" + format + "'; expected text or json");
      }
      return AnshinConfig.load(conf);
    }

    SparkSession spark(AnshinConfig config) {
      return SparkSessions.create(config.spark(), "anshin-retention");
    }

    Path lakehouse(AnshinConfig config) {
      return lakehouse != null ? lakehouse : config.lakehouse();
    }

    boolean json() {
      return format.equals("json");
    }
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** `anshin retention sbg`. */
  @Command(
      name = "sbg",
      mixinStandardHelpOptions = true,
      description = {
        "Fits the shifted-beta-geometric model (Fader & Hardie 2007) to survivor counts per period",
        "(row 0 = the cohort size, in file order) and projects survival forward.",
        "Example: anshin retention sbg --survivors shared/data/sbg_survival.csv"
            + " --column regular_active --fit-periods 7 --project 5"
      })
  static final class Sbg implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common = new CommonOptions();
    @Mixin InputTable input = new InputTable();

    @Option(names = "--survivors", required = true, description = "File or table with survivor counts, one row per period.")
    Path survivors;

    @Option(names = "--column", required = true, description = "The column holding the survivor counts.")
    String column;

    @Option(names = "--fit-periods", required = true, description = "Calibration periods: rows 0..N are fitted.")
    int fitPeriods;

    @Option(names = "--project", defaultValue = "5", description = "Periods to project beyond the fitted ones. Default: ${DEFAULT-VALUE}.")
    int project;

    @Option(names = "--discount-rate", defaultValue = "0.1", description = "Discount rate per period for DERL. Default: ${DEFAULT-VALUE}.")
    double discountRate;

    @Override
    public Integer call() {
      AnshinConfig config = common.config();
      if (fitPeriods < 2) {
        throw AnshinException.usage("--fit-periods is " + fitPeriods + "; sBG needs at least 2");
      }
      if (project < 0) {
        throw AnshinException.usage("--project is " + project + "; it must be >= 0");
      }
      if (!(discountRate > 0)) {
        throw AnshinException.usage("--discount-rate is " + discountRate + "; it must be > 0");
      }
      SparkSession spark = common.spark(config);
      Dataset<Row> data = input.read(spark, survivors);
      InputTable.requireColumns(data, survivors, column);
      List<Row> rows = data.select(col(column).try_cast(DataTypes.LongType), col(column)).collectAsList();
      long[] all = new long[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).isNullAt(0)) {
          throw AnshinException.badData(
              "row " + (i + 1) + " of column '" + column + "' in " + survivors + " is '" + rows.get(i).get(1)
                  + "', not a whole number of survivors");
        }
        all[i] = rows.get(i).getLong(0);
      }
      LOG.info("read {} survivor counts of column {} from {} ({})", all.length, column, survivors, input.resolveFormat(survivors));
      if (all.length < fitPeriods + 1) {
        throw AnshinException.badData(
            survivors + " has " + all.length + " rows (periods 0.." + (all.length - 1)
                + ") but --fit-periods " + fitPeriods + " needs " + (fitPeriods + 1));
      }
      long[] calibration = Arrays.copyOf(all, fitPeriods + 1);
      ShiftedBetaGeometricModel model;
      long start = System.nanoTime();
      try {
        Optional<String> reason = ShiftedBetaGeometric.unfittableReason(calibration);
        if (reason.isPresent()) {
          throw AnshinException.badData("cannot fit sBG to column '" + column + "': " + reason.get());
        }
        model = ShiftedBetaGeometric.fit(calibration);
      } catch (IllegalArgumentException | AnshinException e) {
        throw AnshinException.badData("cannot fit sBG to column '" + column + "': " + e.getMessage());
      }
      LOG.info("sBG fit on periods 0..{} took {} ms (converged: {})", fitPeriods, millisSince(start), model.converged());

      List<RetentionReports.PeriodRow> projection = new ArrayList<>();
      for (int period = 0; period <= fitPeriods + project; period++) {
        projection.add(
            new RetentionReports.PeriodRow(
                period,
                period < all.length ? all[period] : null,
                model.expectedSurvivors(all[0], period),
                period == 0 ? null : model.retentionRate(period),
                period > fitPeriods));
      }
      PrintWriter out = spec.commandLine().getOut();
      RetentionReports.printSbg(out, common.json(), column, all[0], model, projection, discountRate);
      if (common.writeTable != null) {
        Path table =
            RetentionTables.write(
                RetentionReports.sbgTable(spark, column, model, all[0], projection),
                common.lakehouse(config),
                common.writeTable,
                config.lock().waitFor());
        LOG.info("wrote {} rows to {}", projection.size(), table);
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** `anshin retention bgnbd`. */
  @Command(
      name = "bgnbd",
      mixinStandardHelpOptions = true,
      description = {
        "Summarises transactions per customer (x, t_x, T in weeks, mean repeat value), fits BG/NBD",
        "(Fader, Hardie & Lee 2005) and Gamma-Gamma, and with --holdout-end compares predicted and",
        "actual repeat transactions in the holdout.",
        "Example: anshin retention bgnbd --transactions shared/data/CDNOW_sample.txt --no-header"
            + " --delimiter whitespace --columns customer,sample_id,date,cds,dollars"
            + " --customer-col sample_id --date-col date --amount-col dollars --date-format yyyyMMdd"
            + " --calibration-end 1997-09-30 --holdout-end 1998-06-30"
      })
  static final class Bgnbd implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common = new CommonOptions();
    @Mixin InputTable input = new InputTable();

    @Option(names = "--transactions", required = true, description = "File or table of transactions.")
    Path transactions;

    @Option(names = "--customer-col", required = true, description = "Customer identifier column.")
    String customerColumn;

    @Option(names = "--date-col", required = true, description = "Transaction date column.")
    String dateColumn;

    @Option(names = "--amount-col", required = true, description = "Transaction amount column.")
    String amountColumn;

    @Option(names = "--calibration-end", required = true, description = "Last day of the calibration period (yyyy-MM-dd).")
    String calibrationEnd;

    @Option(names = "--holdout-end", description = "Last day of the holdout period (yyyy-MM-dd).")
    String holdoutEnd;

    @Option(names = "--date-format", defaultValue = "yyyy-MM-dd", description = "Pattern of text dates in the date column. Default: ${DEFAULT-VALUE}.")
    String dateFormat;

    @Option(names = "--clv-months", defaultValue = "12", description = "Lifetime-value horizon in months. Default: ${DEFAULT-VALUE}.")
    int clvMonths;

    @Option(names = "--monthly-discount-rate", defaultValue = "0.01", description = "Discount rate per month for lifetime value. Default: ${DEFAULT-VALUE}.")
    double monthlyDiscountRate;

    @Override
    public Integer call() {
      AnshinConfig config = common.config();
      LocalDate calibration = date("--calibration-end", calibrationEnd);
      LocalDate holdout = holdoutEnd == null ? null : date("--holdout-end", holdoutEnd);
      if (holdout != null && !holdout.isAfter(calibration)) {
        throw AnshinException.usage("--holdout-end " + holdout + " must be after --calibration-end " + calibration);
      }
      LifetimeValue.Settings clv;
      try {
        clv = new LifetimeValue.Settings(clvMonths, 52.0 / 12, monthlyDiscountRate);
      } catch (IllegalArgumentException e) {
        throw AnshinException.usage("--clv-months / --monthly-discount-rate: " + e.getMessage());
      }
      SparkSession spark = common.spark(config);
      Dataset<Row> raw = input.read(spark, transactions);
      InputTable.requireColumns(raw, transactions, customerColumn, dateColumn, amountColumn);
      Dataset<Row> typed = typed(raw);
      LOG.info("reading transactions from {} ({}), calibration to {}, holdout to {}",
          transactions, input.resolveFormat(transactions), calibration, holdout == null ? "none" : holdout);

      RfmSummary.Settings settings =
          new RfmSummary.Settings(customerColumn, dateColumn, amountColumn, calibration, holdout);
      spark.sparkContext().setJobGroup("retention-rfm", "RFM summary of " + transactions, false);
      long start = System.nanoTime();
      Dataset<Row> summary = RfmSummary.compute(typed, settings).cache();
      List<RfmCount> counts = RfmSummary.sufficientStatistics(summary);
      List<SpendCount> spend = RfmSummary.spendStatistics(summary);
      long customers = counts.stream().mapToLong(RfmCount::customers).sum();
      LOG.info("RFM summary: {} customers, {} distinct (x, t_x, T), {} distinct (x, value) in {} ms",
          customers, counts.size(), spend.size(), millisSince(start));
      start = System.nanoTime();
      BetaGeometricNbdModel purchases;
      GammaGammaModel value;
      try {
        purchases = BetaGeometricNbd.fit(counts);
        value = GammaGamma.fit(spend);
      } catch (IllegalArgumentException | AnshinException e) {
        throw AnshinException.badData("cannot fit the models to " + transactions + ": " + e.getMessage());
      }
      LOG.info("BG/NBD and Gamma-Gamma fits took {} ms (converged: {}, {})",
          millisSince(start), purchases.converged(), value.converged());

      spark.sparkContext().setJobGroup("retention-score", "customer value of " + transactions, false);
      Dataset<Row> scored = CustomerValue.score(summary, purchases, value, clv, settings.holdoutWeeks());
      List<Row> byFrequency = holdout == null ? List.of() : CustomerValue.holdoutByFrequency(scored).collectAsList();
      PrintWriter out = spec.commandLine().getOut();
      RetentionReports.printBgnbd(out, common.json(), purchases, value, customers, settings.holdoutWeeks(), byFrequency);
      if (common.writeTable != null) {
        Path table = RetentionTables.write(scored, common.lakehouse(config), common.writeTable, config.lock().waitFor());
        LOG.info("wrote {} customers to {}", customers, table);
      }
      summary.unpersist();
      out.flush();
      return ExitCodes.OK;
    }

    /** The date column as a date (parsed with --date-format when it is text) and the amount as a double. */
    private Dataset<Row> typed(Dataset<Row> raw) {
      Column date = col(dateColumn);
      var type = raw.schema().apply(dateColumn).dataType();
      Column parsed =
          type.equals(DataTypes.DateType) || type.equals(DataTypes.TimestampType)
              ? date.cast(DataTypes.DateType)
              : to_date(try_to_timestamp(date.cast(DataTypes.StringType), lit(dateFormat)));
      Dataset<Row> typed =
          raw.withColumn("__raw_date", date.cast(DataTypes.StringType))
              .withColumn(dateColumn, parsed)
              .withColumn("__raw_amount", col(amountColumn).cast(DataTypes.StringType))
              .withColumn(amountColumn, col(amountColumn).try_cast(DataTypes.DoubleType));
      // One small job that finds the first bad value, so that a wrong --date-format fails clearly
      // instead of silently dropping every transaction.
      List<Row> bad =
          typed.where(
                  col("__raw_date").isNotNull().and(col(dateColumn).isNull())
                      .or(col("__raw_amount").isNotNull().and(col(amountColumn).isNull())))
              .select(col("__raw_date"), col("__raw_amount"), col(dateColumn))
              .limit(1)
              .collectAsList();
      if (!bad.isEmpty()) {
        Row first = bad.get(0);
        boolean badDate = first.get(0) != null && first.get(2) == null;
        throw AnshinException.badData(
            badDate
                ? "cannot read the date '" + first.get(0) + "' in column '" + dateColumn + "' of "
                    + transactions + " with --date-format " + dateFormat
                    + "; fix the data or the pattern"
                : "cannot read the amount '" + first.get(1) + "' in column '" + amountColumn + "' of "
                    + transactions + " as a number");
      }
      return typed.drop("__raw_date", "__raw_amount");
    }
  }

  /** `anshin retention cohorts`. */
  @Command(
      name = "cohorts",
      mixinStandardHelpOptions = true,
      description = {
        "Builds monthly signup cohorts from a subscriptions file or table (account_id, started_at,",
        "ended_at as yyyy-MM-dd dates), counts survivors per month of continuous coverage, fits sBG",
        "per cohort and prints the cohort_retention_forecast (see docs/retention.md)."
      })
  static final class Cohorts implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common = new CommonOptions();
    @Mixin InputTable input = new InputTable();

    @Option(names = "--subscriptions", required = true, description = "File or table of subscriptions.")
    Path subscriptions;

    @Option(names = "--as-of", required = true, description = "The date the data describe (yyyy-MM-dd).")
    String asOf;

    @Option(names = "--project", defaultValue = "12", description = "Periods to project per cohort. Default: ${DEFAULT-VALUE}.")
    int project;

    @Override
    public Integer call() {
      AnshinConfig config = common.config();
      LocalDate asOfDate = date("--as-of", asOf);
      if (project < 0) {
        throw AnshinException.usage("--project is " + project + "; it must be >= 0");
      }
      SparkSession spark = common.spark(config);
      Dataset<Row> raw = input.read(spark, subscriptions);
      InputTable.requireColumns(raw, subscriptions, "account_id", "started_at", "ended_at");
      if (dev.anshin.features.sources.Versions.delivered(raw) && java.util.Arrays.asList(raw.columns()).contains("subscription_id")) {
        // The lakehouse's subscriptions table keeps every delivered version: take each one as known on --as-of.
        raw = dev.anshin.features.sources.Versions.latest(raw, "subscription_id", asOfDate);
      }
      Dataset<Row> typed =
          raw.select(
              col("account_id").cast(DataTypes.StringType).as("account_id"),
              col("started_at").cast(DataTypes.StringType).as("raw_start"),
              col("ended_at").cast(DataTypes.StringType).as("raw_end"),
              to_date(try_to_timestamp(col("started_at").cast(DataTypes.StringType), lit("yyyy-MM-dd"))).as("started_at"),
              to_date(try_to_timestamp(col("ended_at").cast(DataTypes.StringType), lit("yyyy-MM-dd"))).as("ended_at"));
      List<Row> bad =
          typed.where(
                  col("raw_start").isNotNull().and(col("started_at").isNull())
                      .or(col("raw_end").isNotNull().and(col("ended_at").isNull())))
              .limit(1)
              .collectAsList();
      if (!bad.isEmpty()) {
        throw AnshinException.badData(
            "cannot read started_at '" + bad.get(0).getAs("raw_start") + "' / ended_at '"
                + bad.get(0).getAs("raw_end") + "' of account " + bad.get(0).getAs("account_id") + " in "
                + subscriptions + " as yyyy-MM-dd dates");
      }
      LOG.info("reading subscriptions from {} ({}), as of {}", subscriptions, input.resolveFormat(subscriptions), asOfDate);
      long start = System.nanoTime();
      Dataset<Row> survivors = CohortRetention.survivors(typed, asOfDate).cache();
      Dataset<Row> forecast = CohortRetention.forecast(survivors, project).cache();
      List<Row> rows = forecast.collectAsList();
      LOG.info("cohort survivors and sBG fits took {} ms", millisSince(start));
      PrintWriter out = spec.commandLine().getOut();
      RetentionReports.printCohorts(out, common.json(), rows);
      if (common.writeTable != null) {
        Path table = RetentionTables.write(forecast, common.lakehouse(config), common.writeTable, config.lock().waitFor());
        LOG.info("wrote {} rows to {}", rows.size(), table);
      }
      survivors.unpersist();
      forecast.unpersist();
      out.flush();
      return ExitCodes.OK;
    }
  }

  static LocalDate date(String option, String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw AnshinException.usage(option + " is '" + text + "'; expected a date like 1997-09-30");
    }
  }
}
