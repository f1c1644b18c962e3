package dev.anshin.jobs.warehouse;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_json;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.config.AnshinConfig.WarehouseSettings;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.jobs.warehouse.PublishedTables.Published;
import dev.anshin.jobs.warehouse.PublishedTables.Replace;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL warehouse that BI tools read (PostgreSQL): publishes the lakehouse's tables into one
 * schema so that a dashboard never sees a half-written table.
 *
 * <p>A publish first copies each table's rows with Spark's JDBC writer into an unlogged staging
 * table (the slow part, outside any transaction the readers could notice), then, in one
 * transaction for all tables, creates what is missing (tables with their primary keys, indexes and
 * the column comments of docs/tables.md, then the views), deletes the published dates (or every row
 * of a table published whole) and inserts the staged rows. Readers see the previous state until
 * that commit and the new one after it; a publish that fails anywhere leaves the previous state,
 * and a rerun replaces the same rows instead of adding to them.
 */
public final class Warehouse {
  private static final Logger LOG = LoggerFactory.getLogger(Warehouse.class);
  static final String STAGE_PREFIX = "_anshin_stage_";

  private final WarehouseSettings settings;
  private final TableDocs docs;
  private final double healthyScore;

  /**
   * @param healthyScore the health score from which a component is not a reason for concern (the
   *     green band), for the views' reasons
   */
  public Warehouse(WarehouseSettings settings, TableDocs docs, double healthyScore) {
    requireConfigured(settings);
    this.settings = settings;
    this.docs = docs;
    this.healthyScore = healthyScore;
  }

  /** Fails with exit 78 when no warehouse is configured: checked before the lock and Spark. */
  public static void requireConfigured(WarehouseSettings settings) {
    if (!settings.configured()) {
      throw AnshinException.badConfig(
          "anshin.warehouse.url is not set: name the PostgreSQL database to publish to, e.g."
              + " anshin.warehouse.url = \"jdbc:postgresql://localhost:5432/analytics\" (docs/warehouse.md)");
    }
  }

  /**
   * What a publish wrote to one table: the dates it replaced (both null for a whole table; from
   * null for a table new to the warehouse, which received its history) and the rows.
   */
  public record TablePublish(String table, Replace replace, LocalDate from, LocalDate to, long rows) {}

  /** What a publish did: the tables it wrote, those the lakehouse does not have yet, and the views. */
  public record Publish(List<TablePublish> tables, List<String> missing, List<String> views) {
    public long rows() {
      return tables.stream().mapToLong(TablePublish::rows).sum();
    }
  }

  /**
   * Publishes the dates [from, to] of the per-day tables, and the whole-table ones as the lakehouse
   * holds them. A per-day table the warehouse does not have yet receives its whole history through
   * {@code to}.
   */
  public Publish publish(Lakehouse lakehouse, LocalDate from, LocalDate to) {
    Instant started = Instant.now();
    try (Connection connection = connect()) {
      execute(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(settings.schema()));
      Set<String> existing = existingTables(connection);
      List<Staged> staged = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      try {
        for (Published table : PublishedTables.ALL) {
          if (!lakehouse.exists(table.lakehouseTable())) {
            missing.add(table.name());
            continue;
          }
          // A table new to the warehouse gets its whole history through `to` (first = null): a first
          // publish is a complete one.
          LocalDate first = existing.contains(table.name()) ? from : null;
          staged.add(stage(connection, table, rows(table, lakehouse, first, to), first, to));
        }
        LOG.info("staged {} tables in {} s", staged.size(), seconds(started));
        connection.setAutoCommit(false);
        List<TablePublish> written = new ArrayList<>();
        for (Staged table : staged) {
          written.add(replace(connection, table, existing.contains(table.table().name())));
        }
        Set<String> present = new HashSet<>(existing);
        staged.forEach(s -> present.add(s.table().name()));
        List<String> views = createViews(connection, present);
        connection.commit();
        LOG.info("published {} tables ({} rows) and {} views to {}.{} in {} s", written.size(),
            written.stream().mapToLong(TablePublish::rows).sum(), views.size(), settings.maskedUrl(), settings.schema(), seconds(started));
        return new Publish(List.copyOf(written), List.copyOf(missing), views);
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw failure("publishing to", e);
      } finally {
        dropStaging(connection, staged);
      }
    } catch (SQLException e) {
      throw failure("preparing", e);
    }
  }

