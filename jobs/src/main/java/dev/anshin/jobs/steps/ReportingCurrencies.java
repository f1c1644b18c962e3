package dev.anshin.jobs.steps;

import dev.anshin.errors.AnshinException;
import dev.anshin.features.revenue.ReportingCurrency;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Subscriptions as the steps use them: MRR in the configured reporting currency. */
final class ReportingCurrencies {

  private ReportingCurrencies() {}

  /**
   * The subscriptions with mrr converted to {@code anshin.revenue.reporting-currency}. A currency
   * without a rate is a gap in the configuration, not a bad row: the step stops (exit 78) and names
   * it, and nothing is quarantined, so the rows count once the rate is added.
   */
  static Dataset<Row> subscriptions(PipelineContext context, Dataset<Row> subscriptions) {
    ReportingCurrency currency = context.config().revenue();
    List<Row> missing = currency.unconvertible(subscriptions, "subscription_id").collectAsList();
    if (!missing.isEmpty()) {
      String which =
          missing.stream()
              .map(r -> r.getString(0) + " (" + r.getLong(1) + " subscription rows, e.g. " + r.getString(2) + ")")
              .collect(Collectors.joining(", "));
      throw AnshinException.badConfig(
          "subscriptions in " + which + " have no exchange rate to the reporting currency " + currency.code()
              + "; add anshin.revenue.exchange-rates." + missing.get(0).getString(0)
              + " (units of " + currency.code() + " per unit) to the configuration");
    }
    return currency.convert(subscriptions, "mrr");
  }
}
