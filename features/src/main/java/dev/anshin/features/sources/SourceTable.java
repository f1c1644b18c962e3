package dev.anshin.features.sources;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The typed source tables that ingest writes: their names, columns, types, keys and rules.
 *
 * <p>This is the one place the source schemas are defined; validation, the generator, the docs and
 * every downstream transformation refer to these constants rather than repeating column names.
 */
public enum SourceTable {
  ACCOUNTS(
      "accounts",
      Kind.VERSIONED,
      "account_id",
      null,
      List.of(
          column("account_id", DataTypes.StringType, true),
          column("name", DataTypes.StringType, true),
          column("segment", DataTypes.StringType, true, "smb", "mid", "enterprise"),
          column("industry", DataTypes.StringType, false),
          column("region", DataTypes.StringType, false),
          column("created_at", DataTypes.TimestampType, true),
          nonNegative("seats", DataTypes.IntegerType, false),
          column("csm_owner", DataTypes.StringType, false))),

  SUBSCRIPTIONS(
      "subscriptions",
      Kind.VERSIONED,
      "subscription_id",
      null,
      List.of(
          column("subscription_id", DataTypes.StringType, true),
          column("account_id", DataTypes.StringType, true),
          column("plan", DataTypes.StringType, true),
          nonNegative("seats", DataTypes.IntegerType, false),
          nonNegative("mrr", Money.TYPE, true),
          column("currency", DataTypes.StringType, true),
          column("billing_interval", DataTypes.StringType, true, "monthly", "annual"),
          column("started_at", DataTypes.DateType, true),
          column("ended_at", DataTypes.DateType, false),
          column("cancel_reason", DataTypes.StringType, false, "voluntary", "involuntary"))),

  INVOICES(
      "invoices",
      Kind.VERSIONED,
      "invoice_id",
      null,
      List.of(
          column("invoice_id", DataTypes.StringType, true),
          column("account_id", DataTypes.StringType, true),
          column("subscription_id", DataTypes.StringType, false),
          nonNegative("amount", Money.TYPE, true),
          column("currency", DataTypes.StringType, true),
          column("period_start", DataTypes.DateType, true),
          column("period_end", DataTypes.DateType, true),
          column("issued_at", DataTypes.TimestampType, true),
          column("status", DataTypes.StringType, true, "paid", "failed", "open", "void"),
          nonNegative("failed_attempts", DataTypes.IntegerType, false),
          column("paid_at", DataTypes.TimestampType, false))),

  USAGE_EVENTS(
      "usage_events",
      Kind.EVENT,
      "event_id",
      "event_date",
      List.of(
          column("event_id", DataTypes.StringType, true),
          column("account_id", DataTypes.StringType, true),
          column("user_id", DataTypes.StringType, true),
          column("event_time", DataTypes.TimestampType, true),
          column("event_name", DataTypes.StringType, true))),

  API_REQUESTS(
      "api_requests",
      Kind.EVENT,
      "request_id",
      "request_date",
      List.of(
          column("request_id", DataTypes.StringType, true),
          column("request_time", DataTypes.TimestampType, true),
          column("account_id", DataTypes.StringType, true),
          column("route", DataTypes.StringType, true),
          column("status", DataTypes.IntegerType, true),
          nonNegative("latency_ms", DataTypes.DoubleType, true))),

  TICKETS(
      "tickets",
      Kind.VERSIONED,
      "ticket_id",
      null,
      List.of(
          column("ticket_id", DataTypes.StringType, true),
          column("account_id", DataTypes.StringType, true),
          column("created_at", DataTypes.TimestampType, true),
          column("first_reply_at", DataTypes.TimestampType, false),
          column("solved_at", DataTypes.TimestampType, false),
          column("priority", DataTypes.StringType, true, "low", "normal", "high", "urgent"),
          column("channel", DataTypes.StringType, false),
          column("category", DataTypes.StringType, true),
          column("satisfaction", DataTypes.StringType, false, "good", "bad", "offered", "unoffered"),
          nonNegative("reopens", DataTypes.IntegerType, false),
          nonNegative("agent_replies", DataTypes.IntegerType, false),
          nonNegative("handle_minutes", DataTypes.DoubleType, false))),

  /**
   * What the customer-success team did with an account (a call, a business review, an email, a
   * playbook run), as its CRM or CS platform logs it. Optional: read only when enabled.
   */
  CS_ACTIVITIES(
      "cs_activities",
      Kind.EVENT,
      "activity_id",
      "activity_date",
      List.of(
          column("activity_id", DataTypes.StringType, true),
          column("account_id", DataTypes.StringType, true),
          column("activity_time", DataTypes.TimestampType, true),
          column("activity_type", DataTypes.StringType, true),
          column("owner", DataTypes.StringType, false))),

