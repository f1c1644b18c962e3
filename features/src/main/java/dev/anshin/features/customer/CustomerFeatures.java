package dev.anshin.features.customer;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.hll_sketch_estimate;
import static org.apache.spark.sql.functions.hll_union_agg;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.Versions;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The point-in-time feature table {@code customer_features}: one row per account that has an active
 * subscription at the end of each as-of date D, built only from what was observable by the end of D.
 *
 * <p>Window features come from the small {@link AccountDaily} rollups: each rollup row is fanned out
 * to the as-of dates whose window it falls in, so a nightly run (one as-of date) reads 90 days of
 * rollups and a backfill computes every date in one pass. A rollup row counts from the later of its
 * activity day and its delivery day, so an event delivered late counts from the day it arrived.
 *
 * <p>Accounts, subscriptions, invoices and tickets are versioned ({@link Versions}): date D reads
 * the version delivered by the end of D, and within it the timestamps: a ticket solved after D is
 * still open at D; an invoice paid after D is unpaid. A backfill and one run per date give the same
 * rows.
 */
public final class CustomerFeatures {
  public static final String TABLE = "customer_features";

  /** How many days of rollups before the first as-of date the widest window needs. */
  public static final int LOOKBACK_DAYS = 90;

  public static final String AS_OF_DATE = "as_of_date";
  public static final String ACCOUNT_ID = "account_id";
  public static final String SEGMENT = "segment";
  public static final String INDUSTRY = "industry";
  public static final String REGION = "region";
  public static final String PLAN = "plan";
  public static final String BILLING_INTERVAL = "billing_interval";
  public static final String TENURE_DAYS = "tenure_days";
  public static final String SEATS = "seats";
  public static final String MRR = "mrr";
  public static final String SUBSCRIPTION_COUNT = "subscription_count";
  public static final String DAYS_TO_RENEWAL = "days_to_renewal";
  public static final String EVENTS_7D = "events_7d";
  public static final String EVENTS_28D = "events_28d";
  public static final String EVENTS_PREV_28D = "events_prev_28d";
  public static final String ACTIVE_DAYS_28D = "active_days_28d";
  public static final String ACTIVE_USERS_7D = "active_users_7d";
  public static final String ACTIVE_USERS_28D = "active_users_28d";
  public static final String SEAT_UTILIZATION = "seat_utilization";
  public static final String USAGE_TREND = "usage_trend";
  /** The tenure from which both 28-day windows of the usage trend lie inside the account's life. */
  public static final int TREND_MIN_TENURE_DAYS = 56;
  public static final String REQUESTS_28D = "requests_28d";
  public static final String ERROR_RATE_7D = "error_rate_7d";
  public static final String ERROR_RATE_28D = "error_rate_28d";
  public static final String SLOW_RATE_28D = "slow_rate_28d";
  public static final String TICKETS_28D = "tickets_28d";
  public static final String TICKETS_90D = "tickets_90d";
  public static final String HIGH_PRIORITY_TICKETS_90D = "high_priority_tickets_90d";
  public static final String OPEN_TICKETS = "open_tickets";
  public static final String BAD_CSAT_90D = "bad_csat_90d";
  public static final String FAILED_PAYMENTS_90D = "failed_payments_90d";
  public static final String PAST_DUE_INVOICES = "past_due_invoices";
  /** Invoices with a billing problem: a failed payment in 90 days or past due now, each counted once. */
  public static final String BILLING_ISSUE_INVOICES = "billing_issue_invoices";

  /** The latency bound behind slow_rate_28d (a feature, not an SLO: SLO thresholds are configured). */
  static final int SLOW_REQUEST_MS = 500;

