package dev.anshin.features.slo;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.unix_seconds;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import dev.anshin.features.sources.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Customer SLOs and error budgets per account and as-of date, in the Google SRE workbook's terms.
 *
 * <p>An SLI is the share of valid events that are good. Availability: valid requests are those
 * whose status is not the caller's own error ({@link SloSettings.CallerErrors}, every 4xx by
 * default), good ones are valid with status below 400. Latency: the share of valid requests
 * answered within the target's threshold. The error budget is the bad share the target allows,
 * {@code 1 - target}; {@code error_budget_remaining = 1 - bad / ((1 - target) x valid)} over the SLO
 * window (1 is untouched, 0 spent, negative overspent). A burn rate is the error ratio over a window
 * divided by {@code 1 - target}: at 1 the budget lasts exactly the SLO window.
 *
 * <p>Every status comes from the customer's own requests: an account with too few of them is
 * {@code insufficient_data}, never judged by its neighbours (the pooled SLI of its plan is context).
 * Alerts follow the workbook's multi-window, multi-burn-rate table, evaluated at the end of every
 * hour of the as-of date from the hourly rollup.
 *
 * <p>Point in time: the row for as-of date D reads the rollup days D - n + 1 .. D (and hours up to
 * the end of D) delivered by the end of D, and nothing later. Backfills compute all as-of dates in
 * one Spark job by a range join of the (small) list of as-of dates against the rollups.
 */
public final class CustomerSlo {

  public static final String TABLE = "customer_slo_daily";

  /** The columns read from the rollups {@code account_daily} and {@code account_hourly} and from the accounts' plans. */
  public static final class Input {
    public static final String ACCOUNT_ID = "account_id";
    public static final String ACTIVITY_DATE = "activity_date";
    public static final String ACTIVITY_HOUR = "activity_hour";
    public static final String VALID_REQUESTS = "valid_requests";
    public static final String GOOD_REQUESTS = "good_requests";
    public static final String PLAN = "plan";
    public static final String SEGMENT = "segment";
    /** In the rollup: the day its events were delivered (optional); in the plans: the as-of date. */
    public static final String DELIVERED_ON = dev.anshin.features.sources.SourceTable.DELIVERED_ON;
    public static final String AS_OF_DATE = "as_of_date";

    /** The rollup column counting valid requests answered within {@code boundMs}. */
    public static String validWithin(int boundMs) {
      return "valid_le_" + boundMs + "ms";
    }

    private Input() {}
  }

  /** The columns of {@code customer_slo_daily}, documented in docs/tables.md. */
  public static final class Columns {
    public static final String ACCOUNT_ID = "account_id";
    public static final String AS_OF_DATE = "as_of_date";
    public static final String PLAN = "plan";
    public static final String SEGMENT = "segment";
    public static final String WINDOW_DAYS = "window_days";
    public static final String VALID_REQUESTS = "valid_requests";
    public static final String GOOD_REQUESTS = "good_requests";
    public static final String LOW_TRAFFIC = "low_traffic";
    public static final String SLI_SOURCE = "sli_source";
    public static final String SLI_WINDOW_DAYS = "sli_window_days";
    public static final String AVAILABILITY_SLI = "availability_sli";
    public static final String AVAILABILITY_TARGET = "availability_target";
    public static final String LATENCY_SLI = "latency_sli";
    public static final String LATENCY_TARGET = "latency_target";
    public static final String LATENCY_THRESHOLD_MS = "latency_threshold_ms";
    public static final String ERROR_BUDGET_REMAINING = "error_budget_remaining";
    public static final String LATENCY_BUDGET_REMAINING = "latency_budget_remaining";
    public static final String BURN_RATE_1D = "burn_rate_1d";
    public static final String BURN_RATE_7D = "burn_rate_7d";
    public static final String BURN_RATE_28D = "burn_rate_28d";
    public static final String BURN_RATE_1H = "burn_rate_1h";
    public static final String BURN_RATE_6H = "burn_rate_6h";
    public static final String BURN_RATE_3D = "burn_rate_3d";
    public static final String LATENCY_BURN_RATE_1H = "latency_burn_rate_1h";
    public static final String LATENCY_BURN_RATE_6H = "latency_burn_rate_6h";
    public static final String LATENCY_BURN_RATE_3D = "latency_burn_rate_3d";
    public static final String ALERT = "alert";
    public static final String PAGE_ALERT_HOURS = "page_alert_hours";
    public static final String TICKET_ALERT_HOURS = "ticket_alert_hours";
    public static final String PLAN_POOL_AVAILABILITY_SLI = "plan_pool_availability_sli";
    public static final String PLATFORM_AVAILABILITY_SLI = "platform_availability_sli";
    public static final String RELIABILITY_GAP = "reliability_gap";
    public static final String STATUS = "status";

