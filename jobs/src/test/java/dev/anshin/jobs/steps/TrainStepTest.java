package dev.anshin.jobs.steps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.jobs.config.AnshinConfig;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class TrainStepTest {

  @Test
  void theMinimumHistoryFollowsFromTheWindowTheHorizonAndTheOutOfTimeSplit() {
    AnshinConfig.ChurnSettings defaults = AnshinConfig.load(null).churn();
    // By hand, for a 90-day horizon, weekly examples and a 25% test share: n example dates leave
    // n - ceil(n/4) for training, and the first must lie more than 90 days before the test's first,
    // (n - ceil(n/4)) * 7 > 90, so n - ceil(n/4) >= 13 and n = 18 (17 gives 12). History: the first
    // full 90-day window, up to 6 days to the first example date, 17 weeks to the last, and 90 days
    // of outcomes after it: 89 + 6 + 119 + 90 + 1 (both ends counted) = 305.
    assertThat(CustomerFeatures.LOOKBACK_DAYS).isEqualTo(90);
    assertThat(defaults.horizonDays()).isEqualTo(90);
    assertThat(TrainStep.minimumHistoryDays(defaults)).isEqualTo(305);
    // A 30-day horizon: (n - ceil(n/4)) * 7 > 30 needs n - ceil(n/4) >= 5, n = 7 (6 gives 4):
    // 89 + 6 + 42 + 30 + 1 = 168.
    assertThat(TrainStep.minimumHistoryDays(defaults.withHorizon(30))).isEqualTo(168);
  }

  @Test
  void theFirstTrainableDayFollowsTheCalendarAlignedExampleDates() {
    AnshinConfig.ChurnSettings defaults = AnshinConfig.load(null).churn();
    // A history from 2025-01-01: the first full 90-day window ends 2025-03-31; example dates are the
    // days whose epoch day is a multiple of 7, the first on or after it 2025-04-03; 18 of them end
    // 17 weeks later, 2025-07-31, and their 90-day outcomes are known on 2025-10-29. (The demo, whose
    // history starts 2025-01-01, first trains on the 1st after it: 2025-11-01.)
    assertThat(LocalDate.parse("2025-04-03").toEpochDay() % 7).isZero();
    assertThat(LocalDate.parse("2025-03-31").toEpochDay() % 7).isNotZero();
    assertThat(TrainStep.firstTrainableDay(defaults, LocalDate.parse("2025-01-01"))).isEqualTo(LocalDate.parse("2025-10-29"));
    // A history whose first full window ends on an example date waits the least: 89 + 119 + 90 days
    // after its start, 299 days of history, 6 (example-every-days - 1) fewer than the 305 that cover
    // every alignment.
    LocalDate aligned = LocalDate.parse("2025-04-03").minusDays(89);
    assertThat(TrainStep.firstTrainableDay(defaults, aligned)).isEqualTo(aligned.plusDays(298));
    assertThat(TrainStep.minimumHistoryDays(defaults) - 299).isEqualTo(defaults.exampleEveryDays() - 1);
  }
}