  /** Numeric model inputs, in a fixed order. */
  public static final List<String> NUMERIC_FEATURES =
      List.of(
          TENURE_DAYS, SEATS, MRR, SUBSCRIPTION_COUNT, DAYS_TO_RENEWAL, EVENTS_7D, EVENTS_28D,
          EVENTS_PREV_28D, ACTIVE_DAYS_28D, ACTIVE_USERS_7D, ACTIVE_USERS_28D, SEAT_UTILIZATION,
          USAGE_TREND, REQUESTS_28D, ERROR_RATE_7D, ERROR_RATE_28D, SLOW_RATE_28D, TICKETS_28D,
          TICKETS_90D, HIGH_PRIORITY_TICKETS_90D, OPEN_TICKETS, BAD_CSAT_90D, FAILED_PAYMENTS_90D,
          PAST_DUE_INVOICES);

  /** Categorical model inputs. */
  public static final List<String> CATEGORICAL_FEATURES = List.of(SEGMENT, PLAN, BILLING_INTERVAL);

  /**
   * The typed tables the features read; each holds at least what the as-of range needs. The
   * versioned ones may hold every delivered version (with {@code delivered_on}).
   */
  public record Inputs(
      Dataset<Row> accountDaily,
      Dataset<Row> accounts,
      Dataset<Row> subscriptions,
      Dataset<Row> invoices,
      Dataset<Row> tickets) {}

  private static final String DAY = "_day";
  private static final String AGE = "_age";

  private CustomerFeatures() {}

  /** Features for every as-of date from {@code from} to {@code to}, both included, with no add-on plans. */
  public static Dataset<Row> build(Inputs inputs, LocalDate from, LocalDate to) {
    return build(inputs, from, to, Set.of());
  }

  /**
   * Features for every as-of date from {@code from} to {@code to}, both included.
   *
   * @param addOnPlans the plans that are add-ons to a base plan (the plan catalogue): an account's
   *     plan, billing interval and renewal are those of its largest base subscription, so an add-on
   *     that costs more than the base plan never becomes the account's plan
   */
  public static Dataset<Row> build(Inputs inputs, LocalDate from, LocalDate to, Set<String> addOnPlans) {
    Column first = lit(Date.valueOf(from));
    Column last = lit(Date.valueOf(to));

    Dataset<Row> active =
        activeSubscriptions(
            Versions.withValidity(inputs.subscriptions(), "subscription_id", to), first, last, addOnPlans);
    Dataset<Row> windows = windowFeatures(inputs.accountDaily(), first, last);
    Dataset<Row> tickets = ticketFeatures(Versions.withValidity(inputs.tickets(), "ticket_id", to), first, last);
    Dataset<Row> billing = billingFeatures(Versions.withValidity(inputs.invoices(), "invoice_id", to), first, last);
    // The CRM version known at each date: its segment, and whether the account is known at all.
    Dataset<Row> accounts =
        Versions.withValidity(inputs.accounts(), ACCOUNT_ID, to)
            .select(col(ACCOUNT_ID).as("_crm_account"), col(SEGMENT), col(INDUSTRY), col(REGION), col("created_at"),
                col(Versions.KNOWN_FROM), col(Versions.KNOWN_UNTIL));

    Dataset<Row> joined =
        active
            .join(accounts, col(ACCOUNT_ID).equalTo(col("_crm_account")).and(Versions.validOn(col(AS_OF_DATE))), "inner")
            .drop("_crm_account", Versions.KNOWN_FROM, Versions.KNOWN_UNTIL)
            .join(windows, scalaSeq(ACCOUNT_ID, AS_OF_DATE), "left")
            .join(tickets, scalaSeq(ACCOUNT_ID, AS_OF_DATE), "left")
            .join(billing, scalaSeq(ACCOUNT_ID, AS_OF_DATE), "left");

    Column events28 = zero(EVENTS_28D);
    Column eventsPrevious28 = zero(EVENTS_PREV_28D);
    Column valid7 = zero("_valid_7d");
    Column valid28 = zero("_valid_28d");
    return joined.select(
        col(AS_OF_DATE),
        col(ACCOUNT_ID),
        col(SEGMENT),
        col(INDUSTRY),
        col(REGION),
        col(PLAN),
        col(BILLING_INTERVAL),
        datediff(col(AS_OF_DATE), to_date(col("created_at"))).as(TENURE_DAYS),
        col(SEATS),
        col(MRR),
        col(SUBSCRIPTION_COUNT),
        col(DAYS_TO_RENEWAL),
        zero(EVENTS_7D).as(EVENTS_7D),
        events28.as(EVENTS_28D),
        eventsPrevious28.as(EVENTS_PREV_28D),
        zero(ACTIVE_DAYS_28D).as(ACTIVE_DAYS_28D),
        zero(ACTIVE_USERS_7D).as(ACTIVE_USERS_7D),
        zero(ACTIVE_USERS_28D).as(ACTIVE_USERS_28D),
        when(col(SEATS).gt(0), zero(ACTIVE_USERS_28D).divide(col(SEATS))).as(SEAT_UTILIZATION),
        // Both 28-day windows must be whole days of the account's life (56 days, the creation day
        // being partial): a previous window cut short by the account's start inflates the trend.
        when(eventsPrevious28.gt(0).and(coalesce(datediff(col(AS_OF_DATE), to_date(col("created_at"))).geq(TREND_MIN_TENURE_DAYS), lit(true))),
            events28.divide(eventsPrevious28)).as(USAGE_TREND),
        zero(REQUESTS_28D).as(REQUESTS_28D),
        when(valid7.gt(0), lit(1.0).minus(zero("_good_7d").divide(valid7))).as(ERROR_RATE_7D),
        when(valid28.gt(0), lit(1.0).minus(zero("_good_28d").divide(valid28))).as(ERROR_RATE_28D),
        when(valid28.gt(0), lit(1.0).minus(zero("_fast_28d").divide(valid28))).as(SLOW_RATE_28D),
        zero(TICKETS_28D).as(TICKETS_28D),
        zero(TICKETS_90D).as(TICKETS_90D),
        zero(HIGH_PRIORITY_TICKETS_90D).as(HIGH_PRIORITY_TICKETS_90D),
        zero(OPEN_TICKETS).as(OPEN_TICKETS),
        zero(BAD_CSAT_90D).as(BAD_CSAT_90D),
        zero(FAILED_PAYMENTS_90D).as(FAILED_PAYMENTS_90D),
        zero(PAST_DUE_INVOICES).as(PAST_DUE_INVOICES),
        zero(BILLING_ISSUE_INVOICES).as(BILLING_ISSUE_INVOICES));
  }

