package dev.anshin.models.retention;

/**
 * Expected customer lifetime value from a BG/NBD purchase model and a Gamma-Gamma value model.
 *
 * <p>CLV = E[Z | x, m_x] * sum_{k=1..K} (E[Y(k D) | x, t_x, T] - E[Y((k - 1) D) | x, t_x, T]) /
 * (1 + d)^k: the expected spend per transaction times the expected purchases in each of K future
 * periods of D weeks, each discounted at the rate d per period to the end of its period. It is the
 * discrete form of Fader, Hardie &amp; Lee's discounted expected transactions and needs only the
 * BG/NBD conditional expectation (eq. 10).
 */
public final class LifetimeValue {

  private LifetimeValue() {}

  /** The horizon, period length and discount rate of a lifetime-value calculation. */
  public record Settings(int periods, double periodWeeks, double discountRatePerPeriod)
      implements java.io.Serializable {
    public Settings {
      if (periods <= 0 || !(periodWeeks > 0) || !(discountRatePerPeriod >= 0)) {
        throw new IllegalArgumentException(
            "need periods > 0, periodWeeks > 0 and a discount rate >= 0, got " + periods + ", "
                + periodWeeks + ", " + discountRatePerPeriod);
      }
    }

    /** Twelve months of 52/12 weeks at 1% a month (about 12.7% a year). */
    public static Settings monthlyForOneYear() {
      return new Settings(12, 52.0 / 12, 0.01);
    }
  }

  /** The discounted expected number of purchases over the settings' horizon. */
  public static double discountedExpectedPurchases(
      BetaGeometricNbdModel purchases, Settings settings, long x, double recency, double age) {
    double total = 0;
    double previous = 0;
    for (int k = 1; k <= settings.periods(); k++) {
      double cumulative =
          purchases.conditionalExpectedPurchases(k * settings.periodWeeks(), x, recency, age);
      total += (cumulative - previous) / Math.pow(1 + settings.discountRatePerPeriod(), k);
      previous = cumulative;
    }
    return total;
  }

  /** Expected lifetime value: expected spend per transaction times discounted expected purchases. */
  public static double expected(
      BetaGeometricNbdModel purchases,
      GammaGammaModel spend,
      Settings settings,
      long x,
      double recency,
      double age,
      double monetaryValue) {
    return spend.conditionalExpectedSpend(x, monetaryValue)
        * discountedExpectedPurchases(purchases, settings, x, recency, age);
  }
}
