package dev.anshin.demo.generate;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The truth folder the generator writes next to the sources and the pipeline never reads: its
 * layout and column names, defined once for the generator that writes it and the evaluation and
 * tests that read it.
 */
public final class Truth {
  /** The folder under the sources. */
  public static final String FOLDER = "truth";
  /** Parquet: one row per active account and observed day. */
  public static final String CHURN = "churn";
  /** Good rows written per source. */
  public static final String SOURCE_COUNTS = "source_counts.json";
  /** With --dirty: bad rows by source and kind. */
  public static final String DIRTY_MANIFEST = "dirty_manifest.json";

  public static final String AS_OF_DATE = "as_of_date";
  public static final String ACCOUNT_ID = "account_id";
  /** The generator's own churn probability from the hidden state: the oracle. */
  public static final String CHURN_PROBABILITY = "churn_probability";
  /** Whether the account churned within the horizon after the as-of date. */
  public static final String CHURNED_WITHIN_HORIZON = "churned_within_horizon";
  public static final String CHURN_DATE = "churn_date";
  public static final String ENGAGEMENT = "engagement";
  public static final String PAIN = "pain";

  /** The columns of {@code truth/churn}. */
  public static final StructType CHURN_SCHEMA =
      new StructType()
          .add(AS_OF_DATE, DataTypes.DateType, false)
          .add(ACCOUNT_ID, DataTypes.StringType, false)
          .add(CHURN_PROBABILITY, DataTypes.DoubleType, false)
          .add(CHURNED_WITHIN_HORIZON, DataTypes.BooleanType, false)
          .add(CHURN_DATE, DataTypes.DateType, true)
          .add(ENGAGEMENT, DataTypes.DoubleType, false)
          .add(PAIN, DataTypes.DoubleType, false);

  private Truth() {}
}
