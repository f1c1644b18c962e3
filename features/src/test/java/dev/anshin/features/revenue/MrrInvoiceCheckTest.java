package dev.anshin.features.revenue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.revenue.MrrInvoiceCheck.Columns;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.testing.SparkTestBase;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class MrrInvoiceCheckTest extends SparkTestBase {

  private static Row subscription(String id, String mrr, String interval, String started, String ended) {
    return row(id, "acc-" + id, "pro", 10, new BigDecimal(mrr), "USD", interval, date(started),
        ended == null ? null : date(ended), null);
  }

  private static Row invoice(String id, String subscription, String amount, String currency, String start,
      String end, String issued, String status) {
    return row(id, "acc-" + subscription, subscription, new BigDecimal(amount), currency, date(start), date(end),
        ts(issued), status, 0, null);
  }

  @Test
  void eachRunningSubscriptionsMrrIsComparedWithItsLatestInvoiceNormalisedToAMonth() {
    var subscriptions =
        dataset(
            SourceTable.SUBSCRIPTIONS.schema(),
            subscription("monthly", "100.00", "monthly", "2024-01-10", null),
            subscription("annual", "85.00", "annual", "2024-01-31", null),
            subscription("discounted", "100.00", "annual", "2024-02-01", null),
            subscription("uninvoiced", "40.00", "monthly", "2024-03-01", null),
            subscription("prorated", "30.00", "monthly", "2024-01-15", null),
            subscription("repriced", "60.00", "monthly", "2024-01-05", null),
            subscription("euro", "70.00", "monthly", "2024-01-05", null),
            subscription("voided", "20.00", "monthly", "2024-01-05", null),
            subscription("leap", "25.00", "monthly", "2024-01-31", null),
            subscription("monthEnd", "45.00", "monthly", "2024-01-31", null),
            subscription("ended", "10.00", "monthly", "2024-01-05", "2024-02-05"),
            subscription("later", "10.00", "monthly", "2024-03-20", null));
    var invoices =
        dataset(
            SourceTable.INVOICES.schema(),
            invoice("i1", "monthly", "100.00", "USD", "2024-03-10", "2024-04-09", "2024-03-10T06:00:00Z", "paid"),
            // 85 x 12 for a year from January 31st
            invoice("i2", "annual", "1020.00", "USD", "2024-01-31", "2025-01-30", "2024-01-31T06:00:00Z", "paid"),
            // a 20% discount the export's MRR does not show: 960 / 12 = 80
            invoice("i3", "discounted", "960.00", "usd", "2024-02-01", "2025-01-31", "2024-02-01T06:00:00Z", "open"),
            // half a month to align the billing day
            invoice("i4", "prorated", "15.00", "USD", "2024-03-15", "2024-03-31", "2024-03-15T06:00:00Z", "paid"),
            // the latest invoice wins over an older price, and an invoice issued after the date is not known
            invoice("i5", "repriced", "50.00", "USD", "2024-02-05", "2024-03-04", "2024-02-05T06:00:00Z", "paid"),
            invoice("i6", "repriced", "60.00", "USD", "2024-03-05", "2024-04-04", "2024-03-05T06:00:00Z", "paid"),
            invoice("i7", "repriced", "99.00", "USD", "2024-04-05", "2024-05-04", "2024-03-21T00:00:00Z", "open"),
            invoice("i8", "euro", "65.00", "EUR", "2024-03-05", "2024-04-04", "2024-03-05T06:00:00Z", "paid"),
            invoice("i9", "voided", "20.00", "USD", "2024-02-05", "2024-03-04", "2024-02-05T06:00:00Z", "paid"),
            invoice("i10", "voided", "35.00", "USD", "2024-03-05", "2024-04-04", "2024-03-05T06:00:00Z", "void"),
            // January 31st plus one month is February 29th: a whole month
            invoice("i11", "leap", "25.00", "USD", "2024-01-31", "2024-02-28", "2024-01-31T06:00:00Z", "paid"),
            // a billing day of the 31st kept through February: February 29th through March 30th is a month
            invoice("i12", "monthEnd", "45.00", "USD", "2024-02-29", "2024-03-30", "2024-02-29T06:00:00Z", "paid"));

    Map<String, Row> rows =
        MrrInvoiceCheck.check(subscriptions, invoices, LocalDate.parse("2024-03-20")).collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getString(0), r -> r));

    assertThat(rows.keySet())
        .containsExactlyInAnyOrder("monthly", "annual", "discounted", "uninvoiced", "prorated", "repriced", "euro",
            "voided", "leap", "monthEnd", "later");
    assertCheck(rows.get("monthly"), "i1", 1, "100.00", MrrInvoiceCheck.AGREES);
    assertCheck(rows.get("annual"), "i2", 12, "85.00", MrrInvoiceCheck.AGREES);
    assertCheck(rows.get("discounted"), "i3", 12, "80.00", MrrInvoiceCheck.DIFFERS);
    assertThat(rows.get("discounted").<BigDecimal>getAs(Columns.DIFFERENCE)).isEqualByComparingTo("-20.00");
    assertThat(rows.get("uninvoiced").<String>getAs(Columns.STATUS)).isEqualTo(MrrInvoiceCheck.NO_INVOICE);
    assertThat(rows.get("prorated").<String>getAs(Columns.STATUS)).isEqualTo(MrrInvoiceCheck.PARTIAL_PERIOD);
    assertThat(rows.get("prorated").isNullAt(rows.get("prorated").fieldIndex(Columns.INVOICED_MRR))).isTrue();
    assertCheck(rows.get("repriced"), "i6", 1, "60.00", MrrInvoiceCheck.AGREES);
    assertThat(rows.get("euro").<String>getAs(Columns.STATUS)).isEqualTo(MrrInvoiceCheck.OTHER_CURRENCY);
    assertCheck(rows.get("voided"), "i9", 1, "20.00", MrrInvoiceCheck.AGREES);
    assertCheck(rows.get("leap"), "i11", 1, "25.00", MrrInvoiceCheck.AGREES);
    assertCheck(rows.get("monthEnd"), "i12", 1, "45.00", MrrInvoiceCheck.AGREES);
    // started on the as-of date, not invoiced yet
    assertThat(rows.get("later").<String>getAs(Columns.STATUS)).isEqualTo(MrrInvoiceCheck.NO_INVOICE);
  }

  private static void assertCheck(Row r, String invoice, int months, String invoicedMrr, String status) {
    assertThat(r.<String>getAs(Columns.INVOICE_ID)).isEqualTo(invoice);
    assertThat(r.<Integer>getAs(Columns.PERIOD_MONTHS)).isEqualTo(months);
    assertThat(r.<BigDecimal>getAs(Columns.INVOICED_MRR)).isEqualByComparingTo(invoicedMrr);
    assertThat(r.<String>getAs(Columns.STATUS)).as(r.getString(0)).isEqualTo(status);
  }
}
