package dev.anshin.jobs.cli;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Json;
import dev.anshin.jobs.retention.InputTable;
import dev.anshin.jobs.tabular.ChurnModelDirectory;
import dev.anshin.models.churn.BinaryMetrics;
import dev.anshin.models.churn.Calibration;
import dev.anshin.models.churn.ChurnModelSettings;
import dev.anshin.models.tabular.BinaryLabel;
import dev.anshin.models.tabular.ColumnTyping;
import dev.anshin.models.tabular.TabularChurn;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `anshin churn`: the churn model, with its drivers and calibration, on a table of your own. */
@Command(
    name = "churn",
    mixinStandardHelpOptions = true,
    description = {
      "The nightly's churn model on any labelled table of customers (a dbt model, an export), see docs/churn-on-your-table.md.",
      "  fit    train on a CSV, Parquet or Delta table: one row per customer, an id, a yes/no label, any other columns",
      "  score  score a table with a fitted model: churn probability, the drivers behind it, every contribution"
    },
    subcommands = {ChurnCommand.Fit.class, ChurnCommand.Score.class})
public final class ChurnCommand {
  private static final Logger LOG = LoggerFactory.getLogger(ChurnCommand.class);

  private ChurnCommand() {}

  /** Reads the table and names its columns without a byte-order mark or surrounding blanks, as a person reads them. */
  static Dataset<Row> readTable(InputTable input, SparkSession spark, Path data) {
    Dataset<Row> table = input.read(spark, data);
    String[] names = table.columns();
    String[] cleaned = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      cleaned[i] = names[i].replace("\uFEFF", "").strip();
    }
    LOG.info("reading {} ({}): {} columns", data, input.resolveFormat(data), names.length);
    return table.toDF(cleaned);
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** `anshin churn fit`. */
  @Command(
      name = "fit",
      mixinStandardHelpOptions = true,
      description = {
        "Trains the churn model on a labelled table and saves it: the columns are typed on their own (numbers, also",
        "as text with blanks; yes/no flags; categories), a holdout chosen by a hash of the id is kept out of the fit,",
        "the probabilities are calibrated on it, and its metrics are printed as one JSON object:",
        "auc_roc, auc_pr, brier, ece, n (holdout rows), positives, train_n, train_positives, brier_uncalibrated, ...",
        "Example: anshin churn fit --data telco.csv --id customerID --label Churn --model models/telco"
      })
  static final class Fit implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin InputTable input = new InputTable();

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The labelled table: a CSV file, Parquet, or a Delta table folder.")
    Path data;

    @Option(names = "--id", required = true, paramLabel = "COLUMN", description = "The column that identifies a customer; one row each.")
    String id;

    @Option(names = "--label", required = true, paramLabel = "COLUMN", description = "The column that says whether the customer churned; two values.")
    String label;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Where to save the model (a model there is replaced).")
    Path model;

    @Option(names = "--positive", paramLabel = "VALUE", description = "The label's value that means churned. Default: inferred from yes/no, 1/0, true/false.")
    String positive;

    @Option(names = "--holdout", defaultValue = "0.2", paramLabel = "FRACTION", description = "Share of the customers kept out of the fit to measure it. Default: ${DEFAULT-VALUE}.")
    double holdout;

    @Option(names = "--seed", defaultValue = "42", description = "Chooses the holdout and seeds the learner. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--learner", defaultValue = "gbt", description = "gbt (gradient-boosted trees, exact TreeSHAP drivers) or logistic. Default: ${DEFAULT-VALUE}.")
    String learner;

    @Option(names = "--max-iterations", defaultValue = "40", description = "Trees (gbt) or a fifth of the iterations (logistic). Default: ${DEFAULT-VALUE}.")
    int maxIterations;

    @Option(names = "--max-depth", defaultValue = "4", description = "Depth of each tree (gbt). Default: ${DEFAULT-VALUE}.")
    int maxDepth;

    @Option(names = "--exclude", split = ",", paramLabel = "COLUMN", description = "Columns not to learn from (say, a later outcome that would leak the label).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--max-categories", defaultValue = "100", description = "Text with more distinct values is skipped as an identifier or free text. Default: ${DEFAULT-VALUE}.")
    int maxCategories;

    @Option(names = "--conf", description = "HOCON configuration file (Spark settings).")
    Path conf;

