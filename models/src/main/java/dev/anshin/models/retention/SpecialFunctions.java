package dev.anshin.models.retention;

/** Log-gamma, log-beta and the Gauss hypergeometric series that the retention models need. */
public final class SpecialFunctions {

  // Lanczos approximation with g = 7 and 9 coefficients (Numerical Recipes' choice): about 15
  // significant digits for positive arguments, which is all the likelihoods need.
  private static final double LANCZOS_G = 7.0;
  private static final double[] LANCZOS =
      new double[] {
        0.99999999999980993,
        676.5203681218851,
        -1259.1392167224028,
        771.32342877765313,
        -176.61502916214059,
        12.507343278686905,
        -0.13857109526572012,
        9.9843695780195716e-6,
        1.5056327351493116e-7
      };
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
  private static final int MAX_SERIES_TERMS = 1_000_000;

  private SpecialFunctions() {}

  /** ln Gamma(x) for x &gt; 0. */
  public static double logGamma(double x) {
    if (!(x > 0)) {
      throw new IllegalArgumentException("logGamma needs a positive argument, got " + x);
    }
    if (x < 0.5) {
      // Reflection keeps the approximation in the range where it is accurate.
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    }
    double z = x - 1;
    double sum = LANCZOS[0];
    for (int i = 1; i < LANCZOS.length; i++) {
      sum += LANCZOS[i] / (z + i);
    }
    double t = z + LANCZOS_G + 0.5;
    return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
  }

  /** ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b). */
  public static double logBeta(double a, double b) {
    return logGamma(a) + logGamma(b) - logGamma(a + b);
  }

  /** ln(exp(x) + exp(y)) without overflow or underflow. */
  public static double logSumExp(double x, double y) {
    double max = Math.max(x, y);
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    return max + Math.log(Math.exp(x - max) + Math.exp(y - max));
  }

  /**
   * The Gauss hypergeometric function 2F1(a, b; c; z) by its power series, for 0 &lt;= z &lt; 1 and
   * positive c. The retention formulas only evaluate it there; near z = 1 the series needs many
   * terms, so the sum stops when a term no longer changes it.
   */
  public static double hypergeometric2F1(double a, double b, double c, double z) {
    if (!(z >= 0 && z < 1) || !(c > 0)) {
      throw new IllegalArgumentException(
          "hypergeometric2F1 is only evaluated for 0 <= z < 1 and c > 0, got z=" + z + " c=" + c);
    }
    double term = 1;
    double sum = 1;
    for (int j = 0; j < MAX_SERIES_TERMS; j++) {
      term *= (a + j) * (b + j) / ((c + j) * (j + 1)) * z;
      double next = sum + term;
      if (Math.abs(term) <= 1e-16 * Math.abs(next) && j > 2) {
        return next;
      }
      sum = next;
    }
    throw new ArithmeticException(
        "hypergeometric2F1(" + a + ", " + b + "; " + c + "; " + z + ") did not converge");
  }
}
