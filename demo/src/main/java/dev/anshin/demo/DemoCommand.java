package dev.anshin.demo;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.anshin.demo.generate.Truth;
import dev.anshin.demo.generate.WorldGenerator;
import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.features.health.HealthScore;
import dev.anshin.features.revenue.MrrInvoiceCheck;
import dev.anshin.features.revenue.ReportingCurrency;
import dev.anshin.features.revenue.RevenueMovements;
import dev.anshin.features.slo.CustomerSlo;
import dev.anshin.features.sources.Quarantine;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.success.ActivityEffects;
import dev.anshin.features.support.HelpCenterDeflection;
import dev.anshin.jobs.cli.AnshinCli;
import dev.anshin.jobs.cli.PipelineCommand;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.io.LakehouseLock;
import dev.anshin.jobs.steps.Nightly;
import dev.anshin.jobs.steps.PipelineContext;
import dev.anshin.jobs.steps.ReportStep;
import dev.anshin.jobs.steps.TrainStep;
import dev.anshin.models.health.HealthValidation;
import dev.anshin.models.revenue.RevenueForecast;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      "history (the model retrained monthly once the history allows it), and evaluates the scores of the last",
      "180 days (one date a week) against the truth. Safe to run twice: it starts its own lakehouse afresh."
    })
public final class DemoCommand extends PipelineCommand {
  /** Marks a lakehouse the demo created, the only kind it will ever wipe. */
  static final String MARKER = ".anshin-demo";
  /** The shortest churn horizon the demo will fall back to when its history cannot carry the configured one. */
  static final int SHORTEST_HORIZON_DAYS = 14;

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

  @Option(
      names = "--publish",
      paramLabel = "JDBC_URL",
      description = {
        "Also publish the tables to this PostgreSQL warehouse for BI tools (overrides anshin.warehouse.url),",
        "e.g. jdbc:postgresql://localhost:5432/analytics; user and password from the variables",
        "anshin.warehouse.user-env and password-env name (docs/warehouse.md)."
      })
  String publish;

  @Override
  public Integer call() {
    Instant started = Instant.now();
    options.defaultLocations(Path.of("lakehouse"), null);
    Path lakehouseDir = options.lakehouse().toAbsolutePath().normalize();
    options.defaultLocations(null, lakehouseDir.resolve("sources"));
    Path sources = options.sources();
    LocalDate last = start.plusDays(days - 1L);
    // Checked before any work: the history must carry the churn horizon, or there is nothing to score.
    AnshinConfig.ChurnSettings churn = churnFor(options.load().churn(), start, last);
    refuseForeign(lakehouseDir);

    List<String> generate = new ArrayList<>(List.of(
        "generate", "--out", sources.toString(), "--accounts", Integer.toString(accounts), "--days",
        Integer.toString(days), "--seed", Long.toString(seed), "--start", start.toString(),
        "--horizon", Integer.toString(churn.horizonDays())));
    if (dirty) {
      generate.add("--dirty");
    }
    Map<String, Object> evaluation =
        // The generated world sells one add-on and bills in four currencies; a configured catalogue
        // and configured rates win.
        withContext("demo", config -> publishing(config.withChurn(churn).withAddOnPlans(
            config.addOnPlans().isEmpty() ? Set.of(WorldGenerator.ADD_ON_PLAN) : config.addOnPlans())
            .withRevenue(generatedWorldsRates(config.revenue()))
            // The generated world logs its CS activities and help-centre views: read them whatever the file says.
            .withSourcesEnabled(SourceTable.CS_ACTIVITIES, SourceTable.HELP_CENTER_VIEWS)), context -> {
          // Under the lock: a second demo on the same folder waits instead of wiping this one's tables.
          startAfresh(lakehouseDir);
          int generated = AnshinCli.commandLine().execute(generate.toArray(String[]::new));
          if (generated != ExitCodes.OK) {
            throw new AnshinException(generated, "generating the synthetic world failed (see above)");
          }
          Nightly.run(context, start, last, new Nightly.Options(true));
          Map<String, Object> result = Evaluation.run(context, sources.resolve(Truth.FOLDER));
          // Written now (not only in the finally) so that the table list below includes it.
          context.flushRunLog();
          printTables(context.lakehouse());
          printSloSummary(context.lakehouse(), last);
          printRevenueSummary(context.lakehouse(), context.config().revenue().code());
          printRevenueForecast(context.lakehouse(), last);
          printTraceabilitySummary(context.lakehouse());
          printHealthValidation(context.lakehouse());
          if (dirty) {
            printQuarantineCheck(context, sources.resolve(Truth.FOLDER).resolve(Truth.DIRTY_MANIFEST));
          }
          if (context.config().report().enabled()) {
            System.out.printf("%nThe run report (open it in a browser): %s%n",
                ReportStep.defaultDir(context.lakehouse().root(), last).resolve(ReportStep.FILE).toAbsolutePath().toUri());
          }
          if (context.config().warehouse().configured()) {
            AnshinConfig.WarehouseSettings warehouse = context.config().warehouse();
            System.out.printf("%nPublished to the warehouse %s, schema %s: start with the views latest_customer_scores,"
                + " accounts_risk_rising and mrr_bridge.%n", warehouse.maskedUrl(), warehouse.schema());
          }
          return result;
        });
    System.out.println();
    System.out.println("Evaluation of the churn scores of " + evaluation.get("dates") + " dates (one a week, " + evaluation.get("from_date")
        + " .. " + last + ") against what really happened next, with 95% intervals from a bootstrap over accounts:");
    System.out.println(Evaluation.toJson(evaluation));
    System.out.printf("%nDemo finished in %d s. Sources: %s%nLakehouse: %s%nTry: bin/anshin sql --lakehouse %s "
            + "\"SELECT risk_tier, count(*) AS accounts, round(sum(mrr_at_risk), 2) AS mrr_at_risk FROM customer_scores"
            + " WHERE as_of_date = DATE'" + last + "' GROUP BY risk_tier\"%n",
        Duration.between(started, Instant.now()).toSeconds(), sources, lakehouseDir, options.lakehouse());
    return ExitCodes.OK;
  }

