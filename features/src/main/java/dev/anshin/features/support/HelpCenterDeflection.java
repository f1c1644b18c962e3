package dev.anshin.features.support;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.dense_rank;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.sources.Versions;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Knowledge-base deflection: how often reading a help-centre article ends the customer's problem
 * without a ticket, per article, and the ticket topics whose articles are missing or failing.
 *
 * <p>A viewing is one user reading one article on one day (repeated views that day are one). It
 * is deflected when the account files no ticket of the article's category within {@code
 * deflectionDays} days after the first view of that day. Zendesk counts help-centre sessions
 * without a ticket from the same requester; the tickets export here names the account, not the
 * requester, and a ticket of another topic does not say the article failed, so Anshin matches the
 * account and the category. Only viewings whose whole deflection window has passed by the as-of
 * date are judged: those of the {@code windowDays} days ending {@code deflectionDays} before it.
 * Everything is as delivered by the end of the as-of date; a ticket's category is its latest known.
 *
 * <p>One row per article viewed in the window, and one row per ticket category that had tickets in
 * the window but no article viewed ({@code status = missing}, {@code article_id = "(none)"}). An article with fewer than {@code
 * minViewings} viewings is {@code too_few_views}; one whose deflection rate is below {@code
 * failingBelow} is {@code failing}; the rest are {@code deflecting}.
 */
public final class HelpCenterDeflection {

  public static final String TABLE = "help_center_deflection";

  /** Values of {@code status}. */
  public static final String DEFLECTING = "deflecting";
  public static final String FAILING = "failing";
  public static final String TOO_FEW_VIEWS = "too_few_views";
  public static final String MISSING = "missing";

  /** The {@code article_id} of a topic's row when no article of it was viewed (a key column is never null). */
  public static final String NO_ARTICLE = "(none)";

  /** How the deflection is judged. */
  public record Settings(int deflectionDays, int windowDays, int minViewings, double failingBelow) {
    public static final Settings DEFAULT = new Settings(7, 90, 20, 0.4);

    public Settings {
      positive("deflection-days", deflectionDays);
      positive("window-days", windowDays);
      positive("min-viewings", minViewings);
      if (!(failingBelow >= 0 && failingBelow <= 1)) {
        throw new IllegalArgumentException("failing-below is " + failingBelow + "; it must be a share within [0, 1]");
      }
    }

