package dev.anshin.features.sources;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.sources.Quarantine.ReasonCode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * Validates raw source records (all columns as strings) against their {@link SourceTable} schema.
 *
 * <p>Each record gets at most one reason, the first that applies in this order: malformed record,
 * missing required field, invalid value (type or allowed values), timestamp out of range, negative
 * amount, duplicate id (the first occurrence in delivery order is kept), unknown account. Valid
 * records come out typed; rejected ones keep their raw text for the quarantine.
 */
public final class SourceValidation {

  /** The bounds a run applies: timestamps before minValidDate or after runDate + maxFutureDays are out of range. */
  public record Rules(LocalDate runDate, LocalDate minValidDate, int maxFutureDays) {}

  /** Every input record, typed where it could be, with {@code reason_code} and {@code reason} (null when valid). */
  public record Classified(SourceTable source, Dataset<Row> records) {

    /** The valid records with the source's typed columns (and partition column for daily sources). */
    public Dataset<Row> valid() {
      List<Column> columns = new ArrayList<>();
      for (String name : source.columnNames()) {
        columns.add(col(name));
      }
      source
          .partitionColumn()
          .ifPresent(p -> columns.add(to_date(col(source.eventTimeColumn().orElseThrow())).as(p)));
      return records.filter(col(Quarantine.REASON_CODE).isNull()).select(columns.toArray(Column[]::new));
    }

    /** The rejected records, in the quarantine table's schema. */
    public Dataset<Row> rejected() {
      return records
          .filter(col(Quarantine.REASON_CODE).isNotNull())
          .select(
              col(RawRecord.DELIVERY_DATE).as(Quarantine.RUN_DATE),
              lit(source.tableName()).as(Quarantine.SOURCE),
              col(Quarantine.REASON_CODE),
              col(Quarantine.REASON),
              col(RawRecord.TEXT).as(Quarantine.RAW_RECORD),
              col(RawRecord.SOURCE_FILE).as(Quarantine.SOURCE_FILE));
    }
  }

  private static final String ACCOUNT_ID = "account_id";
  private static final String KNOWN_ACCOUNT = "_known_account";
  private static final String OCCURRENCE = "_occurrence";

  private SourceValidation() {}

