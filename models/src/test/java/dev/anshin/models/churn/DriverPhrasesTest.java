package dev.anshin.models.churn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.customer.CustomerFeatures;
import org.junit.jupiter.api.Test;

/** The words a CSM reads beside a score: counts in the right number, rates as percentages, the plan's median. */
class DriverPhrasesTest {
  @Test
  void aCountOfOneIsSingularAndOtherCountsPlural() {
    assertThat(DriverPhrases.describe(CustomerFeatures.PAST_DUE_INVOICES, "1.0")).isEqualTo("1 past-due invoice");
    assertThat(DriverPhrases.describe(CustomerFeatures.PAST_DUE_INVOICES, "2.0")).isEqualTo("2 past-due invoices");
    assertThat(DriverPhrases.describe(CustomerFeatures.PAST_DUE_INVOICES, "0.0")).isEqualTo("0 past-due invoices");
    assertThat(DriverPhrases.describe(CustomerFeatures.DAYS_TO_RENEWAL, "1")).isEqualTo("renewal in 1 day");
    assertThat(DriverPhrases.describe(CustomerFeatures.SEATS, "1")).isEqualTo("1 seat");
    assertThat(DriverPhrases.describe(CustomerFeatures.TICKETS_28D, "1.0")).isEqualTo("1 support ticket in the last 28 days");
    // 1.5 tickets is no whole ticket: the plural stays.
    assertThat(DriverPhrases.describe(CustomerFeatures.TICKETS_28D, "1.5")).isEqualTo("1.5 support tickets in the last 28 days");
  }

  @Test
  void aSingularCountIsComparedWithThePlanLikeAnyOther() {
    // 1 against a median of 4: a quarter, at most half, so the median is named.
    assertThat(DriverPhrases.describe(CustomerFeatures.ACTIVE_USERS_7D, "1.0", 4.0))
        .isEqualTo("1 active user in the last 7 days against a plan median of 4");
    // 1 against a median of 0.25: four times it.
    assertThat(DriverPhrases.describe(CustomerFeatures.OPEN_TICKETS, "1.0", 0.25)).isEqualTo("1 open ticket, 4.0x the plan's median");
  }

  @Test
  void aRateReadsAsAPercentageAndItsOneIsNotACount() {
    assertThat(DriverPhrases.describe(CustomerFeatures.SEAT_UTILIZATION, "1.0")).isEqualTo("100.0% of seats in use");
    assertThat(DriverPhrases.describe(CustomerFeatures.ERROR_RATE_7D, "0.0004")).isEqualTo("API errors on 0.04% of requests in the last 7 days");
  }
}
