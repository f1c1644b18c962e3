package dev.anshin.features.revenue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class ReportingCurrencyTest extends SparkTestBase {

  private static final ReportingCurrency USD =
      new ReportingCurrency("usd", Map.of("eur", new BigDecimal("1.08"), "JPY", new BigDecimal("0.0067")));

  private static Row subscription(String id, String account, String mrr, String currency) {
    return row(id, account, "pro", 10, new BigDecimal(mrr), currency, "monthly", date("2024-01-10"), null, null);
  }

  private Dataset<Row> subscriptions(Row... rows) {
    return dataset(SourceTable.SUBSCRIPTIONS.schema(), rows);
  }

  @Test
  void convertsAtTheConfiguredRateRoundingHalfUpToTheCent() {
    Map<String, Row> converted =
        USD.convert(
                subscriptions(
                    subscription("s1", "a", "99.99", "EUR"), // 107.9892
                    subscription("s2", "b", "4980.00", "jpy"), // 33.366
                    subscription("s3", "c", "12.50", "USD"),
                    subscription("s4", "d", "0.25", "JPY")), // 0.001675
                "mrr")
            .collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r));
    assertThat(money(converted.get("s1"))).isEqualByComparingTo("107.99");
    assertThat(money(converted.get("s2"))).isEqualByComparingTo("33.37");
    assertThat(money(converted.get("s3"))).isEqualByComparingTo("12.50");
    assertThat(money(converted.get("s4"))).isEqualByComparingTo("0.00");
    assertThat(converted.values()).allMatch(r -> r.getString(r.fieldIndex("currency")).equals("USD"));
  }

  @Test
  void namesEachCurrencyWithoutARate() {
    List<Row> missing =
        USD.unconvertible(
                subscriptions(
                    subscription("s9", "a", "10.00", "GBP"),
                    subscription("s7", "b", "10.00", "gbp"),
                    subscription("s8", "c", "10.00", "CHF"),
                    subscription("s1", "d", "10.00", "EUR")),
                "subscription_id")
            .collectAsList();
    assertThat(missing).extracting(r -> r.getString(0) + " " + r.getLong(1) + " " + r.getString(2))
        .containsExactly("CHF 1 s8", "GBP 2 s7");
  }

  @Test
  void revenueIsNeverASumAcrossCurrencies() {
    // 100 EUR and 100 USD are 208 USD of MRR, not 200.
    Dataset<Row> mixed =
        USD.convert(subscriptions(subscription("s1", "a", "100.00", "EUR"), subscription("s2", "b", "100.00", "USD")), "mrr");
    Row january = RevenueMovements.summary(RevenueMovements.monthly(mixed, YearMonth.of(2024, 1))).first();
    assertThat(january.<BigDecimal>getAs(RevenueMovements.SummaryColumns.NEW_MRR)).isEqualByComparingTo("208.00");
  }

  private static BigDecimal money(Row r) {
    return r.getDecimal(r.fieldIndex("mrr"));
  }
}
