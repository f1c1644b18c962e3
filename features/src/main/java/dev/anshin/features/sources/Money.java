package dev.anshin.features.sources;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/** Money columns are exact decimals, so that revenue sums reconcile to the cent. */
public final class Money {
  /** Up to 16 digits before the point and 2 after. */
  public static final DecimalType TYPE = DataTypes.createDecimalType(18, 2);

  private Money() {}
}
