package dev.anshin.jobs.cli;

import static org.apache.spark.sql.functions.col;

import dev.anshin.features.sources.Quarantine;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.steps.EvaluateStep;
import dev.anshin.jobs.steps.Nightly;
import dev.anshin.jobs.steps.PipelineContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole job on a synthetic CRE world with known truth.",
      "Generates day-by-day deliveries into <lakehouse>/sources, backfills the nightly job over the whole",
      "history (the model retrained monthly once the history allows it), and evaluates the last day's",
      "scores against the truth. Safe to run twice: it starts its own lakehouse afresh."
    })
final class DemoCommand extends PipelineCommand {
  /** Marks a lakehouse the demo created, the only kind it will ever wipe. */
  static final String MARKER = ".anshin-demo";

  @Option(names = "--accounts", defaultValue = "400", description = "Accounts in the world. Default: ${DEFAULT-VALUE}.")
  int accounts;

  @Option(names = "--days", defaultValue = "365", description = "Observed days of history. Default: ${DEFAULT-VALUE}.")
  int days;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--start", defaultValue = "2025-01-01", description = "First observed day. Default: ${DEFAULT-VALUE}.")
  LocalDate start;

  @Option(names = "--dirty", description = "Inject bad rows of known kinds and check that quarantine catches every one.")
  boolean dirty;

  @Override
  public Integer call() {
    Instant started = Instant.now();
    if (options.lakehouse == null) {
      options.lakehouse = Path.of("lakehouse");
    }
    Path lakehouseDir = options.lakehouse.toAbsolutePath().normalize();
    Path sources = options.sources != null ? options.sources : lakehouseDir.resolve("sources");
    options.sources = sources;
    prepare(lakehouseDir);
    LocalDate last = start.plusDays(days - 1L);

    List<String> generate = new ArrayList<>(List.of(
        "generate", "--out", sources.toString(), "--accounts", Integer.toString(accounts), "--days",
        Integer.toString(days), "--seed", Long.toString(seed), "--start", start.toString(),
        "--horizon", Integer.toString(options.load().churn().horizonDays())));
    if (dirty) {
      generate.add("--dirty");
    }
    int generated = AnshinCli.commandLine().execute(generate.toArray(String[]::new));
    if (generated != ExitCodes.OK) {
      return generated;
    }

    Map<String, Object> evaluation =
        withContext("demo", context -> {
          Nightly.run(context, start, last, new Nightly.Options(true));
          Map<String, Object> result = EvaluateStep.run(context, sources.resolve("truth"));
          printTables(context.lakehouse());
          if (dirty) {
            printQuarantineCheck(context, sources.resolve("truth").resolve("dirty_manifest.json"));
          }
          return result;
        });
    System.out.println();
    System.out.println("Evaluation of the churn scores for " + last + " against what really happened next:");
    System.out.println(EvaluateStep.toJson(evaluation));
    System.out.printf("%nDemo finished in %d s. Sources: %s%nLakehouse: %s%nTry: bin/anshin sql --lakehouse %s "
            + "\"SELECT risk_tier, count(*) AS accounts, round(sum(mrr_at_risk), 2) AS mrr_at_risk FROM customer_scores"
            + " WHERE as_of_date = DATE'" + last + "' GROUP BY risk_tier\"%n",
        Duration.between(started, Instant.now()).toSeconds(), sources, lakehouseDir, options.lakehouse);
    return ExitCodes.OK;
  }

  /** Starts the demo lakehouse afresh, refusing to touch a folder the demo did not create. */
  private static void prepare(Path lakehouse) {
    try {
      if (Files.isDirectory(lakehouse)) {
        boolean empty;
        try (Stream<Path> children = Files.list(lakehouse)) {
          empty = children.findAny().isEmpty();
        }
        if (!empty && !Files.exists(lakehouse.resolve(MARKER))) {
          throw AnshinException.usage(
              lakehouse + " exists and was not created by `anshin demo`; the demo only replaces its own lakehouse."
                  + " Choose another folder with --lakehouse DIR.");
        }
        try (Stream<Path> walk = Files.walk(lakehouse)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Files.createDirectories(lakehouse);
      Files.writeString(lakehouse.resolve(MARKER), "created by anshin demo; `anshin demo` may delete this folder\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void printTables(Lakehouse lakehouse) {
    System.out.println();
    System.out.println("Tables written to " + lakehouse.root() + ":");
    for (String table : lakehouse.tables()) {
      System.out.printf("  %-26s %,12d rows%n", table, lakehouse.read(table).count());
    }
  }

  /** Compares quarantine counts per source and reason with the generator's manifest of bad rows. */
  private static void printQuarantineCheck(PipelineContext context, Path manifest) {
    Map<String, Long> expected = new TreeMap<>();
    Row row = context.spark().read().option("multiLine", "true").json(manifest.toString()).first();
    StructType schema = row.schema();
    for (StructField source : schema.fields()) {
      Row kinds = row.getAs(source.name());
      for (StructField kind : kinds.schema().fields()) {
        Object count = kinds.getAs(kind.name());
        if (count != null) {
          expected.put(source.name() + " / " + kind.name(), ((Number) count).longValue());
        }
      }
    }
    Map<String, Long> actual = new TreeMap<>();
    Dataset<Row> counts =
        context.lakehouse().read(Quarantine.TABLE).groupBy(col(Quarantine.SOURCE), col(Quarantine.REASON_CODE)).count();
    for (Row r : counts.collectAsList()) {
      actual.put(r.getString(0) + " / " + r.getString(1), r.getLong(2));
    }
    System.out.println();
    System.out.println("Quarantine against the injected bad rows (source / reason: quarantined of injected):");
    TreeMap<String, Long> all = new TreeMap<>(expected);
    actual.keySet().forEach(k -> all.putIfAbsent(k, 0L));
    boolean match = true;
    for (String key : all.keySet()) {
      long want = expected.getOrDefault(key, 0L);
      long got = actual.getOrDefault(key, 0L);
      match &= want == got;
      System.out.printf("  %-42s %5d of %5d %s%n", key, got, want, want == got ? "ok" : "MISMATCH");
    }
    System.out.println(match ? "  every injected bad row was caught with its reason" : "  MISMATCH: see above");
    if (!match) {
      throw AnshinException.badData("quarantine does not match the injected bad rows");
    }
  }
}