  /** The generated world's exchange rates, unless the configuration has rates of its own. */
  private static ReportingCurrency generatedWorldsRates(ReportingCurrency configured) {
    boolean noRates = configured.rates().keySet().equals(Set.of(configured.code()));
    return noRates && configured.code().equals("USD")
        ? new ReportingCurrency("USD", WorldGenerator.EXCHANGE_RATES)
        : configured;
  }

  /** The configuration with --publish's warehouse, when given. */
  private AnshinConfig publishing(AnshinConfig config) {
    if (publish == null) {
      return config;
    }
    AnshinConfig.WarehouseSettings configured = config.warehouse();
    AnshinConfig.WarehouseSettings warehouse =
        new AnshinConfig.WarehouseSettings(publish.trim(), configured.userEnv(), configured.passwordEnv(), configured.schema());
    if (!warehouse.url().startsWith("jdbc:postgresql:")) {
      throw AnshinException.usage("--publish " + warehouse.maskedUrl() + " is not a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/db)");
    }
    return config.withWarehouse(warehouse);
  }

  /**
   * The churn settings the demo's history can carry: the configured ones when a retraining day in
   * [start, last] has enough history before it to train, otherwise the longest shorter horizon that
   * does (said in the output); a usage error when not even the shortest one fits.
   */
  static AnshinConfig.ChurnSettings churnFor(AnshinConfig.ChurnSettings configured, LocalDate start, LocalDate last) {
    for (int horizon = configured.horizonDays(); horizon >= SHORTEST_HORIZON_DAYS; horizon--) {
      AnshinConfig.ChurnSettings candidate = configured.withHorizon(horizon);
      if (firstTrainingDay(candidate, start, last) != null) {
        if (horizon != configured.horizonDays()) {
          System.out.printf("demo: %d days of history cannot train a model with the %d-day churn horizon (from %s, the first"
                  + " retraining day that can is %s); using a %d-day horizon. Pass --days %d or more for the configured one.%n",
              days(start, last), configured.horizonDays(), start, retrainingDayFrom(configured, TrainStep.firstTrainableDay(configured, start)),
              horizon, daysNeeded(configured, start));
        }
        return candidate;
      }
    }
    AnshinConfig.ChurnSettings shortest = configured.withHorizon(SHORTEST_HORIZON_DAYS);
    throw AnshinException.usage(
        "--days " + days(start, last) + " is too short for the demo: even with a " + SHORTEST_HORIZON_DAYS
            + "-day horizon, a churn model can first be trained on " + retrainingDayFrom(shortest, TrainStep.firstTrainableDay(shortest, start))
            + " (anshin.churn.retrain = " + configured.retrain() + "). Use --days " + daysNeeded(shortest, start) + " or more.");
  }

