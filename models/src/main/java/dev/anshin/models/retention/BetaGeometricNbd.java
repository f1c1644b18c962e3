package dev.anshin.models.retention;

import dev.anshin.errors.AnshinException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits the BG/NBD model of non-contractual purchasing (Fader, Hardie &amp; Lee 2005, "Counting your
 * customers the easy way") by maximum likelihood over (x, t_x, T) sufficient statistics.
 *
 * <p>While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after each
 * purchase the customer drops out with probability p ~ Beta(a, b).
 */
public final class BetaGeometricNbd {

  private BetaGeometricNbd() {}

  /**
   * Fits r, alpha, a, b from several starting points in log-parameter space.
   *
   * @throws AnshinException (bad data, exit 65) when there are no customers, or no customer made a repeat
   *     purchase (then the dropout process cannot be estimated)
   */
  public static BetaGeometricNbdModel fit(List<RfmCount> counts) {
    long customers = 0;
    long repeaters = 0;
    for (RfmCount count : counts) {
      customers += count.customers();
      if (count.frequency() > 0) {
        repeaters += count.customers();
      }
    }
    if (customers == 0) {
      throw AnshinException.badData("cannot fit BG/NBD: there are no customers");
    }
    if (repeaters == 0) {
      throw AnshinException.badData(
          "cannot fit BG/NBD: no customer made a repeat purchase in the calibration period, so"
              + " purchase rates and dropout cannot be told apart");
    }
    List<RfmCount> data = List.copyOf(counts);
    NelderMead.Minimum minimum =
        NelderMead.standard()
            .minimise(
                logParameters -> -logLikelihood(exp(logParameters), data),
                List.of(
                    new double[] {0, 0, 0, 0},
                    new double[] {Math.log(0.5), Math.log(5), Math.log(0.5), Math.log(2)},
                    new double[] {Math.log(2), Math.log(1), Math.log(2), Math.log(5)}));
    double[] p = exp(minimum.point());
    boolean interior = true;
    for (double value : p) {
      interior &= value > 1e-6 && value < 1e6;
    }
    return new BetaGeometricNbdModel(
        p[0], p[1], p[2], p[3], -minimum.value(), minimum.converged() && interior, customers);
  }

  private static double[] exp(double[] logParameters) {
    double[] p = new double[logParameters.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logParameters[i]);
    }
    return p;
  }

  /** The total log-likelihood at parameters {r, alpha, a, b}. */
  public static double logLikelihood(double[] parameters, List<RfmCount> counts) {
    double r = parameters[0];
    double alpha = parameters[1];
    double a = parameters[2];
    double b = parameters[3];
    // ln A1 + ln A2 depend on x only, and x takes few values: computing them once per x instead of
    // once per row makes an evaluation over 100k distinct rows several times faster.
    Map<Long, Double> byFrequency = new HashMap<>();
    double logAlpha = Math.log(alpha);
    double logA = Math.log(a);
    double total = 0;
    for (RfmCount count : counts) {
      if (count.customers() == 0) {
        continue;
      }
      long x = count.frequency();
      double logA1A2 =
          byFrequency.computeIfAbsent(
              x,
              key ->
                  SpecialFunctions.logGamma(r + key) - SpecialFunctions.logGamma(r) + r * logAlpha
                      + SpecialFunctions.logGamma(a + b) + SpecialFunctions.logGamma(b + key)
                      - SpecialFunctions.logGamma(b) - SpecialFunctions.logGamma(a + b + key));
      double logA3 = -(r + x) * Math.log(alpha + count.age());
      double customer =
          x == 0
              ? logA1A2 + logA3
              : logA1A2
                  + SpecialFunctions.logSumExp(
                      logA3,
                      logA - Math.log(b + x - 1) - (r + x) * Math.log(alpha + count.recency()));
      total += count.customers() * customer;
    }
    return total;
  }

  /**
   * One customer's log-likelihood in the numerically stable form of Fader, Hardie &amp; Lee's note
   * "Implementing the BG/NBD model" (ln A1 + ln A2 + ln(exp(ln A3) + delta exp(ln A4))), so that
   * large x or T do not overflow the gamma functions or the powers.
   */
  public static double customerLogLikelihood(
      double r, double alpha, double a, double b, long x, double recency, double age) {
    double logA1 =
        SpecialFunctions.logGamma(r + x) - SpecialFunctions.logGamma(r) + r * Math.log(alpha);
    double logA2 =
        SpecialFunctions.logGamma(a + b)
            + SpecialFunctions.logGamma(b + x)
            - SpecialFunctions.logGamma(b)
            - SpecialFunctions.logGamma(a + b + x);
    double logA3 = -(r + x) * Math.log(alpha + age);
    if (x == 0) {
      return logA1 + logA2 + logA3;
    }
    double logA4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + recency);
    return logA1 + logA2 + SpecialFunctions.logSumExp(logA3, logA4);
  }
}