  /**
   * Classifies raw records. {@code raw} has the source's columns as strings plus the {@link
   * RawRecord} columns; {@code knownAccountIds} has one column {@code account_id} (ignored for the
   * accounts source itself).
   */
  public static Classified validate(
      SourceTable source, Dataset<Row> raw, Dataset<Row> knownAccountIds, Rules rules) {
    Dataset<Row> typed = raw;
    for (SourceTable.Column column : source.columns()) {
      Column text = nullif(trim(col(column.name())), lit(""));
      typed =
          typed
              .withColumn(rawName(column), text)
              .withColumn(column.name(), text.try_cast(column.type()));
    }

    // Reasons that a record shows on its own, in priority order.
    Column reasonCode = lit(null).cast(DataTypes.StringType);
    Column reason = lit(null).cast(DataTypes.StringType);
    List<Check> checks = new ArrayList<>();
    checks.add(
        new Check(
            col(RawRecord.MALFORMED),
            ReasonCode.MALFORMED_RECORD,
            lit("the record could not be parsed")));
    for (SourceTable.Column column : source.columns()) {
      if (column.required()) {
        checks.add(
            new Check(
                col(rawName(column)).isNull(),
                ReasonCode.MISSING_REQUIRED_FIELD,
                lit("required field " + column.name() + " is missing or empty")));
      }
    }
    for (SourceTable.Column column : source.columns()) {
      checks.add(
          new Check(
              col(rawName(column)).isNotNull().and(col(column.name()).isNull()),
              ReasonCode.INVALID_VALUE,
              concat(
                  lit(column.name() + " is not a valid " + column.type().simpleString() + ": '"),
                  col(rawName(column)),
                  lit("'"))));
      if (!column.allowedValues().isEmpty()) {
        checks.add(
            new Check(
                col(column.name()).isNotNull().and(not(col(column.name()).isin(column.allowedValues().toArray()))),
                ReasonCode.INVALID_VALUE,
                concat(
                    lit(column.name() + " is '"),
                    col(column.name()),
                    lit("'; expected one of " + String.join(", ", column.allowedValues())))));
      }
    }
    String eventTime = source.eventTimeColumn().orElse(null);
    for (SourceTable.Column column : source.columns()) {
      boolean temporal =
          column.type().equals(DataTypes.TimestampType) || column.type().equals(DataTypes.DateType);
      if (!temporal) {
        continue;
      }
      Column value = col(column.name());
      if (column.name().equals(eventTime)) {
        checks.add(
            new Check(
                value.isNotNull().and(to_date(value).notEqual(col(RawRecord.DELIVERY_DATE))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                concat(
                    lit(column.name() + " "),
                    value.cast(DataTypes.StringType),
                    lit(" is not on the day the record was delivered for, "),
                    col(RawRecord.DELIVERY_DATE).cast(DataTypes.StringType))));
      } else {
        LocalDate latest = rules.runDate().plusDays(rules.maxFutureDays());
        checks.add(
            new Check(
                value.isNotNull()
                    .and(
                        to_date(value)
                            .lt(lit(java.sql.Date.valueOf(rules.minValidDate())))
                            .or(to_date(value).gt(lit(java.sql.Date.valueOf(latest))))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                concat(
                    lit(column.name() + " "),
                    value.cast(DataTypes.StringType),
                    lit(" is outside " + rules.minValidDate() + " .. " + latest))));
      }
    }
    for (SourceTable.Column column : source.columns()) {
      if (column.nonNegative()) {
        checks.add(
            new Check(
                col(column.name()).lt(0),
                ReasonCode.NEGATIVE_AMOUNT,
                concat(lit(column.name() + " is negative: "), col(column.name()).cast(DataTypes.StringType))));
      }
    }
    // Fold from the lowest priority up so that the first check wins.
    for (int i = checks.size() - 1; i >= 0; i--) {
      Check check = checks.get(i);
      reasonCode = when(check.condition(), lit(check.code().code())).otherwise(reasonCode);
      reason = when(check.condition(), check.message()).otherwise(reason);
    }
    Dataset<Row> flagged =
        typed.withColumn(Quarantine.REASON_CODE, reasonCode).withColumn(Quarantine.REASON, reason);

    // Duplicates: among records that are otherwise fine, the first in delivery order wins.
    String id = source.idColumn();
    flagged =
        flagged.withColumn(
            OCCURRENCE,
            row_number()
                .over(
                    Window.partitionBy(col(id), col(Quarantine.REASON_CODE).isNull())
                        .orderBy(col(RawRecord.SOURCE_FILE), col(RawRecord.POSITION))));
    flagged =
        flagged
            .withColumn(
                Quarantine.REASON,
                when(
                        col(Quarantine.REASON_CODE).isNull().and(col(OCCURRENCE).gt(1)),
                        concat(lit(id + " "), col(id), lit(" appears more than once; the first is kept")))
                    .otherwise(col(Quarantine.REASON)))
            .withColumn(
                Quarantine.REASON_CODE,
                when(
                        col(Quarantine.REASON_CODE).isNull().and(col(OCCURRENCE).gt(1)),
                        lit(ReasonCode.DUPLICATE_ID.code()))
                    .otherwise(col(Quarantine.REASON_CODE)));

    if (source.referencesAccounts()) {
      Dataset<Row> known =
          knownAccountIds.select(col(ACCOUNT_ID).as(KNOWN_ACCOUNT)).distinct();
      flagged = flagged.join(broadcast(known), col(ACCOUNT_ID).equalTo(col(KNOWN_ACCOUNT)), "left");
      Column unknown = col(Quarantine.REASON_CODE).isNull().and(col(KNOWN_ACCOUNT).isNull());
      flagged =
          flagged
              .withColumn(
                  Quarantine.REASON,
                  when(unknown, concat(lit("account_id "), col(ACCOUNT_ID), lit(" is not a known account")))
                      .otherwise(col(Quarantine.REASON)))
              .withColumn(
                  Quarantine.REASON_CODE,
                  when(unknown, lit(ReasonCode.UNKNOWN_ACCOUNT.code())).otherwise(col(Quarantine.REASON_CODE)))
              .drop(KNOWN_ACCOUNT);
    }
    return new Classified(source, flagged.drop(OCCURRENCE));
  }

  private static Column not(Column condition) {
    return org.apache.spark.sql.functions.not(condition);
  }

  private static String rawName(SourceTable.Column column) {
    return "_text_" + column.name();
  }

  private record Check(Column condition, ReasonCode code, Column message) {}
}
