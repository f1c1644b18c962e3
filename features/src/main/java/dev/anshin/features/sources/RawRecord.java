package dev.anshin.features.sources;

/**
 * Columns that travel with every raw record from the reader to validation, next to the source's own
 * columns (all strings at that point). The reader in `jobs` adds them; validation consumes them.
 */
public final class RawRecord {
  /** The record as it arrived (the JSON line, or the CSV row), kept verbatim for the quarantine. */
  public static final String TEXT = "_raw_record";
  /** True when the record could not be parsed at all (invalid JSON, wrong number of CSV fields). */
  public static final String MALFORMED = "_malformed";
  /** The file (or JDBC table) the record came from. */
  public static final String SOURCE_FILE = "_source_file";
  /** The day the record was delivered for: the file's day for daily sources, else the run date. */
  public static final String DELIVERY_DATE = "_delivery_date";
  /** The record's position in its delivery, so that "the first of two duplicates" is well defined. */
  public static final String POSITION = "_position";

  private RawRecord() {}
}
