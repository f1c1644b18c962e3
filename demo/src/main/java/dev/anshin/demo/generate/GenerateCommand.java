package dev.anshin.demo.generate;

import dev.anshin.demo.generate.World.CsActivity;
import dev.anshin.demo.generate.World.HelpCenterArticle;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.SparkSessions;
import dev.anshin.errors.AnshinException;
import dev.anshin.jobs.config.AnshinConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `anshin generate`: writes a synthetic B2B SaaS world's sources and its hidden truth. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generates a synthetic world: sources with known truth, for demos and tests.",
      "",
      "Simulates a B2B SaaS world day by day (accounts with hidden engagement and",
      "incident pain) and writes what the outside world sees, delivered day by day:",
      "for every observed day D, one file per source (also when nothing happened):",
      "  accounts/date=D/accounts.csv            CRM: accounts created or changed",
      "  subscriptions/date=D/subscriptions.csv  billing: subscriptions started,",
      "                                          cancelled or ended",
      "  invoices/date=D/invoices.csv            billing: invoices issued, charged,",
      "                                          paid or given up",
      "  usage/date=D/events.jsonl               product usage events",
      "  requests/date=D/requests.jsonl          API request logs",
      "  tickets/date=D/tickets.jsonl            support tickets created or changed",
      "  cs_activities/date=D/activities.csv     customer-success activities (emails,",
      "                                          calls, business reviews, playbooks)",
      "  help_center/date=D/views.jsonl          help-centre article views",
      "Accounts, subscriptions, invoices and tickets are change files: every row",
      "created or changed on D in its state at the end of D; the first day's files",
      "also hold every row that exists then. Events, requests, activities and views",
      "are delivered once, most on their own day, a share (--late-share) 1-3 days",
      "late.",
      "Next to them, the truth, which the pipeline never reads:",
      "  truth/churn/ (Parquet)      per active account and observed day: the",
      "                              generator's churn probability, whether and",
      "                              when the account churned within the horizon,",
      "                              its hidden engagement and pain",
      "  truth/source_counts.json    good rows written per source",
      "  truth/help_center_articles.csv  the help centre's articles with their",
      "                              planted deflection probability and failing",
      "                              flag, and the category without articles",
      "  truth/cs_activity_effects.csv   the planted effect of each activity type",
      "  truth/dirty_manifest.json   with --dirty: bad rows by source and kind",
      "The world runs --horizon days past the last observed day, so that every",
      "observed day's outcome is known; the sources stop at the end of the last",
      "observed day. The same seed and options give byte-identical files.",
      "Earlier generator outputs under --out are replaced; nothing else there is",
      "touched. The model and the formats: docs/generator.md.",
      ""
    })