    public static final List<String> ALL =
        List.of(
            ACCOUNT_ID, AS_OF_DATE, PLAN, SEGMENT, WINDOW_DAYS, VALID_REQUESTS, GOOD_REQUESTS,
            LOW_TRAFFIC, SLI_SOURCE, SLI_WINDOW_DAYS, AVAILABILITY_SLI, AVAILABILITY_TARGET,
            LATENCY_SLI, LATENCY_TARGET, LATENCY_THRESHOLD_MS, ERROR_BUDGET_REMAINING,
            LATENCY_BUDGET_REMAINING, BURN_RATE_1D, BURN_RATE_7D, BURN_RATE_28D,
            BURN_RATE_1H, BURN_RATE_6H, BURN_RATE_3D, LATENCY_BURN_RATE_1H, LATENCY_BURN_RATE_6H,
            LATENCY_BURN_RATE_3D, ALERT, PAGE_ALERT_HOURS, TICKET_ALERT_HOURS,
            PLAN_POOL_AVAILABILITY_SLI, PLATFORM_AVAILABILITY_SLI, RELIABILITY_GAP, STATUS);

    private Columns() {}
  }

  /** Values of {@code sli_source}: which data the SLIs of a row come from. */
  public static final String SOURCE_WINDOW = "window";
  public static final String SOURCE_FALLBACK_WINDOW = "fallback_window";
  public static final String SOURCE_NONE = "none";

  /** Values of {@code status}. */
  public static final String OK = "ok";
  public static final String AT_RISK = "at_risk";
  public static final String EXHAUSTED = "exhausted";
  public static final String INSUFFICIENT_DATA = "insufficient_data";

  private static final int[] BURN_WINDOWS = {1, 7, 28};
  /** The hourly burn-rate columns: the long windows of the workbook's alerts (1 hour, 6 hours, 3 days). */
  private static final int[] HOURLY_BURN_WINDOWS = {1, 6, 72};

  private CustomerSlo() {}

  /** The SLO rows of one as-of date. */
  public static Dataset<Row> daily(
      Dataset<Row> accountDaily, Dataset<Row> accountHourly, Dataset<Row> accountPlans, LocalDate asOfDate,
      SloSettings settings) {
    return daily(accountDaily, accountHourly, accountPlans, asOfDate, asOfDate, settings);
  }

