package dev.anshin.models.retention;

import dev.anshin.errors.AnshinException;
import java.util.List;
import java.util.Optional;

/**
 * Fits the shifted-beta-geometric (sBG) model of contractual retention (Fader &amp; Hardie 2007, "How
 * to project customer retention") to one cohort's survivor counts by maximum likelihood.
 *
 * <p>Each customer churns at the end of a period with a probability theta that stays fixed for the
 * customer; theta varies across customers as Beta(alpha, beta). Customers who churned in period t
 * contribute P(T = t) to the likelihood, those still active after the last calibration period n
 * contribute S(n).
 */
public final class ShiftedBetaGeometric {

  private ShiftedBetaGeometric() {}

  /**
   * Why these survivor counts cannot be fitted, or empty when they can. {@code survivors[0]} is the
   * cohort size and {@code survivors[t]} the number still active after period t.
   */
  public static Optional<String> unfittableReason(long[] survivors) {
    if (survivors.length < 3) {
      return Optional.of(
          "too_few_periods: sBG has two parameters and needs at least two observed periods, got "
              + Math.max(0, survivors.length - 1));
    }
    if (survivors[0] <= 0) {
      return Optional.of("empty_cohort: the cohort has no customers");
    }
    for (int t = 1; t < survivors.length; t++) {
      if (survivors[t] < 0 || survivors[t] > survivors[t - 1]) {
        throw AnshinException.badData(
            "survivor counts must be non-negative and never increase; period "
                + t + " has " + survivors[t] + " after " + survivors[t - 1]);
      }
    }
    if (survivors[survivors.length - 1] == survivors[0]) {
      return Optional.of(
          "no_churn: nobody churned in the observed periods, so the churn rate cannot be estimated"
              + " (the likelihood grows without bound as beta goes to infinity)");
    }
    if (survivors[1] == 0) {
      return Optional.of(
          "all_churned_in_first_period: everyone churned in period 1, so the spread of churn rates"
              + " cannot be estimated");
    }
    return Optional.empty();
  }

  /**
   * Fits alpha and beta to {@code survivors[0..n]}, where n is the number of calibration periods.
   *
   * @throws AnshinException (bad data, exit 65) with the reason of {@link #unfittableReason} when the counts
   *     cannot identify both parameters
   */
  public static ShiftedBetaGeometricModel fit(long[] survivors) {
    Optional<String> reason = unfittableReason(survivors);
    if (reason.isPresent()) {
      throw AnshinException.badData("cannot fit the sBG model: " + reason.get());
    }
    long[] counts = survivors.clone();
    NelderMead.Minimum minimum =
        NelderMead.standard()
            .minimise(
                logParameters ->
                    -logLikelihood(Math.exp(logParameters[0]), Math.exp(logParameters[1]), counts),
                List.of(
                    new double[] {0, 0},
                    new double[] {Math.log(0.5), Math.log(3)},
                    new double[] {Math.log(3), Math.log(0.5)}));
    double alpha = Math.exp(minimum.point()[0]);
    double beta = Math.exp(minimum.point()[1]);
    // A minimum on the edge of the parameter space (alpha or beta running to 0 or infinity) is not
    // an interior maximum-likelihood estimate even when the simplex stopped moving.
    boolean interior = alpha > 1e-6 && alpha < 1e6 && beta > 1e-6 && beta < 1e6;
    return new ShiftedBetaGeometricModel(
        alpha, beta, -minimum.value(), minimum.converged() && interior, survivors.length - 1);
  }

  /** The sBG log-likelihood of survivor counts {@code survivors[0..n]}. */
  public static double logLikelihood(double alpha, double beta, long[] survivors) {
    int n = survivors.length - 1;
    double logBetaAlphaBeta = SpecialFunctions.logBeta(alpha, beta);
    double total = 0;
    for (int t = 1; t <= n; t++) {
      long churned = survivors[t - 1] - survivors[t];
      if (churned > 0) {
        // P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)
        total += churned * (SpecialFunctions.logBeta(alpha + 1, beta + t - 1) - logBetaAlphaBeta);
      }
    }
    if (survivors[n] > 0) {
      // S(n) = B(alpha, beta + n) / B(alpha, beta)
      total += survivors[n] * (SpecialFunctions.logBeta(alpha, beta + n) - logBetaAlphaBeta);
    }
    return total;
  }
}
