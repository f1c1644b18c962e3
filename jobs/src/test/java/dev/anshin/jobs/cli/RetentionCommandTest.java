package dev.anshin.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anshin.errors.ExitCodes;
import dev.anshin.testing.SparkTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs `anshin retention` end to end on the published reference data. */
class RetentionCommandTest extends SparkTestBase {

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static Path data(String name) {
    Path path = sharedData().resolve(name);
    assumeTrue(Files.isReadable(path), "reference data " + path + " is absent; skipping");
    return path;
  }

  private static String[] cdnow(String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "retention", "bgnbd",
                "--transactions", data("CDNOW_sample.txt").toString(),
                "--no-header", "--delimiter", "whitespace",
                "--columns", "customer,sample_id,date,cds,dollars",
                "--customer-col", "sample_id", "--date-col", "date", "--amount-col", "dollars"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void sbgReproducesFaderAndHardie() {
    CliRun regular =
        run("retention", "sbg", "--survivors", data("sbg_survival.csv").toString(),
            "--column", "regular_active", "--fit-periods", "7", "--project", "5", "--format", "json");
    assertThat(regular.exitCode()).as(regular.err()).isZero();
    assertThat(regular.number("alpha")).isCloseTo(0.704, within(0.0005));
    assertThat(regular.number("beta")).isCloseTo(1.182, within(0.0005));
    assertThat(regular.lastLine()).contains("\"converged\":true").contains("\"is_projection\":true");

    CliRun highEnd =
        run("retention", "sbg", "--survivors", data("sbg_survival.csv").toString(),
            "--column", "highend_active", "--fit-periods", "7", "--format", "json");
    assertThat(highEnd.exitCode()).as(highEnd.err()).isZero();
    assertThat(highEnd.number("alpha")).isCloseTo(0.668, within(0.0005));
    assertThat(highEnd.number("beta")).isCloseTo(3.806, within(0.0005));
  }

  @Test
  void sbgReadsDeltaAndParquetAndWritesItsResult() throws IOException {
    Path table = scratch.resolve("survival_delta");
    spark.read().option("header", "true").csv(data("sbg_survival.csv").toString())
        .write().format("delta").save(table.toString());
    Path lakehouse = scratch.resolve("lakehouse");
    for (int i = 0; i < 2; i++) {
      CliRun run =
          run("retention", "sbg", "--survivors", table.toString(), "--column", "regular_active",
              "--fit-periods", "7", "--format", "json", "--write-table", "sbg_regular",
              "--lakehouse", lakehouse.toString());
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.number("alpha")).isCloseTo(0.704, within(0.0005));
    }
    Path parquet = scratch.resolve("survival_parquet");
    spark.read().format("delta").load(table.toString()).write().parquet(parquet.toString());
    CliRun fromParquet =
        run("retention", "sbg", "--survivors", parquet.toString(), "--column", "highend_active",
            "--fit-periods", "7", "--format", "json");
    assertThat(fromParquet.exitCode()).as(fromParquet.err()).isZero();
    assertThat(fromParquet.number("beta")).isCloseTo(3.806, within(0.0005));
    // Overwrite: two runs leave one copy of the 13 periods.
    assertThat(spark.read().format("delta").load(lakehouse.resolve("sbg_regular").toString()).count())
        .isEqualTo(13);
  }