public final class GenerateCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateCommand.class);

  /**
   * What this command writes under --out, and so may replace; the single CSV files are what earlier
   * versions wrote, removed so that no stale snapshot is left next to the daily folders.
   */
  static final List<String> OUTPUTS =
      List.of("accounts", "subscriptions", "invoices", "usage", "requests", "tickets", "cs_activities",
          "help_center", "truth",
          "accounts.csv", "subscriptions.csv", "invoices.csv");

  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Folder to write the sources and truth/ into (created if missing).")
  Path out;

  @Option(
      names = "--accounts",
      paramLabel = "N",
      defaultValue = "400",
      description = "Number of accounts: about 60%% exist before --start, the rest sign up during the observed days (default: ${DEFAULT-VALUE}).")
  int accounts;

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "365",
      description = "Number of observed days, from --start on (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Random seed; the same seed and options give the same files (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--start",
      paramLabel = "YYYY-MM-DD",
      defaultValue = "2025-01-01",
      description = "First observed day, UTC (default: ${DEFAULT-VALUE}).")
  LocalDate start;

  @Option(
      names = "--horizon",
      paramLabel = "DAYS",
      defaultValue = "90",
      description = "Churn horizon of the truth, in days; the world is simulated this long past the last observed day (default: ${DEFAULT-VALUE}).")
  int horizon;

  @Option(
      names = "--dirty",
      description = "Also mix bad rows of known kinds into the sources (malformed_record, unknown_account, negative_amount, negative_duration, timestamp_out_of_range, duplicate_id, missing_required_field, too_late; one defect each) and write truth/dirty_manifest.json. The good rows stay the same.")
  boolean dirty;

  @Option(
      names = "--late-share",
      paramLabel = "FRACTION",
      defaultValue = "0.02",
      description = "Share of usage events, API requests, CS activities and help-centre views delivered 1 to 3 days late, in a later day's file with their own timestamp and id (those due after the last observed day are not written); 0 puts every one in its own day's file (default: ${DEFAULT-VALUE}).")
  double lateShare;

  @Option(
      names = "--traffic-scale",
      paramLabel = "FACTOR",
      defaultValue = "1.0",
      description = "Multiplies every account's usage events and API requests per day (the accounts, their billing, tickets and outcomes stay the same): a benchmark's volume knob. At 1 a year averages about 17 events and 17 requests per account and day, weekends and accounts not yet signed up or gone included; an active account on a weekday makes about 40 of each (default: ${DEFAULT-VALUE}).")
  double trafficScale;

  @Override
  public Integer call() {
    long started = System.nanoTime();
    WorldSettings settings = new WorldSettings(accounts, days, seed, start, horizon, dirty, lateShare, trafficScale);
    LOG.info(
        "Generating {} accounts, {} days from {} (horizon {} days, seed {}, late share {}, traffic scale {}{}) into {}",
        accounts, days, start, horizon, seed, lateShare, trafficScale, dirty ? ", dirty" : "", out.toAbsolutePath());
    clearOutputs(out);
    // Spark takes seconds to start; let it start while the sources are simulated and written.
    CompletableFuture<SparkSession> sparkStarting =
        CompletableFuture.supplyAsync(
            () -> SparkSessions.create(AnshinConfig.load(null).spark(), "anshin-generate"));
    World world;
    WorldWriter.Written written;
    double simulated;
    double sourcesWritten;
    try {
      world = WorldGenerator.simulate(settings);
      simulated = elapsed(started);
      written = WorldWriter.write(world, out);
      sourcesWritten = elapsed(started);
      TruthWriter.writeCounts(written, out);
      TruthWriter.writeHelpCenterAndActivities(world, out);
      if (dirty) {
        TruthWriter.writeManifest(written, out);
      }
    } catch (RuntimeException e) {
      sparkStarting.thenAccept(SparkSession::stop);
      throw e;
    }
    // The session stays up: `demo` goes on to use it, and a standalone run ends with the JVM.
    SparkSession spark = sparkStarting.join();
    TruthWriter.writeChurn(spark, world, out);
    LOG.info("Wrote {} truth rows to {}", world.truth().size(), out.resolve("truth/churn"));
    WorldStatistics statistics = WorldStatistics.of(world);
    print(settings, world, written, statistics, simulated, sourcesWritten, elapsed(started));
    return 0;
  }

  private void print(
      WorldSettings settings, World world, WorldWriter.Written written, WorldStatistics statistics,
      double simulated, double sourcesWritten, double total) {
    PrintWriter console = spec.commandLine().getOut();
    console.printf(
        "Generated %d accounts, %s to %s (+%d horizon days), seed %d, into %s%n",
        settings.accounts(), settings.start(), settings.lastDay(), settings.horizonDays(),
        settings.seed(), out.toAbsolutePath());
    console.printf(
        "  %d days x %d sources = %d files; CSV sources and tickets count row versions%n",
        settings.days(), SourceTable.values().length, settings.days() * SourceTable.values().length);
    console.printf("  %-17s %12s %10s  %s%n", "source", "good rows", "bad rows", "where");
    for (SourceTable table : SourceTable.values()) {
      int bad = written.dirtyRows().get(table).values().stream().mapToInt(Integer::intValue).sum();
      console.printf(
          "  %-17s %,12d %10d  %s%n", table.tableName(), written.goodRows().get(table), bad,
          where(table));
    }
    console.printf(
        "  truth: %s (Parquet), %s, %s, %s%s%n", out.resolve("truth/churn"), out.resolve("truth/source_counts.json"),
        out.resolve("truth").resolve(Truth.HELP_CENTER_ARTICLES), out.resolve("truth").resolve(Truth.CS_ACTIVITY_EFFECTS),
        settings.dirty() ? ", " + out.resolve("truth/dirty_manifest.json") : "");
    console.printf(
        "  truth/churn: %,d active account-days; label rate %.1f%%, mean churn_probability %.1f%%, "
            + "AUC of churn_probability %.3f%n",
        statistics.activeAccountDays(), 100 * statistics.labelRate(),
        100 * statistics.meanProbability(), statistics.truthAuc());
    console.printf(
        "  oracle_probability (Monte Carlo) on its %,d account-days: label rate %.1f%%, mean %.1f%%, AUC %.3f%n",
        statistics.oracleAccountDays(), 100 * statistics.oracleLabelRate(), 100 * statistics.meanOracleProbability(),
        statistics.oracleAuc());
    console.printf(
        "  churn in the observed days: %d voluntary, %d involuntary; monthly logo churn %.2f%%%n",
        statistics.voluntaryChurns(), statistics.involuntaryChurns(),
        100 * statistics.monthlyLogoChurn());
    // The planted effects, for a reader who checks that an analysis finds them.
    Map<String, Long> activities = new TreeMap<>();
    for (CsActivity activity : world.activities()) {
      if (!Delivery.day(activity.time()).isAfter(settings.lastDay())) {
        activities.merge(activity.type(), 1L, Long::sum);
      }
    }
    console.printf("  cs_activities of the observed days by type: %s%n", activities);
    console.printf(
        "  help centre: %d articles, none for %s, failing %s; %,d views%n",
        world.articles().size(), HelpCenter.missingCategories(world.articles()),
        world.articles().stream().filter(HelpCenterArticle::failing).map(HelpCenterArticle::id).toList(),
        world.helpCenterViews().size());
    if (settings.dirty()) {
      console.printf("  truth/dirty_manifest.json: %d bad rows%n", written.dirtyTotal());
    }
    console.printf(
        "  %.1f MB of sources; %.1f s (simulate %.1f s, write sources %.1f s, truth %.1f s)%n",
        written.bytes() / 1e6, total, simulated, sourcesWritten - simulated, total - sourcesWritten);
    console.flush();
  }

  private static String where(SourceTable table) {
    return WorldWriter.folder(table) + "/date=*/" + WorldWriter.fileName(table);
  }

  /** Removes what an earlier run wrote, so that no day from a longer run is left behind. */
  static void clearOutputs(Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw AnshinException.usage("--out " + out + " exists and is not a folder");
    }
    for (String name : OUTPUTS) {
      Path path = out.resolve(name);
      if (!Files.exists(path)) {
        continue;
      }
      LOG.info("Replacing {}", path);
      try (Stream<Path> paths = Files.walk(path)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the earlier output " + path, e);
      }
    }
  }

  private static double elapsed(long started) {
    return (System.nanoTime() - started) / 1e9;
  }
}