  /** A table's rows to publish, complex values as JSON text (jsonb in the warehouse). */
  private static Dataset<Row> rows(Published table, Lakehouse lakehouse, LocalDate first, LocalDate to) {
    Dataset<Row> rows = table.rows().apply(lakehouse);
    if (table.replace() == Replace.DATES) {
      Column date = col(table.dateColumn());
      rows = rows.filter(first == null ? date.leq(lit(java.sql.Date.valueOf(to))) : date.between(lit(java.sql.Date.valueOf(first)), lit(java.sql.Date.valueOf(to))));
    }
    List<Column> columns = new ArrayList<>();
    for (StructField field : rows.schema().fields()) {
      columns.add(isJson(field.dataType()) ? to_json(col(field.name())).as(field.name()) : col(field.name()));
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  /** A table copied into its staging table, with the columns and the dates it replaces (from null: every date through to). */
  private record Staged(Published table, Map<String, String> columns, LocalDate from, LocalDate to) {
    String stage() {
      return STAGE_PREFIX + table.name();
    }
  }

  private Staged stage(Connection connection, Published table, Dataset<Row> rows, LocalDate from, LocalDate to) throws SQLException {
    Instant started = Instant.now();
    Map<String, String> columns = new LinkedHashMap<>();
    for (StructField field : rows.schema().fields()) {
      columns.put(field.name(), sqlType(table.name(), field));
    }
    Staged staged = new Staged(table, columns, from, to);
    String stage = qualified(staged.stage());
    execute(connection, "DROP TABLE IF EXISTS " + stage);
    // Unlogged: a staging copy needs no crash safety, and skipping the write-ahead log halves its cost.
    execute(connection, "CREATE UNLOGGED TABLE " + stage + " ("
        + columns.entrySet().stream()
            .map(c -> quote(c.getKey()) + " " + (c.getValue().equals("jsonb") ? "text" : c.getValue()))
            .collect(Collectors.joining(", "))
        + ")");
    Properties properties = credentials();
    properties.setProperty("driver", "org.postgresql.Driver");
    properties.setProperty("batchsize", "10000");
    properties.setProperty("reWriteBatchedInserts", "true");
    // Two connections: the machine's cores, and few enough for a small database server.
    properties.setProperty("numPartitions", "2");
    rows.write().mode(SaveMode.Append).jdbc(settings.url(), stage, properties);
    LOG.info("{}: staged in {} s", table.name(), seconds(started));
    return staged;
  }

  /** In the publish's transaction: creates or widens the table, then replaces its rows with the staged ones. */
  private TablePublish replace(Connection connection, Staged staged, boolean exists) throws SQLException {
    Published table = staged.table();
    String target = qualified(table.name());
    if (!exists) {
      execute(connection, "CREATE TABLE " + target + " ("
          + staged.columns().entrySet().stream()
              .map(c -> quote(c.getKey()) + " " + c.getValue() + (table.primaryKey().contains(c.getKey()) ? " NOT NULL" : ""))
              .collect(Collectors.joining(", "))
          + ", PRIMARY KEY (" + table.primaryKey().stream().map(Warehouse::quote).collect(Collectors.joining(", ")) + "))");
    } else {
      // A lakehouse written by a newer version has more columns: the table gains them (older rows null).
      Set<String> present = columnsOf(connection, table.name());
      for (Map.Entry<String, String> column : staged.columns().entrySet()) {
        if (!present.contains(column.getKey())) {
          execute(connection, "ALTER TABLE " + target + " ADD COLUMN " + quote(column.getKey()) + " " + column.getValue());
        }
      }
    }
    for (String indexed : indexed(table)) {
      execute(connection, "CREATE INDEX IF NOT EXISTS " + quote(table.name() + "_" + indexed + "_idx")
          + " ON " + target + " (" + quote(indexed) + ")");
    }
    comment(connection, table, staged.columns().keySet());

    long removed;
    if (table.replace() == Replace.WHOLE) {
      removed = update(connection, "DELETE FROM " + target);
    } else {
      String dates = staged.from() == null ? " <= ?" : " BETWEEN ? AND ?";
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + target + " WHERE " + quote(table.dateColumn()) + dates)) {
        int parameter = 1;
        if (staged.from() != null) {
          delete.setObject(parameter++, staged.from());
        }
        delete.setObject(parameter, staged.to());
        removed = delete.executeLargeUpdate();
      }
    }
    String names = staged.columns().keySet().stream().map(Warehouse::quote).collect(Collectors.joining(", "));
    String values = staged.columns().entrySet().stream()
        .map(c -> quote(c.getKey()) + (c.getValue().equals("jsonb") ? "::jsonb" : ""))
        .collect(Collectors.joining(", "));
    long inserted = update(connection, "INSERT INTO " + target + " (" + names + ") SELECT " + values + " FROM " + qualified(staged.stage()));
    LOG.info("{}: {} rows replaced by {}{}", table.name(), removed, inserted,
        table.replace() == Replace.WHOLE ? " (whole table)" : " for " + (staged.from() == null ? "every date through " + staged.to() : staged.from() + " .. " + staged.to()));
    return new TablePublish(table.name(), table.replace(),
        table.replace() == Replace.WHOLE ? null : staged.from(), table.replace() == Replace.WHOLE ? null : staged.to(), inserted);
  }

