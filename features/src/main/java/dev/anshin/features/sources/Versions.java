package dev.anshin.features.sources;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * Knowledge time for the versioned sources (accounts, subscriptions, invoices, tickets).
 *
 * <p>Ingest keeps every delivered state of a record as a version with the day it was delivered
 * ({@link SourceTable#DELIVERED_ON}). The version known at the end of day D is the latest one
 * delivered on or before D, so each version is <em>valid</em> for the as-of dates from its own
 * delivery day up to the day before the next version's. A computation for as-of date D that
 * explodes a record over a range of days intersects that range with the version's validity; over
 * all versions, every as-of date then sees exactly the state that had been delivered by its end,
 * and a backfill over many dates gives the rows that one run per date gives.
 *
 * <p>Tables without {@code delivered_on} (inline test data, a one-off file) are one version valid
 * on every date.
 */
public final class Versions {
  /** First as-of date on which a version is the one known (its delivery day); null: always. */
  public static final String KNOWN_FROM = "_known_from";
  /** The delivery day of the next version, exclusive; null while this version is the latest. */
  public static final String KNOWN_UNTIL = "_known_until";

  private Versions() {}

  /**
   * Adds {@link #KNOWN_FROM} and {@link #KNOWN_UNTIL} to the versions delivered by the end of
   * {@code knownThrough}; later deliveries are dropped, so they can never leak into a result.
   */
  public static Dataset<Row> withValidity(Dataset<Row> versions, String idColumn, LocalDate knownThrough) {
    if (!delivered(versions)) {
      return versions
          .withColumn(KNOWN_FROM, lit(null).cast(DataTypes.DateType))
          .withColumn(KNOWN_UNTIL, lit(null).cast(DataTypes.DateType));
    }
    Column deliveredOn = col(SourceTable.DELIVERED_ON);
    return versions
        .filter(deliveredOn.leq(lit(Date.valueOf(knownThrough))))
        .withColumn(KNOWN_FROM, deliveredOn)
        .withColumn(KNOWN_UNTIL, lead(deliveredOn, 1).over(Window.partitionBy(col(idColumn)).orderBy(deliveredOn)));
  }

  /**
   * The latest version of each record delivered by the end of {@code knownThrough}: the state the
   * sources showed then. Validity columns are not added.
   */
  public static Dataset<Row> latest(Dataset<Row> versions, String idColumn, LocalDate knownThrough) {
    if (!delivered(versions)) {
      return versions;
    }
    Column deliveredOn = col(SourceTable.DELIVERED_ON);
    return versions
        .filter(deliveredOn.leq(lit(Date.valueOf(knownThrough))))
        .withColumn("_version_rank", row_number().over(Window.partitionBy(col(idColumn)).orderBy(deliveredOn.desc())))
        .filter(col("_version_rank").equalTo(1))
        .drop("_version_rank");
  }

  /** The first day of a range of as-of dates, moved up to the version's first valid date. */
  public static Column validFrom(Column start) {
    // greatest skips nulls: an always-valid version leaves the start as it is.
    return greatest(start, col(KNOWN_FROM));
  }

  /** The last day of a range of as-of dates, moved back to the version's last valid date. */
  public static Column validThrough(Column end) {
    return least(end, date_sub(col(KNOWN_UNTIL), 1));
  }

  /** Whether the version is the one known at the end of {@code asOfDate}. */
  public static Column validOn(Column asOfDate) {
    Column from = col(KNOWN_FROM).isNull().or(col(KNOWN_FROM).leq(asOfDate));
    return from.and(col(KNOWN_UNTIL).isNull().or(asOfDate.lt(col(KNOWN_UNTIL))));
  }

  /** Whether the rows carry the day they were delivered. */
  public static boolean delivered(Dataset<Row> rows) {
    return Arrays.asList(rows.columns()).contains(SourceTable.DELIVERED_ON);
  }
}
