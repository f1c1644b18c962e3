package dev.anshin.jobs.io;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_csv;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_parse_json;

import dev.anshin.features.sources.RawRecord;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.errors.AnshinException;
import dev.anshin.jobs.config.AnshinConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads one source as configured (CSV, JSON lines, Parquet or a JDBC table) into raw records: the
 * source's columns as strings under their typed names, plus the {@link RawRecord} columns that
 * validation needs. Nothing is typed or dropped here; that is validation's job.
 */
public final class SourceReader {
  public static final String DATE_PLACEHOLDER = "{date}";
  private static final String CORRUPT = "_corrupt_record";
  private static final String FILE_PATH = "_metadata.file_path";

  private final SparkSession spark;
  private final AnshinConfig config;

  public SourceReader(SparkSession spark, AnshinConfig config) {
    this.spark = spark;
    this.config = config;
  }

  /** Where a source's data for one day (or its snapshot) lives. */
  public String location(SourceTable source, LocalDate day) {
    AnshinConfig.SourceSettings settings = config.sources().get(source);
    if (settings.format().equals("jdbc")) {
      return settings.jdbcUrl() + " table " + settings.jdbcTable();
    }
    String path = settings.path().replace(DATE_PLACEHOLDER, day.toString());
    boolean absolute = path.startsWith("/") || path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    return absolute ? path : config.sourcesDir().resolve(path).toAbsolutePath().toString();
  }