    private static void positive(String key, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(key + " is " + value + "; it must be a positive number");
      }
    }
  }

  /** The columns of {@code help_center_deflection}. */
  public static final class Columns {
    public static final String AS_OF_DATE = "as_of_date";
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";
    public static final String CATEGORY = "category";
    public static final String ARTICLE_ID = "article_id";
    public static final String ARTICLE_TITLE = "article_title";
    public static final String VIEWINGS = "viewings";
    public static final String VIEWERS = "viewers";
    public static final String ACCOUNTS = "accounts";
    public static final String DEFLECTED = "deflected";
    public static final String DEFLECTION_RATE = "deflection_rate";
    public static final String DEFLECTION_RANK = "deflection_rank";
    public static final String CATEGORY_TICKETS = "category_tickets";
    public static final String STATUS = "status";

    public static final List<String> ALL =
        List.of(AS_OF_DATE, WINDOW_START, WINDOW_END, CATEGORY, ARTICLE_ID, ARTICLE_TITLE, VIEWINGS, VIEWERS,
            ACCOUNTS, DEFLECTED, DEFLECTION_RATE, DEFLECTION_RANK, CATEGORY_TICKETS, STATUS);

    private Columns() {}
  }

  private HelpCenterDeflection() {}

  /** The first day of the judged window for {@code asOf}: its views are the oldest a run reads. */
  public static LocalDate windowStart(LocalDate asOf, Settings settings) {
    return windowEnd(asOf, settings).minusDays(settings.windowDays() - 1L);
  }

  /** The last day whose viewings have had their whole deflection window by the end of {@code asOf}. */
  public static LocalDate windowEnd(LocalDate asOf, Settings settings) {
    return asOf.minusDays(settings.deflectionDays());
  }

  /**
   * @param views the typed {@code help_center_views} rows (any delivery days; those after {@code asOf} are ignored)
   * @param tickets the typed {@code tickets} versions (likewise)
   */
  public static Dataset<Row> deflection(Dataset<Row> views, Dataset<Row> tickets, LocalDate asOf, Settings settings) {
    Date start = Date.valueOf(windowStart(asOf, settings));
    Date end = Date.valueOf(windowEnd(asOf, settings));
    Column known = col(SourceTable.DELIVERED_ON).leq(lit(Date.valueOf(asOf)));
    Dataset<Row> viewings =
        views.filter(known.and(col("view_date").between(lit(start), lit(end))))
            .groupBy(col("account_id"), col("user_id"), col("article_id"), col("view_date"))
            .agg(min(col("view_time")).as("view_time"), max(col("category")).as("category"),
                max_by(col("article_title"), col("view_time")).as("article_title"));
    // Tickets of the window and the deflection window after it, with their latest known category.
    Dataset<Row> latestTickets =
        // A ticket is delivered on or after the day it was created: older deliveries cannot hold the window's.
        Versions.latest(tickets.filter(col(SourceTable.DELIVERED_ON).geq(lit(start))), "ticket_id", asOf)
            .filter(to_date(col("created_at")).between(lit(start), date_add(lit(end), settings.deflectionDays())))
            .select(col("ticket_id"), col("account_id").as("t_account"), col("category").as("t_category"),
                col("created_at"));
    Column followedBy =
        col("account_id").equalTo(col("t_account"))
            .and(col("category").equalTo(col("t_category")))
            .and(col("created_at").gt(col("view_time")))
            .and(col("created_at").leq(col("view_time").plus(expr("make_interval(0, 0, 0, " + settings.deflectionDays() + ")"))));
    Dataset<Row> judged =
        viewings.join(latestTickets, followedBy, "left")
            .groupBy(col("account_id"), col("user_id"), col("article_id"), col("view_date"))
            .agg(max(col("category")).as("category"), max(col("article_title")).as("article_title"),
                max(col("view_time")).as("view_time"), count(col("ticket_id")).as("_tickets_after"));
    Dataset<Row> categoryTickets =
        latestTickets.filter(to_date(col("created_at")).between(lit(start), lit(end)))
            .groupBy(col("t_category").as(Columns.CATEGORY))
            .agg(count(lit(1)).as(Columns.CATEGORY_TICKETS));

    Dataset<Row> articles =
        judged.groupBy(col("category").as(Columns.CATEGORY), col("article_id").as(Columns.ARTICLE_ID))
            .agg(
                max_by(col("article_title"), col("view_time")).as(Columns.ARTICLE_TITLE),
                count(lit(1)).as(Columns.VIEWINGS),
                countDistinct(col("account_id"), col("user_id")).as(Columns.VIEWERS),
                countDistinct(col("account_id")).as(Columns.ACCOUNTS),
                sum(when(col("_tickets_after").equalTo(0), 1).otherwise(0)).cast("long").as(Columns.DEFLECTED))
            .withColumn(Columns.DEFLECTION_RATE, col(Columns.DEFLECTED).divide(col(Columns.VIEWINGS)));
    Column enough = col(Columns.VIEWINGS).geq(settings.minViewings());
    // Ranked among the articles with enough viewings: 1 deflects best.
    Column rank =
        when(enough, dense_rank().over(Window.partitionBy(enough).orderBy(col(Columns.DEFLECTION_RATE).desc())));
    articles =
        articles.withColumn(Columns.DEFLECTION_RANK, rank)
            .withColumn(Columns.STATUS,
                when(org.apache.spark.sql.functions.not(enough), lit(TOO_FEW_VIEWS))
                    .when(col(Columns.DEFLECTION_RATE).lt(settings.failingBelow()), lit(FAILING))
                    .otherwise(lit(DEFLECTING)))
            .join(categoryTickets, CustomerFeatures.scalaSeq(Columns.CATEGORY), "left");
    Dataset<Row> missing =
        categoryTickets.join(articles.select(Columns.CATEGORY).distinct(), CustomerFeatures.scalaSeq(Columns.CATEGORY), "left_anti")
            .select(
                col(Columns.CATEGORY), lit(NO_ARTICLE).as(Columns.ARTICLE_ID),
                lit(null).cast("string").as(Columns.ARTICLE_TITLE), lit(0L).as(Columns.VIEWINGS),
                lit(0L).as(Columns.VIEWERS), lit(0L).as(Columns.ACCOUNTS), lit(0L).as(Columns.DEFLECTED),
                lit(null).cast("double").as(Columns.DEFLECTION_RATE), lit(null).cast("int").as(Columns.DEFLECTION_RANK),
                lit(MISSING).as(Columns.STATUS), col(Columns.CATEGORY_TICKETS));
    return articles.unionByName(missing)
        .withColumn(Columns.CATEGORY_TICKETS, coalesce(col(Columns.CATEGORY_TICKETS), lit(0L)))
        .withColumn(Columns.AS_OF_DATE, lit(Date.valueOf(asOf)))
        .withColumn(Columns.WINDOW_START, lit(start))
        .withColumn(Columns.WINDOW_END, lit(end))
        .select(Columns.ALL.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }
}
