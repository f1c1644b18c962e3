package dev.anshin.models.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.models.revenue.RevenueOutlook.Account;
import dev.anshin.models.revenue.RevenueOutlook.Assumptions;
import dev.anshin.models.revenue.RevenueOutlook.Window;
import org.junit.jupiter.api.Test;

/** Expected values worked by hand from the outlook's definition: revenue of MRR × 12 / 365 a day until the churn day. */
class RevenueOutlookTest {
  private static final double MRR = 365.0;
  /** What one day earns at that MRR: 12. */
  private static final double DAILY = MRR * 12 / 365;

  private static RevenueOutlook outlook(double annualRenewalChurn, double... errors) {
    return new RevenueOutlook(new Assumptions(90, annualRenewalChurn, errors));
  }

  @Test
  void anAccountThatSurelyStaysUnchangedEarnsItsMrrForEveryDay() {
    Window next90 = outlook(0.2, 1.0).window(new Account(MRR, 0.0, 1.0, false, 10), 90);

    assertThat(next90.expected()).isCloseTo(90 * DAILY, within(1e-9));
    assertThat(next90.low()).isCloseTo(90 * DAILY, within(1e-9));
    assertThat(next90.high()).isCloseTo(90 * DAILY, within(1e-9));
    assertThat(next90.atRisk()).isCloseTo(0, within(1e-9));
    assertThat(outlook(0.2, 1.0).window(new Account(MRR, 0.0, 1.0, false, 10), 365).expected())
        .isCloseTo(12 * MRR, within(1e-9));
  }

  @Test
  void aMonthlyAccountsChurnChanceIsSpreadOverItsRenewalsInsideTheHorizon() {
    // Renewals on days 10, 40 (10 + 30.42) and 71 (10 + 60.83): 1 - 0.9^3 = 0.271 over the horizon is 0.1 at each.
    Window next90 = outlook(0.5, 1.0).window(new Account(MRR, 0.271, 1.0, false, 10), 90);

    double expected = DAILY * (0.1 * 9 + 0.9 * 0.1 * 39 + 0.81 * 0.1 * 70 + 0.729 * 90);
    assertThat(next90.expected()).isCloseTo(expected, within(1e-9));
    // Cumulative weights: 0.1 by day 9's revenue, so the 10% quantile is churning at the first renewal.
    assertThat(next90.low()).isCloseTo(9 * DAILY, within(1e-9));
    // 0.271 churns before the end: the median account stays and earns the flat revenue.
    assertThat(next90.median()).isCloseTo(90 * DAILY, within(1e-9));
    assertThat(next90.high()).isCloseTo(90 * DAILY, within(1e-9));
    assertThat(next90.atRisk()).isCloseTo(90 * DAILY - expected, within(1e-9));
  }

  @Test
  void aMonthlyAccountKeepsTheHorizonsMonthlyRateAfterTheHorizon() {
    // 12 months: renewals on days 10 + round(k * 365/12) for k = 0..11; the three inside the horizon
    // churn with 0.1 each, the nine after it with 1 - 0.729^(365/12 / 90), the horizon's rate per month.
    Window year = outlook(0.5, 1.0).window(new Account(MRR, 0.271, 1.0, false, 10), 365);

    double monthly = 1 - Math.pow(0.729, 365 / 12.0 / 90);
    double expected = 0;
    double survival = 1;
    for (int k = 0; k < 12; k++) {
      int day = 10 + (int) Math.round(k * 365 / 12.0);
      double chance = k < 3 ? 0.1 : monthly;
      expected += survival * chance * (day - 1) * DAILY;
      survival *= 1 - chance;
    }
    expected += survival * 365 * DAILY;
    assertThat(year.expected()).isCloseTo(expected, within(1e-9));
  }

  @Test
  void aYearsChurnDoesNotDependOnWhetherTwoOrThreeRenewalsFallInsideTheHorizon() {
    // Renewals on days 29, 59, 90 (three inside 90 days) or 30, 60, 91 (two): a year keeps about (1 - p)^4 either way.
    RevenueOutlook outlook = outlook(0.5, 1.0);
    double three = outlook.monthlyMrr(new Account(MRR, 0.12, 1.0, false, 29), 12)[0][11];
    double two = outlook.monthlyMrr(new Account(MRR, 0.12, 1.0, false, 30), 12)[0][11];

    assertThat(three / MRR).isCloseTo(Math.pow(0.88, 365 / 90.0), within(0.03));
    assertThat(two / MRR).isCloseTo(Math.pow(0.88, 365 / 90.0), within(0.03));
  }

  @Test
  void anAnnualRenewalBeyondTheHorizonChurnsWithTheHistorysRenewalRate() {
    // No renewal inside the 90 days: the model's 2% falls on day 45; the renewal on day 200 churns 30% of those left.
    Window year = outlook(0.3, 1.0).window(new Account(MRR, 0.02, 1.0, true, 200), 365);

    double expected = DAILY * (0.02 * 44 + 0.98 * 0.3 * 199 + 0.98 * 0.7 * 365);
    assertThat(year.expected()).isCloseTo(expected, within(1e-9));
    assertThat(year.low()).isCloseTo(199 * DAILY, within(1e-9));
    assertThat(year.high()).isCloseTo(365 * DAILY, within(1e-9));
  }

