package dev.anshin.features.sources;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
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
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

/**
 * Validates raw source records (all columns as strings) against their {@link SourceTable} schema.
 *
 * <p>Each record gets at most one reason, the first that applies in this order: malformed record,
 * missing required field, invalid value (type or allowed values), timestamp out of range, too late,
 * negative amount, negative duration, duplicate id (the first occurrence in a day's delivery is kept), unknown account.
 * Every rule looks only at the record and the day it was delivered, never at the run's dates, so a
 * backfill over many days and one run per day judge each record alike. Valid records come out
 * typed; rejected ones keep their raw text for the quarantine. A record whose account the CRM had
 * not delivered by its own delivery day is {@linkplain Classified#held() held}, not rejected: the
 * account may still arrive.
 */
public final class SourceValidation {

  /** Pairs of times of one record where the second may not come before the first. */
  private static final Map<SourceTable, List<String[]>> ORDERED_TIMES =
      Map.of(
          SourceTable.TICKETS, List.<String[]>of(new String[] {"created_at", "first_reply_at"}, new String[] {"created_at", "solved_at"}),
          SourceTable.SUBSCRIPTIONS, List.<String[]>of(new String[] {"started_at", "ended_at"}),
          SourceTable.INVOICES, List.<String[]>of(new String[] {"period_start", "period_end"}));

  /**
   * The bounds a run applies, relative to each record's delivery day: timestamps before
   * minValidDate, or more than maxFutureDays after the delivery day, are out of range; an event
   * whose day lies after its delivery day is out of range, and one more than latenessDays before it
   * is too late.
   */
  public record Rules(LocalDate minValidDate, int maxFutureDays, int latenessDays) {
    public Rules {
      if (latenessDays < 0 || maxFutureDays < 0) {
        throw new IllegalArgumentException("lateness and future days must be zero or more");
      }
    }
  }

  /** Every input record, typed where it could be, with {@code reason_code} and {@code reason} (null when valid). */
  public record Classified(SourceTable source, Dataset<Row> records) {

    /**
     * The valid records with the source's typed columns, the event day for event sources, and
     * {@link SourceTable#DELIVERED_ON}.
     */
    public Dataset<Row> valid() {
      return typed(records.filter(col(Quarantine.REASON_CODE).isNull()));
    }

    /** Records that are valid but for an account not known yet, in the same columns as {@link #valid()}. */
    public Dataset<Row> held() {
      return typed(records.filter(col(Quarantine.REASON_CODE).equalTo(ReasonCode.UNKNOWN_ACCOUNT.code())));
    }

    private Dataset<Row> typed(Dataset<Row> rows) {
      return rows.select(typedColumns(source).toArray(Column[]::new));
    }

    /** The rejected records, in the quarantine table's schema. */
    public Dataset<Row> rejected() {
      return records
          .filter(col(Quarantine.REASON_CODE).isNotNull()
              .and(col(Quarantine.REASON_CODE).notEqual(ReasonCode.UNKNOWN_ACCOUNT.code())))
          .select(
              col(RawRecord.DELIVERY_DATE).as(Quarantine.RUN_DATE),
              lit(source.tableName()).as(Quarantine.SOURCE),
              col(Quarantine.REASON_CODE),
              col(Quarantine.REASON),
              col(RawRecord.TEXT).as(Quarantine.RAW_RECORD),
              col(RawRecord.SOURCE_FILE).as(Quarantine.SOURCE_FILE));
    }
  }

  /** The columns of a typed source table: the source's own, its event day, its delivery day. */
  public static List<Column> typedColumns(SourceTable source) {
    List<Column> columns = new ArrayList<>();
    for (String name : source.columnNames()) {
      columns.add(col(name));
    }
    source
        .eventDateColumn()
        .ifPresent(p -> columns.add(to_date(col(source.eventTimeColumn().orElseThrow())).as(p)));
    columns.add(col(RawRecord.DELIVERY_DATE).as(SourceTable.DELIVERED_ON));
    return columns;
  }

  private static final String ACCOUNT_ID = "account_id";
  /** In the known accounts: the first day the CRM export delivered the account. */
  public static final String FIRST_KNOWN_ON = "first_known_on";
  private static final String KNOWN_ACCOUNT = "_known_account";
  private static final String OCCURRENCE = "_occurrence";

  private SourceValidation() {}

