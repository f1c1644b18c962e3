package dev.anshin.bench;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.features.rollup.AccountDaily;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.jobs.cli.PipelineOptions;
import dev.anshin.jobs.config.AnshinConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The alternative a user would reach for on one machine: DuckDB computing the per-account daily
 * rollup of one day straight from that day's usage and request files, written to Parquet. The same
 * counts as Anshin's {@code account_daily} (events, distinct users, requests, valid and good
 * requests, server and client errors, the valid requests within each latency bound), without what
 * needs more than the day's files (a ticket's first delivery, the HyperLogLog sketch).
 */
@Command(
    name = "bench-duckdb-rollup",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark yardstick: DuckDB computes the per-account daily rollup of one day's usage and request",
      "files (the counts of account_daily) and writes it to Parquet. Prints one JSON line: input rows,",
      "rollup rows and seconds. Caller errors are every 4xx, as Anshin's default."
    })
final class DuckDbRollupCommand implements Callable<Integer> {
  @Mixin PipelineOptions options;

  @Option(names = "--date", required = true, paramLabel = "YYYY-MM-DD", description = "The delivery day to roll up.")
  LocalDate date;

  @Option(names = "--threads", defaultValue = "2", description = "DuckDB threads. Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The Parquet file to write.")
  Path out;

  @Override
  public Integer call() throws SQLException {
    AnshinConfig config = options.load();
    String usage = files(config, SourceTable.USAGE_EVENTS);
    String requests = files(config, SourceTable.API_REQUESTS);
    List<String> latency = new ArrayList<>();
    for (int bound : AccountDaily.LATENCY_BOUNDS_MS) {
      latency.add("count(*) FILTER (WHERE valid AND latency_ms <= " + bound + ") AS " + AccountDaily.validAtOrBelow(bound));
    }
    String query = """
        WITH usage AS (
          SELECT account_id, CAST(CAST(event_time AS TIMESTAMPTZ) AS DATE) AS activity_date,
                 count(*) AS events, count(DISTINCT user_id) AS active_users
          FROM read_json(%s, format = 'newline_delimited',
                         columns = {event_id: 'VARCHAR', account_id: 'VARCHAR', user_id: 'VARCHAR',
                                    event_time: 'VARCHAR', event_name: 'VARCHAR'})
          GROUP BY ALL),
        typed_requests AS (
          SELECT account_id, CAST(CAST(request_time AS TIMESTAMPTZ) AS DATE) AS activity_date, status, latency_ms,
                 NOT (status BETWEEN 400 AND 499) AS valid
          FROM read_json(%s, format = 'newline_delimited',
                         columns = {request_id: 'VARCHAR', request_time: 'VARCHAR', account_id: 'VARCHAR',
                                    route: 'VARCHAR', status: 'INTEGER', latency_ms: 'DOUBLE'})),
        requests AS (
          SELECT account_id, activity_date, count(*) AS requests,
                 count(*) FILTER (WHERE valid) AS valid_requests,
                 count(*) FILTER (WHERE valid AND status < 400) AS good_requests,
                 count(*) FILTER (WHERE status >= 500) AS server_errors,
                 count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS client_errors,
                 %s
          FROM typed_requests GROUP BY ALL)
        SELECT * FROM usage FULL OUTER JOIN requests USING (account_id, activity_date)
        """.formatted(quote(usage), quote(requests), String.join(",\n           ", latency));
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute("SET threads = " + threads);
      statement.execute("SET TimeZone = 'UTC'");
      long started = System.nanoTime();
      statement.execute("COPY (" + query + ") TO " + quote(out.toAbsolutePath().toString()) + " (FORMAT parquet)");
      double seconds = (System.nanoTime() - started) / 1e9;
      long rows = count(statement, "SELECT count(*) FROM read_parquet(" + quote(out.toAbsolutePath().toString()) + ")");
      long input = count(statement, "SELECT count(*) FROM read_json(" + quote(usage) + ", format = 'newline_delimited')")
          + count(statement, "SELECT count(*) FROM read_json(" + quote(requests) + ", format = 'newline_delimited')");
      System.out.println(String.format(Locale.ROOT, "{\"date\":\"%s\",\"input_rows\":%d,\"rollup_rows\":%d,\"threads\":%d,\"seconds\":%.3f}",
          date, input, rows, threads, seconds));
    }
    return ExitCodes.OK;
  }

  /** A glob over the day's files of a source delivered as JSON lines by day. */
  private String files(AnshinConfig config, SourceTable source) {
    AnshinConfig.SourceSettings settings = config.sources().get(source);
    if (!settings.format().equals("json") || !settings.path().contains("{date}")) {
      throw AnshinException.usage("bench-duckdb-rollup reads daily JSON-lines files; " + source.tableName()
          + " is configured as " + settings.format() + " at " + settings.path());
    }
    Path folder = config.sourcesDir().resolve(settings.path().replace("{date}", date.toString()));
    if (!Files.isDirectory(folder)) {
      throw AnshinException.missingInput("source " + source.tableName() + " has no folder " + folder);
    }
    return folder.toAbsolutePath() + "/*";
  }

  private static long count(Statement statement, String query) throws SQLException {
    try (ResultSet result = statement.executeQuery(query)) {
      result.next();
      return result.getLong(1);
    }
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
