package dev.anshin.models.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShiftedBetaGeometricTest {

  private static final int CALIBRATION_YEARS = 7;

  private static long[] calibration(long[] survivors) {
    return Arrays.copyOf(survivors, CALIBRATION_YEARS + 1);
  }

  /** Fader &amp; Hardie (2007), Table 1 data fitted on years 1-7: the published estimates. */
  @Test
  void reproducesThePublishedRegularAndHighEndEstimates() {
    ShiftedBetaGeometricModel regular =
        ShiftedBetaGeometric.fit(calibration(ReferenceData.survivors("regular_active")));
    ShiftedBetaGeometricModel highEnd =
        ShiftedBetaGeometric.fit(calibration(ReferenceData.survivors("highend_active")));

    assertThat(regular.converged()).isTrue();
    assertThat(highEnd.converged()).isTrue();
    // Three significant digits, as published.
    assertThat(regular.alpha()).isCloseTo(0.704, within(0.0005));
    assertThat(regular.beta()).isCloseTo(1.182, within(0.0005));
    assertThat(highEnd.alpha()).isCloseTo(0.668, within(0.0005));
    assertThat(highEnd.beta()).isCloseTo(3.806, within(0.0005));
    report("Regular", regular, ReferenceData.survivors("regular_active"));
    report("High End", highEnd, ReferenceData.survivors("highend_active"));
  }

  /** The fitted model projects years 8-12 close to the actual counts (the paper's Figure 3). */
  @Test
  void projectsTheHoldoutYearsWithinAFewPercent() {
    for (String column : List.of("regular_active", "highend_active")) {
      long[] all = ReferenceData.survivors(column);
      ShiftedBetaGeometricModel model = ShiftedBetaGeometric.fit(calibration(all));
      for (int year = CALIBRATION_YEARS + 1; year < all.length; year++) {
        double expected = model.expectedSurvivors(all[0], year);
        // The paper's figure shows the projection within a few percent of the actual counts.
        assertThat(expected).as("%s year %d", column, year).isCloseTo(all[year], within(0.06 * all[year]));
      }
    }
  }

  private static void report(String name, ShiftedBetaGeometricModel model, long[] all) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                "%s: alpha=%.4f beta=%.4f LL=%.3f converged=%s%n  year actual expected%n",
                name, model.alpha(), model.beta(), model.logLikelihood(), model.converged()));
    for (int year = 0; year < all.length; year++) {
      text.append(
          String.format(
              "  %4d %6d %8.1f%s%n",
              year, all[year], model.expectedSurvivors(all[0], year),
              year > CALIBRATION_YEARS ? "  (projected)" : ""));
    }
    System.out.print(text);
  }

  @Test
  void startingPointsAgree() {
    long[] regular = calibration(ReferenceData.survivors("regular_active"));
    NelderMead optimiser = NelderMead.standard();
    double[] first =
        optimiser.minimise(
                p -> -ShiftedBetaGeometric.logLikelihood(Math.exp(p[0]), Math.exp(p[1]), regular),
                new double[] {Math.log(0.1), Math.log(10)})
            .point();
    double[] second =
        optimiser.minimise(
                p -> -ShiftedBetaGeometric.logLikelihood(Math.exp(p[0]), Math.exp(p[1]), regular),
                new double[] {Math.log(5), Math.log(0.2)})
            .point();
    assertThat(Math.exp(first[0])).isCloseTo(Math.exp(second[0]), within(1e-4));
    assertThat(Math.exp(first[1])).isCloseTo(Math.exp(second[1]), within(1e-4));
  }

  @Test
  void survivalAndRetentionFollowTheirDefinitions() {
    ShiftedBetaGeometricModel model = new ShiftedBetaGeometricModel(0.704, 1.182, 0, true, 7);
    // P(T = 1) = alpha / (alpha + beta); S(t) = S(t - 1) - P(T = t); r(t) = S(t) / S(t - 1).
    assertThat(model.churnProbability(1)).isCloseTo(0.704 / (0.704 + 1.182), within(1e-12));
    double survival = 1;
    for (int t = 1; t <= 20; t++) {
      double previous = survival;
      survival -= model.churnProbability(t);
      assertThat(model.survival(t)).isCloseTo(survival, within(1e-12));
      assertThat(model.retentionRate(t)).isCloseTo(survival / previous, within(1e-12));
    }
  }

  /** DERL's closed form (Fader &amp; Hardie 2010, eq. 6) against its defining discounted sum. */
  @Test
  void discountedExpectedResidualLifetimeMatchesItsDefinition() {
    ShiftedBetaGeometricModel model = new ShiftedBetaGeometricModel(0.668, 3.806, 0, true, 7);
    double discount = 0.10;
    for (int renewals : new int[] {0, 1, 4, 10}) {
      double sum = 0;
      for (int t = renewals + 1; t < renewals + 5000; t++) {
        sum += model.survival(t) / model.survival(renewals) / Math.pow(1 + discount, t - renewals - 1);
      }
      assertThat(model.discountedExpectedResidualLifetime(discount, renewals))
          .as("renewals %d", renewals)
          .isCloseTo(sum, within(1e-9));
    }
    // Customers who have renewed more often are less likely to churn: DERL grows with tenure.
    assertThat(model.discountedExpectedResidualLifetime(discount, 5))
        .isGreaterThan(model.discountedExpectedResidualLifetime(discount, 0));
  }

  @Test
  void degenerateCohortsGiveAClearReason() {
    assertThat(ShiftedBetaGeometric.unfittableReason(new long[] {100, 100, 100}))
        .hasValueSatisfying(reason -> assertThat(reason).startsWith("no_churn"));
    assertThat(ShiftedBetaGeometric.unfittableReason(new long[] {100, 80}))
        .hasValueSatisfying(reason -> assertThat(reason).startsWith("too_few_periods"));
    assertThat(ShiftedBetaGeometric.unfittableReason(new long[] {100, 0, 0}))
        .hasValueSatisfying(reason -> assertThat(reason).startsWith("all_churned_in_first_period"));
    assertThatThrownBy(() -> ShiftedBetaGeometric.fit(new long[] {10, 10, 10}))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.DATA_ERROR))
        .hasMessageContaining("no_churn");
    assertThatThrownBy(() -> ShiftedBetaGeometric.fit(new long[] {10, 8, 9}))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.DATA_ERROR))
        .hasMessageContaining("never increase");
  }
}