  /**
   * Classifies raw records. {@code raw} has the source's columns as strings plus the {@link
   * RawRecord} columns; {@code knownAccounts} has {@code account_id} and {@link #FIRST_KNOWN_ON}
   * (ignored for the accounts source itself).
   */
  public static Classified validate(
      SourceTable source, Dataset<Row> raw, Dataset<Row> knownAccounts, Rules rules) {
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
    Column delivered = col(RawRecord.DELIVERY_DATE);
    Column minValid = lit(java.sql.Date.valueOf(rules.minValidDate()));
    for (SourceTable.Column column : source.columns()) {
      boolean temporal =
          column.type().equals(DataTypes.TimestampType) || column.type().equals(DataTypes.DateType);
      if (!temporal) {
        continue;
      }
      Column value = col(column.name());
      Column text = value.cast(DataTypes.StringType);
      if (column.name().equals(eventTime)) {
        checks.add(
            new Check(
                value.isNotNull().and(to_date(value).lt(minValid).or(to_date(value).gt(delivered))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                concat(
                    lit(column.name() + " "), text, lit(" is before " + rules.minValidDate()
                        + " or after the day the record was delivered, "),
                    delivered.cast(DataTypes.StringType))));
      } else {
        Column latest = date_add(delivered, rules.maxFutureDays());
        checks.add(
            new Check(
                value.isNotNull().and(to_date(value).lt(minValid).or(to_date(value).gt(latest))),
                ReasonCode.TIMESTAMP_OUT_OF_RANGE,
                concat(
                    lit(column.name() + " "), text, lit(" is outside " + rules.minValidDate() + " .. "),
                    latest.cast(DataTypes.StringType),
                    lit(" (" + rules.maxFutureDays() + " days after the record was delivered)"))));
      }
    }
    if (source.kind() == SourceTable.Kind.EVENT) {
      Column value = col(eventTime);
      checks.add(
          new Check(
              value.isNotNull().and(to_date(value).lt(date_sub(delivered, rules.latenessDays()))),
              ReasonCode.TOO_LATE,
              concat(
                  lit(eventTime + " "), value.cast(DataTypes.StringType), lit(" was delivered on "),
                  delivered.cast(DataTypes.StringType),
                  lit(", more than the allowed lateness of " + rules.latenessDays() + " days after its day"))));
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
    // A duration that ends before it starts is bad data, not a fast reply (Zendesk's metrics are
    // never negative); equal times are a zero duration and stay.
    for (String[] pair : ORDERED_TIMES.getOrDefault(source, List.of())) {
      Column start = col(pair[0]);
      Column end = col(pair[1]);
      checks.add(
          new Check(
              start.isNotNull().and(end.isNotNull()).and(end.lt(start)),
              ReasonCode.NEGATIVE_DURATION,
              concat(
                  lit(pair[1] + " "), end.cast(DataTypes.StringType), lit(" is before " + pair[0] + " "),
                  start.cast(DataTypes.StringType))));
    }
    // Fold from the lowest priority up so that the first check wins.
    for (int i = checks.size() - 1; i >= 0; i--) {
      Check check = checks.get(i);
      reasonCode = when(check.condition(), lit(check.code().code())).otherwise(reasonCode);
      reason = when(check.condition(), check.message()).otherwise(reason);
    }
    Dataset<Row> flagged =
        typed.withColumn(Quarantine.REASON_CODE, reasonCode).withColumn(Quarantine.REASON, reason);

    // Duplicates: among records of one day's delivery that are otherwise fine, the first wins. A
    // versioned record is delivered again on every day it changes; that is a new version, not a
    // duplicate.
    String id = source.idColumn();
    flagged =
        flagged.withColumn(
            OCCURRENCE,
            row_number()
                .over(
                    Window.partitionBy(col(id), col(RawRecord.DELIVERY_DATE), col(Quarantine.REASON_CODE).isNull())
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
          knownAccounts.select(col(ACCOUNT_ID).as(KNOWN_ACCOUNT), col(FIRST_KNOWN_ON).as("_first_known_on"));
      flagged = flagged.join(broadcast(known), col(ACCOUNT_ID).equalTo(col(KNOWN_ACCOUNT)), "left");
      Column unknown =
          col(Quarantine.REASON_CODE).isNull()
              .and(col("_first_known_on").isNull().or(col("_first_known_on").gt(delivered)));
      flagged =
          flagged
              .withColumn(
                  Quarantine.REASON,
                  when(unknown, concat(lit("account_id "), col(ACCOUNT_ID),
                          lit(" was not in the CRM export by "), delivered.cast(DataTypes.StringType)))
                      .otherwise(col(Quarantine.REASON)))
              .withColumn(
                  Quarantine.REASON_CODE,
                  when(unknown, lit(ReasonCode.UNKNOWN_ACCOUNT.code())).otherwise(col(Quarantine.REASON_CODE)))
              .drop(KNOWN_ACCOUNT, "_first_known_on");
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