    @Override
    public Integer call() {
      ChurnModelSettings.Learner chosen = switch (learner.toLowerCase(Locale.ROOT)) {
        case "gbt" -> ChurnModelSettings.Learner.GBT;
        case "logistic" -> ChurnModelSettings.Learner.LOGISTIC;
        default -> throw AnshinException.usage("--learner is '" + learner + "'; expected gbt or logistic");
      };
      if (maxIterations < 1 || maxDepth < 1 || maxCategories < 2) {
        throw AnshinException.usage("--max-iterations and --max-depth must be at least 1 and --max-categories at least 2");
      }
      ChurnModelSettings settings = new ChurnModelSettings(chosen, maxIterations, maxDepth, seed);
      long start = System.nanoTime();
      SparkSession spark = SparkSessions.create(AnshinConfig.load(conf).spark(), "anshin-churn-fit");
      // Typing and the checks read the table a few times before the fit: parse the file once.
      Dataset<Row> table = readTable(input, spark, data).persist(StorageLevel.MEMORY_AND_DISK());
      for (String column : exclude) {
        if (!List.of(table.columns()).contains(column)) {
          throw AnshinException.usage("--exclude names '" + column + "', which is not a column; the columns are "
              + String.join(", ", table.columns()));
        }
      }
      long checkStart = System.nanoTime();
      ColumnTyping.requireUniqueIds(table, id);
      BinaryLabel binaryLabel = BinaryLabel.infer(table, label, positive, id);
      long typingStart = System.nanoTime();
      LOG.info("read the table and checked its ids and label in {} ms", millisSince(checkStart));
      ColumnTyping typing = ColumnTyping.infer(table, id, label, Set.copyOf(exclude), maxCategories);
      LOG.info("typed {} columns in {} ms", table.columns().length - 2, millisSince(typingStart));
      logTyping(typing, binaryLabel);
      Dataset<Row> typed = typing.apply(table, binaryLabel).cache();
      try {
        long fitStart = System.nanoTime();
        TabularChurn.Fitted fitted = TabularChurn.fit(typed, typing, binaryLabel, settings, holdout);
        LOG.info("fitted the {} model and its calibration in {} ms", learner, millisSince(fitStart));
        TabularChurn.HoldoutMetrics metrics = fitted.holdout();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("auc_roc", metrics.aucRoc());
        result.put("auc_pr", metrics.aucPr());
        result.put("brier", metrics.brier());
        result.put("ece", metrics.ece());
        result.put("n", metrics.examples());
        result.put("positives", metrics.positives());
        result.put("brier_uncalibrated", metrics.brierUncalibrated());
        result.put("ece_uncalibrated", metrics.eceUncalibrated());
        result.put("train_n", metrics.trainExamples());
        result.put("train_positives", metrics.trainPositives());
        result.put("inputs", typing.columns().size());
        result.put("learner", chosen.name().toLowerCase(Locale.ROOT));
        result.put("calibration_slope", fitted.model().calibration().slope());
        result.put("calibration_intercept", fitted.model().calibration().intercept());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("data", data.toAbsolutePath().toString());
        details.put("settings", Map.of("learner", result.get("learner"), "max_iterations", maxIterations, "max_depth", maxDepth,
            "seed", seed, "holdout", holdout));
        details.put("holdout_metrics", result);
        ChurnModelDirectory.save(fitted.model(), model, details);
        LOG.info("saved the model to {}; {} ms in all", model, millisSince(start));
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.write(result));
        out.flush();
      } finally {
        typed.unpersist();
        table.unpersist();
      }
      return ExitCodes.OK;
    }

    private void logTyping(ColumnTyping typing, BinaryLabel binaryLabel) {
      Map<ColumnTyping.Kind, List<String>> byKind = new LinkedHashMap<>();
      for (ColumnTyping.TypedColumn column : typing.columns()) {
        byKind.computeIfAbsent(column.kind(), k -> new ArrayList<>())
            .add(column.name().equals(column.source()) ? column.name() : column.source() + " as " + column.name());
      }
      LOG.info("label {}: '{}' is churned, '{}' is not", binaryLabel.column(), binaryLabel.positive(), binaryLabel.negative());
      byKind.forEach((kind, names) -> LOG.info("{} {} column(s): {}", names.size(), kind.name().toLowerCase(Locale.ROOT), names));
      typing.skipped().forEach(s -> LOG.info("not an input: {}: {}", s.source(), s.reason()));
    }
  }

  /** `anshin churn score`. */
  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "Scores a table with a model of `anshin churn fit`. Writes two tables under --out:",
        "  scores         id, churn_probability (calibrated), churn_margin (log-odds), risk_driver_1..3, protective_driver",
        "  score_drivers  id, feature, feature_value, contribution: every input's share of the margin, and a (base) row",
        "and prints {\"rows\": ..., \"mean_churn_probability\": ..., ...} as one JSON object; when the table has the",
        "model's label column (a later export with the outcomes), also auc_roc, auc_pr, brier, ece, n and positives.",
        "Example: anshin churn score --model models/telco --data customers.csv --out scored/telco"
      })
  static final class Score implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin InputTable input = new InputTable();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model saved by `anshin churn fit`.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The table to score: the model's id and input columns (others are ignored).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder for the scores and score_drivers tables (replaced).")
    Path out;

    @Option(names = "--out-format", defaultValue = "parquet", description = "parquet, delta or csv (one file with a header per table). Default: ${DEFAULT-VALUE}.")
    String outFormat;

    @Option(names = "--conf", description = "HOCON configuration file (Spark settings).")
    Path conf;

    @Override
    public Integer call() {
      String format = outFormat.toLowerCase(Locale.ROOT);
      if (!List.of("parquet", "delta", "csv").contains(format)) {
        throw AnshinException.usage("--out-format is '" + outFormat + "'; expected parquet, delta or csv");
      }
      long start = System.nanoTime();
      SparkSession spark = SparkSessions.create(AnshinConfig.load(conf).spark(), "anshin-churn-score");
      TabularChurn.Model loaded = ChurnModelDirectory.load(model);
      Dataset<Row> table = readTable(input, spark, data);
      ColumnTyping.requireUniqueIds(table, loaded.typing().idColumn());
      BinaryLabel outcomes = outcomesIn(table, loaded);
      Dataset<Row> explained = loaded.explained(loaded.typing().apply(table, outcomes)).cache();
      try {
        Path scoresPath = out.resolve("scores");
        Path driversPath = out.resolve("score_drivers");
        write(loaded.scores(explained), scoresPath, format);
        write(loaded.drivers(explained), driversPath, format);
        Row summary = explained.agg(org.apache.spark.sql.functions.count(col(TabularChurn.CHURN_PROBABILITY)),
            avg(col(TabularChurn.CHURN_PROBABILITY))).first();
        LOG.info("scored {} rows in {} ms; wrote {} and {}", summary.getLong(0), millisSince(start), scoresPath, driversPath);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rows", summary.getLong(0));
        result.put("mean_churn_probability", summary.isNullAt(1) ? null : summary.getDouble(1));
        result.put("scores", scoresPath.toAbsolutePath().toString());
        result.put("score_drivers", driversPath.toAbsolutePath().toString());
        if (outcomes != null) {
          // The table carries the outcomes (a later export, say): how the saved model does on them.
          BinaryMetrics metrics = BinaryMetrics.of(explained, TabularChurn.CHURN_PROBABILITY, ColumnTyping.LABEL);
          result.put("auc_roc", metrics.aucRoc());
          result.put("auc_pr", metrics.aucPr());
          result.put("brier", metrics.brier());
          result.put("ece", Calibration.expectedError(
              Calibration.reliability(explained, TabularChurn.CHURN_PROBABILITY, ColumnTyping.LABEL)));
          result.put("n", metrics.n());
          result.put("positives", metrics.positives());
        }
        PrintWriter printer = spec.commandLine().getOut();
        printer.println(Json.write(result));
        printer.flush();
      } finally {
        explained.unpersist();
      }
      return ExitCodes.OK;
    }

    /**
     * The model's label in the table to score, when it is there with both of its values (then the
     * scores are measured against it); null, said in the log, when it is absent or unusable.
     */
    private static BinaryLabel outcomesIn(Dataset<Row> table, TabularChurn.Model model) {
      String column = model.label().column();
      if (!List.of(table.columns()).contains(column)) {
        return null;
      }
      try {
        BinaryLabel outcomes = BinaryLabel.infer(table, column, model.label().positive());
        LOG.info("the table has the label {}: the scores are measured against it", column);
        return outcomes;
      } catch (AnshinException unusable) {
        LOG.warn("the table has the label column {} but the scores are not measured against it: {}", column, unusable.getMessage());
        return null;
      }
    }

    private static void write(Dataset<Row> rows, Path path, String format) {
      String uri = path.toAbsolutePath().toUri().toString();
      switch (format) {
        case "csv" -> rows.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").csv(uri);
        case "delta" -> rows.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true").save(uri);
        default -> rows.write().mode(SaveMode.Overwrite).parquet(uri);
      }
    }
  }
}