  /** The first retraining day in [start, last] through which training can succeed, or null. */
  static LocalDate firstTrainingDay(AnshinConfig.ChurnSettings churn, LocalDate start, LocalDate last) {
    for (LocalDate day = TrainStep.firstTrainableDay(churn, start); !day.isAfter(last); day = day.plusDays(1)) {
      if (churn.retrainsOn(day)) {
        return day;
      }
    }
    return null;
  }

  private static LocalDate retrainingDayFrom(AnshinConfig.ChurnSettings churn, LocalDate day) {
    while (!churn.retrainsOn(day)) {
      day = day.plusDays(1);
    }
    return day;
  }

  private static long daysNeeded(AnshinConfig.ChurnSettings churn, LocalDate start) {
    return days(start, retrainingDayFrom(churn, TrainStep.firstTrainableDay(churn, start)));
  }

  private static long days(LocalDate start, LocalDate last) {
    return java.time.temporal.ChronoUnit.DAYS.between(start, last) + 1;
  }

  /** Refuses a lakehouse folder the demo did not create: the demo only ever replaces its own. */
  private static void refuseForeign(Path lakehouse) {
    if (!Files.isDirectory(lakehouse) || Files.exists(lakehouse.resolve(MARKER))) {
      return;
    }
    try (Stream<Path> children = Files.list(lakehouse)) {
      if (children.anyMatch(p -> !p.getFileName().toString().equals(LakehouseLock.FILE))) {
        throw AnshinException.usage(
            lakehouse + " exists and was not created by `anshin demo`; the demo only replaces its own lakehouse."
                + " Choose another folder with --lakehouse DIR.");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Empties the demo's lakehouse, all but the lock this run holds, and marks it as the demo's. */
  private static void startAfresh(Path lakehouse) {
    try {
      try (Stream<Path> children = Files.list(lakehouse)) {
        for (Path child : children.filter(p -> !p.getFileName().toString().equals(LakehouseLock.FILE)).toList()) {
          try (Stream<Path> walk = Files.walk(child)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
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

  /**
   * The SLO picture of the last day, as a CRE team would first look at it: accounts per status, the
   * alerts of the day, and the platform's own availability against the default target.
   */
  private static void printSloSummary(Lakehouse lakehouse, LocalDate last) {
    Dataset<Row> day =
        lakehouse.read(CustomerSlo.TABLE).filter(col(CustomerSlo.Columns.AS_OF_DATE).equalTo(lit(java.sql.Date.valueOf(last))));
    Map<String, Long> byStatus = new TreeMap<>();
    for (Row row : day.groupBy(CustomerSlo.Columns.STATUS).count().collectAsList()) {
      byStatus.put(String.valueOf(row.get(0)), row.getLong(1));
    }
    long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
    Row alerts =
        day.agg(
                org.apache.spark.sql.functions.sum(when(col(CustomerSlo.Columns.PAGE_ALERT_HOURS).gt(0), 1).otherwise(0)),
                org.apache.spark.sql.functions.sum(when(col(CustomerSlo.Columns.TICKET_ALERT_HOURS).gt(0), 1).otherwise(0)),
                // Every row but those on the fallback window holds the platform's SLO-window SLI.
                org.apache.spark.sql.functions.max(
                    when(col(CustomerSlo.Columns.SLI_SOURCE).notEqual(CustomerSlo.SOURCE_FALLBACK_WINDOW),
                        col(CustomerSlo.Columns.PLATFORM_AVAILABILITY_SLI))))
            .first();
    System.out.println();
    System.out.printf("SLOs on %s (%d accounts with traffic):%n", last, total);
    byStatus.forEach((status, count) ->
        System.out.printf("  %-18s %5d (%.1f%%)%n", status, count, 100.0 * count / Math.max(1, total)));
    System.out.printf("  paged during the day: %d accounts; ticket alerts: %d accounts%n",
        alerts.isNullAt(0) ? 0 : alerts.getLong(0), alerts.isNullAt(1) ? 0 : alerts.getLong(1));
    if (!alerts.isNullAt(2)) {
      System.out.printf("  platform availability over 28 days: %.3f%%%n", 100 * alerts.getDouble(2));
    }
  }

  /**
   * Revenue as CS leadership first reads it: MRR on the last day, the last complete month's movements
   * and ratios, trailing-twelve-month retention, and what the invoice check found.
   */
  private static void printRevenueSummary(Lakehouse lakehouse, String currency) {
    List<Row> months = lakehouse.read(RevenueMovements.SUMMARY_TABLE).orderBy(RevenueMovements.SummaryColumns.MONTH).collectAsList();
    if (months.size() < 2) {
      return;
    }
    Row now = months.get(months.size() - 1);
    // The last month is month to date; the one before is the last complete month.
    Row month = months.get(months.size() - 2);
    System.out.println();
    System.out.printf("Revenue in %s (ChartMogul's movements; subscriptions in %d currencies, converted at constant rates):%n",
        currency, lakehouse.read(SourceTable.SUBSCRIPTIONS.tableName()).select("currency").distinct().count());
    System.out.printf("  MRR on %s: %,.2f from %d customers%n",
        now.getDate(now.fieldIndex("as_of_date")), now.<java.math.BigDecimal>getAs("ending_mrr"), now.<Long>getAs("ending_customers"));
    System.out.printf("  %s: new %,.0f, expansion %,.0f, reactivation %,.0f, contraction %,.0f, churn %,.0f%n",
        YearMonth.from(month.getDate(0).toLocalDate()), month.<java.math.BigDecimal>getAs("new_mrr"),
        month.<java.math.BigDecimal>getAs("expansion_mrr"), month.<java.math.BigDecimal>getAs("reactivation_mrr"),
        month.<java.math.BigDecimal>getAs("contraction_mrr"), month.<java.math.BigDecimal>getAs("churned_mrr"));
    System.out.printf("  %s: NRR %s, GRR %s, quick ratio %s; trailing 12 months NRR %s, GRR %s%n",
        YearMonth.from(month.getDate(0).toLocalDate()), percent(month, "net_revenue_retention"),
        percent(month, "gross_revenue_retention"), ratio(month, "quick_ratio"),
        percent(month, "trailing_12m_nrr"), percent(month, "trailing_12m_grr"));
    Map<String, Long> checks = new TreeMap<>();
    lakehouse.read(MrrInvoiceCheck.TABLE).groupBy(MrrInvoiceCheck.Columns.STATUS).count().collectAsList()
        .forEach(r -> checks.put(r.getString(0), r.getLong(1)));
    System.out.printf("  stated MRR against the latest invoice: %s%n",
        checks.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(java.util.stream.Collectors.joining(", ")));
  }

  /**
   * The revenue forecast of the last day: today's accounts' MRR in 3 and 12 months with its 80%
   * interval against the flat forecast, and the next 12 months' revenue at risk by risk tier.
   */
  private static void printRevenueForecast(Lakehouse lakehouse, LocalDate last) {
    if (!lakehouse.exists(RevenueForecast.PORTFOLIO_TABLE)) {
      return;
    }
    String onLast = "as_of_date = DATE'" + last + "'";
    Map<Integer, Row> months = new TreeMap<>();
    lakehouse.read(RevenueForecast.PORTFOLIO_TABLE).filter(onLast).collectAsList()
        .forEach(r -> months.put(r.<Integer>getAs(RevenueForecast.MONTH), r));
    if (months.isEmpty()) {
      return;
    }
    System.out.printf("  forecast of today's %d accounts (no new business), flat MRR %,.0f:%n",
        months.get(1).<Long>getAs(RevenueForecast.ACCOUNTS), months.get(1).<Double>getAs(RevenueForecast.NAIVE_MRR));
    for (int month : List.of(3, 12)) {
      Row row = months.get(month);
      System.out.printf("    MRR on %s: %,.0f (80%%: %,.0f .. %,.0f)%n", row.getAs(RevenueForecast.MONTH_END),
          row.<Double>getAs(RevenueForecast.EXPECTED_MRR), row.<Double>getAs(RevenueForecast.MRR_P10),
          row.<Double>getAs(RevenueForecast.MRR_P90));
    }
    String byTier = lakehouse.read(RevenueForecast.AT_RISK_TABLE).filter(onLast + " AND dimension = 'risk_tier'")
        .orderBy(col(RevenueForecast.REVENUE_AT_RISK_12M).desc()).collectAsList().stream()
        .map(r -> String.format(java.util.Locale.ROOT, "%s %,.0f", r.getAs(RevenueForecast.VALUE), r.<Double>getAs(RevenueForecast.REVENUE_AT_RISK_12M)))
        .collect(java.util.stream.Collectors.joining(", "));
    System.out.printf("    revenue at risk over 12 months by risk tier: %s%n", byTier);
  }

  /**
   * Whether the health score means something: its AUC and each band's churn on the newest model's
   * test dates, with the configured weights and with the weights the history gives.
   */
  private static void printHealthValidation(Lakehouse lakehouse) {
    if (!lakehouse.exists(HealthValidation.COMPONENTS_TABLE)) {
      return;
    }
    Row newest = lakehouse.read(HealthValidation.COMPONENTS_TABLE).agg(org.apache.spark.sql.functions.max("trained_through")).first();
    String through = "trained_through = DATE'" + newest.get(0) + "'";
    List<Row> components = lakehouse.read(HealthValidation.COMPONENTS_TABLE).filter(through).collectAsList();
    List<Row> bands = lakehouse.read(HealthValidation.BANDS_TABLE).filter(through).collectAsList();
    Row any = components.get(0);
    System.out.println();
    System.out.printf("The health score against churn within the horizon, on the model's test dates %s .. %s (AUC: 0.5 is a coin):%n",
        any.getAs("test_from"), any.getAs("test_to"));
    for (String set : List.of(HealthValidation.CONFIGURED, HealthValidation.FITTED)) {
      List<Row> ofSet = components.stream().filter(r -> r.getAs("weights").equals(set)).toList();
      if (ofSet.isEmpty()) {
        System.out.printf("  %-10s no component's deficit raised the odds of churn%n", set);
        continue;
      }
      StringBuilder line = new StringBuilder();
      for (Row r : ofSet) {
        Double auc = r.getAs("auc_roc");
        String aucText = auc == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", auc);
        if (r.getAs("component").equals(HealthValidation.HEALTH_SCORE)) {
          line.insert(0, String.format(java.util.Locale.ROOT, "  %-10s score AUC %s; weights (component AUC):", set, aucText));
        } else {
          line.append(String.format(java.util.Locale.ROOT, " %s %.2f (%s)", r.getAs("component"), r.<Double>getAs("weight"), aucText));
        }
      }
      System.out.println(line);
      StringBuilder churn = new StringBuilder(String.format("  %-10s churn by band:", ""));
      for (String band : List.of(HealthScore.RED, HealthScore.YELLOW, HealthScore.GREEN)) {
        bands.stream().filter(r -> r.getAs("weights").equals(set) && r.getAs("health_band").equals(band)).findFirst().ifPresent(r ->
            // An empty band has no rate: "red none", not "red n/a of 0".
            churn.append(r.<Long>getAs("examples") == 0 || r.isNullAt(r.fieldIndex("churn_rate"))
                ? " " + band + " none"
                : String.format(java.util.Locale.ROOT, " %s %.1f%% of %,d", band, 100 * r.<Double>getAs("churn_rate"), r.<Long>getAs("examples"))));
      }
      System.out.println(churn);
    }
  }

  /**
   * What the CS activities went with (30 days after, against comparable accounts) and what the help
   * centre deflects: the articles to fix and the topics to write for.
   */
  private static void printTraceabilitySummary(Lakehouse lakehouse) {
    if (!lakehouse.exists(ActivityEffects.TABLE) || !lakehouse.exists(HelpCenterDeflection.TABLE)) {
      return;
    }
    System.out.println();
    System.out.println("Customer-success activities, 30 days after, against accounts of the same day, segment and health band:");
    for (Row r : lakehouse.read(ActivityEffects.TABLE).filter(ActivityEffects.Columns.WINDOW_DAYS + " = 30")
        .orderBy(ActivityEffects.Columns.ACTIVITY_TYPE).collectAsList()) {
      System.out.printf(java.util.Locale.ROOT, "  %-16s %,6d activities: health %+.1f points [%+.1f, %+.1f], churn %+.1f points [%+.1f, %+.1f]%n",
          r.<String>getAs(ActivityEffects.Columns.ACTIVITY_TYPE), r.<Long>getAs(ActivityEffects.Columns.ACTIVITIES),
          number(r, ActivityEffects.Columns.HEALTH_EFFECT, 1), number(r, ActivityEffects.Columns.HEALTH_EFFECT_CI_LOW, 1),
          number(r, ActivityEffects.Columns.HEALTH_EFFECT_CI_HIGH, 1), number(r, ActivityEffects.Columns.CHURN_EFFECT, 100),
          number(r, ActivityEffects.Columns.CHURN_EFFECT_CI_LOW, 100), number(r, ActivityEffects.Columns.CHURN_EFFECT_CI_HIGH, 100));
    }
    List<Row> articles = lakehouse.read(HelpCenterDeflection.TABLE).orderBy(HelpCenterDeflection.Columns.CATEGORY,
        HelpCenterDeflection.Columns.ARTICLE_ID).collectAsList();
    if (articles.isEmpty()) {
      return;
    }
    Row first = articles.get(0);
    System.out.printf("Help centre, viewings of %s to %s (deflected: no ticket of the topic from the account within the window):%n",
        first.getAs(HelpCenterDeflection.Columns.WINDOW_START), first.getAs(HelpCenterDeflection.Columns.WINDOW_END));
    long judged = articles.stream().filter(r -> r.getAs(HelpCenterDeflection.Columns.DEFLECTION_RANK) != null).count();
    System.out.printf("  %d articles ranked; failing: %s; topics without an article: %s%n", judged,
        articles.stream().filter(r -> r.getAs(HelpCenterDeflection.Columns.STATUS).equals(HelpCenterDeflection.FAILING))
            .map(r -> String.format(java.util.Locale.ROOT, "%s (%.0f%% of %d)", r.<String>getAs(HelpCenterDeflection.Columns.ARTICLE_ID),
                100 * r.<Double>getAs(HelpCenterDeflection.Columns.DEFLECTION_RATE), r.<Long>getAs(HelpCenterDeflection.Columns.VIEWINGS)))
            .collect(java.util.stream.Collectors.joining(", ")),
        articles.stream().filter(r -> r.getAs(HelpCenterDeflection.Columns.STATUS).equals(HelpCenterDeflection.MISSING))
            .map(r -> r.<String>getAs(HelpCenterDeflection.Columns.CATEGORY) + " (" + r.<Long>getAs(HelpCenterDeflection.Columns.CATEGORY_TICKETS)
                + " tickets)")
            .collect(java.util.stream.Collectors.joining(", ")));
  }

  /** A double column times a scale, NaN when null (printed as NaN: too few rows for an interval). */
  private static double number(Row row, String column, double scale) {
    return row.isNullAt(row.fieldIndex(column)) ? Double.NaN : scale * row.getDouble(row.fieldIndex(column));
  }

  private static String percent(Row row, String column) {
    return row.isNullAt(row.fieldIndex(column)) ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * row.getDouble(row.fieldIndex(column)));
  }

  private static String ratio(Row row, String column) {
    return row.isNullAt(row.fieldIndex(column)) ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f", row.getDouble(row.fieldIndex(column)));
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
