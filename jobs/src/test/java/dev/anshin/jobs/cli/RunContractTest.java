package dev.anshin.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.io.HoldLock;
import dev.anshin.jobs.io.LakehouseLock;
import dev.anshin.testing.SparkTestBase;
import io.delta.exceptions.ConcurrentAppendException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What a scheduler sees from a run that cannot go ahead: the lock, a configuration it does not
 * understand, no model to score with, a concurrent writer. Each ends with the exit code that tells
 * a scheduler whether to retry, and a message a person can act on.
 */
class RunContractTest extends SparkTestBase {

  /** Runs the CLI and returns its exit code and what it printed to stderr. */
  private record Outcome(int exitCode, String err) {}

  private Outcome cli(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine commandLine = AnshinCli.commandLine();
    commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int exit = commandLine.execute(args);
    return new Outcome(exit, err.toString(StandardCharsets.UTF_8));
  }

  private Path conf(String name, String text) throws IOException {
    Path file = scratch.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void aRunFindingAnotherProcessHoldingTheLockWaitsThenExits75AndKill9ReleasesTheLock() throws Exception {
    Path lakehouse = scratch.resolve("locked");
    Path conf = conf("wait-1s.conf", "anshin.lock.wait = 1s\n");
    Process holder =
        new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), HoldLock.class.getName(), lakehouse.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader output = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<Boolean> locked =
          CompletableFuture.supplyAsync(() -> output.lines().anyMatch("locked"::equals));
      assertThat(locked.get(60, TimeUnit.SECONDS)).isTrue();

      long started = System.nanoTime();
      Outcome second = cli("score", "--date", "2025-03-01", "--conf", conf.toString(), "--lakehouse", lakehouse.toString());
      double waited = (System.nanoTime() - started) / 1e9;
      assertThat(second.exitCode()).isEqualTo(ExitCodes.TEMPFAIL);
      assertThat(waited).isGreaterThanOrEqualTo(1.0);
      // The message names the holder, from the lock file's text.
      assertThat(second.err()).contains("another run is writing to").contains("the HoldLock test process")
          .contains("pid " + holder.pid());
      // Nothing was written by the run that did not get the lock.
      assertThat(lakehouse.resolve("run_log")).doesNotExist();
    } finally {
      holder.destroyForcibly().waitFor();
    }
    // kill -9 leaves no stale lock: the next run takes it at once.
    try (LakehouseLock next = LakehouseLock.acquire(lakehouse, Duration.ZERO, "the next run")) {
      assertThat(next).isNotNull();
    }
  }

  @Test
  void aRunWaitingForTheLockGoesAheadWhenTheFirstRunEnds() throws Exception {
    Path lakehouse = scratch.resolve("released");
    Path conf = conf("wait-60s.conf", "anshin.lock.wait = 60s\n");
    LakehouseLock held = LakehouseLock.acquire(lakehouse, Duration.ZERO, "anshin nightly (the first run)");
    CompletableFuture<Void> release =
        CompletableFuture.runAsync(held::close, CompletableFuture.delayedExecutor(1500, TimeUnit.MILLISECONDS));
    long started = System.nanoTime();
    Outcome second = cli("score", "--date", "2025-03-01", "--conf", conf.toString(), "--lakehouse", lakehouse.toString());
    double waited = (System.nanoTime() - started) / 1e9;
    release.get();
    // It got the lock after about 1.5 s, well before its 60 s, and ran: on an empty lakehouse scoring
    // has no model, which is a data error (65), not a lock timeout (75).
    assertThat(waited).isGreaterThanOrEqualTo(1.5).isLessThan(60);
    assertThat(second.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
  }

  @Test
  void withNoModelAtAllScoringExits65SayingHowMuchHistoryTrainingNeeds() {
    Path lakehouse = scratch.resolve("no-model");
    Outcome score = cli("score", "--date", "2025-03-01", "--lakehouse", lakehouse.toString());
    assertThat(score.exitCode()).isEqualTo(ExitCodes.DATA_ERROR);
    // 305 days with the defaults (a 90-day horizon): see TrainStepTest.
    assertThat(score.err()).contains("no churn model to score 2025-03-01").contains("up to 305 days of delivered history");
    // The failed step is in the run log, written although the command failed.
    var log = spark.read().format("delta").load(lakehouse.resolve("run_log").toString())
        .filter("step = 'score'").collectAsList();
    assertThat(log).hasSize(1);
    assertThat(log.get(0).<String>getAs("outcome")).isEqualTo("failed");
    assertThat(log.get(0).<String>getAs("error")).contains("no churn model to score 2025-03-01");
  }

  @Test
  void aReportOfALakehouseWithoutThatDateExits66NamingWhatItHolds() {
    // A folder the nightly never ran on: most likely a wrong --lakehouse.
    Path lakehouse = scratch.resolve("nothing-to-report");
    Outcome report = cli("report", "--date", "2025-03-01", "--lakehouse", lakehouse.toString());
    assertThat(report.exitCode()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(report.err()).contains("nothing to report").contains("no customer_features table");
    assertThat(lakehouse.resolve("reports")).doesNotExist();
  }

  @Test
  void aMisspeltConfigurationKeyStopsTheRunBeforeAnythingIsWritten() throws IOException {
    Path lakehouse = scratch.resolve("misspelt");
    Path conf = conf("misspelt.conf", "anshin { churn { horizon_days = 30 } }\n");
    Outcome run = cli("nightly", "--date", "2025-03-01", "--conf", conf.toString(), "--lakehouse", lakehouse.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err()).contains("unknown key anshin.churn.horizon_days").contains("did you mean anshin.churn.horizon-days?");
    assertThat(lakehouse).doesNotExist();
  }

  @Test
  void aBadAnalyticsValueStopsTheRunBeforeAnythingIsWritten() throws IOException {
    Path lakehouse = scratch.resolve("bad-health");
    Path conf = conf("bad-health.conf", "anshin.health.bands.yellow = 75\n");
    Outcome run = cli("nightly", "--date", "2025-03-01", "--conf", conf.toString(), "--lakehouse", lakehouse.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err()).contains("anshin.health");
    assertThat(lakehouse).doesNotExist();
  }

  @Test
  void aDeltaWriteConflictIsATemporaryFailureNotABug() {
    AnshinException known =
        AnshinCli.knownCause(new RuntimeException("job aborted", new ConcurrentAppendException("files were added to partition x")));
    assertThat(known).isNotNull();
    assertThat(known.exitCode()).isEqualTo(ExitCodes.TEMPFAIL);
    assertThat(known.getMessage()).contains("ConcurrentAppendException").contains("retry");
    // Anything else stays a bug.
    assertThat(AnshinCli.knownCause(new IllegalStateException("boom"))).isNull();
  }
}
