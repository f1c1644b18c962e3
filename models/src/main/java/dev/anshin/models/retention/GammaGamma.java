package dev.anshin.models.retention;

import dev.anshin.errors.AnshinException;
import java.util.List;

/**
 * Fits the Gamma-Gamma model of transaction value (Fader, Hardie &amp; Lee 2005, "RFM and CLV: using
 * iso-value curves for customer base analysis") by maximum likelihood on customers with repeat
 * transactions.
 *
 * <p>A customer's transaction values are Gamma(p, nu) around the customer's mean p / nu, and nu
 * varies across customers as Gamma(q, gamma). The mean of x values, m_x, has the density
 * Gamma(px + q) / (Gamma(px) Gamma(q)) * gamma^q * m_x^(px - 1) * x^(px) / (gamma + m_x x)^(px + q).
 * The model assumes that value is independent of the purchase process.
 */
public final class GammaGamma {

  private GammaGamma() {}

  /**
   * Fits p, q and gamma from several starting points in log-parameter space.
   *
   * @throws AnshinException (bad data, exit 65) when there is no customer with a repeat transaction
   */
  public static GammaGammaModel fit(List<SpendCount> counts) {
    long customers = 0;
    double spend = 0;
    for (SpendCount count : counts) {
      customers += count.customers();
      spend += count.customers() * count.monetaryValue();
    }
    if (customers == 0) {
      throw AnshinException.badData(
          "cannot fit Gamma-Gamma: no customer has a repeat transaction with a positive value");
    }
    List<SpendCount> data = List.copyOf(counts);
    double logMean = Math.log(spend / customers);
    NelderMead.Minimum minimum =
        NelderMead.standard()
            .minimise(
                logParameters ->
                    -logLikelihood(
                        Math.exp(logParameters[0]),
                        Math.exp(logParameters[1]),
                        Math.exp(logParameters[2]),
                        data),
                // Starts around the sample mean, which fixes the scale gamma roughly.
                List.of(
                    new double[] {0, 0, logMean},
                    new double[] {Math.log(5), Math.log(3), logMean},
                    new double[] {Math.log(2), Math.log(10), logMean + 1}));
    double p = Math.exp(minimum.point()[0]);
    double q = Math.exp(minimum.point()[1]);
    double gamma = Math.exp(minimum.point()[2]);
    boolean interior = p > 1e-6 && p < 1e6 && q > 1e-6 && q < 1e6 && gamma > 1e-6 && gamma < 1e9;
    return new GammaGammaModel(
        p, q, gamma, -minimum.value(), minimum.converged() && interior, customers);
  }

  /** The total log-likelihood of the mean repeat-transaction values at (p, q, gamma). */
  public static double logLikelihood(double p, double q, double gamma, List<SpendCount> counts) {
    double logGammaQ = SpecialFunctions.logGamma(q);
    double qLogGamma = q * Math.log(gamma);
    // The gamma-function terms depend on x only; compute them once per distinct x.
    java.util.Map<Long, Double> byFrequency = new java.util.HashMap<>();
    double total = 0;
    for (SpendCount count : counts) {
      if (count.customers() == 0) {
        continue;
      }
      double x = count.frequency();
      double m = count.monetaryValue();
      double px = p * x;
      double perFrequency =
          byFrequency.computeIfAbsent(
              count.frequency(),
              key ->
                  SpecialFunctions.logGamma(px + q)
                      - SpecialFunctions.logGamma(px)
                      - logGammaQ
                      + qLogGamma
                      + px * Math.log(x));
      double customer =
          perFrequency + (px - 1) * Math.log(m) - (px + q) * Math.log(gamma + m * x);
      total += count.customers() * customer;
    }
    return total;
  }
}
