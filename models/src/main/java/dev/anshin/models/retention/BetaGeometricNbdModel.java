package dev.anshin.models.retention;

import java.io.Serializable;

/**
 * A fitted BG/NBD model: expected purchases, conditional expectations and the probability that a
 * customer is still alive (Fader, Hardie &amp; Lee 2005, equations 7, 10 and 11). Time is in the unit
 * of the data (weeks for Anshin's RFM summary).
 *
 * @param r shape of the Gamma distribution of purchase rates
 * @param alpha scale of the Gamma distribution of purchase rates
 * @param a first Beta parameter of the dropout probability
 * @param b second Beta parameter of the dropout probability
 * @param logLikelihood the log-likelihood of the calibration data at these parameters
 * @param converged whether the optimiser met its tolerance at an interior point
 * @param customers how many customers the model was fitted on
 */
public record BetaGeometricNbdModel(
    double r, double alpha, double a, double b, double logLikelihood, boolean converged,
    long customers)
    implements Serializable {

  /**
   * E[X(t)], the expected number of purchases in (0, t] by a customer who made a first purchase at
   * time 0 (equation 7). The formula holds for a &lt; 1 too (CDNOW's a is 0.793): both the factor
   * and the bracket change sign; it is undefined only at a = 1 or a + b &lt;= 1.
   */
  public double expectedPurchases(double t) {
    requireMeanDefined();
    if (t <= 0) {
      return 0;
    }
    double z = t / (alpha + t);
    return (a + b - 1)
        / (a - 1)
        * (1
            - Math.pow(alpha / (alpha + t), r)
                * SpecialFunctions.hypergeometric2F1(r, b, a + b - 1, z));
  }

  /**
   * E[Y(t) | x, t_x, T], the expected number of purchases in the next t time units by a customer
   * with the given history (equation 10).
   */
  public double conditionalExpectedPurchases(double t, long x, double recency, double age) {
    requireMeanDefined();
    if (t <= 0) {
      return 0;
    }
    double z = t / (alpha + age + t);
    double numerator =
        (a + b + x - 1)
            / (a - 1)
            * (1
                - Math.pow((alpha + age) / (alpha + age + t), r + x)
                    * SpecialFunctions.hypergeometric2F1(r + x, b + x, a + b + x - 1, z));
    return numerator / (1 + deadOddsRatio(x, recency, age));
  }

  /** P(alive | x, t_x, T) (equation 11): 1 for a customer with no repeat purchase. */
  public double probabilityAlive(long x, double recency, double age) {
    return 1 / (1 + deadOddsRatio(x, recency, age));
  }

  /** delta(x &gt; 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x), in log space. */
  private double deadOddsRatio(long x, double recency, double age) {
    if (x == 0) {
      return 0;
    }
    return Math.exp(
        Math.log(a) - Math.log(b + x - 1)
            + (r + x) * (Math.log(alpha + age) - Math.log(alpha + recency)));
  }

  private void requireMeanDefined() {
    if (Math.abs(a - 1) < 1e-9 || !(a + b > 1)) {
      throw new IllegalStateException(
          "the BG/NBD expected-purchases formula divides by a - 1 and needs a + b > 1; the fit gave"
              + " a = " + a + ", b = " + b);
    }
  }
}