  /**
   * Accounts with a subscription active at D (started on or before D, not ended by D), with their
   * MRR, seats, and the plan, interval and next renewal of their largest base subscription (of their
   * largest add-on when they have only add-ons).
   */
  static Dataset<Row> activeSubscriptions(Dataset<Row> subscriptions, Column first, Column last, Set<String> addOnPlans) {
    // ended_at is exclusive: the subscription's last active day is ended_at - 1.
    Dataset<Row> days =
        subscriptions.withColumn(
            AS_OF_DATE,
            explode(
                days(
                    Versions.validFrom(greatest(col("started_at"), first)),
                    Versions.validThrough(least(coalesce(date_sub(col("ended_at"), 1), last), last)))));
    Column monthsIn = floor(months_between(col(AS_OF_DATE), col("started_at")));
    // The next anniversary strictly after D: monthly plans renew every month, annual ones every 12.
    Column cycleMonths = when(col("billing_interval").equalTo("annual"), lit(12)).otherwise(lit(1));
    Column nextRenewal =
        org.apache.spark.sql.functions.add_months(
            col("started_at"), floor(monthsIn.divide(cycleMonths)).plus(1).multiply(cycleMonths).cast("int"));
    // Base plans before add-ons, then the larger MRR: the subscription that says what the account buys.
    Column isBase = addOnPlans.isEmpty() ? lit(true) : not(col("plan").isin(addOnPlans.toArray()));
    // The subscription id breaks ties, so that plan, interval and renewal come from one subscription
    // and every run picks the same one.
    Column main = struct(isBase.as("_base"), col("mrr").as("_mrr"), col("subscription_id").as("_id"));
    Column chosen =
        max_by(struct(col("plan").as("plan"), col("billing_interval").as("interval"),
            datediff(col("_next_renewal"), col(AS_OF_DATE)).as("renewal")), main);
    return days.withColumn("_next_renewal", nextRenewal)
        .groupBy(col(ACCOUNT_ID), col(AS_OF_DATE))
        .agg(
            sum(col("mrr")).as(MRR),
            sum(coalesce(col("seats"), lit(0))).as(SEATS),
            count(lit(1)).as(SUBSCRIPTION_COUNT),
            chosen.as("_main"))
        .withColumn(PLAN, col("_main.plan"))
        .withColumn(BILLING_INTERVAL, col("_main.interval"))
        .withColumn(DAYS_TO_RENEWAL, col("_main.renewal"))
        .drop("_main");
  }

