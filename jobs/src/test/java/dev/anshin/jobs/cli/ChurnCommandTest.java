package dev.anshin.jobs.cli;

import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.tabular.ChurnModelDirectory;
import dev.anshin.testing.SparkTestBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Runs `anshin churn fit` and `anshin churn score` on a CSV export as a warehouse would give it. */
class ChurnCommandTest extends SparkTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 600;
  private static final String HEADER = "Account ID,Monthly Spend,Auto Renew,plan,last_note,Churned";

  /**
   * A CSV with a byte-order mark, a column name with a space, numbers stored as text with blanks,
   * yes/no flags, a category, free text and a Yes/No label; churn is planted on low spend, the basic
   * plan and no auto-renewal. Returns whether each account churned.
   */
  private static Map<String, Boolean> writeExport(Path file, int rows, String... extraLines) throws IOException {
    Random random = new Random(5);
    String[] plans = {"basic", "pro", "enterprise"};
    List<String> lines = new ArrayList<>(List.of("\uFEFF" + HEADER));
    Map<String, Boolean> churned = new TreeMap<>();
    for (int i = 0; i < rows; i++) {
      double spend = Math.floor(random.nextDouble() * 500) / 4;
      boolean blank = random.nextDouble() < 0.05;
      boolean autoRenew = random.nextBoolean();
      String plan = plans[i % 3];
      double logit = -1.5 + (spend < 25 ? 2.5 : 0) + (plan.equals("basic") ? 1.0 : 0) - (autoRenew ? 1.5 : 0);
      boolean churn = random.nextDouble() < 1 / (1 + Math.exp(-logit));
      churned.put(String.format(java.util.Locale.ROOT, "A-%04d", i), churn);
      lines.add(String.format(java.util.Locale.ROOT, "A-%04d,%s,%s,%s,note %d,%s", i, blank ? " " : Double.toString(spend),
          autoRenew ? "Yes" : "No", plan, i, churn ? "Yes" : "No"));
    }
    lines.addAll(List.of(extraLines));
    Files.write(file, lines, StandardCharsets.UTF_8);
    return churned;
  }

  @Test
  void fitsScoresAndExplainsATableOfItsOwn() throws IOException {
    Path export = scratch.resolve("accounts.csv");
    Map<String, Boolean> outcomes = writeExport(export, ROWS);
    long churned = outcomes.values().stream().filter(c -> c).count();
    Path model = scratch.resolve("models").resolve("accounts");

    CliRun fit = CliRun.of("churn", "fit", "--data", export.toString(), "--id", "Account ID", "--label", "Churned",
        "--model", model.toString(), "--max-iterations", "6", "--holdout", "0.3");
    assertThat(fit.exitCode()).as(fit.err()).isZero();
    JsonNode metrics = JSON.readTree(fit.lastLine());
    assertThat(metrics.fieldNames()).toIterable().contains("auc_roc", "auc_pr", "brier", "ece", "n");
    assertThat(metrics.get("n").asLong() + metrics.get("train_n").asLong()).isEqualTo(ROWS);
    assertThat(metrics.get("positives").asLong() + metrics.get("train_positives").asLong()).isEqualTo(churned);
    // 30% of 600 rows by a hash: 180 expected, and a 4-sigma band around it.
    assertThat(metrics.get("n").asLong()).isBetween(180L - 45, 180L + 45);

    JsonNode manifest = JSON.readTree(model.resolve(ChurnModelDirectory.MANIFEST).toFile());
    assertThat(manifest.get("id").asText()).isEqualTo("Account ID");
    assertThat(manifest.at("/label/positive").asText()).isEqualTo("yes");
    List<String> inputs = new ArrayList<>();
    manifest.get("columns").forEach(c -> inputs.add(c.get("name").asText() + ":" + c.get("kind").asText()));
    assertThat(inputs).containsExactly("Monthly_Spend:NUMBER", "Auto_Renew:FLAG", "plan:CATEGORY");
    assertThat(manifest.at("/skipped/0/source").asText()).isEqualTo("last_note");

    Path out = scratch.resolve("scored");
    CliRun score = CliRun.of("churn", "score", "--model", model.toString(), "--data", export.toString(), "--out", out.toString());
    assertThat(score.exitCode()).as(score.err()).isZero();
    JsonNode scored = JSON.readTree(score.lastLine());
    assertThat(scored.get("rows").asLong()).isEqualTo(ROWS);

    Dataset<Row> scores = spark.read().parquet(out.resolve("scores").toString());
    // The export carries the label, so the scores are measured against it: the Brier score recomputed.
    assertThat(scored.get("n").asLong()).isEqualTo(ROWS);
    assertThat(scored.get("positives").asLong()).isEqualTo(churned);
    double squaredError = 0;
    for (Row row : scores.select("Account ID", "churn_probability").collectAsList()) {
      double error = row.getDouble(1) - (outcomes.get(row.getString(0)) ? 1 : 0);
      squaredError += error * error;
    }
    assertThat(scored.get("brier").asDouble()).isCloseTo(squaredError / ROWS, within(1e-9));
    assertThat(scores.select("Account ID").distinct().count()).isEqualTo(ROWS);
    double slope = metrics.get("calibration_slope").asDouble();
    double intercept = metrics.get("calibration_intercept").asDouble();
    for (Row row : scores.select("churn_margin", "churn_probability").collectAsList()) {
      assertThat(row.getDouble(1)).isCloseTo(1 / (1 + Math.exp(-(slope * row.getDouble(0) + intercept))), within(1e-12));
    }
    Dataset<Row> sums = spark.read().parquet(out.resolve("score_drivers").toString())
        .groupBy("Account ID").agg(sum("contribution").as("total"));
    double worst = scores.join(sums, "Account ID").selectExpr("max(abs(total - churn_margin))").first().getDouble(0);
    assertThat(worst).isLessThan(1e-9);
    // The lowest spenders on the basic plan without auto-renewal are, in words, at risk for those reasons.
    List<Row> riskiest = scores.orderBy(org.apache.spark.sql.functions.desc("churn_probability")).limit(20)
        .select("risk_driver_1", "risk_driver_2", "risk_driver_3").collectAsList();
    long named = riskiest.stream().filter(r -> Stream.of(r.getString(0), r.getString(1), r.getString(2))
        .anyMatch(d -> d != null && (d.startsWith("Monthly_Spend = ") || d.equals("Auto_Renew: no")))).count();
    assertThat(named).isEqualTo(20);

    // Fitting again replaces the model in place and leaves nothing else behind.
    CliRun again = CliRun.of("churn", "fit", "--data", export.toString(), "--id", "Account ID", "--label", "Churned",
        "--model", model.toString(), "--max-iterations", "4", "--learner", "logistic");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(JSON.readTree(model.resolve(ChurnModelDirectory.MANIFEST).toFile()).at("/settings/learner").asText()).isEqualTo("logistic");
    try (Stream<Path> siblings = Files.list(model.getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("accounts");
    }
  }

  @Test
  void badInputGetsAClearErrorAndAnExitCodeASchedulerCanActOn() throws IOException {
    Path model = scratch.resolve("bad-models").resolve("m");
    Path threeValues = scratch.resolve("three.csv");
    writeExport(threeValues, 40, "A-9999,10.0,No,basic,x,Maybe");
    CliRun label = fit(threeValues, model);
    assertThat(label.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
    assertThat(label.err()).contains("the label column 'Churned' has 3 distinct values (maybe, no, yes); the rarest, maybe,"
        + " is in 1 row, e.g. Account ID A-9999");

    Path repeated = scratch.resolve("repeated.csv");
    writeExport(repeated, 40, "A-0003,10.0,No,basic,x,No", "A-0003,12.0,No,basic,y,No");
    CliRun ids = fit(repeated, model);
    assertThat(ids.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
    assertThat(ids.err()).contains("repeats: 1 id appears in more than one row, e.g. 'A-0003' (3 rows)");

    Path empty = scratch.resolve("empty.csv");
    Files.writeString(empty, "id,spend,region,churn\n" + "a,1,,yes\n" + "b,2, ,no\n" + "c,3,,no\n");
    CliRun column = CliRun.of("churn", "fit", "--data", empty.toString(), "--id", "id", "--label", "churn", "--model", model.toString());
    assertThat(column.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
    assertThat(column.err()).contains("column 'region' is empty in all 3 rows").contains("--exclude 'region'");

    Path notAModel = scratch.resolve("notes");
    Files.createDirectories(notAModel);
    Files.writeString(notAModel.resolve("keep.txt"), "mine");
    Path good = scratch.resolve("good.csv");
    writeExport(good, 60);
    CliRun occupied = fit(good, notAModel);
    assertThat(occupied.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(occupied.err()).contains("exists and is not an Anshin churn model");
    assertThat(notAModel.resolve("keep.txt")).hasContent("mine");

    CliRun noModel = CliRun.of("churn", "score", "--model", scratch.resolve("nowhere").toString(), "--data", good.toString(),
        "--out", scratch.resolve("out").toString());
    assertThat(noModel.exitCode()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(noModel.err()).contains("is not an Anshin churn model");

    CliRun help = CliRun.of("churn", "fit", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("--positive=VALUE").contains("--holdout=FRACTION");
  }

  private static CliRun fit(Path data, Path model) {
    return CliRun.of("churn", "fit", "--data", data.toString(), "--id", "Account ID", "--label", "Churned", "--model", model.toString());
  }
}
