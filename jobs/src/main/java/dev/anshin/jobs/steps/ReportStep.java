package dev.anshin.jobs.steps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import dev.anshin.errors.AnshinException;
import dev.anshin.jobs.report.ReportData;
import dev.anshin.jobs.report.ReportPage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import org.apache.spark.sql.Row;

/**
 * Report: the run's results on one self-contained HTML page ({@link ReportPage}), for the people
 * who would rather look than query: {@code <lakehouse>/reports/<date>/index.html} by default. The
 * nightly's last step when {@code anshin.report.enabled}; {@code anshin report} on demand. Reads
 * only; the page is written to a temporary file and moved into place, so a reader never sees half
 * a page.
 */
public final class ReportStep implements Step {
  public static final String FILE = "index.html";

  private final Path outDir;
  private final boolean onDemand;

  /**
   * A report into {@code outDir}, or into the lakehouse's {@code reports/<date>} when null. On
   * demand ({@code anshin report}), a date the lakehouse holds no features for is an error (exit
   * 66) rather than an empty page: most likely a wrong date or folder.
   */
  public ReportStep(Path outDir, boolean onDemand) {
    this.outDir = outDir;
    this.onDemand = onDemand;
  }

  /** The folder the report of {@code date} goes to by default. */
  public static Path defaultDir(Path lakehouse, LocalDate date) {
    return lakehouse.resolve("reports").resolve(date.toString());
  }

  @Override
  public String name() {
    return "report";
  }

  @Override
  public StepReport run(PipelineContext context, LocalDate from, LocalDate to) {
    // The run's own steps so far belong on the page (this step's record is written after it).
    context.flushRunLog();
    if (onDemand) {
      requireFeatures(context, to);
    }
    ReportData data = ReportData.read(context.lakehouse(), to, context.config().health().bands().green(),
        context.config().slo().defaultTarget().availability());
    String html = ReportPage.render(data);
    Path dir = outDir != null ? outDir : defaultDir(context.lakehouse().root(), to);
    Path page = dir.resolve(FILE);
    try {
      Files.createDirectories(dir);
      // Not Files.createTempFile: its owner-only permissions would keep the page from a web server.
      Path partial = dir.resolve("." + FILE + "." + java.util.UUID.randomUUID() + ".partial");
      Files.writeString(partial, html, StandardCharsets.UTF_8);
      Files.move(partial, page, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw AnshinException.cannotCreate("cannot write the report to " + page + ": " + e.getMessage(), e);
    }
    return new StepReport(0, 0, "report of " + to + " in " + page.toAbsolutePath());
  }

  private static void requireFeatures(PipelineContext context, LocalDate date) {
    String table = "customer_features";
    if (!context.lakehouse().exists(table)) {
      throw AnshinException.missingInput("nothing to report: " + context.lakehouse().root() + " has no " + table
          + " table; run the nightly first (or pass --lakehouse)");
    }
    Row range = context.lakehouse().read(table)
        .agg(min("as_of_date"), max("as_of_date"), count_if(col("as_of_date").equalTo(lit(java.sql.Date.valueOf(date))))).first();
    if (range.getLong(2) == 0) {
      throw AnshinException.missingInput("nothing to report for " + date + ": " + table + " in " + context.lakehouse().root()
          + " holds " + (range.isNullAt(0) ? "no date" : range.get(0) + " to " + range.get(1)));
    }
  }
}
