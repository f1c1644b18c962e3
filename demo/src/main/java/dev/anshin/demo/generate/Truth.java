package dev.anshin.demo.generate;

import java.util.List;
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

  /**
   * CSV: the help centre's article catalogue, one row per article with its planted deflection
   * probability and whether it is one of the failing articles; a category without any article (the
   * missing one) has a row with only its category.
   */
  public static final String HELP_CENTER_ARTICLES = "help_center_articles.csv";
  /** CSV: the planted effect of each customer-success activity type on the hidden engagement. */
  public static final String CS_ACTIVITY_EFFECTS = "cs_activity_effects.csv";

  /** The columns of {@code truth/help_center_articles.csv}. */
  public static final String ARTICLE_ID = "article_id";
  public static final String CATEGORY = "category";
  public static final String TITLE = "title";
  /** The chance that the article solves a problem of its category for a customer who reads it. */
  public static final String DEFLECTION_PROBABILITY = "deflection_probability";
  public static final String FAILING = "failing";
  public static final List<String> HELP_CENTER_ARTICLES_COLUMNS =
      List.of(ARTICLE_ID, CATEGORY, TITLE, DEFLECTION_PROBABILITY, FAILING);

  /** The columns of {@code truth/cs_activity_effects.csv}. */
  public static final String ACTIVITY_TYPE = "activity_type";
  /** What the activity adds to the engagement logit the next day. */
  public static final String LOGIT_LIFT = "logit_lift";
  public static final List<String> CS_ACTIVITY_EFFECTS_COLUMNS =
      List.of(ACTIVITY_TYPE, LOGIT_LIFT);

  public static final String AS_OF_DATE = "as_of_date";
  public static final String ACCOUNT_ID = "account_id";
  /** The generator's own churn probability from the hidden state: the oracle. */
  public static final String CHURN_PROBABILITY = "churn_probability";
  /**
   * The Monte Carlo oracle: the chance of churn within the horizon over many futures simulated by the
   * world's own day step from the account's true state at the end of the as-of date. Simulated on
   * every 7th observed day counted back from the last one (where {@code evaluate} measures), null on
   * the others.
   */
  public static final String ORACLE_PROBABILITY = "oracle_probability";
  /** Whether the account churned within the horizon after the as-of date. */
  public static final String CHURNED_WITHIN_HORIZON = "churned_within_horizon";
  public static final String CHURN_DATE = "churn_date";
  public static final String ENGAGEMENT = "engagement";
  public static final String PAIN = "pain";
  /**
   * The revenue the account earned over the horizon after the as-of date: each of its subscriptions
   * (add-ons included) earns MRR × 12 / 365 on each day of (as_of_date, as_of_date + horizon] on which
   * it is active, as {@code revenue_forecast} counts it; a churned account that comes back earns again.
   * In the world's dollars, which the demo's configuration reports in.
   */
  public static final String REALISED_REVENUE = "realised_revenue";

  /** The columns of {@code truth/churn}. */
  public static final StructType CHURN_SCHEMA =
      new StructType()
          .add(AS_OF_DATE, DataTypes.DateType, false)
          .add(ACCOUNT_ID, DataTypes.StringType, false)
          .add(CHURN_PROBABILITY, DataTypes.DoubleType, false)
          .add(ORACLE_PROBABILITY, DataTypes.DoubleType, true)
          .add(CHURNED_WITHIN_HORIZON, DataTypes.BooleanType, false)
          .add(CHURN_DATE, DataTypes.DateType, true)
          .add(ENGAGEMENT, DataTypes.DoubleType, false)
          .add(PAIN, DataTypes.DoubleType, false)
          .add(REALISED_REVENUE, DataTypes.DoubleType, false);

  private Truth() {}
}
