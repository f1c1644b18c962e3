package dev.anshin.models.revenue;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The revenue one account is expected to bring over the coming days, as a distribution: when it may
 * churn, and how its MRR moves while it stays.
 *
 * <p>The account earns its MRR × 12 / 365 each day it holds a subscription, as revenue is recognised
 * (a year earns twelve months of MRR). The outlook combines three learned parts:
 * <ul>
 *   <li><b>Churn happens at renewals.</b> A subscription ends on a renewal day, so the day of churn is
 *       one of the account's coming renewals (monthly ones every 365/12 days from {@code
 *       daysToRenewal}; an annual one once). The churn model's probability {@code p} over the horizon
 *       of H days is spread evenly over the renewals inside it: each is survived with {@code (1 -
 *       p)^(1/n)}. A monthly account's renewals after the horizon keep the horizon's rate per
 *       month, {@code 1 - (1 - p)^(365/12 / H)} (per renewal inside it would make the year depend on
 *       whether two or three renewals fell inside the horizon); an annual account whose renewal lies beyond the horizon churns there with the renewal churn rate the
 *       history showed for annual accounts ({@link Assumptions#annualRenewalChurn}). Without a
 *       renewal inside the horizon, {@code p} falls midway through it (a failed payment on an add-on,
 *       say).</li>
 *   <li><b>Expansion and contraction.</b> While it stays, the account's MRR after H days is its MRR
 *       times the ratio the growth model predicts, {@code ρ}, moving geometrically in between and
 *       beyond: {@code ρ^(t/H)} on day t.</li>
 *   <li><b>How wrong ρ was.</b> The growth model's errors out of time, as the quantiles of
 *       actual / predicted ratio among the accounts that stayed ({@link Assumptions#ratioErrors}):
 *       a staying account's ratio after H days is ρ times one of them, each equally likely. The
 *       error builds up in proportion over the first horizon and as the square root of the
 *       horizons after it (independent errors adding up in log terms).</li>
 * </ul>
 *
 * <p>The revenue over a window is then a finite mixture: each renewal's churn, with its probability
 * and the revenue earned before it on the mean path, and staying with each ratio error. Its 10%,
 * 50% and 90% quantiles are exact for that mixture; nothing is sampled. The expected revenue is the
 * mixture's mean with the staying accounts on the mean path ρ.
 */
public final class RevenueOutlook implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Days in a year; a day earns MRR × 12 / 365. */
  public static final int DAYS_PER_YEAR = 365;
  /** The length of a month between monthly renewals. */
  public static final double DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0;
  /** The quantiles of the interval: together an 80% interval. */
  public static final double LOW_QUANTILE = 0.1;
  public static final double HIGH_QUANTILE = 0.9;

  /**
   * What the history taught beyond the two models.
   *
   * @param horizonDays H, the churn model's horizon and the growth model's
   * @param annualRenewalChurn the share of annual accounts with a renewal inside the horizon that churned
   * @param ratioErrors ascending quantiles of actual / predicted MRR ratio of staying accounts, equally
   *     likely; {@code {1.0}} when the growth model is taken at its word
   */
  public record Assumptions(int horizonDays, double annualRenewalChurn, double[] ratioErrors) implements Serializable {
    public Assumptions {
      if (horizonDays <= 0) {
        throw new IllegalArgumentException("horizon must be positive, got " + horizonDays);
      }
      if (!(annualRenewalChurn >= 0 && annualRenewalChurn <= 1)) {
        throw new IllegalArgumentException("annual renewal churn must be in [0, 1], got " + annualRenewalChurn);
      }
      if (ratioErrors.length == 0 || Arrays.stream(ratioErrors).anyMatch(e -> !(e > 0))) {
        throw new IllegalArgumentException("ratio errors must be positive, got " + Arrays.toString(ratioErrors));
      }
      ratioErrors = ratioErrors.clone();
      Arrays.sort(ratioErrors);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Assumptions a && a.horizonDays == horizonDays
          && Double.compare(a.annualRenewalChurn, annualRenewalChurn) == 0 && Arrays.equals(a.ratioErrors, ratioErrors);
    }

    @Override
    public int hashCode() {
      return 31 * Integer.hashCode(horizonDays) + Arrays.hashCode(ratioErrors);
    }

    @Override
    public String toString() {
      return "Assumptions[horizonDays=" + horizonDays + ", annualRenewalChurn=" + annualRenewalChurn + ", ratioErrors="
          + ratioErrors.length + " quantiles]";
    }
  }

  /**
   * One account on its as-of date.
   *
   * @param mrr its MRR today
   * @param churnProbability the calibrated probability that it churns within the horizon
   * @param survivorRatio ρ, the predicted MRR after the horizon over today's, if it stays
   * @param annual whether its main subscription renews yearly
   * @param daysToRenewal days until its next renewal (1 = tomorrow); null when unknown, taken as tomorrow
   */
  public record Account(double mrr, double churnProbability, double survivorRatio, boolean annual, Integer daysToRenewal) {}

  /**
   * The revenue over a window: its mean, its median and its 10% and 90% quantiles, and what churn is
   * expected to cost. The mean is what sums over accounts; the median is the better guess for one
   * account (it minimises the absolute error, and most accounts neither churn nor change).
   */
  public record Window(double expected, double median, double low, double high, double atRisk) implements Serializable {}

  private final Assumptions assumptions;

  public RevenueOutlook(Assumptions assumptions) {
    this.assumptions = assumptions;
  }

  public Assumptions assumptions() {
    return assumptions;
  }

  /** The days (from 1) on which the account may churn within {@code days}, and the probability of each, in order. */
  double[][] churnDays(Account account, int days) {
    int horizon = assumptions.horizonDays();
    double p = clamp(account.churnProbability());
    int first = account.daysToRenewal() == null ? 1 : Math.max(1, account.daysToRenewal());
    double step = account.annual() ? DAYS_PER_YEAR : DAYS_PER_MONTH;
    int[] renewals = new int[(int) Math.ceil(Math.max(days, horizon) / step) + 2];
    int count = 0;
    for (int k = 0; ; k++) {
      int day = first + (int) Math.round(k * step);
      if (day > Math.max(days, horizon)) {
        break;
      }
      renewals[count++] = day;
    }
    int insideHorizon = 0;
    while (insideHorizon < count && renewals[insideHorizon] <= horizon) {
      insideHorizon++;
    }
    double perRenewal = insideHorizon == 0 ? 0 : 1 - Math.pow(1 - p, 1.0 / insideHorizon);
    // After the horizon a monthly account keeps the horizon's rate per month, not per renewal inside it:
    // two or three renewals fall inside 90 days depending only on the first one's day.
    double after = account.annual() ? assumptions.annualRenewalChurn() : 1 - Math.pow(1 - p, DAYS_PER_MONTH / horizon);
    double[][] atoms = new double[count + 1][];
    int atomCount = 0;
    if (insideHorizon == 0) {
      atoms[atomCount++] = new double[] {Math.max(1, (horizon + 1) / 2), p};
    }
    for (int i = 0; i < count; i++) {
      atoms[atomCount++] = new double[] {renewals[i], i < insideHorizon ? perRenewal : after};
    }
    // Chances of churning on each day, given the earlier days were survived, become probabilities.
    double survival = 1;
    double[][] result = new double[atomCount][];
    int kept = 0;
    Arrays.sort(atoms, 0, atomCount, (a, b) -> Double.compare(a[0], b[0]));
    for (int i = 0; i < atomCount; i++) {
      if (atoms[i][0] > days) {
        break;
      }
      result[kept++] = new double[] {atoms[i][0], survival * atoms[i][1]};
      survival *= 1 - atoms[i][1];
    }
    return Arrays.copyOf(result, kept);
  }

  /**
   * The revenue over the next {@code days} days (tomorrow first). The mean follows the growth
   * model's own ratio: it is a mean ratio already, and averaging its errors raised to a power would
   * let the few largest errors inflate a year's forecast. The errors make the bounds.
   */
  public Window window(Account account, int days) {
    double daily = account.mrr() * 12.0 / DAYS_PER_YEAR;
    double[] errors = assumptions.ratioErrors();
    double[][] churns = churnDays(account, days);
    double[] growth = growth(account.survivorRatio(), days);
    double[][] factors = errorFactors(days);
    double stays = 1;
    int points = churns.length + errors.length;
    double[] value = new double[points];
    double[] weight = new double[points];
    // Revenue on days 1..n on the mean path, for each n: churn on day c earns days 1..c-1.
    double[] meanPath = new double[days + 1];
    for (int day = 1; day <= days; day++) {
      meanPath[day] = meanPath[day - 1] + growth[day];
    }
    double expected = 0;
    for (int i = 0; i < churns.length; i++) {
      value[i] = daily * meanPath[(int) churns[i][0] - 1];
      weight[i] = churns[i][1];
      stays -= churns[i][1];
      expected += value[i] * weight[i];
    }
    stays = Math.max(0, stays);
    double kept = daily * meanPath[days];
    expected += stays * kept;
    for (int j = 0; j < errors.length; j++) {
      double earned = 0;
      for (int day = 1; day <= days; day++) {
        earned += growth[day] * factors[j][day];
      }
      value[churns.length + j] = daily * earned;
      weight[churns.length + j] = stays / errors.length;
    }
    return new Window(expected, quantile(value, weight, 0.5), quantile(value, weight, LOW_QUANTILE),
        quantile(value, weight, HIGH_QUANTILE), kept - expected);
  }

  /**
   * The account's MRR at the end of each of the next {@code months} months ({@code [0]}), and the
   * mean squared deviation of its outcome from that figure ({@code [1]}), for sums over a portfolio:
   * the figure is the mean path's, so the deviation is measured from it rather than from the
   * mixture's own mean.
   */
  public double[][] monthlyMrr(Account account, int months) {
    int lastDay = (int) Math.round(months * DAYS_PER_MONTH);
    double[][] churns = churnDays(account, lastDay);
    double[] growth = growth(account.survivorRatio(), lastDay);
    double[][] factors = errorFactors(lastDay);
    int errors = factors.length;
    double[][] result = new double[2][months];
    for (int m = 1; m <= months; m++) {
      int day = (int) Math.round(m * DAYS_PER_MONTH);
      double survival = 1;
      for (double[] churn : churns) {
        if (churn[0] <= day) {
          survival -= churn[1];
        }
      }
      survival = Math.max(0, survival);
      double level = account.mrr() * growth[day];
      double first = 0;
      double second = 0;
      for (double[] factor : factors) {
        double withError = level * factor[day];
        first += withError / errors;
        second += withError * withError / errors;
      }
      double mean = survival * level;
      // E[(X - mean)^2] with X = MRR with an error if the account stays, 0 if it left.
      result[0][m - 1] = mean;
      result[1][m - 1] = Math.max(0, survival * second - 2 * mean * survival * first + mean * mean);
    }
    return result;
  }

  /** {@code growth[t]} = ρ^(t / H) for t = 0..days, by repeated multiplication. */
  private double[] growth(double ratio, int days) {
    double[] growth = new double[days + 1];
    double perDay = Math.pow(ratio, 1.0 / assumptions.horizonDays());
    growth[0] = 1;
    for (int day = 1; day <= days; day++) {
      growth[day] = growth[day - 1] * perDay;
    }
    return growth;
  }

  /**
   * {@code factors[j][t]} = error_j^(its exponent on day t), for t = 0..days: the same for every
   * account of a model, so computed once per JVM and reused (a forecast asks for it per account-day).
   */
  private double[][] errorFactors(int days) {
    double[][] cached = factorCache;
    if (cached != null && cached[0].length > days) {
      return cached;
    }
    int span = Math.max(days, DAYS_PER_YEAR) + 1;
    double[] errors = assumptions.ratioErrors();
    double[][] factors = new double[errors.length][span];
    for (int j = 0; j < errors.length; j++) {
      double log = Math.log(errors[j]);
      for (int day = 0; day < span; day++) {
        factors[j][day] = Math.exp(log * errorExponent(day));
      }
    }
    factorCache = factors;
    return factors;
  }

  private transient volatile double[][] factorCache;

  /**
   * How much of a horizon's ratio error has built up by {@code day}: in proportion within the first
   * horizon (the MRR moves towards the ratio), then as the square root of the horizons elapsed, as
   * independent errors of successive horizons add up in log terms.
   */
  private double errorExponent(int day) {
    double horizons = (double) day / assumptions.horizonDays();
    return horizons <= 1 ? horizons : Math.sqrt(horizons);
  }

  /** The smallest value whose cumulative weight reaches {@code q} (weights summing to 1). */
  static double quantile(double[] values, double[] weights, double q) {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
    double cumulative = 0;
    for (int i : order) {
      cumulative += weights[i];
      // A tolerance for the rounding of the sums, so that a quantile on an atom's edge picks that atom.
      if (cumulative >= q - 1e-12) {
        return values[i];
      }
    }
    return values[order[order.length - 1]];
  }

  private static double clamp(double probability) {
    return Math.max(0, Math.min(1, probability));
  }
}
