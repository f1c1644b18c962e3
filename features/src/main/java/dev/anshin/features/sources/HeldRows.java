package dev.anshin.features.sources;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import dev.anshin.features.sources.Quarantine.ReasonCode;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows whose account the CRM export had not delivered yet: a usage event or a subscription often
 * arrives a day before its account does. Such a row is held (the {@code held_rows} table) instead of
 * rejected. It enters its typed table on the day its account is first delivered, as if delivered
 * that day, if that happens within the lateness; otherwise it goes to the quarantine as {@code
 * unknown_account} on the last day it could have waited.
 *
 * <p>Every decision is a function of the held row's own day, the accounts' first delivery days and
 * the lateness, never of the run's dates, so a backfill and one run per day decide alike.
 */
public final class HeldRows {
  public static final String TABLE = "held_rows";

  /** The day the row was delivered and held. */
  public static final String HELD_ON = "held_on";
  public static final String SOURCE = "source";
  public static final String ACCOUNT_ID = "account_id";
  /** The typed row as JSON, to restore it when its account arrives. */
  public static final String RECORD = "record";
  public static final String RAW_RECORD = "raw_record";
  public static final String SOURCE_FILE = "source_file";

  public static final StructType SCHEMA =
      new StructType()
          .add(HELD_ON, DataTypes.DateType, false)
          .add(SOURCE, DataTypes.StringType, false)
          .add(ACCOUNT_ID, DataTypes.StringType, true)
          .add(RECORD, DataTypes.StringType, true)
          .add(RAW_RECORD, DataTypes.StringType, true)
          .add(SOURCE_FILE, DataTypes.StringType, true);

  private static final String FIRST_KNOWN = "_first_known_on";

  private HeldRows() {}

  /** The held records of a classification, in the {@code held_rows} schema. */
  public static Dataset<Row> hold(SourceValidation.Classified classified) {
    List<Column> typed = SourceValidation.typedColumns(classified.source());
    // The delivery day is kept as held_on; the record holds the source's own columns.
    typed.remove(typed.size() - 1);
    return classified
        .records()
        .filter(col(Quarantine.REASON_CODE).equalTo(ReasonCode.UNKNOWN_ACCOUNT.code()))
        .select(
            col(RawRecord.DELIVERY_DATE).as(HELD_ON),
            lit(classified.source().tableName()).as(SOURCE),
            col(ACCOUNT_ID),
            to_json(struct(typed.toArray(Column[]::new)), Map.of("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"))
                .as(RECORD),
            col(RawRecord.TEXT).as(RAW_RECORD),
            col(RawRecord.SOURCE_FILE).as(SOURCE_FILE));
  }

  /**
   * The held rows of {@code source} whose account is first delivered on a day in [from, to] within
   * {@code latenessDays} after they were held, restored to the source's typed columns with {@code
   * delivered_on} set to that day.
   *
   * @param held held rows (any sources), at least those held in [from - lateness, to]
   * @param knownAccounts account_id and {@link SourceValidation#FIRST_KNOWN_ON}
   */
  public static Dataset<Row> released(
      Dataset<Row> held, SourceTable source, Dataset<Row> knownAccounts, int latenessDays,
      LocalDate from, LocalDate to) {
    Column firstKnown = col(FIRST_KNOWN);
    Dataset<Row> ofSource = withFirstKnown(held.filter(col(SOURCE).equalTo(source.tableName())), knownAccounts);
    Dataset<Row> entering =
        ofSource.filter(
            firstKnown.gt(col(HELD_ON))
                .and(firstKnown.leq(date_add(col(HELD_ON), latenessDays)))
                .and(firstKnown.between(lit(Date.valueOf(from)), lit(Date.valueOf(to)))));
    StructType recordSchema = source.schema();
    if (source.eventDateColumn().isPresent()) {
      recordSchema = recordSchema.add(source.eventDateColumn().get(), DataTypes.DateType);
    }
    List<Column> columns = new ArrayList<>();
    for (String name : recordSchema.fieldNames()) {
      columns.add(col("_restored." + name).as(name));
    }
    columns.add(firstKnown.as(SourceTable.DELIVERED_ON));
    columns.add(col(HELD_ON));
    return entering
        .withColumn(
            "_restored",
            from_json(col(RECORD), recordSchema, Map.of("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")))
        .select(columns.toArray(Column[]::new));
  }

  /**
   * The held rows whose wait ends on a day in [from, to] without their account having been
   * delivered: quarantine rows with that day as their run date.
   */
  public static Dataset<Row> expired(
      Dataset<Row> held, Dataset<Row> knownAccounts, int latenessDays, LocalDate from, LocalDate to) {
    Column lastDay = date_add(col(HELD_ON), latenessDays);
    Column firstKnown = col(FIRST_KNOWN);
    return withFirstKnown(held, knownAccounts)
        .filter(lastDay.between(lit(Date.valueOf(from)), lit(Date.valueOf(to)))
            .and(firstKnown.isNull().or(firstKnown.gt(lastDay))))
        .select(
            lastDay.as(Quarantine.RUN_DATE),
            col(SOURCE).as(Quarantine.SOURCE),
            lit(ReasonCode.UNKNOWN_ACCOUNT.code()).as(Quarantine.REASON_CODE),
            concat(
                lit("account_id "), col(ACCOUNT_ID), lit(" was not in the CRM export within " + latenessDays
                    + " days of the record's delivery on "), col(HELD_ON).cast(DataTypes.StringType))
                .as(Quarantine.REASON),
            col(RAW_RECORD).as(Quarantine.RAW_RECORD),
            col(SOURCE_FILE).as(Quarantine.SOURCE_FILE));
  }

  private static Dataset<Row> withFirstKnown(Dataset<Row> held, Dataset<Row> knownAccounts) {
    Dataset<Row> known =
        knownAccounts.select(col(ACCOUNT_ID).as("_held_account"), col(SourceValidation.FIRST_KNOWN_ON).as(FIRST_KNOWN));
    return held.join(known, col(ACCOUNT_ID).equalTo(col("_held_account")), "left").drop("_held_account");
  }
}