  /**
   * The SLO rows of every as-of date from {@code firstAsOfDate} to {@code lastAsOfDate}
   * (inclusive), one row per account that has at least one rollup day in the longest window
   * (fallback window, SLO window or 28 days) before the as-of date.
   *
   * @param accountDaily the daily rollup: account_id, activity_date, valid_requests,
   *     good_requests and valid_le_{100,250,500,1000,2000}ms; other columns are ignored
   * @param accountHourly the hourly rollup ({@code AccountHourly}): account_id, activity_hour and the
   *     same counts; it needs the {@link SloSettings#MAX_ALERT_WINDOW_HOURS} hours before each date
   * @param accountPlans account_id, as_of_date, plan, segment: one row per account and as-of date,
   *     the plan and segment known then; accounts missing here get the default target and a null plan
   */
  public static Dataset<Row> daily(
      Dataset<Row> accountDaily,
      Dataset<Row> accountHourly,
      Dataset<Row> accountPlans,
      LocalDate firstAsOfDate,
      LocalDate lastAsOfDate,
      SloSettings settings) {
    if (lastAsOfDate.isBefore(firstAsOfDate)) {
      throw new IllegalArgumentException(
          "the last as-of date " + lastAsOfDate + " is before the first " + firstAsOfDate);
    }
    int window = settings.windowDays();
    int fallback = settings.fallbackWindowDays();
    int span = Math.max(fallback, Math.max(window, 28));

    Dataset<Row> asOfDates =
        accountDaily
            .sparkSession()
            .range(1)
            .select(explode(sequence(lit(firstAsOfDate), lit(lastAsOfDate))).as(Columns.AS_OF_DATE));

    List<Column> rollupColumns = new ArrayList<>();
    rollupColumns.add(col(Input.ACCOUNT_ID));
    rollupColumns.add(col(Input.ACTIVITY_DATE));
    rollupColumns.add(col(Input.VALID_REQUESTS));
    rollupColumns.add(col(Input.GOOD_REQUESTS));
    for (int bound : SloSettings.LATENCY_BOUNDS_MS) {
      rollupColumns.add(col(Input.validWithin(bound)));
    }
    if (Versions.delivered(accountDaily)) {
      rollupColumns.add(col(Input.DELIVERED_ON));
    }
    Dataset<Row> rollups = accountDaily.select(rollupColumns.toArray(Column[]::new));

    // The as-of dates are few: broadcasting them turns the range condition into a cheap
    // nested-loop join that reads each rollup row once per as-of date whose window covers it. A
    // rollup row delivered after the as-of date (late events) is not known there yet.
    Column inWindow =
        col(Input.ACTIVITY_DATE)
            .leq(col(Columns.AS_OF_DATE))
            .and(col(Input.ACTIVITY_DATE).gt(date_sub(col(Columns.AS_OF_DATE), span)));
    if (Versions.delivered(accountDaily)) {
      inWindow = inWindow.and(col(Input.DELIVERED_ON).leq(col(Columns.AS_OF_DATE)));
    }
    // Targets follow the account's plan and segment as of each date.
    Dataset<Row> plans =
        accountPlans.select(
            col(Input.ACCOUNT_ID).as("_plan_account"), col(Input.AS_OF_DATE).as("_plan_as_of_date"),
            col(Input.PLAN), col(Input.SEGMENT));
    Dataset<Row> windowed =
        rollups
            .join(broadcast(asOfDates), inWindow)
            .join(
                plans,
                col(Input.ACCOUNT_ID).equalTo(col("_plan_account"))
                    .and(col(Columns.AS_OF_DATE).equalTo(col("_plan_as_of_date"))),
                "left")
            .drop("_plan_account", "_plan_as_of_date")
            .withColumn("age", datediff(col(Columns.AS_OF_DATE), col(Input.ACTIVITY_DATE)))
            .withColumn(
                Columns.AVAILABILITY_TARGET, targetColumn(settings, t -> t.availability()))
            .withColumn(Columns.LATENCY_TARGET, targetColumn(settings, t -> t.latency()))
            .withColumn(
                Columns.LATENCY_THRESHOLD_MS, targetColumn(settings, t -> t.latencyThresholdMs()))
            .withColumn("latency_good", validWithinThreshold(col(Columns.LATENCY_THRESHOLD_MS)));

    List<Column> sums = new ArrayList<>();
    for (int days : BURN_WINDOWS) {
      sums.add(sumWithin(days, Input.VALID_REQUESTS, "valid_" + days));
      sums.add(sumWithin(days, Input.GOOD_REQUESTS, "good_" + days));
    }
    sums.add(sumWithin(window, Input.VALID_REQUESTS, "valid_w"));
    sums.add(sumWithin(window, Input.GOOD_REQUESTS, "good_w"));
    sums.add(sumWithin(window, "latency_good", "latency_good_w"));
    sums.add(sumWithin(fallback, Input.VALID_REQUESTS, "valid_f"));
    sums.add(sumWithin(fallback, Input.GOOD_REQUESTS, "good_f"));
    sums.add(sumWithin(fallback, "latency_good", "latency_good_f"));
    Dataset<Row> perAccount =
        windowed
            .groupBy(
                col(Input.ACCOUNT_ID), col(Columns.AS_OF_DATE), col(Input.PLAN),
                col(Input.SEGMENT), col(Columns.AVAILABILITY_TARGET), col(Columns.LATENCY_TARGET),
                col(Columns.LATENCY_THRESHOLD_MS))
            .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new));

    // Pooled over every account of the plan tier with the same latency threshold, so that the
    // pooled latency SLI measures the same thing as the account's own.
    Dataset<Row> planPool =
        perAccount
            .groupBy(col(Columns.AS_OF_DATE), col(Input.PLAN), col(Columns.LATENCY_THRESHOLD_MS))
            .agg(
                sum("valid_w").as("pool_valid"),
                sum("good_w").as("pool_good"),
                sum("latency_good_w").as("pool_latency_good"))
            .withColumnRenamed(Columns.AS_OF_DATE, "pool_as_of_date")
            .withColumnRenamed(Input.PLAN, "pool_plan")
            .withColumnRenamed(Columns.LATENCY_THRESHOLD_MS, "pool_threshold");
    Dataset<Row> platform =
        perAccount
            .groupBy(col(Columns.AS_OF_DATE))
            .agg(
                sum("valid_w").as("platform_valid_w"),
                sum("good_w").as("platform_good_w"),
                sum("valid_f").as("platform_valid_f"),
                sum("good_f").as("platform_good_f"))
            .withColumnRenamed(Columns.AS_OF_DATE, "platform_as_of_date");

    Dataset<Row> joined =
        perAccount
            .join(
                planPool,
                col(Columns.AS_OF_DATE)
                    .equalTo(col("pool_as_of_date"))
                    .and(col(Input.PLAN).eqNullSafe(col("pool_plan")))
                    .and(col(Columns.LATENCY_THRESHOLD_MS).equalTo(col("pool_threshold"))),
                "left")
            .join(platform, col(Columns.AS_OF_DATE).equalTo(col("platform_as_of_date")), "left");

    // Enough valid requests for both budgets to hold min-budget-requests failures: the stricter
    // target decides (1,000 requests for one failure at 99.9%). No requests at all is never enough.
    double minBudget = settings.minBudgetRequests();
    Column minValid =
        greatest(
            lit(minBudget).divide(lit(1.0).minus(col(Columns.AVAILABILITY_TARGET))),
            lit(minBudget).divide(lit(1.0).minus(col(Columns.LATENCY_TARGET))));
    Column ownEnough = col("valid_w").geq(minValid).and(col("valid_w").gt(0));
    Column fallbackEnough = col("valid_f").geq(minValid).and(col("valid_f").gt(0));
    Column source =
        when(ownEnough, lit(SOURCE_WINDOW))
            .when(fallbackEnough, lit(SOURCE_FALLBACK_WINDOW))
            .otherwise(lit(SOURCE_NONE));

    Column isWindow = col(Columns.SLI_SOURCE).equalTo(SOURCE_WINDOW);
    Column isFallback = col(Columns.SLI_SOURCE).equalTo(SOURCE_FALLBACK_WINDOW);
    Column availability =
        when(isWindow, ratio("good_w", "valid_w"))
            .when(isFallback, ratio("good_f", "valid_f"));
    Column latency =
        when(isWindow, ratio("latency_good_w", "valid_w"))
            .when(isFallback, ratio("latency_good_f", "valid_f"));
    Column platformSli =
        when(isFallback, ratio("platform_good_f", "platform_valid_f"))
            .otherwise(ratio("platform_good_w", "platform_valid_w"));

    Dataset<Row> alerts =
        alerts(accountHourly, perAccount, firstAsOfDate, lastAsOfDate, settings)
            .withColumnRenamed(Columns.ACCOUNT_ID, "_alert_account")
            .withColumnRenamed(Columns.AS_OF_DATE, "_alert_as_of_date");
    Dataset<Row> result =
        joined
            .join(
                alerts,
                col(Columns.ACCOUNT_ID).equalTo(col("_alert_account"))
                    .and(col(Columns.AS_OF_DATE).equalTo(col("_alert_as_of_date"))),
                "left")
            .withColumn(Columns.PLAN_POOL_AVAILABILITY_SLI, ratio("pool_good", "pool_valid"))
            .withColumn(Columns.SLI_SOURCE, source)
            .withColumn(Columns.WINDOW_DAYS, lit(window))
            .withColumn(Columns.VALID_REQUESTS, col("valid_w"))
            .withColumn(Columns.GOOD_REQUESTS, col("good_w"))
            .withColumn(Columns.LOW_TRAFFIC, col("valid_w").lt(minValid))
            .withColumn(
                Columns.SLI_WINDOW_DAYS,
                when(isFallback, lit(fallback)).when(isWindow, lit(window)))
            .withColumn(Columns.AVAILABILITY_SLI, availability)
            .withColumn(Columns.LATENCY_SLI, latency)
            .withColumn(
                Columns.ERROR_BUDGET_REMAINING,
                budgetRemaining(col(Columns.AVAILABILITY_SLI), col(Columns.AVAILABILITY_TARGET)))
            .withColumn(
                Columns.LATENCY_BUDGET_REMAINING,
                budgetRemaining(col(Columns.LATENCY_SLI), col(Columns.LATENCY_TARGET)))
            .withColumn(Columns.BURN_RATE_1D, burnRate(1))
            .withColumn(Columns.BURN_RATE_7D, burnRate(7))
            .withColumn(Columns.BURN_RATE_28D, burnRate(28))
            .withColumn(Columns.PLATFORM_AVAILABILITY_SLI, platformSli)
            .withColumn(
                Columns.RELIABILITY_GAP,
                col(Columns.AVAILABILITY_SLI).minus(col(Columns.PLATFORM_AVAILABILITY_SLI)))
            .withColumn(Columns.STATUS, status(settings));
    return result.select(Columns.ALL.stream().map(c -> col(c)).toArray(Column[]::new));
  }

  /** The target value per row: the plan's, else the segment's, else the default. */
  private static Column targetColumn(SloSettings settings, Function<SloSettings.Target, Object> field) {
    Column value = lit(field.apply(settings.defaultTarget()));
    for (Map.Entry<String, SloSettings.Target> e : settings.segmentTargets().entrySet()) {
      value = when(col(Input.SEGMENT).equalTo(e.getKey()), lit(field.apply(e.getValue())))
          .otherwise(value);
    }
    // Applied last, so outermost: a plan's target wins over its segment's.
    for (Map.Entry<String, SloSettings.Target> e : settings.planTargets().entrySet()) {
      value = when(col(Input.PLAN).equalTo(e.getKey()), lit(field.apply(e.getValue())))
          .otherwise(value);
    }
    return value;
  }

  private static Column validWithinThreshold(Column thresholdMs) {
    Column value = lit(null).cast("long");
    for (int bound : SloSettings.LATENCY_BOUNDS_MS) {
      value = when(thresholdMs.equalTo(bound), col(Input.validWithin(bound))).otherwise(value);
    }
    return value;
  }

  private static Column sumWithin(int days, String column, String alias) {
    return sum(when(col("age").lt(days), col(column)).otherwise(lit(0L))).as(alias);
  }

  private static Column ratio(String numerator, String denominator) {
    return when(col(denominator).gt(0), col(numerator).cast("double").divide(col(denominator)));
  }

  private static Column budgetRemaining(Column sli, Column target) {
    return lit(1.0).minus(lit(1.0).minus(sli).divide(lit(1.0).minus(target)));
  }

  private static Column burnRate(int days) {
    Column errorRatio =
        when(
            col("valid_" + days).gt(0),
            col("valid_" + days).minus(col("good_" + days)).cast("double")
                .divide(col("valid_" + days)));
    return errorRatio.divide(lit(1.0).minus(col(Columns.AVAILABILITY_TARGET)));
  }

  private static Column status(SloSettings settings) {
    Column budget = col(Columns.ERROR_BUDGET_REMAINING);
    Column latencyBudget = col(Columns.LATENCY_BUDGET_REMAINING);
    // least() skips nulls: the worse of the two budgets, or the one that exists.
    Column worstBudget = least(budget, latencyBudget);
    // An alert needs min-bad-requests failures of the account's own, so it stands even where the
    // requests are too few for a budget.
    return when(col(Columns.AVAILABILITY_SLI).isNull().and(col(Columns.ALERT).isNull()), lit(INSUFFICIENT_DATA))
        .when(col(Columns.AVAILABILITY_SLI).isNull(), lit(AT_RISK))
        .when(worstBudget.leq(0), lit(EXHAUSTED))
        .when(worstBudget.lt(settings.atRiskBudgetRemaining()).or(col(Columns.ALERT).isNotNull()), lit(AT_RISK))
        .otherwise(lit(OK));
  }

  /**
   * The burn-rate alerts of each account and as-of date: the hourly burn rates at the end of the
   * day, the alert firing then (page before ticket), and the hours of the day during which a page
   * or ticket alert fired. Evaluated at the end of each of the day's 24 hours, over windows of whole
   * hours of the rollup delivered by the end of the day.
   */
  static Dataset<Row> alerts(
      Dataset<Row> accountHourly, Dataset<Row> targets, LocalDate firstAsOfDate, LocalDate lastAsOfDate,
      SloSettings settings) {
    int lookback = SloSettings.MAX_ALERT_WINDOW_HOURS;
    // Each hour serves the as-of dates whose windows reach it: its own UTC day and the next
    // ceil(lookback / 24) days. Exploding those few candidates keeps a backfill linear in the hours,
    // where a range join would test every hour against every date of the range.
    int reach = (lookback + 23) / 24;
    Column hourSeconds = unix_seconds(col(Input.ACTIVITY_HOUR));
    Column hourDay = floor(hourSeconds.divide(86_400L)).cast("int");
    Column candidate = date_add(lit(java.sql.Date.valueOf(LocalDate.EPOCH)), col("_candidate_day"));
    // Hour index within the as-of date: 0 is 00:00-01:00 UTC; the windows reach back to 1 - lookback.
    Column dayStart = unix_date(col(Columns.AS_OF_DATE)).cast("long").multiply(86_400L);
    Column hourIndex = floor(hourSeconds.minus(dayStart).divide(3600)).cast("int");
    Column inLookback =
        col(Columns.AS_OF_DATE).between(lit(firstAsOfDate), lit(lastAsOfDate))
            .and(hourSeconds.geq(dayStart.plus((1L - lookback) * 3600)))
            .and(hourSeconds.lt(dayStart.plus(86_400L)));
    if (Versions.delivered(accountHourly)) {
      inLookback = inLookback.and(col(Input.DELIVERED_ON).leq(col(Columns.AS_OF_DATE)));
    }
    Dataset<Row> accountTargets =
        targets.select(
            col(Input.ACCOUNT_ID).as("_target_account"), col(Columns.AS_OF_DATE).as("_target_as_of_date"),
            col(Columns.AVAILABILITY_TARGET), col(Columns.LATENCY_TARGET), col(Columns.LATENCY_THRESHOLD_MS));
    Dataset<Row> hours =
        accountHourly
            .withColumn("_candidate_day", explode(sequence(hourDay, hourDay.plus(reach))))
            .withColumn(Columns.AS_OF_DATE, candidate)
            .filter(inLookback)
            .join(
                accountTargets,
                col(Input.ACCOUNT_ID).equalTo(col("_target_account"))
                    .and(col(Columns.AS_OF_DATE).equalTo(col("_target_as_of_date"))))
            .select(
                col(Input.ACCOUNT_ID), col(Columns.AS_OF_DATE), hourIndex.as("hour"),
                col(Columns.AVAILABILITY_TARGET), col(Columns.LATENCY_TARGET),
                col(Input.VALID_REQUESTS).as("valid"), col(Input.GOOD_REQUESTS).as("good"),
                validWithinThreshold(col(Columns.LATENCY_THRESHOLD_MS)).as("fast"));
    // Every hour of the day is evaluated, with or without requests in it: an alert whose short
    // window still holds earlier errors keeps firing through a quiet hour.
    Dataset<Row> grid =
        hours
            .select(col(Input.ACCOUNT_ID), col(Columns.AS_OF_DATE), col(Columns.AVAILABILITY_TARGET),
                col(Columns.LATENCY_TARGET))
            .distinct()
            .withColumn("hour", explode(sequence(lit(0), lit(23))))
            .withColumn("valid", lit(0L))
            .withColumn("good", lit(0L))
            .withColumn("fast", lit(0L));
    Dataset<Row> perHour =
        hours
            .unionByName(grid)
            .groupBy(col(Input.ACCOUNT_ID), col(Columns.AS_OF_DATE), col("hour"),
                col(Columns.AVAILABILITY_TARGET), col(Columns.LATENCY_TARGET))
            .agg(sum("valid").as("valid"), sum("good").as("good"), sum("fast").as("fast"));

    SortedSet<Integer> windows = new TreeSet<>();
    for (int hoursBack : HOURLY_BURN_WINDOWS) {
      windows.add(hoursBack);
    }
    for (SloSettings.BurnAlert alert : settings.burnAlerts()) {
      windows.add(alert.longWindowHours());
      windows.add(alert.shortWindowHours());
    }
    WindowSpec byHour =
        Window.partitionBy(col(Input.ACCOUNT_ID), col(Columns.AS_OF_DATE)).orderBy(col("hour"));
    for (int hoursBack : windows) {
      WindowSpec frame = byHour.rangeBetween(-(hoursBack - 1), 0);
      perHour =
          perHour
              .withColumn("valid_" + hoursBack + "h", sum("valid").over(frame))
              .withColumn("bad_" + hoursBack + "h", sum(col("valid").minus(col("good"))).over(frame))
              .withColumn("slow_" + hoursBack + "h", sum(col("valid").minus(col("fast"))).over(frame));
    }
    perHour = perHour.filter(col("hour").between(0, 23));

    long minBad = settings.minAlertBadRequests();
    Column page = lit(false);
    Column ticket = lit(false);
    for (SloSettings.BurnAlert alert : settings.burnAlerts()) {
      double threshold = alert.burnRate(settings.windowDays());
      Column fires = lit(false);
      for (String[] sli : new String[][] {{"bad_", Columns.AVAILABILITY_TARGET}, {"slow_", Columns.LATENCY_TARGET}}) {
        int longHours = alert.longWindowHours();
        int shortHours = alert.shortWindowHours();
        Column burning =
            col(sli[0] + longHours + "h").geq(minBad)
                .and(hourlyBurn(sli[0], longHours, sli[1]).geq(threshold))
                .and(hourlyBurn(sli[0], shortHours, sli[1]).geq(threshold));
        fires = fires.or(coalesce(burning, lit(false)));
      }
      if (SloSettings.PAGE.equals(alert.severity())) {
        page = page.or(fires);
      } else {
        ticket = ticket.or(fires);
      }
    }
    Column lastHour = col("hour").equalTo(23);
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(sum(when(page, 1).otherwise(0)).cast("int").as(Columns.PAGE_ALERT_HOURS));
    aggregates.add(sum(when(ticket, 1).otherwise(0)).cast("int").as(Columns.TICKET_ALERT_HOURS));
    aggregates.add(
        max(when(lastHour, when(page, lit(2)).when(ticket, lit(1)).otherwise(lit(0)))).as("_alert_level"));
    String[][] burnColumns = {
      {Columns.BURN_RATE_1H, Columns.BURN_RATE_6H, Columns.BURN_RATE_3D},
      {Columns.LATENCY_BURN_RATE_1H, Columns.LATENCY_BURN_RATE_6H, Columns.LATENCY_BURN_RATE_3D}
    };
    for (int i = 0; i < HOURLY_BURN_WINDOWS.length; i++) {
      int hoursBack = HOURLY_BURN_WINDOWS[i];
      aggregates.add(max(when(lastHour, hourlyBurn("bad_", hoursBack, Columns.AVAILABILITY_TARGET))).as(burnColumns[0][i]));
      aggregates.add(max(when(lastHour, hourlyBurn("slow_", hoursBack, Columns.LATENCY_TARGET))).as(burnColumns[1][i]));
    }
    return perHour
        .groupBy(col(Input.ACCOUNT_ID), col(Columns.AS_OF_DATE))
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
        .withColumn(
            Columns.ALERT,
            when(col("_alert_level").equalTo(2), lit(SloSettings.PAGE))
                .when(col("_alert_level").equalTo(1), lit(SloSettings.TICKET)))
        .drop("_alert_level");
  }

  /** The burn rate over the trailing {@code hours}: bad / valid / (1 - target); null without requests. */
  private static Column hourlyBurn(String badPrefix, int hours, String target) {
    Column valid = col("valid_" + hours + "h");
    return when(valid.gt(0), col(badPrefix + hours + "h").cast("double").divide(valid))
        .divide(lit(1.0).minus(col(target)));
  }
}
