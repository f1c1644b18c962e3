package dev.anshin.jobs.bench;

import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.models.retention.BetaGeometricNbd;
import dev.anshin.models.retention.BetaGeometricNbdModel;
import dev.anshin.models.retention.CustomerValue;
import dev.anshin.models.retention.GammaGamma;
import dev.anshin.models.retention.GammaGammaModel;
import dev.anshin.models.retention.LifetimeValue;
import dev.anshin.models.retention.RfmCount;
import dev.anshin.models.retention.RfmSummary;
import dev.anshin.models.retention.SpendCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Times the RFM aggregation and the BG/NBD and Gamma-Gamma fits on N synthetic customers whose
 * purchases follow BG/NBD with CDNOW's parameters (seeded, so runs are comparable). Not a test:
 * run it with bench/retention.sh (see docs/retention.md).
 */
public final class RetentionBenchmark {

  // The published CDNOW estimates drive the simulation, so the fit should recover them.
  private static final double R = 0.243;
  private static final double ALPHA = 4.414;
  private static final double A = 0.793;
  private static final double B = 2.426;
  private static final double P = 6.25;
  private static final double Q = 3.74;
  private static final double GAMMA = 15.44;
  private static final LocalDate START = LocalDate.of(2024, 1, 1);
  private static final int ACQUISITION_DAYS = 84;
  private static final int CALIBRATION_DAYS = 273;
  private static final int HOLDOUT_DAYS = 273;

  private RetentionBenchmark() {}

  public static void main(String[] args) throws Exception {
    long customers = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000L;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42L;
    Path work = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("anshin-retention-bench");
    SparkSession spark = SparkSessions.create(AnshinConfig.load(null).spark(), "anshin-retention-bench");
    spark.sparkContext().setLogLevel("WARN");
    System.out.printf(Locale.ROOT, "customers %,d, seed %d, Spark %s, master %s, cores %d%n",
        customers, seed, spark.version(), spark.sparkContext().master(), Runtime.getRuntime().availableProcessors());

    long start = System.nanoTime();
    StructType schema =
        new StructType()
            .add("customer", DataTypes.LongType, false)
            .add("day", DataTypes.DateType, false)
            .add("amount", DataTypes.DoubleType, false);
    Dataset<Row> generated =
        spark.range(customers)
            .flatMap((FlatMapFunction<Long, Row>) id -> simulate(id, seed).iterator(), Encoders.row(schema));
    Path table = work.resolve("transactions");
    generated.write().mode(SaveMode.Overwrite).parquet(table.toString());
    Dataset<Row> transactions = spark.read().parquet(table.toString());
    long rows = transactions.count();
    System.out.printf(Locale.ROOT, "generate   %8.1f s  (%,d transactions written to %s)%n", seconds(start), rows, table);

    RfmSummary.Settings settings =
        new RfmSummary.Settings(
            "customer", "day", "amount",
            START.plusDays(CALIBRATION_DAYS - 1), START.plusDays(CALIBRATION_DAYS + HOLDOUT_DAYS - 1));
    start = System.nanoTime();
    Dataset<Row> summary = RfmSummary.compute(transactions, settings).cache();
    List<RfmCount> counts = RfmSummary.sufficientStatistics(summary);
    List<SpendCount> spend = RfmSummary.spendStatistics(summary);
    System.out.printf(Locale.ROOT, "rfm        %8.1f s  (%,d customers -> %,d distinct (x, t_x, T), %,d distinct (x, value))%n",
        seconds(start), counts.stream().mapToLong(RfmCount::customers).sum(), counts.size(), spend.size());

    start = System.nanoTime();
    BetaGeometricNbdModel purchases = BetaGeometricNbd.fit(counts);
    System.out.printf(Locale.ROOT, "fit bg/nbd %8.1f s  r %.4f alpha %.4f a %.4f b %.4f (true %.3f %.3f %.3f %.3f) converged %s%n",
        seconds(start), purchases.r(), purchases.alpha(), purchases.a(), purchases.b(), R, ALPHA, A, B, purchases.converged());
    start = System.nanoTime();
    GammaGammaModel value = GammaGamma.fit(spend);
    System.out.printf(Locale.ROOT, "fit gamma  %8.1f s  p %.3f q %.3f gamma %.3f (true %.2f %.2f %.2f) converged %s%n",
        seconds(start), value.p(), value.q(), value.gamma(), P, Q, GAMMA, value.converged());

    start = System.nanoTime();
    Row totals =
        CustomerValue.score(summary, purchases, value, LifetimeValue.Settings.monthlyForOneYear(), settings.holdoutWeeks())
            .selectExpr("sum(holdout_frequency)", "sum(expected_holdout_purchases)", "avg(expected_lifetime_value)")
            .first();
    System.out.printf(Locale.ROOT, "score      %8.1f s  holdout actual %,d predicted %,.0f; mean 12-month CLV %.2f%n",
        seconds(start), totals.getLong(0), totals.getDouble(1), totals.getDouble(2));
    spark.stop();
  }

  /** One customer's transactions, from a random stream seeded by the customer id and the seed. */
  static List<Row> simulate(long id, long seed) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + id);
    double rate = gamma(random, R) / ALPHA; // purchases per week
    double dropout = beta(random, A, B);
    double scale = gamma(random, Q) / GAMMA; // the customer's nu
    double horizon = (CALIBRATION_DAYS + HOLDOUT_DAYS) / 7.0;
    double week = random.nextInt(ACQUISITION_DAYS) / 7.0;
    List<Row> rows = new ArrayList<>();
    rows.add(row(id, week, gamma(random, P) / scale));
    while (true) {
      week += -Math.log(1 - random.nextDouble()) / rate;
      if (week >= horizon) {
        break;
      }
      rows.add(row(id, week, gamma(random, P) / scale));
      // BG/NBD: a customer may drop out right after each repeat purchase.
      if (random.nextDouble() < dropout) {
        break;
      }
    }
    return rows;
  }

  private static Row row(long id, double week, double amount) {
    return RowFactory.create(id, Date.valueOf(START.plusDays((long) Math.floor(week * 7))), amount);
  }

  /** Gamma(shape, 1) by Marsaglia and Tsang, boosted for shape &lt; 1. */
  static double gamma(SplittableRandom random, double shape) {
    if (shape < 1) {
      return gamma(random, shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = normal(random);
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  static double beta(SplittableRandom random, double a, double b) {
    double x = gamma(random, a);
    return x / (x + gamma(random, b));
  }

  private static double normal(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