  /**
   * The locations a run over [from, to] reads: one per day for a source delivered by day (its path
   * has {date}), else the one location.
   */
  public List<String> locations(SourceTable source, LocalDate from, LocalDate to) {
    if (!dated(config.sources().get(source))) {
      return List.of(location(source, to));
    }
    Set<String> paths = new LinkedHashSet<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      paths.add(location(source, day));
    }
    return List.copyOf(paths);
  }

  /** Fails, naming the source and path, if anything the run would read is missing. */
  public void checkPresent(SourceTable source, LocalDate from, LocalDate to) {
    AnshinConfig.SourceSettings settings = config.sources().get(source);
    if (settings.format().equals("jdbc")) {
      return; // reachability is checked when the table is read, before anything is written
    }
    for (String location : locations(source, from, to)) {
      try {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(path)) {
          throw AnshinException.missingInput(
              "source " + source.tableName() + " is missing: " + location
                  + " does not exist (configured as anshin.sources." + source.tableName() + ".path = \""
                  + settings.path() + "\" under " + config.sourcesDir() + ")");
        }
      } catch (IOException e) {
        throw AnshinException.missingInput("source " + source.tableName() + " is unreadable at " + location + ": " + e.getMessage());
      }
    }
  }

  /** Whether a source is delivered by day: its path has a {date} that names the delivery day. */
  static boolean dated(AnshinConfig.SourceSettings settings) {
    return settings.path() != null && settings.path().contains(DATE_PLACEHOLDER);
  }

  /**
   * Raw records of the source delivered in [from, to]. Each record's delivery day comes from its
   * file's path; an undated source (one file or a JDBC table, a snapshot of now) cannot know the
   * past, so a run reads it once as delivered on the first day of its range.
   */
  public Dataset<Row> read(SourceTable source, LocalDate from, LocalDate to) {
    AnshinConfig.SourceSettings settings = config.sources().get(source);
    Dataset<Row> raw =
        switch (settings.format()) {
          case "json" -> readJsonLines(source, settings, from, to);
          case "csv" -> readCsv(source, settings, from, to);
          case "parquet" -> readTyped(source, settings,
              spark.read().options(settings.options()).parquet(locations(source, from, to).toArray(String[]::new)), from, to);
          case "jdbc" -> readTyped(source, settings, readJdbc(source, settings), from, to);
          default -> throw AnshinException.badConfig("unsupported format " + settings.format());
        };
    return raw.withColumn(RawRecord.POSITION, monotonically_increasing_id());
  }

  private Dataset<Row> readJsonLines(
      SourceTable source, AnshinConfig.SourceSettings settings, LocalDate from, LocalDate to) {
    List<String> paths = locations(source, from, to);
    Dataset<Row> lines =
        spark.read().options(settings.options()).text(paths.toArray(String[]::new))
            .select(col("value"), col(FILE_PATH).as(RawRecord.SOURCE_FILE))
            .filter(trim(col("value")).notEqual(""));
    StructType rawSchema = new StructType();
    for (String name : source.columnNames()) {
      rawSchema = rawSchema.add(settings.rawColumn(name), DataTypes.StringType);
    }
    Map<String, String> permissive = new HashMap<>(Map.of("mode", "PERMISSIVE"));
    Column parsed = from_json(col("value"), rawSchema, permissive);
    // try_parse_json is null exactly when the line is not JSON; a JSON value that is not an object
    // (an array, a bare string) has no fields either.
    Column malformed =
        try_parse_json(col("value")).isNull().or(org.apache.spark.sql.functions.not(trim(col("value")).startsWith("{")));
    List<Column> columns = new ArrayList<>();
    for (String name : source.columnNames()) {
      columns.add(parsed.getField(settings.rawColumn(name)).as(name));
    }
    columns.add(col("value").as(RawRecord.TEXT));
    columns.add(malformed.as(RawRecord.MALFORMED));
    columns.add(col(RawRecord.SOURCE_FILE));
    columns.add(deliveryDate(settings, from).as(RawRecord.DELIVERY_DATE));
    return lines.select(columns.toArray(Column[]::new));
  }

  /**
   * The day a record was delivered for: taken from the file's path where the configured path has a
   * {date}, so that a backfill over many days reads every file in one scan.
   */
  private Column deliveryDate(AnshinConfig.SourceSettings settings, LocalDate undatedDay) {
    if (!dated(settings)) {
      return lit(Date.valueOf(undatedDay));
    }
    String path = settings.path();
    int at = path.indexOf(DATE_PLACEHOLDER);
    String before = path.substring(path.lastIndexOf('/', at) + 1, at);
    String regex = Pattern.quote(before) + "(\\d{4}-\\d{2}-\\d{2})";
    return to_date(regexp_extract(col(RawRecord.SOURCE_FILE), regex, 1));
  }

  private Dataset<Row> readCsv(
      SourceTable source, AnshinConfig.SourceSettings settings, LocalDate from, LocalDate to) {
    List<String> paths = locations(source, from, to);
    // Every day's file is expected to carry the same header; the last one (the newest export) names the columns.
    String location = paths.get(paths.size() - 1);
    List<String> header = csvHeader(source, location);
    StructType fileSchema = new StructType();
    for (String name : header) {
      fileSchema = fileSchema.add(name, DataTypes.StringType);
    }
    fileSchema = fileSchema.add(CORRUPT, DataTypes.StringType);
    for (SourceTable.Column column : source.columns()) {
      if (column.required() && !header.contains(settings.rawColumn(column.name()))) {
        throw AnshinException.badData(
            "source " + source.tableName() + " (" + location + ") has no column '" + settings.rawColumn(column.name())
                + "', which feeds the required column " + column.name() + "; its header is " + header
                + " (map columns with anshin.sources." + source.tableName() + ".columns)");
      }
    }
    Dataset<Row> rows =
        spark.read()
            .option("header", "true")
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT)
            .options(settings.options())
            .schema(fileSchema)
            .csv(paths.toArray(String[]::new));
    Column[] fileColumns = header.stream().map(h -> col("`" + h + "`")).toArray(Column[]::new);
    List<Column> columns = new ArrayList<>();
    for (String name : source.columnNames()) {
      String rawName = settings.rawColumn(name);
      columns.add(header.contains(rawName) ? col("`" + rawName + "`").as(name) : lit(null).cast(DataTypes.StringType).as(name));
    }
    columns.add(coalesce(col(CORRUPT), to_csv(struct(fileColumns))).as(RawRecord.TEXT));
    columns.add(col(CORRUPT).isNotNull().as(RawRecord.MALFORMED));
    columns.add(col(FILE_PATH).as(RawRecord.SOURCE_FILE));
    columns.add(deliveryDate(settings, from).as(RawRecord.DELIVERY_DATE));
    return rows.select(columns.toArray(Column[]::new));
  }

  private List<String> csvHeader(SourceTable source, String location) {
    try {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      org.apache.hadoop.fs.Path file = path;
      if (fs.getFileStatus(path).isDirectory()) {
        file = java.util.Arrays.stream(fs.listStatus(path))
            .map(org.apache.hadoop.fs.FileStatus::getPath)
            .filter(p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))
            .findFirst()
            .orElseThrow(() -> AnshinException.missingInput("source " + source.tableName() + " folder " + location + " is empty"));
      }
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
        String line = reader.readLine();
        if (line == null || line.isBlank()) {
          throw AnshinException.badData("source " + source.tableName() + " (" + location + ") is empty: no header row");
        }
        List<String> names = new ArrayList<>();
        for (String name : line.replace("\uFEFF", "").split(",", -1)) {
          names.add(name.trim().replaceAll("^\"|\"$", ""));
        }
        return names;
      }
    } catch (IOException e) {
      throw AnshinException.missingInput("source " + source.tableName() + " is unreadable at " + location + ": " + e.getMessage());
    }
  }

  /** Already-typed inputs (Parquet, JDBC): columns as strings, the raw text as JSON of the row. */
  private Dataset<Row> readTyped(
      SourceTable source, AnshinConfig.SourceSettings settings, Dataset<Row> rows, LocalDate from, LocalDate to) {
    List<String> present = List.of(rows.columns());
    List<Column> columns = new ArrayList<>();
    for (String name : source.columnNames()) {
      String rawName = settings.rawColumn(name);
      columns.add(
          present.contains(rawName)
              ? col("`" + rawName + "`").cast(DataTypes.StringType).as(name)
              : lit(null).cast(DataTypes.StringType).as(name));
    }
    columns.add(to_json(struct(present.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new))).as(RawRecord.TEXT));
    columns.add(lit(false).as(RawRecord.MALFORMED));
    boolean files = !settings.format().equals("jdbc");
    columns.add(files ? col(FILE_PATH).as(RawRecord.SOURCE_FILE) : lit(location(source, to)).as(RawRecord.SOURCE_FILE));
    columns.add(
        files ? deliveryDate(settings, from).as(RawRecord.DELIVERY_DATE) : lit(Date.valueOf(from)).as(RawRecord.DELIVERY_DATE));
    return rows.select(columns.toArray(Column[]::new));
  }

  private Dataset<Row> readJdbc(SourceTable source, AnshinConfig.SourceSettings settings) {
    Properties properties = new Properties();
    if (settings.jdbcUserEnv() != null) {
      properties.setProperty("user", requiredEnv(source, settings.jdbcUserEnv()));
    }
    if (settings.jdbcPasswordEnv() != null) {
      properties.setProperty("password", requiredEnv(source, settings.jdbcPasswordEnv()));
    }
    properties.putAll(settings.options());
    try {
      return spark.read().jdbc(settings.jdbcUrl(), settings.jdbcTable(), properties);
    } catch (RuntimeException e) {
      throw new AnshinException(
          dev.anshin.errors.ExitCodes.NO_INPUT,
          "source " + source.tableName() + " is unreadable: JDBC table " + settings.jdbcTable() + " at "
              + settings.jdbcUrl() + ": " + e.getMessage(),
          e);
    }
  }

  private static String requiredEnv(SourceTable source, String variable) {
    String value = System.getenv(variable);
    if (value == null) {
      throw AnshinException.badConfig(
          "source " + source.tableName() + " needs the environment variable " + variable + " (JDBC credentials)");
    }
    return value;
  }
}
