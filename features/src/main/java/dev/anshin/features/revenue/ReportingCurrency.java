package dev.anshin.features.revenue;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.Money;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one currency revenue is reported in, and constant exchange rates into it: MRR is never summed
 * across currencies.
 *
 * <p>Constant rates (one rate per currency, from configuration) keep a change of exchange rate from
 * showing as expansion or contraction; ChartMogul instead converts each invoice at its day's rate.
 * A converted amount is rounded half up to the cent.
 *
 * @param code the reporting currency, an ISO 4217 code such as USD
 * @param rates units of the reporting currency that one unit of each other currency is worth, by
 *     upper-case code; the reporting currency itself is always 1
 */
public record ReportingCurrency(String code, Map<String, BigDecimal> rates) {

  public ReportingCurrency {
    code = code.toUpperCase(Locale.ROOT);
    Map<String, BigDecimal> upper = new TreeMap<>();
    rates.forEach((currency, rate) -> upper.put(currency.toUpperCase(Locale.ROOT), rate));
    upper.put(code, BigDecimal.ONE);
    rates = Map.copyOf(upper);
  }

  /** Reporting in one currency, with no other currency accepted. */
  public static ReportingCurrency only(String code) {
    return new ReportingCurrency(code, Map.of());
  }

  /**
   * The rows with {@code amountColumn} converted to the reporting currency and {@code currency} set
   * to its code. A currency without a rate gives a null amount: check {@link #unconvertible} first.
   */
  public Dataset<Row> convert(Dataset<Row> rows, String amountColumn) {
    Column currency = upper(col("currency"));
    Column rate = null;
    for (Map.Entry<String, BigDecimal> entry : rates.entrySet()) {
      Column match = currency.equalTo(entry.getKey());
      rate = rate == null ? when(match, lit(entry.getValue())) : rate.when(match, lit(entry.getValue()));
    }
    return rows
        .withColumn(amountColumn, round(col(amountColumn).multiply(rate), 2).cast(Money.TYPE))
        .withColumn("currency", lit(code));
  }

  /**
   * The currencies of {@code rows} that have no rate: one row per currency with the number of rows
   * and the smallest value of {@code idColumn}, for an error message that names an example.
   */
  public Dataset<Row> unconvertible(Dataset<Row> rows, String idColumn) {
    return rows
        .filter(not(upper(col("currency")).isin(rates.keySet().toArray())))
        .groupBy(upper(col("currency")).as("currency"))
        .agg(count(lit(1)).as("rows"), min(col(idColumn)).as("example"))
        .orderBy("currency");
  }
}