  @Test
  void anAnnualRenewalInsideTheHorizonCarriesTheModelsWholeProbability() {
    Window next90 = outlook(0.9, 1.0).window(new Account(MRR, 0.25, 1.0, true, 31), 90);

    assertThat(next90.expected()).isCloseTo(DAILY * (0.25 * 30 + 0.75 * 90), within(1e-9));
    assertThat(outlook(0.9, 1.0).window(new Account(MRR, 0.6, 1.0, true, 31), 90).median()).isCloseTo(DAILY * 30, within(1e-9));
  }

  @Test
  void aStayingAccountsMrrMovesGeometricallyTowardsThePredictedRatio() {
    RevenueOutlook outlook = outlook(0.2, 1.0);
    Account growing = new Account(MRR, 0.0, 1.1, false, 10);

    double sum = 0;
    for (int day = 1; day <= 90; day++) {
      sum += Math.pow(1.1, day / 90.0);
    }
    assertThat(outlook.window(growing, 90).expected()).isCloseTo(DAILY * sum, within(1e-9));
    double[][] months = outlook.monthlyMrr(growing, 12);
    assertThat(months[0][2]).isCloseTo(MRR * Math.pow(1.1, 91 / 90.0), within(1e-9));
    assertThat(months[1][2]).isCloseTo(0, within(1e-9));
  }

  @Test
  void theRatioErrorsGiveTheStayingAccountsBounds() {
    Window next90 = outlook(0.2, 1.25, 0.8, 1.0).window(new Account(MRR, 0.0, 1.0, false, 10), 90);

    double low = 0;
    double middle = 0;
    double high = 0;
    for (int day = 1; day <= 90; day++) {
      low += Math.pow(0.8, day / 90.0);
      middle += 1;
      high += Math.pow(1.25, day / 90.0);
    }
    assertThat(next90.low()).isCloseTo(DAILY * low, within(1e-9));
    assertThat(next90.high()).isCloseTo(DAILY * high, within(1e-9));
    assertThat(next90.median()).isCloseTo(DAILY * middle, within(1e-9));
    // The mean follows the growth model's own (mean) ratio; the errors only make the bounds.
    assertThat(next90.expected()).isCloseTo(DAILY * middle, within(1e-9));
  }

  @Test
  void beyondTheHorizonTheRatioErrorGrowsAsTheSquareRootOfTheHorizonsElapsed() {
    // Day 365 is 365/90 horizons on: an error e has become e^sqrt(365/90); the mean stays on ρ^(365/90).
    double[][] months = outlook(0.2, 0.8, 1.25).monthlyMrr(new Account(MRR, 0.0, 1.1, false, 10), 12);

    // The spread is the mean squared deviation of the two outcomes from the reported figure.
    double level = MRR * Math.pow(1.1, 365 / 90.0);
    double exponent = Math.sqrt(365 / 90.0);
    double spread = (Math.pow(level * Math.pow(0.8, exponent) - level, 2) + Math.pow(level * Math.pow(1.25, exponent) - level, 2)) / 2;
    assertThat(months[0][11]).isCloseTo(level, within(1e-9));
    assertThat(months[1][11]).isCloseTo(spread, within(1e-6));
    // Inside the first horizon the error builds up in proportion: day 30 carries e^(30/90).
    double early = MRR * Math.pow(1.1, 30 / 90.0);
    double earlySpread = (Math.pow(early * Math.pow(0.8, 30 / 90.0) - early, 2) + Math.pow(early * Math.pow(1.25, 30 / 90.0) - early, 2)) / 2;
    assertThat(months[1][0]).isCloseTo(earlySpread, within(1e-6));
  }

  @Test
  void theMonthlyMrrOfAPortfolioSumsBernoulliVariances() {
    // An annual renewal in 5 days decides it: half the time MRR, half the time nothing.
    double[][] months = outlook(0.2, 1.0).monthlyMrr(new Account(MRR, 0.5, 1.0, true, 5), 12);

    assertThat(months[0][0]).isCloseTo(0.5 * MRR, within(1e-9));
    assertThat(months[1][0]).isCloseTo(0.25 * MRR * MRR, within(1e-6));
    assertThat(months[0][11]).isCloseTo(0.5 * MRR, within(1e-9));
  }

  @Test
  void aQuantileOnAnAtomsEdgeIsThatAtom() {
    assertThat(RevenueOutlook.quantile(new double[] {3, 1, 2}, new double[] {0.5, 0.1, 0.4}, 0.1)).isEqualTo(1);
    assertThat(RevenueOutlook.quantile(new double[] {3, 1, 2}, new double[] {0.5, 0.1, 0.4}, 0.5)).isEqualTo(2);
    assertThat(RevenueOutlook.quantile(new double[] {3, 1, 2}, new double[] {0.5, 0.1, 0.4}, 0.9)).isEqualTo(3);
  }
}