  /**
   * Help-centre article views per account and user. {@code category} is the article's section in
   * the tickets' category vocabulary, so that an article and the tickets it could prevent meet.
   * Optional: read only when enabled.
   */
  HELP_CENTER_VIEWS(
      "help_center_views",
      Kind.EVENT,
      "view_id",
      "view_date",
      List.of(
          column("view_id", DataTypes.StringType, true),
          column("account_id", DataTypes.StringType, true),
          column("user_id", DataTypes.StringType, true),
          column("view_time", DataTypes.TimestampType, true),
          column("article_id", DataTypes.StringType, true),
          column("article_title", DataTypes.StringType, false),
          column("category", DataTypes.StringType, true)));

  /**
   * The day a row was delivered: the date of the file (or run) it came in. Every typed source table
   * has it and is partitioned by it; it is when the row became known.
   */
  public static final String DELIVERED_ON = "delivered_on";

  /** How a source's records behave over time. */
  public enum Kind {
    /**
     * A record that changes (a CRM account, a subscription, an invoice, a ticket): each day's
     * delivery holds the records created or changed that day (or a full snapshot), and every
     * delivered state is kept as a version known from the day it was delivered (see {@link Versions}).
     */
    VERSIONED,
    /**
     * An immutable event (a usage event, an API request), delivered once, usually in its own day's
     * file and sometimes a few days late; it counts on the day it happened from the day it arrived.
     */
    EVENT
  }

  /**
   * A column of a source table: name, Spark type, whether a row without it is rejected, whether a
   * negative value is rejected, and the allowed values (empty: any value of the type).
   */
  public record Column(
      String name, DataType type, boolean required, boolean nonNegative, List<String> allowedValues) {}

  private final String tableName;
  private final Kind kind;
  private final String idColumn;
  private final String eventDateColumn;
  private final List<Column> columns;

  SourceTable(
      String tableName, Kind kind, String idColumn, String eventDateColumn, List<Column> columns) {
    this.tableName = tableName;
    this.kind = kind;
    this.idColumn = idColumn;
    this.eventDateColumn = eventDateColumn;
    this.columns = columns;
  }

  private static Column column(String name, DataType type, boolean required, String... allowed) {
    return new Column(name, type, required, false, List.of(allowed));
  }

  private static Column nonNegative(String name, DataType type, boolean required) {
    return new Column(name, type, required, true, List.of());
  }

  /** The Delta table name, also the `source` value in the quarantine table. */
  public String tableName() {
    return tableName;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The column that identifies a record (a version of it, for versioned sources); a second row with
   * the same id in one day's delivery is rejected.
   */
  public String idColumn() {
    return idColumn;
  }

  /**
   * The timestamp that places a record on a day: an event must not lie after the day it was
   * delivered, nor more than the allowed lateness before it; a ticket must not be created after it.
   */
  public Optional<String> eventTimeColumn() {
    return switch (this) {
      case USAGE_EVENTS -> Optional.of("event_time");
      case API_REQUESTS -> Optional.of("request_time");
      case TICKETS -> Optional.of("created_at");
      case CS_ACTIVITIES -> Optional.of("activity_time");
      case HELP_CENTER_VIEWS -> Optional.of("view_time");
      default -> Optional.empty();
    };
  }

  /**
   * Whether a deployment may go without this source: the pipeline's core needs the CRM, billing,
   * usage, requests and tickets; the customer-success activities and help-centre views only feed the
   * tables built from them, and are read only when {@code anshin.sources.<name>.enabled} is true.
   */
  public boolean optional() {
    return this == CS_ACTIVITIES || this == HELP_CENTER_VIEWS;
  }

  /** Whether rows carry an account_id that must name a known account. */
  public boolean referencesAccounts() {
    return this != ACCOUNTS;
  }

  /** For event sources, the UTC day of the event, a column of the typed table. */
  public Optional<String> eventDateColumn() {
    return Optional.ofNullable(eventDateColumn);
  }

  public List<Column> columns() {
    return columns;
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** The typed schema of the source's columns, without the event day and delivery day. */
  public StructType schema() {
    return new StructType(
        columns.stream()
            .map(c -> new StructField(c.name(), c.type(), !c.required(), Metadata.empty()))
            .toArray(StructField[]::new));
  }

  /** The same columns, all as strings: what a raw export holds before validation. */
  public StructType rawSchema() {
    return new StructType(
        columns.stream()
            .map(c -> new StructField(c.name(), DataTypes.StringType, true, Metadata.empty()))
            .toArray(StructField[]::new));
  }

  public static SourceTable byName(String name) {
    return Arrays.stream(values())
        .filter(s -> s.tableName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Unknown source '" + name + "'; known sources: " + Arrays.toString(names())));
  }

  public static String[] names() {
    return Arrays.stream(values()).map(SourceTable::tableName).toArray(String[]::new);
  }
}
