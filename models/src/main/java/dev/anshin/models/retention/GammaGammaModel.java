package dev.anshin.models.retention;

import java.io.Serializable;

/**
 * A fitted Gamma-Gamma model of transaction value.
 *
 * @param p shape of a customer's transaction values
 * @param q shape of the Gamma distribution of the customers' scale nu
 * @param gamma scale of the Gamma distribution of the customers' scale nu
 * @param logLikelihood the log-likelihood of the data at these parameters
 * @param converged whether the optimiser met its tolerance at an interior point
 * @param customers how many customers (with x &gt; 0) the model was fitted on
 */
public record GammaGammaModel(
    double p, double q, double gamma, double logLikelihood, boolean converged, long customers)
    implements Serializable {

  /** E[Z] = p gamma / (q - 1), the mean transaction value across customers (needs q &gt; 1). */
  public double populationMeanSpend() {
    requireMeanDefined();
    return p * gamma / (q - 1);
  }

  /**
   * E[Z | p, q, gamma, m_x, x] = (gamma + m_x x) p / (p x + q - 1): a weighted mean of the population
   * mean and the customer's own mean m_x, the customer's weight growing with x. For x = 0 it is the
   * population mean.
   */
  public double conditionalExpectedSpend(long x, double monetaryValue) {
    requireMeanDefined();
    if (x == 0) {
      return populationMeanSpend();
    }
    return (gamma + monetaryValue * x) * p / (p * x + q - 1);
  }

  private void requireMeanDefined() {
    if (!(q > 1)) {
      throw new IllegalStateException(
          "the Gamma-Gamma expected spend needs q > 1 (it divides by q - 1); the fit gave q = " + q);
    }
  }
}
