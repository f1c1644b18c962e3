package dev.anshin.features.revenue;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.Money;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Checks the MRR a billing export states for each subscription against what its invoices charge,
 * normalised to a month: an annual invoice's amount / 12, a quarterly one's / 3, a monthly one's as
 * it is. The export's {@code mrr} feeds every revenue figure, so a discount, a price change or an
 * interval the export gets wrong shows here instead of silently in MRR.
 *
 * <p>Each running subscription is compared with its latest invoice (the last issued, void ones left
 * out), as known at the end of the as-of date, in the subscription's own currency. A period that is
 * not a whole number of months (a proration) is not compared: its {@code status} says so.
 */
public final class MrrInvoiceCheck {

  public static final String TABLE = "mrr_invoice_check";

  /** Values of {@code status}. */
  public static final String AGREES = "agrees";
  public static final String DIFFERS = "differs";
  public static final String NO_INVOICE = "no_invoice";
  public static final String PARTIAL_PERIOD = "partial_period";
  public static final String OTHER_CURRENCY = "other_currency";

  /** A month's amount may differ from the stated MRR by rounding to the cent of the invoice. */
  static final String TOLERANCE = "0.01";

  /** The columns of {@code mrr_invoice_check}. */
  public static final class Columns {
    public static final String SUBSCRIPTION_ID = "subscription_id";
    public static final String ACCOUNT_ID = "account_id";
    public static final String PLAN = "plan";
    public static final String BILLING_INTERVAL = "billing_interval";
    public static final String CURRENCY = "currency";
    public static final String MRR = "mrr";
    public static final String INVOICE_ID = "invoice_id";
    public static final String INVOICE_AMOUNT = "invoice_amount";
    public static final String PERIOD_MONTHS = "period_months";
    public static final String INVOICED_MRR = "invoiced_mrr";
    public static final String DIFFERENCE = "difference";
    public static final String STATUS = "status";

    public static final List<String> ALL =
        List.of(
            SUBSCRIPTION_ID, ACCOUNT_ID, PLAN, BILLING_INTERVAL, CURRENCY, MRR, INVOICE_ID, INVOICE_AMOUNT,
            PERIOD_MONTHS, INVOICED_MRR, DIFFERENCE, STATUS);

    private Columns() {}
  }

  private MrrInvoiceCheck() {}

  /**
   * One row per subscription running at the end of {@code asOfDate}; columns {@link Columns#ALL}.
   *
   * @param subscriptions the latest version of each subscription known on the date, in its billing
   *     currency (before any conversion)
   * @param invoices the latest version of each invoice known on the date
   */
  public static Dataset<Row> check(Dataset<Row> subscriptions, Dataset<Row> invoices, LocalDate asOfDate) {
    Date asOf = Date.valueOf(asOfDate);
    Dataset<Row> running =
        subscriptions.filter(
            col("started_at").leq(lit(asOf)).and(col("ended_at").isNull().or(col("ended_at").gt(lit(asOf)))));
    Dataset<Row> latestInvoice =
        invoices
            .filter(col("subscription_id").isNotNull()
                .and(col("status").notEqual("void"))
                .and(to_date(col("issued_at")).leq(lit(asOf))))
            .groupBy(col("subscription_id").as("i_subscription_id"))
            .agg(
                max_by(
                        struct(col("invoice_id"), col("amount"), col("currency").as("i_currency"),
                            col("period_start"), col("period_end")),
                        struct(col("issued_at"), col("invoice_id")))
                    .as("invoice"));
    // The period runs from period_start through period_end, both included. It is n whole months when
    // the day after its end is n months after its start: adding n months gives it (the calendar clamps
    // January 31st plus one month to February's last day), or both are the last days of their months
    // (a billing day of the 31st kept through shorter months: February 29th to March 30th, March 31st
    // to April 29th), which months_between counts whole.
    Column dayAfter = date_add(col("invoice.period_end"), 1);
    Column months = months_between(dayAfter, col("invoice.period_start"));
    Column wholeMonths = round(months, 0).cast("int");
    Column isWhole =
        wholeMonths.geq(1)
            .and(add_months(col("invoice.period_start"), wholeMonths).equalTo(dayAfter).or(months.equalTo(wholeMonths)));
    Column invoicedMrr = round(col("invoice.amount").divide(wholeMonths), 2).cast(Money.TYPE);
    Column difference = col(Columns.INVOICED_MRR).minus(col(Columns.MRR)).cast(Money.TYPE);
    Column status =
        when(col("invoice").isNull(), lit(NO_INVOICE))
            .when(upper(col("invoice.i_currency")).notEqual(upper(col("currency"))), lit(OTHER_CURRENCY))
            .when(not(isWhole), lit(PARTIAL_PERIOD))
            .when(abs(difference).leq(lit(new BigDecimal(TOLERANCE))), lit(AGREES))
            .otherwise(lit(DIFFERS));
    return running
        .join(latestInvoice, col("subscription_id").equalTo(col("i_subscription_id")), "left")
        .withColumn(Columns.INVOICE_ID, col("invoice.invoice_id"))
        .withColumn(Columns.INVOICE_AMOUNT, col("invoice.amount"))
        .withColumn(Columns.PERIOD_MONTHS, when(isWhole, wholeMonths))
        .withColumn(Columns.INVOICED_MRR, when(isWhole, invoicedMrr))
        .withColumn(Columns.DIFFERENCE, when(isWhole, difference))
        .withColumn(Columns.STATUS, status)
        .select(Columns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }
}