  /** Sums and distinct users over the trailing 7, 28 and 90 days (D included) from the rollups. */
  static Dataset<Row> windowFeatures(Dataset<Row> accountDaily, Column first, Column last) {
    Dataset<Row> fanned =
        accountDaily
            .withColumn(
                AS_OF_DATE,
                explode(
                    days(
                        greatest(col(AccountDaily.ACTIVITY_DATE), deliveredOn(accountDaily), first),
                        least(date_add(col(AccountDaily.ACTIVITY_DATE), LOOKBACK_DAYS - 1), last))))
            .withColumn(AGE, datediff(col(AS_OF_DATE), col(AccountDaily.ACTIVITY_DATE)));
    Column in7 = col(AGE).lt(7);
    Column in28 = col(AGE).lt(28);
    Column inPrevious28 = col(AGE).geq(28).and(col(AGE).lt(56));
    return fanned
        .groupBy(col(ACCOUNT_ID), col(AS_OF_DATE))
        .agg(
            sumIf(in7, AccountDaily.EVENTS).as(EVENTS_7D),
            sumIf(in28, AccountDaily.EVENTS).as(EVENTS_28D),
            sumIf(inPrevious28, AccountDaily.EVENTS).as(EVENTS_PREV_28D),
            // A day with late events has one rollup row per delivery: count the day once.
            coalesce(
                    org.apache.spark.sql.functions.count_distinct(
                        when(in28.and(col(AccountDaily.EVENTS).gt(0)), col(AccountDaily.ACTIVITY_DATE))),
                    lit(0L))
                .as(ACTIVE_DAYS_28D),
            distinctUsers(in7).as(ACTIVE_USERS_7D),
            distinctUsers(in28).as(ACTIVE_USERS_28D),
            sumIf(in28, AccountDaily.REQUESTS).as(REQUESTS_28D),
            sumIf(in7, AccountDaily.VALID_REQUESTS).as("_valid_7d"),
            sumIf(in7, AccountDaily.GOOD_REQUESTS).as("_good_7d"),
            sumIf(in28, AccountDaily.VALID_REQUESTS).as("_valid_28d"),
            sumIf(in28, AccountDaily.GOOD_REQUESTS).as("_good_28d"),
            sumIf(in28, AccountDaily.validAtOrBelow(SLOW_REQUEST_MS)).as("_fast_28d"),
            sumIf(in28, AccountDaily.TICKETS_OPENED).as(TICKETS_28D),
            sum(col(AccountDaily.TICKETS_OPENED)).as(TICKETS_90D),
            sum(col(AccountDaily.HIGH_PRIORITY_TICKETS_OPENED)).as(HIGH_PRIORITY_TICKETS_90D));
  }