  @Test
  void bgnbdReproducesCdnowAndWritesCustomerValues() throws IOException {
    Path lakehouse = scratch.resolve("lakehouse");
    CliRun run =
        run(cdnow("--date-format", "yyyyMMdd", "--calibration-end", "1997-09-30",
            "--holdout-end", "1998-06-30", "--format", "json",
            "--write-table", "cdnow_customer_value", "--lakehouse", lakehouse.toString()));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.number("r")).isCloseTo(0.243, within(0.0005));
    assertThat(run.number("alpha")).isCloseTo(4.414, within(0.005));
    assertThat(run.number("a")).isCloseTo(0.793, within(0.0005));
    assertThat(run.number("b")).isCloseTo(2.426, within(0.005));
    assertThat(run.number("gg_p")).isCloseTo(6.25, within(0.005));
    assertThat(run.number("gg_q")).isCloseTo(3.74, within(0.005));
    assertThat(run.number("gg_gamma")).isCloseTo(15.44, within(0.05));
    assertThat(run.number("customers")).isEqualTo(2357);
    assertThat(run.lastLine()).contains("\"converged\":true");
    assertThat((long) run.number("holdout_actual")).isEqualTo(holdoutPurchaseDays());
    assertThat(run.number("holdout_predicted")).isPositive();
    assertThat(spark.read().format("delta").load(lakehouse.resolve("cdnow_customer_value").toString()).count())
        .isEqualTo(2357);
  }

  /** Distinct (customer, day) pairs in weeks 40-78, counted from the raw file without Spark. */
  private static long holdoutPurchaseDays() throws IOException {
    return Files.readAllLines(data("CDNOW_sample.txt")).stream()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .map(line -> line.split("\\s+"))
        .filter(f -> f[2].compareTo("19970930") > 0 && f[2].compareTo("19980630") <= 0)
        .map(f -> f[1] + "/" + f[2])
        .distinct()
        .count();
  }

  @Test
  void clearErrorsForMissingFilesColumnsAndBadDates() {
    CliRun missingFile =
        run("retention", "sbg", "--survivors", scratch.resolve("nope.csv").toString(),
            "--column", "x", "--fit-periods", "3");
    assertThat(missingFile.exitCode()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(missingFile.err()).contains("nope.csv does not exist");

    CliRun missingColumn =
        run("retention", "sbg", "--survivors", data("sbg_survival.csv").toString(),
            "--column", "premium_active", "--fit-periods", "7");
    assertThat(missingColumn.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
    assertThat(missingColumn.err()).contains("column 'premium_active' is not in").contains("regular_active");

    CliRun badDateFormat = run(cdnow("--calibration-end", "1997-09-30"));
    assertThat(badDateFormat.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
    assertThat(badDateFormat.err()).contains("cannot read the date '1997").contains("--date-format yyyy-MM-dd");

    CliRun badCalibrationEnd = run(cdnow("--date-format", "yyyyMMdd", "--calibration-end", "30/09/1997"));
    assertThat(badCalibrationEnd.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badCalibrationEnd.err()).contains("--calibration-end is '30/09/1997'");
  }

  @Test
  void cohortsFitsFittableCohortsAndFlagsTheOthers() throws IOException {
    StringBuilder csv = new StringBuilder("subscription_id,account_id,plan,started_at,ended_at\n");
    // January 2023: 100 accounts; 30 leave in month 1, 15 in month 2, 10 in month 3, 6 in month 4.
    String[] ends = {"2023-01-20", "2023-02-20", "2023-03-15", "2023-04-10"};
    int[] leavers = {30, 15, 10, 6};
    int account = 0;
    for (int group = 0; group < ends.length; group++) {
      for (int i = 0; i < leavers[group]; i++, account++) {
        csv.append("s").append(account).append(",a").append(account).append(",basic,2023-01-01,").append(ends[group]).append('\n');
      }
    }
    for (; account < 100; account++) {
      csv.append("s").append(account).append(",a").append(account).append(",basic,2023-01-01,\n");
    }
    // February 2023: five accounts, nobody leaves.
    for (int i = 0; i < 5; i++) {
      csv.append("f").append(i).append(",b").append(i).append(",basic,2023-02-14,\n");
    }
    Path file = scratch.resolve("subscriptions.csv");
    Files.writeString(file, csv);
    Path lakehouse = scratch.resolve("lakehouse");
    CliRun run =
        run("retention", "cohorts", "--subscriptions", file.toString(), "--as-of", "2023-07-01",
            "--format", "json", "--write-table", "cohort_retention_forecast", "--lakehouse", lakehouse.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.lastLine())
        .contains("{\"cohort_month\":\"2023-01-01\",\"cohort_size\":100,\"observed_periods\":5")
        .contains("\"status\":\"fitted\"")
        .contains("{\"cohort_month\":\"2023-02-01\",\"cohort_size\":5,\"observed_periods\":4,\"alpha\":null")
        .contains("\"status\":\"no_churn\"");
    // January: periods 0-5 observed and 12 projected; February: periods 0-4 observed only.
    assertThat(spark.read().format("delta").load(lakehouse.resolve("cohort_retention_forecast").toString()).count())
        .isEqualTo(6 + 12 + 5);
  }

  @Test
  void helpDescribesEachSubcommand() {
    CliRun sbg = run("retention", "sbg", "--help");
    assertThat(sbg.exitCode()).isZero();
    assertThat(sbg.out()).contains("--fit-periods").contains("--write-table").contains("--delimiter");
    CliRun bgnbd = run("retention", "bgnbd", "--help");
    assertThat(bgnbd.exitCode()).isZero();
    assertThat(bgnbd.out()).contains("--calibration-end").contains("--holdout-end");
  }
}