  /** The date column (first in the primary key, so already indexed there) is left out; the others get an index. */
  private static List<String> indexed(Published table) {
    return table.indexed().stream().filter(c -> !c.equals(table.primaryKey().get(0))).toList();
  }

  private void comment(Connection connection, Published table, Set<String> columns) throws SQLException {
    String how =
        table.replace() == Replace.WHOLE
            ? " Published by Anshin from its lakehouse table " + table.lakehouseTable() + ", replaced whole on each publish."
            : " Published by Anshin from its lakehouse table " + table.lakehouseTable() + ", by " + table.dateColumn() + ".";
    execute(connection, "COMMENT ON TABLE " + qualified(table.name()) + " IS " + literal(docs.table(table.name()).orElse("") + how));
    for (String column : columns) {
      var text = docs.column(table.name(), column);
      if (text.isPresent()) {
        execute(connection, "COMMENT ON COLUMN " + qualified(table.name()) + "." + quote(column) + " IS " + literal(text.get()));
      }
    }
  }

  /** The views a dashboard reads as they are; each only once the tables it reads are there. */
  private List<String> createViews(Connection connection, Set<String> tables) throws SQLException {
    List<String> created = new ArrayList<>();
    for (View view : Views.all(settings.schema(), healthyScore)) {
      if (!tables.containsAll(view.reads())) {
        LOG.info("view {} waits for {}", view.name(), view.reads());
        continue;
      }
      execute(connection, "CREATE OR REPLACE VIEW " + qualified(view.name()) + " AS " + view.sql());
      execute(connection, "COMMENT ON VIEW " + qualified(view.name()) + " IS " + literal(view.description()));
      created.add(view.name());
    }
    return created;
  }

  /** A view of the published tables. */
  record View(String name, String description, List<String> reads, String sql) {}

  private void dropStaging(Connection connection, List<Staged> staged) {
    try {
      connection.setAutoCommit(true);
      for (Staged table : staged) {
        execute(connection, "DROP TABLE IF EXISTS " + qualified(table.stage()));
      }
    } catch (SQLException e) {
      // Harmless: the next publish drops and recreates them.
      LOG.warn("could not drop the staging tables: {}", e.getMessage());
    }
  }

