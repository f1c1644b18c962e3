package dev.anshin.features.labels;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Churn labels. An account churns on the first day it has no active subscription after a period of
 * coverage (its last active subscription ended the day before); cancelling one of several
 * subscriptions, or replacing one by another the same day, is not churn.
 *
 * <p>An example (account, as-of date D) is labelled 1 when the account churns on a day t with
 * D &lt; t &lt;= D + horizon. Examples whose horizon reaches past the last observed day are excluded:
 * their outcome is not known yet.
 */
public final class ChurnLabels {
  public static final String CHURN_DATE = "churn_date";
  public static final String LABEL = "label";
  public static final String NEXT_CHURN_DATE = "next_churn_date";

  private static final Date OPEN_ENDED = Date.valueOf(LocalDate.of(9999, 12, 31));

  private ChurnLabels() {}

  /**
   * One row per account and churn: {@code account_id}, {@code churn_date} (the first uncovered
   * day). Coverage that has not ended (or ends after the last observed day) yields no row.
   */
  public static Dataset<Row> churnDates(Dataset<Row> subscriptions, LocalDate observedThrough) {
    WindowSpec byStart =
        Window.partitionBy("account_id").orderBy(col("started_at"), col("subscription_id"));
    // Gaps and islands: a subscription opens a new island of coverage when it starts after every
    // earlier subscription of the account has ended (ended_at is exclusive, so a replacement that
    // starts on the day the old one ends continues the island).
    Column coveredUntil = max(col("_end")).over(byStart.rowsBetween(Window.unboundedPreceding(), -1));
    Column opensIsland =
        when(coveredUntil.isNull().or(col("started_at").gt(coveredUntil)), 1).otherwise(0);
    return subscriptions
        .select(
            col("account_id"),
            col("subscription_id"),
            col("started_at"),
            coalesce(col("ended_at"), lit(OPEN_ENDED)).as("_end"))
        .withColumn("_opens", opensIsland)
        .withColumn(
            "_island",
            sum(col("_opens")).over(byStart.rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .groupBy(col("account_id"), col("_island"))
        .agg(max(col("_end")).as(CHURN_DATE))
        .filter(col(CHURN_DATE).leq(lit(Date.valueOf(observedThrough))))
        .select(col("account_id"), col(CHURN_DATE));
  }

  /**
   * Labels examples (at least {@code account_id} and {@code as_of_date}): adds {@code label} (1.0
   * or 0.0) and {@code next_churn_date}, and drops examples whose horizon is not fully observed.
   */
  public static Dataset<Row> label(
      Dataset<Row> examples, Dataset<Row> churnDates, int horizonDays, LocalDate observedThrough) {
    Dataset<Row> observable =
        examples.filter(date_add(col("as_of_date"), horizonDays).leq(lit(Date.valueOf(observedThrough))));
    Dataset<Row> churns = churnDates.withColumnRenamed("account_id", "_churn_account");
    Dataset<Row> next =
        observable
            .select(col("account_id"), col("as_of_date"))
            .join(
                churns,
                col("account_id").equalTo(col("_churn_account")).and(col(CHURN_DATE).gt(col("as_of_date"))),
                "inner")
            .groupBy(col("account_id"), col("as_of_date"))
            .agg(min(col(CHURN_DATE)).as(NEXT_CHURN_DATE));
    Column churnsInHorizon =
        col(NEXT_CHURN_DATE).isNotNull().and(col(NEXT_CHURN_DATE).leq(date_add(col("as_of_date"), horizonDays)));
    return observable
        .join(next, scala.jdk.javaapi.CollectionConverters.asScala(List.of("account_id", "as_of_date")).toList(), "left")
        .withColumn(LABEL, when(churnsInHorizon, 1.0).otherwise(0.0));
  }
}
