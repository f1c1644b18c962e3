package dev.anshin.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.errors.ExitCodes;
import dev.anshin.jobs.cli.AnshinCli;
import dev.anshin.jobs.config.AnshinConfig;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo checks, before any work, that its history can train a model. */
class DemoCommandTest {
  private static final LocalDate START = LocalDate.parse("2025-01-01");

  @TempDir Path dir;

  @Test
  void aHistoryTooShortForAnyModelIsAUsageErrorBeforeAnythingIsGenerated() {
    Path lakehouse = dir.resolve("demo");
    long started = System.nanoTime();
    int exit = AnshinCli.run("demo", "--days", "60", "--lakehouse", lakehouse.toString());
    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(lakehouse).doesNotExist();
    // Refused at once, not after generating and backfilling.
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
  }

  @Test
  void aShortHistoryGetsTheLongestHorizonItCanTrain() {
    AnshinConfig.ChurnSettings configured = AnshinConfig.load(null).churn();
    LocalDate last = START.plusDays(199);
    AnshinConfig.ChurnSettings chosen = DemoCommand.churnFor(configured, START, last);
    assertThat(chosen.horizonDays()).isLessThan(configured.horizonDays());
    assertThat(DemoCommand.firstTrainingDay(chosen, START, last)).isNotNull();
    AnshinConfig.ChurnSettings longer = chosen.withHorizon(chosen.horizonDays() + 1);
    assertThat(DemoCommand.firstTrainingDay(longer, START, last)).isNull();
    // A year carries the configured horizon as it is.
    assertThat(DemoCommand.churnFor(configured, START, START.plusDays(364))).isEqualTo(configured);
    // Everything else is the configuration's.
    assertThat(chosen.withHorizon(configured.horizonDays())).isEqualTo(configured);
  }
}
