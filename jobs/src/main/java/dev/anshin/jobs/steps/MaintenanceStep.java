package dev.anshin.jobs.steps;

import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import java.time.LocalDate;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the lakehouse fast after a year of nightlies: compacts the small files that nightly writes
 * leave (a table that is not partitioned by day gains a file every night) and vacuums the files of
 * versions older than the retention. Runs in the nightly, before scoring, on the cadence that
 * {@code anshin.maintenance.cadence} names, once per run however many of its dates are on it (a
 * backfill compacts once, at its end), and on demand as {@code anshin maintain}.
 *
 * <p>Neither changes a row: compaction commits a version with the same rows in fewer files, and
 * vacuum deletes only files that no version younger than the retention reads. A rerun of any date
 * replaces its rows from the current version and never needs an old one; the retention is for
 * readers (time travel, a query that started before a write).
 */
public final class MaintenanceStep implements Step {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceStep.class);

  /** The nightly's step: maintains only when a date of the run is on the cadence. */
  public static final MaintenanceStep ON_CADENCE = new MaintenanceStep(false);
  /** {@code anshin maintain}: maintains whatever the date. */
  public static final MaintenanceStep ALWAYS = new MaintenanceStep(true);

  private final boolean always;

  private MaintenanceStep(boolean always) {
    this.always = always;
  }

  @Override
  public String name() {
    return "maintain";
  }

  @Override
  public StepReport run(PipelineContext context, LocalDate from, LocalDate to) {
    AnshinConfig.MaintenanceSettings settings = context.config().maintenance();
    if (!always && !settings.dueWithin(from, to)) {
      return StepReport.skipped("no date of " + from + ".." + to + " is on anshin.maintenance.cadence = " + settings.cadence());
    }
    Lakehouse lakehouse = context.lakehouse();
    long filesBefore = 0;
    long filesAfter = 0;
    long deletedFiles = 0;
    long deletedBytes = 0;
    int tables = 0;
    for (String table : lakehouse.tables()) {
      Lakehouse.Compaction compaction = lakehouse.compact(table);
      Lakehouse.Vacuum vacuum = lakehouse.vacuum(table, settings.retention());
      LOG.info("{}: {} -> {} live files; vacuum deleted {} files ({} bytes)", table,
          compaction.filesBefore(), compaction.filesAfter(), vacuum.filesDeleted(), vacuum.bytesDeleted());
      filesBefore += compaction.filesBefore();
      filesAfter += compaction.filesAfter();
      deletedFiles += vacuum.filesDeleted();
      deletedBytes += vacuum.bytesDeleted();
      tables++;
    }
    return new StepReport(0, 0, String.format(Locale.ROOT,
        "%d tables: %d live files compacted to %d; vacuum deleted %d files (%.1f MB) no version younger than %s reads",
        tables, filesBefore, filesAfter, deletedFiles, deletedBytes / 1048576.0, settings.retention()));
  }
}
