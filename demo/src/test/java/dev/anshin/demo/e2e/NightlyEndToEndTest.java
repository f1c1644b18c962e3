package dev.anshin.demo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anshin.features.sources.Quarantine;
import dev.anshin.jobs.cli.AnshinCli;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.io.LakehouseComparison;
import dev.anshin.jobs.steps.ModelRegistry;
import dev.anshin.jobs.warehouse.PublishedTables;
import dev.anshin.models.revenue.RevenueForecast;
import dev.anshin.models.revenue.RevenueOutlook;
import dev.anshin.testing.AirflowDag;
import dev.anshin.testing.HeadlessBrowser;
import dev.anshin.testing.SparkTestBase;
import dev.anshin.testing.SystemPackages;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole job through the CLI on a small dirty synthetic world delivered day by day: generate, a
 * nightly backfill over the history, the same days replayed as nightly runs one date at a time into
 * a second lakehouse (every table compared row by row) whose last night runs as the Airflow DAG runs
 * it (airflow/anshin_tasks.json: one command per step), publishes to a real PostgreSQL warehouse
 * (every published table compared with the lakehouse) and writes its report (opened in a real
 * browser, its figures compared with the lakehouse), reruns, the evaluation against the generator's
 * truth, and the notebooks executed against the backfilled lakehouse.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyEndToEndTest extends SparkTestBase {
  // 2025-08-01 .. 2026-03-01: long enough to train with a 30-day horizon, and the last night is a
  // Sunday (it closes a toil week) and the 1st (the model is retrained), so the replayed night
  // covers both. One night keeps the suite within its time (a second night repeated the first's
  // checks at a minute's cost).
  private static final LocalDate START = LocalDate.parse("2025-08-01");
  private static final int DAYS = 213;
  /** The nights replayed one date at a time after a backfill of the days before them. */
  private static final int REPLAYED_NIGHTS = 1;
  private static final LocalDate LAST = START.plusDays(DAYS - 1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path sources;
  private Path lakehouseDir;
  private Path replayDir;
  private String conf;
  /**
   * The same configuration with a warehouse: the replay's last night publishes to it (and its report
   * task writes the report, which the Airflow DAG runs whatever anshin.report.enabled says).
   */
  private String warehouseConf;
  private EmbeddedPostgres postgres;
  private Lakehouse lakehouse;
  private Lakehouse replay;
  /** The exit codes of the replay's backfill and of its nights, in order. */
  private final List<Integer> replayExits = new java.util.ArrayList<>();
  /** The Airflow DAG's tasks of the last night, each with its exit code, in the order they ran. */
  private final List<String> airflowTasksRun = new java.util.ArrayList<>();
  private static final Path NOTEBOOKS = AirflowDag.FOLDER.resolveSibling("notebooks");
  /** notebooks/run.sh, started once the backfill is written; or why it could not start. */
  private Process notebooksRun;
  private Throwable notebooksNotStarted;

  @BeforeAll
  void backfillTheHistory() throws IOException {
    sources = scratch.resolve("sources");
    lakehouseDir = scratch.resolve("lakehouse");
    conf = Path.of("src/test/resources/e2e-test.conf").toAbsolutePath().toString();
    postgres = EmbeddedPostgres.builder().start();
    Path withWarehouse = scratch.resolve("warehouse.conf");
    Files.writeString(withWarehouse, Files.readString(Path.of(conf))
        + "\nanshin.warehouse.url = \"" + postgres.getJdbcUrl("postgres", "postgres") + "\"\n");
    warehouseConf = withWarehouse.toString();
    // Seed 6: of this small world's 46 accounts active on the last day, 3 churn within the 30-day horizon;
    // the evaluation needs both outcomes, which half the seeds of a 60-account world lack on one day.
    assertThat(cli("generate", "--out", sources.toString(), "--accounts", "60", "--days", Integer.toString(DAYS),
        "--start", START.toString(), "--horizon", "30", "--seed", "6", "--dirty",
        // A quarter of the default traffic (about 10 events and 10 requests per active account and
        // weekday) still fills every table; the rest would only lengthen both backfills.
        "--traffic-scale", "0.25")).isEqualTo(ExitCodes.OK);
    // The backfill and the replay write separate lakehouses, so they run at once in the one Spark
    // application, as two schedulers' jobs could. The runs are CPU-bound on two cores, so this gains
    // little (460 s for both against 496 s one after the other), but it also shows that two
    // lakehouses in one application keep their rows apart.
    java.util.concurrent.ExecutorService backfillThread = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<Integer> backfill =
          backfillThread.submit(() -> nightly(lakehouseDir, LAST, "--from", START.toString()));
      replayDir = scratch.resolve("replay");
      LocalDate firstNight = LAST.minusDays(REPLAYED_NIGHTS - 1);
      replayExits.add(nightly(replayDir, firstNight.minusDays(1), "--from", START.toString()));
      for (LocalDate night = firstNight; !night.isAfter(LAST); night = night.plusDays(1)) {
        replayExits.add(night.equals(LAST) ? airflowNight(warehouseConf, replayDir, night) : nightly(replayDir, night));
      }
      assertThat(backfill.get()).isEqualTo(ExitCodes.OK);
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError("the backfill did not finish", e);
    } finally {
      backfillThread.shutdownNow();
    }
    lakehouse = new Lakehouse(spark, lakehouseDir);
    replay = new Lakehouse(spark, replayDir);
    // The notebooks only read the backfill, which nothing writes any more: they run beside the tests
    // that follow, in processes of their own, and the last test waits for them.
    try {
      notebooksRun = startNotebooks();
    } catch (RuntimeException | IOException | AssertionError e) {
      notebooksNotStarted = e;
    }
  }

  /** notebooks/run.sh against the backfill, into {@code <scratch>/notebooks}, its log in {@code notebooks.log}. */
  private Process startNotebooks() throws IOException {
    SystemPackages.require(List.of("/usr/bin/jupyter"), "notebooks/run.sh installs Debian's Jupyter");
    Path kernel;
    try (java.util.stream.Stream<Path> jars = Files.list(Path.of("target/notebook-kernel"))) {
      kernel = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
    }
    ProcessBuilder run = new ProcessBuilder("bash", NOTEBOOKS.resolve("run.sh").toString(), lakehouseDir.toString())
        .redirectErrorStream(true).redirectOutput(scratch.resolve("notebooks.log").toFile());
    run.environment().put("NOTEBOOK_OUT", scratch.resolve("notebooks").toString());
    run.environment().put("ANSHIN_KERNEL_JAR", kernel.toAbsolutePath().toString());
    // The jobs module's jar was packaged before this module's tests ran: no Maven inside Maven.
    run.environment().put("ANSHIN_NOTEBOOKS_NO_BUILD", "1");
    // Kernels that live a minute: C1 alone costs 40% less CPU than tiered compilation (docs/benchmarks.md).
    run.environment().put("ANSHIN_KERNEL_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC");
    // One at a time: they share the two cores with the tests that run meanwhile.
    run.environment().put("ANSHIN_NOTEBOOK_JOBS", "1");
    return run.start();
  }

  @AfterAll
  void stopPostgres() throws IOException {
    if (notebooksRun != null) {
      notebooksRun.descendants().forEach(ProcessHandle::destroy);
      notebooksRun.destroy();
    }
    postgres.close();
  }

  private int nightly(Path lakehouseFolder, LocalDate date, String... extra) {
    return nightlyWith(conf, lakehouseFolder, date, extra);
  }

  private int nightlyWith(String configuration, Path lakehouseFolder, LocalDate date, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("nightly", "--date", date.toString(), "--conf", configuration,
        "--lakehouse", lakehouseFolder.toString(), "--sources", sources.toString()));
    args.addAll(List.of(extra));
    return cli(args.toArray(String[]::new));
  }

  /**
   * The night as the Airflow DAG runs it: its tasks' commands one after another, each a separate
   * command on the same lakehouse. A task whose exit code skips it (score, with no model yet) lets
   * the rest run, as in Airflow; any other failure stops the run there. Returns the first non-zero
   * exit code, which is what {@code nightly} exits with for the same night.
   */
  private int airflowNight(String configuration, Path lakehouseFolder, LocalDate date) {
    int exit = ExitCodes.OK;
    for (AirflowDag.Task task : AirflowDag.tasks(date.toString())) {
      List<String> args = new ArrayList<>(task.arguments());
      args.addAll(List.of("--conf", configuration, "--lakehouse", lakehouseFolder.toString(), "--sources", sources.toString()));
      int code = cli(args.toArray(String[]::new));
      airflowTasksRun.add(task.taskId() + " " + code);
      if (code != ExitCodes.OK && !task.skipExitCodes().contains(code)) {
        return code;
      }
      exit = exit == ExitCodes.OK ? code : exit;
    }
    return exit;
  }

  private void assertSameTables(Lakehouse left, Lakehouse right) {
    List<LakehouseComparison.TableDifference> differences = LakehouseComparison.compare(left, right);
    String report = LakehouseComparison.header("left", "right") + "\n"
        + differences.stream().map(Object::toString).collect(Collectors.joining("\n"));
    assertThat(differences).as(report).allSatisfy(d -> assertThat(d.same()).as(report).isTrue());
    assertThat(differences).as(report).extracting(LakehouseComparison.TableDifference::table)
        .contains("customer_features", "customer_scores", "customer_slo_daily", "quarantine", "score_drivers", "tickets");
  }

  @Test
  @Order(0)
  void nightlyRunsOneDateAtATimeWriteExactlyTheRowsOfOneBackfill() {
    // A run through a date before the first model writes every other table and exits 65: there is
    // nothing to score with yet. In this small world the first model is trained on the last night.
    List<Integer> expected = new java.util.ArrayList<>();
    for (LocalDate through = LAST.minusDays(REPLAYED_NIGHTS); !through.isAfter(LAST); through = through.plusDays(1)) {
      expected.add(expectedExit(through));
    }
    assertThat(replayExits).isEqualTo(expected);
    assertThat(replayExits.get(replayExits.size() - 1)).isEqualTo(ExitCodes.OK);
    // The last night ran every task of the Airflow DAG, each succeeding: its commands, one per step,
    // wrote exactly the tables of the one-pass backfill.
    assertThat(airflowTasksRun).containsExactly("ingest 0", "features 0", "analytics 0", "train 0", "maintain 0", "score 0",
        "traceability 0", "publish 0", "report 0");
    assertSameTables(lakehouse, replay);
    // The replayed nights scored with a model retrained on the 1st, in both lakehouses.
    assertThat(replay.read("model_registry").count()).isPositive();
    assertThat(replay.read("customer_scores").filter("as_of_date = DATE'" + LAST + "'").count()).isPositive();
    // Every score is explained: its drivers (and the base value) sum to its log-odds, and its probability
    // is the logistic of those log-odds as its model's calibration scales them.
    List<Row> unexplained = replay.read("customer_scores").filter("as_of_date = DATE'" + LAST + "'").as("s")
        .join(replay.read("score_drivers").groupBy("as_of_date", "account_id").agg(functions.sum("contribution").as("total"),
            functions.count("*").as("n")).as("d"), new String[] {"as_of_date", "account_id"}, "left")
        .join(replay.read("model_registry").as("m"), functions.col("s.model_version").equalTo(functions.col("m.version")), "left")
        .filter("d.total IS NULL OR abs(d.total - s.churn_margin) > 1e-9 OR m.calibration_slope IS NULL"
            + " OR abs(1 / (1 + exp(-(m.calibration_slope * s.churn_margin + m.calibration_intercept))) - s.churn_probability) > 1e-12")
        .collectAsList();
    assertThat(unexplained).isEmpty();
    assertThat(replay.read("customer_scores").filter("as_of_date = DATE'" + LAST + "' AND risk_driver_1 IS NOT NULL").count()).isPositive();
    // The last night's scores say how far each moved since the day before, which the backfill scored:
    // the change is the difference of the two days' probabilities, null exactly for accounts not scored then.
    Dataset<Row> today = replay.read("customer_scores").filter("as_of_date = DATE'" + LAST + "'").as("t");
    Dataset<Row> yesterday = replay.read("customer_scores").filter("as_of_date = DATE'" + LAST.minusDays(1) + "'").as("y");
    Row changes = today.join(yesterday, functions.col("t.account_id").equalTo(functions.col("y.account_id")), "left")
        .selectExpr("count_if(y.account_id IS NOT NULL) AS both_days",
            "count_if(y.account_id IS NOT NULL AND abs(t.churn_probability_change - (t.churn_probability - y.churn_probability)) < 1e-12)",
            "count_if(y.account_id IS NULL AND t.churn_probability_change IS NULL)", "count_if(y.account_id IS NULL)",
            "count_if(t.change_driver_1 IS NOT NULL)")
        .first();
    assertThat(changes.getLong(0)).isPositive();
    assertThat(changes.getLong(1)).isEqualTo(changes.getLong(0));
    assertThat(changes.getLong(2)).isEqualTo(changes.getLong(3));
    assertThat(changes.getLong(4)).isPositive();
  }

  /** 0 when a model was trained through the date, 65 (nothing to score with yet) before the first one. */
  private int expectedExit(LocalDate through) {
    boolean model = !lakehouse.read("model_registry").filter("trained_through <= DATE'" + through + "'").isEmpty();
    return model ? ExitCodes.OK : ExitCodes.DATA_ERROR;
  }

  @Test
  @Order(6)
  void theLastNightPublishedEveryTableToTheWarehouseAsTheLakehouseHoldsIt() throws SQLException {
    // The warehouse was empty: the night sent every table's history, with the same rows and values.
    assertWarehouseHoldsTheLakehouse();
    // Real types, the primary key and the account index.
    assertThat(warehouseQuery("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'anshin'"
            + " AND table_name = 'customer_scores' AND column_name IN ('as_of_date', 'churn_probability', 'mrr', 'scored_at') ORDER BY 1"))
        .containsExactly(List.of("as_of_date", "date"), List.of("churn_probability", "double precision"),
            List.of("mrr", "numeric"), List.of("scored_at", "timestamp with time zone"));
    assertThat(warehouseQuery("SELECT numeric_precision, numeric_scale FROM information_schema.columns"
            + " WHERE table_schema = 'anshin' AND table_name = 'revenue_summary' AND column_name = 'ending_mrr'"))
        .containsExactly(List.of("18", "2"));
    assertThat(warehouseQuery("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            + " WHERE i.indrelid = 'anshin.customer_scores'::regclass AND i.indisprimary ORDER BY 1"))
        .containsExactly(List.of("account_id"), List.of("as_of_date"));
    assertThat(warehouseQuery("SELECT indexname FROM pg_indexes WHERE schemaname = 'anshin' AND indexname LIKE '%\\_idx' ORDER BY 1"))
        .containsExactly(List.of("account_timeline_account_id_idx"),
            List.of("customer_features_account_id_idx"), List.of("customer_health_account_id_idx"),
            List.of("customer_scores_account_id_idx"), List.of("customer_slo_daily_account_id_idx"),
            List.of("mrr_invoice_check_account_id_idx"), List.of("mrr_movements_month_idx"),
            List.of("revenue_forecast_account_id_idx"), List.of("revenue_movements_month_idx"),
            List.of("score_drivers_account_id_idx"));
    // Every table and column a BI tool shows carries its description from docs/tables.md.
    assertThat(warehouseQuery("SELECT c.table_name || '.' || c.column_name FROM information_schema.columns c"
            + " JOIN pg_class t ON t.relname = c.table_name AND t.relnamespace = 'anshin'::regnamespace AND t.relkind = 'r'"
            + " WHERE c.table_schema = 'anshin' AND coalesce(col_description(t.oid, c.ordinal_position), '') = ''"))
        .as("columns without a comment").isEmpty();
    assertThat(warehouseQuery("SELECT relname FROM pg_class WHERE relnamespace = 'anshin'::regnamespace AND relkind IN ('r', 'v')"
            + " AND coalesce(obj_description(oid, 'pg_class'), '') = ''"))
        .as("tables and views without a comment").isEmpty();
    long scored = replay.read("customer_scores").filter("as_of_date = DATE'" + LAST + "'").count();
    assertThat(warehouseQuery("SELECT count(*), count(account_name), min(as_of_date)::text FROM anshin.latest_customer_scores"))
        .containsExactly(List.of(Long.toString(scored), Long.toString(scored), LAST.toString()));
    // The bridge holds revenue_summary's months, each summing to ending - starting.
    assertThat(warehouseQuery("SELECT count(DISTINCT month), count(*) FILTER (WHERE total <> 0) FROM (SELECT month,"
            + " sum(mrr) FILTER (WHERE step BETWEEN 2 AND 6) - sum(mrr) FILTER (WHERE step = 7) + sum(mrr) FILTER (WHERE step = 1) AS total"
            + " FROM anshin.mrr_bridge GROUP BY month) m"))
        .containsExactly(List.of(Long.toString(replay.read("revenue_summary").count()), "0"));
  }

  /**
   * Every published table holds exactly the replay lakehouse's rows, as a multiset. The publish and
   * report steps' own records in {@code run_log} are left out: each is written after its run's
   * publish, so the warehouse has the ones before it.
   */
  private void assertWarehouseHoldsTheLakehouse() {
    for (PublishedTables.Published table : PublishedTables.ALL) {
      Dataset<Row> expected = table.rows().apply(replay);
      Dataset<Row> published = warehouseTable(table.name(), expected.columns());
      if (table.name().equals("run_log")) {
        expected = expected.filter("step NOT IN ('publish', 'report')");
        published = published.filter("step NOT IN ('publish', 'report')");
      }
      // Counted on the driver (the tables are small): one job a side instead of two exceptAll and two counts.
      Map<Row, Long> lakehouseRows = multiset(expected);
      assertThat(lakehouseRows).as(table.name()).isNotEmpty();
      assertThat(multiset(published)).as("%s: the warehouse's rows (and how often each occurs) against the lakehouse's", table.name())
          .isEqualTo(lakehouseRows);
    }
    assertThat(warehouseQuery("SELECT relname FROM pg_class WHERE relnamespace = 'anshin'::regnamespace AND relname LIKE '\\_anshin\\_stage\\_%'"))
        .as("staging tables left").isEmpty();
  }

  private static Map<Row, Long> multiset(Dataset<Row> rows) {
    return rows.collectAsList().stream().collect(Collectors.groupingBy(r -> r, Collectors.counting()));
  }

  private Dataset<Row> warehouseTable(String table, String[] columns) {
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("driver", "org.postgresql.Driver");
    return spark.read().jdbc(postgres.getJdbcUrl("postgres", "postgres"), "anshin." + table, properties)
        .select(java.util.Arrays.stream(columns).map(functions::col).toArray(Column[]::new));
  }

  private void warehouseExecute(String... statements) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private List<List<String>> warehouseQuery(String sql) {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
          row.add(result.getString(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  @Test
  @Order(7)
  void rerunningAnOlderDateOrRetrainingTheLastOneChangesNoRows() {
    // The rerun publishes: the older date's rows replace themselves in the warehouse (its scoring finds
    // no model yet, exit 65, and the other tables are published all the same), and the whole tables
    // stay as new as the lakehouse; nothing is duplicated or rolled back, in the lakehouse or the
    // warehouse. Retraining the last date replaces its model with the same one. (A whole rerun of the
    // last night cost 100 s and checked nothing these two do not.)
    assertThat(nightlyWith(warehouseConf, replayDir, LAST.minusDays(20))).isEqualTo(expectedExit(LAST.minusDays(20)));
    assertThat(cli("train", "--date", LAST.toString(), "--conf", conf, "--lakehouse", replayDir.toString(),
        "--sources", sources.toString())).isEqualTo(ExitCodes.OK);
    // The retraining's own record in run_log reaches the warehouse with the next publish.
    assertThat(cli("publish", "--date", LAST.toString(), "--conf", warehouseConf, "--lakehouse", replayDir.toString(),
        "--sources", sources.toString())).isEqualTo(ExitCodes.OK);
    assertSameTables(lakehouse, replay);
    assertWarehouseHoldsTheLakehouse();
  }

  @Test
  @Order(8)
  void aPublishThatFailsMidwayLeavesTheWarehouseAsItWas() throws SQLException {
    // The warehouse's scores of the last day differ from the lakehouse's, so a replacement would show.
    warehouseExecute("UPDATE anshin.customer_scores SET churn_probability = -1 WHERE as_of_date = DATE'" + LAST + "'",
        "CREATE FUNCTION anshin.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no space left on device'; END $$",
        // revenue_summary is replaced after customer_scores, in the same transaction.
        "CREATE TRIGGER refuse BEFORE INSERT ON anshin.revenue_summary FOR EACH STATEMENT EXECUTE FUNCTION anshin.refuse()");
    assertThat(cli("publish", "--date", LAST.toString(), "--conf", warehouseConf, "--lakehouse", replayDir.toString(),
        "--sources", sources.toString())).isEqualTo(ExitCodes.INTERNAL);
    long scored = replay.read("customer_scores").filter("as_of_date = DATE'" + LAST + "'").count();
    assertThat(warehouseQuery("SELECT count(*), count(*) FILTER (WHERE churn_probability = -1) FROM anshin.customer_scores"
            + " WHERE as_of_date = DATE'" + LAST + "'"))
        .containsExactly(List.of(Long.toString(scored), Long.toString(scored)));
    assertThat(warehouseQuery("SELECT relname FROM pg_class WHERE relnamespace = 'anshin'::regnamespace AND relname LIKE '\\_anshin\\_stage\\_%'"))
        .isEmpty();
  }

  @Test
  @Order(9)
  void theLastNightsReportShowsTheLakehousesFiguresInARealBrowser() throws Exception {
    HeadlessBrowser browser = HeadlessBrowser.require();
    Path page = replayDir.resolve("reports").resolve(LAST.toString()).resolve("index.html");
    assertThat(page).exists();
    // Each chart on the page, with its data in the lakehouse: nine when every section has data.
    boolean forecast = !replay.read("cohort_retention_forecast").filter("status = 'fitted'").isEmpty();
    HeadlessBrowser.Inspection shown = browser.inspect(page, 1280, 900);
    assertThat(shown.errors()).isEmpty();
    assertThat(shown.images()).isEqualTo(forecast ? 9 : 8);
    assertThat(shown.imagesRendered()).isEqualTo(shown.images());
    assertThat(shown.scrollWidth()).isLessThanOrEqualTo(shown.viewportWidth());

    // The figures, recomputed here from the tables.
    String onLast = "as_of_date = DATE'" + LAST + "'";
    Row features = replay.read("customer_features").filter(onLast).agg(functions.count("*"), functions.sum("mrr")).first();
    Row scores = replay.read("customer_scores").filter(onLast)
        .agg(functions.sum("mrr_at_risk"), functions.count_if(functions.col("risk_tier").equalTo("high"))).first();
    long red = replay.read("customer_health").filter(onLast + " AND health_band = 'red'").count();
    long exhausted = replay.read("customer_slo_daily").filter(onLast + " AND status = 'exhausted'").count();
    assertThat(shown.metrics())
        .containsEntry("active_accounts", String.format(java.util.Locale.ROOT, "%,d", features.getLong(0)))
        .containsEntry("mrr", String.format(java.util.Locale.ROOT, "%,.0f", features.getDecimal(1)))
        .containsEntry("mrr_at_risk", String.format(java.util.Locale.ROOT, "%,.0f", scores.getDouble(0)))
        .containsEntry("high_risk_accounts", Long.toString(scores.getLong(1)))
        .containsEntry("red_health_accounts", Long.toString(red))
        .containsEntry("slo_exhausted", Long.toString(exhausted));
    // The accounts most at risk: the largest MRR at risk first, as many as were scored up to 15.
    List<String> expectedOrder = replay.read("customer_scores").filter(onLast)
        .orderBy(functions.col("mrr_at_risk").desc(), functions.col("account_id")).limit(15)
        .select("account_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    List<List<String>> atRisk = shown.table("at-risk");
    assertThat(atRisk).hasSize(expectedOrder.size() + 1);
    for (int i = 0; i < expectedOrder.size(); i++) {
      assertThat(atRisk.get(i + 1).get(0)).endsWith(" " + expectedOrder.get(i));
    }
    // Its reasons: the health components below the green band (70), weakest first.
    Row health = replay.read("customer_health").filter(onLast + " AND account_id = '" + expectedOrder.get(0) + "'").first();
    List<String[]> weak = new ArrayList<>();
    for (String component : List.of("usage", "reliability", "support", "billing", "trend")) {
      Double score = health.getAs(component + "_score");
      if (score != null && score < 70) {
        weak.add(new String[] {String.format(java.util.Locale.ROOT, "%08.3f", score), health.getAs(component + "_reason")});
      }
    }
    weak.sort(java.util.Comparator.comparing((String[] w) -> w[0]));
    // Its drivers: the churn model's, strongest first.
    Row score = replay.read("customer_scores").filter(onLast + " AND account_id = '" + expectedOrder.get(0) + "'").first();
    assertThat(atRisk.get(1).get(atRisk.get(1).size() - 2)).isEqualTo(java.util.stream.Stream.of("risk_driver_1", "risk_driver_2", "risk_driver_3")
        .map(c -> score.<String>getAs(c)).filter(java.util.Objects::nonNull).collect(Collectors.joining(" ")));
    assertThat(atRisk.get(1).get(atRisk.get(1).size() - 1))
        .isEqualTo(weak.stream().map(w -> w[1]).collect(Collectors.joining(" ")).replaceAll("\\s+", " ").trim());
    // The toil topics of the week that ended on the last night (a Sunday), top five by rank.
    LocalDate monday = LAST.with(java.time.DayOfWeek.MONDAY);
    List<String> topics = replay.read("toil_topics").filter("week_start = DATE'" + monday + "' AND toil_rank <= 5").orderBy("toil_rank")
        .select("category").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(topics).isNotEmpty();
    assertThat(shown.table("toil").stream().skip(1).map(row -> row.get(1)).toList()).isEqualTo(topics);
    // The run: every step of the last night, the model's score and the publish among them.
    assertThat(shown.table("run-steps")).extracting(row -> row.get(0) + " " + row.get(1))
        .contains("ingest succeeded", "score succeeded", "publish succeeded");
    long quarantined = replay.read(Quarantine.TABLE).filter("run_date = DATE'" + LAST + "'").count();
    assertThat(shown.table("quarantine").stream().skip(1).mapToLong(row -> Long.parseLong(row.get(2))).sum()).isEqualTo(quarantined);
  }

  @Test
  @Order(10)
  void theNotebooksRunAgainstTheLakehouseWithoutAnErrorCell() throws Throwable {
    if (notebooksNotStarted != null) {
      throw notebooksNotStarted;
    }
    Path notebooks = NOTEBOOKS;
    Path out = scratch.resolve("notebooks");
    Path log = scratch.resolve("notebooks.log");
    Process process = notebooksRun;
    assertThat(process.waitFor(15, java.util.concurrent.TimeUnit.MINUTES)).as("notebooks/run.sh finished").isTrue();
    assertThat(process.exitValue()).as(Files.readString(log)).isZero();

    List<Path> committed;
    try (java.util.stream.Stream<Path> files = Files.list(notebooks)) {
      committed = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(committed).extracting(p -> p.getFileName().toString())
        .containsExactly("customer-story.ipynb", "product-usage.ipynb", "slo-support-review.ipynb");
    Map<String, String> printed = new TreeMap<>();
    for (Path notebook : committed) {
      // The repository's copies carry no outputs; the executed ones ran every code cell, none with an error.
      assertThat(Files.size(notebook)).as(notebook.toString()).isLessThan(40_000);
      JsonNode executed = JSON.readTree(out.resolve(notebook.getFileName()).toFile());
      StringBuilder text = new StringBuilder();
      for (JsonNode cell : executed.get("cells")) {
        if (!cell.get("cell_type").asText().equals("code")) {
          continue;
        }
        assertThat(cell.get("execution_count").isNull()).as("%s: a code cell that did not run", notebook).isFalse();
        for (JsonNode output : cell.get("outputs")) {
          assertThat(output.get("output_type").asText()).as("%s: %s", notebook, output).isNotEqualTo("error");
          JsonNode streamed = output.path("text");
          if (streamed.isTextual()) {
            text.append(streamed.asText());
          } else {
            streamed.forEach(line -> text.append(line.asText()));
          }
        }
      }
      printed.put(notebook.getFileName().toString(), text.toString());
    }
    // What they print is the lakehouse's: the story of the account with the most MRR at risk on the last
    // day, and the latest date in every notebook's setup line.
    String mostAtRisk = lakehouse.read("customer_scores").filter("as_of_date = DATE'" + LAST + "'")
        .orderBy(functions.col("mrr_at_risk").desc(), functions.col("account_id")).first().getAs("account_id");
    assertThat(printed.get("customer-story.ipynb")).contains("Account " + mostAtRisk + ", as of " + LAST);
    assertThat(printed.values()).allSatisfy(text -> assertThat(text).contains("latest date " + LAST));
  }

  private static int cli(String... args) {
    return AnshinCli.run(args);
  }

  @Test
  @Order(1)
  void everyInjectedBadRowIsQuarantinedWithItsReason() throws IOException {
    Map<String, Long> expected = new TreeMap<>();
    JsonNode manifest = JSON.readTree(sources.resolve("truth/dirty_manifest.json").toFile());
    manifest.fields().forEachRemaining(source -> source.getValue().fields().forEachRemaining(
        kind -> expected.put(source.getKey() + "/" + kind.getKey(), kind.getValue().asLong())));
    expected.values().removeIf(count -> count == 0);

    Map<String, Long> actual =
        lakehouse.read(Quarantine.TABLE).collectAsList().stream()
            .collect(Collectors.groupingBy(
                r -> r.<String>getAs(Quarantine.SOURCE) + "/" + r.<String>getAs(Quarantine.REASON_CODE),
                TreeMap::new, Collectors.counting()));
    assertThat(expected).isNotEmpty();
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  @Order(2)
  void noGoodRowIsLost() throws IOException {
    JsonNode counts = JSON.readTree(sources.resolve("truth/source_counts.json").toFile());
    counts.fields().forEachRemaining(source ->
        assertThat(lakehouse.read(source.getKey()).count()).as(source.getKey()).isEqualTo(source.getValue().asLong()));
  }

  @Test
  @Order(3)
  void everyTableOfTheNightlyRunIsThere() {
    assertThat(lakehouse.tables())
        .contains("account_daily", "customer_features", "customer_scores", "model_registry", "run_log", "quarantine",
            "customer_slo_daily", "support_daily", "toil_topics", "mrr_movements", "revenue_movements", "revenue_summary", "mrr_invoice_check",
            "cohort_retention", "cohort_retention_forecast", "customer_health", "cs_activities", "help_center_views",
            "account_timeline", "activity_effects", "help_center_deflection", "health_validation", "health_band_churn", "churn_calibration",
            "revenue_forecast", "portfolio_forecast", "revenue_at_risk");
    List<Row> scores = lakehouse.read("customer_scores").filter("as_of_date = DATE'" + LAST + "'").collectAsList();
    assertThat(scores).isNotEmpty();
    // Every active account of the last day is scored exactly once.
    long active = lakehouse.read("customer_features").filter("as_of_date = DATE'" + LAST + "'").count();
    assertThat(scores).hasSize((int) active);
    assertThat(scores.stream().map(r -> r.<String>getAs("account_id")).distinct().count()).isEqualTo(active);

    // Every scored account with MRR has a revenue forecast; the portfolio and the groups add them up.
    String onLast = "as_of_date = DATE'" + LAST + "'";
    Dataset<Row> forecasts = lakehouse.read("revenue_forecast").filter(onLast);
    assertThat(forecasts.count()).isEqualTo(scores.stream().filter(r -> r.<java.math.BigDecimal>getAs("mrr").signum() > 0).count());
    Row totals = forecasts.selectExpr("sum(CAST(mrr AS DOUBLE))", "sum(revenue_at_risk_12m)", "count(*)").first();
    List<Row> portfolio = lakehouse.read("portfolio_forecast").filter(onLast).orderBy("month").collectAsList();
    assertThat(portfolio).hasSize(12);
    for (Row month : portfolio) {
      assertThat(month.<Double>getAs("naive_mrr")).isCloseTo(totals.getDouble(0), within(1e-6));
      assertThat(month.<Long>getAs("accounts")).isEqualTo(totals.getLong(2));
      assertThat(month.<Double>getAs("mrr_p10")).isLessThanOrEqualTo(month.<Double>getAs("expected_mrr"));
    }
    for (String dimension : List.of("risk_tier", "segment", "csm_owner")) {
      Row byGroup = lakehouse.read("revenue_at_risk").filter(onLast + " AND dimension = '" + dimension + "'")
          .selectExpr("sum(revenue_at_risk_12m)", "sum(accounts)").first();
      assertThat(byGroup.getDouble(0)).as(dimension).isCloseTo(totals.getDouble(1), within(1e-6));
      assertThat(byGroup.getLong(1)).as(dimension).isEqualTo(totals.getLong(2));
    }
  }

  @Test
  @Order(4)
  void revenueReconcilesEveryMonth() {
    List<Row> months = lakehouse.read("revenue_summary").orderBy("month").collectAsList();
    assertThat(months).hasSizeGreaterThan(4);
    for (Row m : months) {
      java.math.BigDecimal expectedEnding =
          m.<java.math.BigDecimal>getAs("starting_mrr").add(m.getAs("new_mrr")).add(m.getAs("expansion_mrr"))
              .add(m.getAs("reactivation_mrr")).subtract(m.getAs("contraction_mrr")).subtract(m.getAs("churned_mrr"));
      assertThat(m.<java.math.BigDecimal>getAs("ending_mrr")).as("month %s", m.<Object>getAs("month")).isEqualByComparingTo(expectedEnding);
    }
    // The world bills in four currencies; the features and the revenue tables convert them alike, so
    // the last day's MRR is one figure wherever it is read.
    java.math.BigDecimal featuresMrr =
        lakehouse.read("customer_features").filter("as_of_date = DATE'" + LAST + "'").agg(functions.sum("mrr")).first().getDecimal(0);
    assertThat(months.get(months.size() - 1).<java.math.BigDecimal>getAs("ending_mrr")).isEqualByComparingTo(featuresMrr);
    // The generator's invoices charge exactly their months of the stated MRR in every currency and
    // interval, so the check finds every invoiced subscription in agreement.
    Map<String, Long> statuses = new TreeMap<>();
    lakehouse.read("mrr_invoice_check").groupBy("status").count().collectAsList()
        .forEach(r -> statuses.put(r.getString(0), r.getLong(1)));
    assertThat(statuses).containsKey("agrees").doesNotContainKeys("differs", "partial_period", "other_currency");
    Dataset<Row> agreeing = lakehouse.read("mrr_invoice_check").filter("status = 'agrees'");
    assertThat(agreeing.select("currency").distinct().collectAsList()).extracting(r -> r.getString(0)).contains("USD", "EUR");
    assertThat(agreeing.select("billing_interval").distinct().collectAsList()).extracting(r -> r.getString(0))
        .contains("monthly", "annual");
  }

  @Test
  @Order(4)
  void theTraceabilityTablesFollowTheOptionalSources() throws IOException {
    // The timeline holds every activity and every ticket once, on the day each was first delivered, and
    // the changes of every daily state.
    Dataset<Row> timeline = lakehouse.read("account_timeline");
    long activities = lakehouse.read("cs_activities").select("activity_id").distinct().count();
    assertThat(timeline.filter("event_source = 'cs_activity'").count()).isEqualTo(activities);
    assertThat(timeline.filter("event_source = 'ticket'").count())
        .isEqualTo(lakehouse.read("tickets").select("ticket_id").distinct().count());
    assertThat(timeline.filter("event_source = 'cs_activity'")
            .join(lakehouse.read("cs_activities").withColumnRenamed("account_id", "a"),
                functions.col("event_id").equalTo(functions.col("activity_id")))
            .filter("known_on = delivered_on AND event_date = activity_date").count())
        .isEqualTo(activities);
    assertThat(timeline.select("event_source").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactlyInAnyOrder("cs_activity", "ticket", "health", "slo", "score");
    // A health change row's detail names the band it moved to, which is the band the row shows.
    assertThat(timeline.filter("event_source = 'health' AND NOT detail LIKE concat('% -> ', health_band, ' (%')").count()).isZero();

    // The effects, as of the last night, for the activity types the world logs (e2e-test.conf: 7 days).
    List<Row> effects = lakehouse.read("activity_effects").collectAsList();
    assertThat(effects).isNotEmpty().allSatisfy(r -> assertThat(r.<java.sql.Date>getAs("as_of_date").toLocalDate()).isEqualTo(LAST));
    assertThat(effects).extracting(r -> r.<Integer>getAs("window_days")).containsOnly(7);
    assertThat(effects).filteredOn(r -> r.getAs("activity_type").equals("email")).hasSize(1);

    // Deflection: the topics the generator planted without articles are the missing ones, where they had
    // tickets in the judged days (a topic with articles always has viewings in a world this size).
    List<String> truthArticles = Files.readAllLines(sources.resolve("truth").resolve("help_center_articles.csv"));
    List<String> plantedMissing = truthArticles.stream().skip(1).filter(l -> l.startsWith(","))
        .map(l -> l.split(",", -1)[1]).toList();
    assertThat(plantedMissing).isNotEmpty();
    List<Row> deflection = lakehouse.read("help_center_deflection").collectAsList();
    Row any = deflection.get(0);
    List<String> ticketTopics = lakehouse.read("tickets")
        .filter(functions.to_date(functions.col("created_at")).between(any.getAs("window_start"), any.getAs("window_end")))
        .select("category").distinct().collectAsList().stream().map(r -> r.getString(0)).toList();
    assertThat(deflection).filteredOn(r -> r.getAs("status").equals("missing")).extracting(r -> r.<String>getAs("category"))
        .containsExactlyInAnyOrderElementsOf(plantedMissing.stream().filter(ticketTopics::contains).toList());
    assertThat(deflection).filteredOn(r -> !r.getAs("status").equals("missing"))
        .allSatisfy(r -> assertThat(r.<Long>getAs("deflected")).isLessThanOrEqualTo(r.<Long>getAs("viewings")));
  }

  @Test
  @Order(4)
  void businessHoursNeverExceedElapsedTime() {
    // Business time never exceeds elapsed time, ticket by ticket, so neither does any percentile over the
    // same tickets; EMEA's office hours (e2e-test.conf) make it shorter on some days.
    List<Row> support = lakehouse.read("support_daily").filter("first_replies > 0").collectAsList();
    assertThat(support).allSatisfy(d -> {
      assertThat(d.<Double>getAs("first_reply_business_hours_p50")).isLessThanOrEqualTo(d.<Double>getAs("first_reply_hours_p50") + 1e-9);
      assertThat(d.<Double>getAs("first_reply_business_hours_p90")).isLessThanOrEqualTo(d.<Double>getAs("first_reply_hours_p90") + 1e-9);
    });
    assertThat(support).anySatisfy(d ->
        assertThat(d.<Double>getAs("first_reply_business_hours_p90")).isLessThan(d.<Double>getAs("first_reply_hours_p90")));
  }

  @Test
  @Order(5)
  void evaluationMeasuresTheScoresOfManyDatesAgainstTheRealisedOutcomesWithIntervals() throws IOException {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = cli("evaluate", "--conf", conf, "--lakehouse", lakehouseDir.toString(), "--truth", sources.resolve("truth").toString());
    } finally {
      System.setOut(original);
    }
    assertThat(exit).isEqualTo(ExitCodes.OK);
    String[] lines = captured.toString(StandardCharsets.UTF_8).trim().split("\n");
    JsonNode evaluation = JSON.readTree(lines[lines.length - 1]);
    for (String field : List.of("auc_roc", "auc_pr", "brier", "oracle_auc_roc", "oracle_auc_pr", "n", "health_auc_roc",
        "auc_roc_ci_low", "auc_roc_ci_high", "ece", "oracle_ece", "top_decile_lift", "last_date_auc_roc")) {
      assertThat(evaluation.has(field)).as(field).isTrue();
    }
    // The evaluated examples: every account scored on one date a week back from the last, over 180 days.
    String evaluated = "as_of_date >= DATE'" + LAST.minusDays(179) + "' AND pmod(datediff(DATE'" + LAST + "', as_of_date), 7) = 0";
    Dataset<Row> scores = lakehouse.read("customer_scores").filter(evaluated);
    assertThat(evaluation.get("as_of_date").asText()).isEqualTo(LAST.toString());
    assertThat(evaluation.get("dates").asLong()).isEqualTo(scores.select("as_of_date").distinct().count()).isGreaterThan(1);
    assertThat(evaluation.get("from_date").asText())
        .isEqualTo(scores.selectExpr("min(as_of_date)").first().getDate(0).toString());
    // Every account scored on a date is active there, so the truth has a row for each of them.
    long scored = scores.count();
    assertThat(evaluation.get("n").asLong()).isEqualTo(scored);
    assertThat(evaluation.get("accounts").asLong()).isEqualTo(scores.select("account_id").distinct().count());
    // The generator's own probability must rank its own outcomes well, or the evaluation means nothing.
    // (60 accounts are too few to show what the model learned: ChurnTrainerTest checks learning on a
    // planted signal, and the demo's evaluation at full size is quoted in docs/benchmarks.md.)
    assertThat(evaluation.get("oracle_auc_roc").asDouble()).isGreaterThan(0.6);
    // The default dates are where the generator simulated its Monte Carlo oracle, so that is the oracle
    // measured: its AUC, recomputed from the truth's oracle_probability on the same examples.
    assertThat(evaluation.get("oracle_method").asText()).isEqualTo("monte_carlo");
    Map<String, Double> oracle = new TreeMap<>();
    Map<String, Boolean> oracleChurned = new TreeMap<>();
    spark.read().parquet(sources.resolve("truth/churn").toString()).filter(evaluated).collectAsList().forEach(r -> {
      oracle.put(r.getAs("as_of_date") + "/" + r.getAs("account_id"), r.<Double>getAs("oracle_probability"));
      oracleChurned.put(r.getAs("as_of_date") + "/" + r.getAs("account_id"), r.<Boolean>getAs("churned_within_horizon"));
    });
    List<double[]> oracleOutcomes = lakehouse.read("customer_scores").filter(evaluated).collectAsList().stream()
        .map(r -> r.getAs("as_of_date") + "/" + r.getAs("account_id"))
        .map(key -> new double[] {oracle.get(key), oracleChurned.get(key) ? 1 : 0})
        .toList();
    assertThat(evaluation.get("oracle_auc_roc").asDouble()).isCloseTo(pairsRankedRight(oracleOutcomes), within(0.5e-4));
    // The model's figures, recomputed here from their definitions on the same examples: the Brier score
    // is the mean squared error of the probability; the AUC the share of (churned, stayed) pairs ranked
    // the right way round, a tie counting one half.
    Map<String, Double> probability = new TreeMap<>();
    scores.collectAsList().forEach(r -> probability.put(r.getAs("as_of_date") + "/" + r.getAs("account_id"), r.<Double>getAs("churn_probability")));
    Map<String, Boolean> churned = new TreeMap<>();
    spark.read().parquet(sources.resolve("truth/churn").toString()).filter(evaluated).collectAsList()
        .forEach(r -> churned.put(r.getAs("as_of_date") + "/" + r.getAs("account_id"), r.<Boolean>getAs("churned_within_horizon")));
    List<double[]> scoredOutcomes = probability.entrySet().stream()
        .filter(e -> churned.containsKey(e.getKey()))
        .map(e -> new double[] {e.getValue(), churned.get(e.getKey()) ? 1 : 0})
        .toList();
    assertThat(scoredOutcomes).hasSize((int) scored);
    double squaredError = scoredOutcomes.stream().mapToDouble(o -> (o[0] - o[1]) * (o[0] - o[1])).sum();
    // The evaluation prints 4 decimals.
    assertThat(evaluation.get("brier").asDouble()).isCloseTo(squaredError / scored, within(0.5e-4));
    assertThat(evaluation.get("auc_roc").asDouble()).isCloseTo(pairsRankedRight(scoredOutcomes), within(0.5e-4));
    // Each interval holds its estimate; the AUC's is not a point.
    for (String metric : List.of("auc_roc", "auc_pr", "brier", "ece", "top_decile_lift", "oracle_auc_roc")) {
      assertThat(evaluation.get(metric + "_ci_low").asDouble()).as(metric).isLessThanOrEqualTo(evaluation.get(metric).asDouble() + 0.5e-4);
      assertThat(evaluation.get(metric + "_ci_high").asDouble()).as(metric).isGreaterThanOrEqualTo(evaluation.get(metric).asDouble() - 0.5e-4);
    }
    assertThat(evaluation.get("auc_roc_ci_high").asDouble()).isGreaterThan(evaluation.get("auc_roc_ci_low").asDouble());

    // The usage component ranked alone, low scores first, by the same pair count over the examples it scores.
    List<double[]> usage = lakehouse.read("customer_health").filter(evaluated + " AND usage_score IS NOT NULL")
        .collectAsList().stream().filter(r -> probability.containsKey(r.getAs("as_of_date") + "/" + r.getAs("account_id")))
        .map(r -> new double[] {-r.<Double>getAs("usage_score"), churned.get(r.getAs("as_of_date") + "/" + r.getAs("account_id")) ? 1 : 0})
        .toList();
    assertThat(evaluation.get("health_usage_auc_roc").asDouble()).isCloseTo(pairsRankedRight(usage), within(0.5e-4));
    for (String component : List.of("reliability", "support", "billing", "trend")) {
      assertThat(evaluation.has("health_" + component + "_auc_roc")).as(component).isTrue();
    }
    // The expected calibration error, recomputed: ten equal bins of the probability, each bin's gap
    // between its mean probability and its churn rate weighed by its share of the examples.
    double[][] bins = new double[10][3];
    for (double[] o : scoredOutcomes) {
      int bin = Math.min((int) Math.floor(o[0] * 10), 9);
      bins[bin][0]++;
      bins[bin][1] += o[0];
      bins[bin][2] += o[1];
    }
    double ece = 0;
    for (double[] b : bins) {
      ece += b[0] == 0 ? 0 : b[0] / scored * Math.abs(b[1] / b[0] - b[2] / b[0]);
    }
    assertThat(evaluation.get("ece").asDouble()).isCloseTo(ece, within(0.5e-4));

    // The revenue figures over the truth's 30-day horizon, recomputed from the revenue the truth says each
    // account earned: the flat forecast's from its definition (today's MRR x 12 x 30 / 365), the model's
    // from each account's outlook under the assumptions of the revenue model that scored it.
    Map<String, Double> realised = new TreeMap<>();
    spark.read().parquet(sources.resolve("truth/churn").toString()).filter(evaluated).collectAsList()
        .forEach(r -> realised.put(r.getAs("as_of_date") + "/" + r.getAs("account_id"), r.<Double>getAs("realised_revenue")));
    Map<String, RevenueOutlook> outlooks = new TreeMap<>();
    ModelRegistry.all(lakehouse).forEach(m -> outlooks.put(m.version(), new RevenueOutlook(ModelRegistry.revenueAssumptions(lakehouse, m).orElseThrow())));
    List<Row> forecasts = lakehouse.read("revenue_forecast").filter(evaluated).alias("f")
        .join(lakehouse.read("customer_features").alias("c"),
            scala.jdk.javaapi.CollectionConverters.asScala(List.of("as_of_date", "account_id")).toSeq())
        .selectExpr("f.as_of_date", "f.account_id", "CAST(f.mrr AS DOUBLE) AS mrr", "f.churn_probability", "f.predicted_mrr_ratio",
            "c.billing_interval", "c.days_to_renewal", "f.model_version")
        .collectAsList();
    double absoluteError = 0;
    double naiveAbsoluteError = 0;
    double realisedSum = 0;
    long inside = 0;
    for (Row forecast : forecasts) {
      double actual = realised.get(forecast.get(0) + "/" + forecast.get(1));
      RevenueOutlook.Window window = outlooks.get(forecast.getString(7)).window(
          RevenueForecast.account(forecast.getDouble(2), forecast.getDouble(3), forecast.getDouble(4), forecast.getString(5),
              forecast.isNullAt(6) ? null : forecast.getInt(6)), 30);
      absoluteError += Math.abs(window.expected() - actual);
      naiveAbsoluteError += Math.abs(forecast.getDouble(2) * 12 * 30 / 365 - actual);
      realisedSum += actual;
      inside += window.low() <= actual && actual <= window.high() ? 1 : 0;
    }
    assertThat(evaluation.get("revenue_horizon_days").asInt()).isEqualTo(30);
    assertThat(evaluation.get("revenue_n").asLong()).isEqualTo(forecasts.size()).isEqualTo(scores.filter("mrr > 0").count());
    assertThat(evaluation.get("naive_revenue_wape").asDouble()).isCloseTo(naiveAbsoluteError / realisedSum, within(0.5e-4));
    assertThat(evaluation.get("revenue_wape").asDouble()).isCloseTo(absoluteError / realisedSum, within(0.5e-4));
    assertThat(evaluation.get("interval_coverage_80").asDouble()).isCloseTo((double) inside / forecasts.size(), within(0.5e-4));
    assertThat(evaluation.has("portfolio_revenue_error")).isTrue();
  }

  /**
   * The AUC from its definition: of the (churned, stayed) pairs of {@code {risk, churned}} rows, the
   * share whose churned account has the higher risk, a tie counting one half.
   */
  private static double pairsRankedRight(List<double[]> riskAndOutcome) {
    double pairs = 0;
    double rightWayRound = 0;
    for (double[] churned : riskAndOutcome) {
      for (double[] stayed : riskAndOutcome) {
        if (churned[1] == 1 && stayed[1] == 0) {
          pairs++;
          rightWayRound += churned[0] > stayed[0] ? 1 : churned[0] == stayed[0] ? 0.5 : 0;
        }
      }
    }
    assertThat(pairs).as("churned and stayed pairs").isPositive();
    return rightWayRound / pairs;
  }

  @Test
  @Order(5)
  void everyTrainedModelValidatedTheHealthScoreAndCalibratedItsProbabilitiesOnItsTestExamples() {
    List<Row> models = lakehouse.read("model_registry").collectAsList();
    assertThat(models).isNotEmpty();
    for (Row model : models) {
      String through = "trained_through = DATE'" + model.getAs("trained_through") + "'";
      // The reliability table of the model's own probabilities covers its test examples and their churns,
      // and the expected calibration error recorded with the model is that table's.
      List<Row> reliability = lakehouse.read("churn_calibration").filter(through + " AND probabilities = 'model'").collectAsList();
      assertThat(reliability.stream().mapToLong(r -> r.<Long>getAs("examples")).sum()).isEqualTo(model.<Long>getAs("test_examples"));
      assertThat(reliability.stream().mapToDouble(r -> r.<Long>getAs("examples") * r.<Double>getAs("observed_rate")).sum())
          .isCloseTo(model.<Long>getAs("test_positives"), within(1e-6));
      double ece = reliability.stream().mapToDouble(r -> r.<Long>getAs("examples")
          * Math.abs(r.<Double>getAs("mean_predicted") - r.<Double>getAs("observed_rate"))).sum() / model.<Long>getAs("test_examples");
      assertThat(model.<Double>getAs("test_ece")).isCloseTo(ece, within(1e-12));
      assertThat(model.<Double>getAs("calibration_slope")).isFinite();

      Map<String, Row> rows = lakehouse.read("health_validation").filter(through).collectAsList().stream()
          .collect(Collectors.toMap(r -> r.<String>getAs("weights") + "/" + r.<String>getAs("component"), r -> r));
      // The configured weights are the defaults', normalised (reference.conf: 0.30, 0.25, 0.20, 0.15, 0.10).
      assertThat(rows.get("configured/usage").<Double>getAs("weight")).isCloseTo(0.30, within(1e-12));
      assertThat(rows.get("configured/trend").<Double>getAs("weight")).isCloseTo(0.10, within(1e-12));
      // Measured on the model's own out-of-time test dates.
      assertThat(rows.get("configured/health_score").<java.sql.Date>getAs("test_from")).isEqualTo(model.<java.sql.Date>getAs("test_from"));
      for (String set : List.of("configured", "fitted")) {
        Row score = rows.get(set + "/health_score");
        if (score == null) {
          assertThat(set).as("only the fitted weights may be missing").isEqualTo("fitted");
          continue;
        }
        double weights = List.of("usage", "reliability", "support", "billing", "trend").stream()
            .mapToDouble(c -> rows.get(set + "/" + c).<Double>getAs("weight")).peek(w -> assertThat(w).isNotNegative()).sum();
        assertThat(weights).isCloseTo(1.0, within(1e-9));
        // The bands split the scored test examples and their churns between them.
        Row bands = lakehouse.read("health_band_churn").filter(through + " AND weights = '" + set + "'")
            .agg(functions.sum("examples"), functions.sum("churned")).first();
        assertThat(bands.getLong(0)).isEqualTo(score.<Long>getAs("examples")).isPositive();
        assertThat(bands.getLong(1)).isEqualTo(score.<Long>getAs("churned"));
      }
    }
  }
}
