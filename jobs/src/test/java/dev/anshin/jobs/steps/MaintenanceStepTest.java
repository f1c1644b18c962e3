package dev.anshin.jobs.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.testing.SparkTestBase;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class MaintenanceStepTest extends SparkTestBase {
  private static final LocalDate SUNDAY = LocalDate.parse("2026-01-04");

  /** The nightly's steps from maintenance on: what a run does once its tables are written. */
  private static List<Step> nightlyFromMaintenance() {
    List<Step> steps = Nightly.steps(new Nightly.Options(false));
    int maintain = steps.indexOf(MaintenanceStep.ON_CADENCE);
    assertThat(maintain).as("the nightly has a maintain step").isPositive();
    return steps.subList(maintain, steps.size());
  }

  /** A table that is not partitioned by day, written on four nights: four files. */
  private static void writeFourNights(Lakehouse lakehouse) {
    for (int night = 0; night < 4; night++) {
      LocalDate day = SUNDAY.minusDays(4 - night);
      lakehouse.replaceDates("support_daily", lakehouse.spark().sql("SELECT DATE'" + day + "' AS date, " + night + " AS tickets"),
          "date", day, day, null);
    }
  }

  private static long liveFiles(Lakehouse lakehouse) {
    return lakehouse.read("support_daily").inputFiles().length;
  }

  @Test
  void aLakehouseWithNoModelYetIsStillMaintainedOnItsCadence() {
    assertThat(SUNDAY.getDayOfWeek()).isEqualTo(DayOfWeek.SUNDAY);
    AnshinConfig config = AnshinConfig.load(null).withLocations(scratch.resolve("young"), scratch.resolve("sources"));
    PipelineContext context = new PipelineContext(spark, config);
    Lakehouse lakehouse = context.lakehouse();
    writeFourNights(lakehouse);
    assertThat(liveFiles(lakehouse)).isEqualTo(4);

    // Scoring has no model (exit 65) and ends the run; maintenance came before it.
    assertThatThrownBy(() -> context.run(nightlyFromMaintenance(), SUNDAY, SUNDAY))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.DATA_ERROR));
    context.flushRunLog();
    assertThat(liveFiles(lakehouse)).isEqualTo(1);
    assertThat(lakehouse.read("support_daily").count()).isEqualTo(4);
    Row maintain = lakehouse.read(PipelineContext.RUN_LOG).filter("step = 'maintain'").first();
    assertThat(maintain.<String>getAs("outcome")).isEqualTo("succeeded");
  }

  @Test
  void offItsCadenceTheNightlyLeavesTheFilesAsTheyAre() {
    AnshinConfig config = AnshinConfig.load(null).withLocations(scratch.resolve("saturday"), scratch.resolve("sources"));
    PipelineContext context = new PipelineContext(spark, config);
    Lakehouse lakehouse = context.lakehouse();
    writeFourNights(lakehouse);
    LocalDate saturday = SUNDAY.minusDays(1);
    StepReport report = MaintenanceStep.ON_CADENCE.run(context, saturday, saturday);
    assertThat(report.outcome()).isEqualTo(StepReport.Outcome.SKIPPED);
    assertThat(liveFiles(lakehouse)).isEqualTo(4);
    // A backfill that spans the Sunday maintains, once.
    assertThat(MaintenanceStep.ON_CADENCE.run(context, saturday.minusDays(3), SUNDAY.plusDays(1)).outcome())
        .isEqualTo(StepReport.Outcome.SUCCEEDED);
    assertThat(liveFiles(lakehouse)).isEqualTo(1);
  }
}