  /** Tickets open at the end of D, and tickets solved in the last 90 days with a bad rating. */
  static Dataset<Row> ticketFeatures(Dataset<Row> tickets, Column first, Column last) {
    Column solvedDay = to_date(col("solved_at"));
    Dataset<Row> open =
        tickets
            .withColumn(
                AS_OF_DATE,
                explode(
                    days(
                        Versions.validFrom(greatest(to_date(col("created_at")), first)),
                        Versions.validThrough(least(coalesce(date_sub(solvedDay, 1), last), last)))))
            .groupBy(col(ACCOUNT_ID), col(AS_OF_DATE))
            .agg(count(lit(1)).as(OPEN_TICKETS));
    Dataset<Row> badRatings =
        tickets
            .filter(col("satisfaction").equalTo("bad").and(col("solved_at").isNotNull()))
            .withColumn(
                AS_OF_DATE,
                explode(
                    days(
                    Versions.validFrom(greatest(solvedDay, first)),
                    Versions.validThrough(least(date_add(solvedDay, LOOKBACK_DAYS - 1), last)))))
            .groupBy(col(ACCOUNT_ID), col(AS_OF_DATE))
            .agg(count(lit(1)).as(BAD_CSAT_90D));
    return open.join(badRatings, scalaSeq(ACCOUNT_ID, AS_OF_DATE), "full_outer");
  }

  /**
   * Invoices whose first payment attempt failed in the last 90 days, and those still unpaid at the
   * end of D after a failed attempt. The first attempt is made when the invoice is issued.
   */
  static Dataset<Row> billingFeatures(Dataset<Row> invoices, Column first, Column last) {
    Dataset<Row> failed = invoices.filter(coalesce(col("failed_attempts"), lit(0)).gt(0));
    Column issuedDay = to_date(col("issued_at"));
    Dataset<Row> recentFailures =
        failed
            .withColumn(
                AS_OF_DATE,
                explode(
                    days(
                        Versions.validFrom(greatest(issuedDay, first)),
                        Versions.validThrough(least(date_add(issuedDay, LOOKBACK_DAYS - 1), last)))))
            .select(col(ACCOUNT_ID), col(AS_OF_DATE), col("invoice_id"));
    Dataset<Row> pastDue =
        failed
            .filter(col("status").notEqual("void"))
            .withColumn(
                AS_OF_DATE,
                explode(
                    days(
                        Versions.validFrom(greatest(issuedDay, first)),
                        Versions.validThrough(least(coalesce(date_sub(to_date(col("paid_at")), 1), last), last)))))
            .select(col(ACCOUNT_ID), col(AS_OF_DATE), col("invoice_id"));
    // Each set has one version of an invoice per date; an unpaid invoice with a recent failure is in both.
    return recentFailures.withColumn("_recent", lit(1)).withColumn("_past_due", lit(0))
        .unionByName(pastDue.withColumn("_recent", lit(0)).withColumn("_past_due", lit(1)))
        .groupBy(col(ACCOUNT_ID), col(AS_OF_DATE))
        .agg(
            sum(col("_recent")).as(FAILED_PAYMENTS_90D),
            sum(col("_past_due")).as(PAST_DUE_INVOICES),
            count_distinct(col("invoice_id")).as(BILLING_ISSUE_INVOICES));
  }

  /**
   * The days from start to end, both included, or none when end is before start ({@code sequence}
   * alone would count down instead).
   */
  private static Column days(Column start, Column end) {
    return when(start.leq(end), sequence(start, end));
  }

  /** A rollup row's delivery day, or null (always known) for rollups without one. */
  private static Column deliveredOn(Dataset<Row> accountDaily) {
    return Versions.delivered(accountDaily)
        ? col(AccountDaily.DELIVERED_ON)
        : lit(null).cast("date");
  }

  private static Column sumIf(Column condition, String counter) {
    return sum(when(condition, col(counter)).otherwise(0L));
  }

  private static Column distinctUsers(Column condition) {
    return coalesce(
        hll_sketch_estimate(hll_union_agg(when(condition, col(AccountDaily.ACTIVE_USERS_SKETCH)))),
        lit(0L));
  }

  private static Column zero(String name) {
    return coalesce(col(name), lit(0L));
  }

  /** Column names for Spark's using-column joins, which take a Scala sequence. */
  public static scala.collection.immutable.Seq<String> scalaSeq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toList();
  }
}