  private Set<String> existingTables(Connection connection) throws SQLException {
    Set<String> tables = new HashSet<>();
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'")) {
      query.setString(1, settings.schema());
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          tables.add(result.getString(1));
        }
      }
    }
    return tables;
  }

  private Set<String> columnsOf(Connection connection, String table) throws SQLException {
    Set<String> columns = new HashSet<>();
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?")) {
      query.setString(1, settings.schema());
      query.setString(2, table);
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          columns.add(result.getString(1));
        }
      }
    }
    return columns;
  }

  /** Opens a connection with the credentials from the environment variables the configuration names. */
  public Connection connect() throws SQLException {
    Properties properties = credentials();
    properties.setProperty("ApplicationName", "anshin");
    properties.setProperty("connectTimeout", "30");
    return DriverManager.getConnection(settings.url(), properties);
  }

  private Properties credentials() {
    Properties properties = new Properties();
    String user = System.getenv(settings.userEnv());
    String password = System.getenv(settings.passwordEnv());
    if (user != null && !user.isEmpty()) {
      properties.setProperty("user", user);
    }
    if (password != null && !password.isEmpty()) {
      properties.setProperty("password", password);
    }
    return properties;
  }

  /**
   * A failure as the exit code a scheduler can act on: a server that cannot be reached or that
   * rolled the transaction back retries (75); a wrong database, user or password, or missing
   * rights, needs a person (78); anything else is a bug (70). The message never carries a password.
   */
  private AnshinException failure(String doing, Throwable e) {
    SQLException sql = sqlCause(e);
    String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
    String message = doing + " the warehouse " + settings.maskedUrl() + " failed: "
        + WarehouseSettings.maskPassword(String.valueOf((sql != null ? sql : e).getMessage()))
        + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")")
        + ". Nothing was published: the warehouse keeps its previous state";
    if (state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57P")) {
      return AnshinException.temporary(message + "; retry later", e);
    }
    if (state.startsWith("28") || state.equals("3D000") || state.equals("42501") || state.equals("3F000")) {
      return new AnshinException(ExitCodes.CONFIG, message + "; check anshin.warehouse (url, and the variables "
          + settings.userEnv() + " and " + settings.passwordEnv() + ")", e);
    }
    if (e instanceof AnshinException known) {
      return known;
    }
    return new AnshinException(ExitCodes.INTERNAL, message, e);
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  private static void rollback(Connection connection) {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
      }
    } catch (SQLException e) {
      LOG.warn("rollback failed (the server discards the transaction with the connection): {}", e.getMessage());
    }
  }

  /** The warehouse's type for a lakehouse column: real dates, numerics and time stamps, not text. */
  static String sqlType(String table, StructField field) {
    DataType type = field.dataType();
    if (type instanceof DecimalType decimal) {
      return "numeric(" + decimal.precision() + "," + decimal.scale() + ")";
    }
    if (isJson(type)) {
      return "jsonb";
    }
    if (type.equals(DataTypes.StringType)) {
      return "text";
    }
    if (type.equals(DataTypes.LongType)) {
      return "bigint";
    }
    if (type.equals(DataTypes.IntegerType)) {
      return "integer";
    }
    if (type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType)) {
      return "smallint";
    }
    if (type.equals(DataTypes.DoubleType)) {
      return "double precision";
    }
    if (type.equals(DataTypes.FloatType)) {
      return "real";
    }
    if (type.equals(DataTypes.BooleanType)) {
      return "boolean";
    }
    if (type.equals(DataTypes.DateType)) {
      return "date";
    }
    if (type.equals(DataTypes.TimestampType)) {
      return "timestamptz";
    }
    if (type.equals(DataTypes.TimestampNTZType)) {
      return "timestamp";
    }
    if (type.equals(DataTypes.BinaryType)) {
      return "bytea";
    }
    throw new AnshinException(ExitCodes.INTERNAL,
        "column " + table + "." + field.name() + " has type " + type.simpleString() + ", which the warehouse cannot hold");
  }

  private static boolean isJson(DataType type) {
    return type instanceof StructType || type instanceof MapType || type instanceof ArrayType;
  }

  private String qualified(String name) {
    return quote(settings.schema()) + "." + quote(name);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long update(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      return statement.executeLargeUpdate(sql);
    }
  }

  private static String seconds(Instant started) {
    return String.format(Locale.ROOT, "%.1f", Duration.between(started, Instant.now()).toMillis() / 1000.0);
  }
}
