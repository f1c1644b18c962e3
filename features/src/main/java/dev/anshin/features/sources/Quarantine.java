package dev.anshin.features.sources;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The quarantine table: every rejected source row with its reason and raw text. */
public final class Quarantine {
  public static final String TABLE = "quarantine";

  public static final String RUN_DATE = "run_date";
  public static final String SOURCE = "source";
  public static final String REASON_CODE = "reason_code";
  public static final String REASON = "reason";
  public static final String RAW_RECORD = "raw_record";
  public static final String SOURCE_FILE = "source_file";

  public static final StructType SCHEMA =
      new StructType()
          .add(RUN_DATE, DataTypes.DateType, false)
          .add(SOURCE, DataTypes.StringType, false)
          .add(REASON_CODE, DataTypes.StringType, false)
          .add(REASON, DataTypes.StringType, false)
          .add(RAW_RECORD, DataTypes.StringType, true)
          .add(SOURCE_FILE, DataTypes.StringType, true);

  /** Reason codes; the synthetic generator's dirty manifest uses the same names. */
  public enum ReasonCode {
    MALFORMED_RECORD,
    MISSING_REQUIRED_FIELD,
    INVALID_VALUE,
    TIMESTAMP_OUT_OF_RANGE,
    /** An event delivered more days after it happened than the configured lateness allows. */
    TOO_LATE,
    NEGATIVE_AMOUNT,
    /** A time before the one it follows: a ticket answered or solved before it was created, a subscription or period ending before it starts. */
    NEGATIVE_DURATION,
    DUPLICATE_ID,
    /** The account never arrived in the CRM export within the lateness after the record. */
    UNKNOWN_ACCOUNT;

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private Quarantine() {}
}
