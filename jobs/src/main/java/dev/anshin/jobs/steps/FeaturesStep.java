package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.io.Lakehouse;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Features: {@code customer_features} for every as-of date in [from, to], from the daily rollups of
 * the trailing 90 days and the small account, subscription, invoice and ticket tables (every version
 * delivered through {@code to}; each date reads the one known then).
 */
public final class FeaturesStep {
  private FeaturesStep() {}

  public static final Step STEP =
      Step.of("features", (context, from, to) -> new StepReport(run(context, from, to).rowsWritten(), 0, null));

  public static Lakehouse.WriteResult run(PipelineContext context, LocalDate from, LocalDate to) {
    Lakehouse lakehouse = context.lakehouse();
    Dataset<Row> rollups =
        lakehouse
            .read(AccountDaily.TABLE)
            .filter(recentRollups(from, to));
    CustomerFeatures.Inputs inputs =
        new CustomerFeatures.Inputs(
            rollups,
            lakehouse.read(SourceTable.ACCOUNTS.tableName()),
            ReportingCurrencies.subscriptions(context, lakehouse.read(SourceTable.SUBSCRIPTIONS.tableName())),
            lakehouse.read(SourceTable.INVOICES.tableName()),
            lakehouse.read(SourceTable.TICKETS.tableName()));
    Dataset<Row> features = CustomerFeatures.build(inputs, from, to, context.config().addOnPlans());
    return lakehouse.replaceDates(
        CustomerFeatures.TABLE, features, CustomerFeatures.AS_OF_DATE, from, to, null, CustomerFeatures.AS_OF_DATE);
  }

  /**
   * The rollup rows a window over the as-of dates [from, to] can use: activity in the lookback, and
   * delivered by {@code to} (a rerun of an older date never sees later deliveries). Activity is never
   * delivered before it happens, so the delivery-day bound also prunes the table's partitions.
   */
  static Column recentRollups(LocalDate from, LocalDate to) {
    Date first = Date.valueOf(from.minusDays(CustomerFeatures.LOOKBACK_DAYS - 1));
    Date last = Date.valueOf(to);
    return col(AccountDaily.ACTIVITY_DATE).between(lit(first), lit(last))
        .and(col(AccountDaily.DELIVERED_ON).between(lit(first), lit(last)));
  }
}
