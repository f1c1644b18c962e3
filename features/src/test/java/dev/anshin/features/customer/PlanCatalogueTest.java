package dev.anshin.features.customer;

import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.SourceRows;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class PlanCatalogueTest extends SparkTestBase {

  /** A monthly base plan of 80 since 01-10 and an annual add-on of 100 since 02-20, seen on 03-05. */
  private Row activeOn0305(Set<String> addOns) {
    Dataset<Row> subscriptions =
        Versions.withValidity(
            SourceRows.of(spark, SourceTable.SUBSCRIPTIONS, List.of(
                row("s1", "a1", "growth", 8, new BigDecimal("80.00"), "USD", "monthly", date("2025-01-10"), null, null),
                row("s2", "a1", "analytics_addon", 0, new BigDecimal("100.00"), "USD", "annual", date("2025-02-20"), null, null))),
            "subscription_id", java.time.LocalDate.parse("2025-03-05"));
    return CustomerFeatures.activeSubscriptions(
            subscriptions, lit(date("2025-03-05")), lit(date("2025-03-05")), addOns)
        .first();
  }

  @Test
  void theAccountsPlanIsItsBasePlanEvenWhenAnAddOnCostsMore() {
    Row row = activeOn0305(Set.of("analytics_addon"));
    assertThat(row.<String>getAs(CustomerFeatures.PLAN)).isEqualTo("growth");
    assertThat(row.<String>getAs(CustomerFeatures.BILLING_INTERVAL)).isEqualTo("monthly");
    // monthly from 01-10: the next renewal after 03-05 is 03-10, 5 days on
    assertThat(row.<Integer>getAs(CustomerFeatures.DAYS_TO_RENEWAL)).isEqualTo(5);
    // the MRR is still everything the account pays
    assertThat(row.<BigDecimal>getAs(CustomerFeatures.MRR)).isEqualByComparingTo("180.00");
  }

  @Test
  void withoutACatalogueTheLargestSubscriptionIsThePlan() {
    Row row = activeOn0305(Set.of());
    assertThat(row.<String>getAs(CustomerFeatures.PLAN)).isEqualTo("analytics_addon");
    assertThat(row.<String>getAs(CustomerFeatures.BILLING_INTERVAL)).isEqualTo("annual");
    // annual from 2025-02-20: next renewal 2026-02-20, 352 days after 2025-03-05
    assertThat(row.<Integer>getAs(CustomerFeatures.DAYS_TO_RENEWAL)).isEqualTo(352);
  }
}
