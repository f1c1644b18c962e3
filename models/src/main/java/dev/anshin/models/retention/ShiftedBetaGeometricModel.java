package dev.anshin.models.retention;

import java.io.Serializable;

/**
 * A fitted shifted-beta-geometric model: survival, retention and discounted expected residual
 * lifetime for a cohort.
 *
 * @param alpha the first Beta parameter of the churn probability
 * @param beta the second Beta parameter of the churn probability
 * @param logLikelihood the log-likelihood of the calibration data at (alpha, beta)
 * @param converged whether the optimiser met its tolerance at an interior point
 * @param fitPeriods the number of calibration periods the model was fitted on
 */
public record ShiftedBetaGeometricModel(
    double alpha, double beta, double logLikelihood, boolean converged, int fitPeriods)
    implements Serializable {

  /** S(t): the share of the cohort still active after t periods; S(0) = 1. */
  public double survival(int period) {
    if (period < 0) {
      throw new IllegalArgumentException("period must be >= 0, got " + period);
    }
    return Math.exp(
        SpecialFunctions.logBeta(alpha, beta + period) - SpecialFunctions.logBeta(alpha, beta));
  }

  /** P(T = t): the share of the cohort that churns at the end of period t (t &gt;= 1). */
  public double churnProbability(int period) {
    if (period < 1) {
      throw new IllegalArgumentException("period must be >= 1, got " + period);
    }
    return Math.exp(
        SpecialFunctions.logBeta(alpha + 1, beta + period - 1)
            - SpecialFunctions.logBeta(alpha, beta));
  }

  /**
   * r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1): the share of those active in
   * period t - 1 who renew. It rises with t because the customers most likely to churn leave first.
   */
  public double retentionRate(int period) {
    if (period < 1) {
      throw new IllegalArgumentException("period must be >= 1, got " + period);
    }
    return (beta + period - 1) / (alpha + beta + period - 1);
  }

  /** Expected survivors of a cohort of the given size after t periods. */
  public double expectedSurvivors(long cohortSize, int period) {
    return cohortSize * survival(period);
  }

  /**
   * Discounted expected residual lifetime (Fader &amp; Hardie 2010, "Customer-base valuation in a
   * contractual setting", eq. 6) of a customer who has renewed {@code renewals} times, evaluated
   * just before the next renewal decision, counted in periods of payment:
   *
   * <pre>
   * DERL(d | alpha, beta, n renewals) = sum_{t &gt;= n+1} S(t) / S(n) / (1 + d)^(t - n - 1)
   *   = (beta + n) / (alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d))
   * </pre>
   *
   * Multiply by the payment per period for the customer's residual value.
   *
   * @param discountRate the discount rate per period, d &gt; 0
   */
  public double discountedExpectedResidualLifetime(double discountRate, int renewals) {
    if (!(discountRate > 0)) {
      throw new IllegalArgumentException("the discount rate must be > 0, got " + discountRate);
    }
    if (renewals < 0) {
      throw new IllegalArgumentException("renewals must be >= 0, got " + renewals);
    }
    double n = renewals;
    return (beta + n)
        / (alpha + beta + n)
        * SpecialFunctions.hypergeometric2F1(
            1, beta + n + 1, alpha + beta + n + 1, 1 / (1 + discountRate));
  }
}
