package dev.anshin.demo.generate;

/**
 * The formulas of the synthetic world: how the hidden state moves, how it turns into renewal
 * decisions and payment failures, and the generator's own closed-form churn probability.
 *
 * <p>Everything here is documented with the same names in docs/generator.md; change both together.
 */
public final class WorldModel {
  // --- engagement: a mean-reverting random walk in logit space ---
  /** Share of the gap to the account's long-run level closed each day (half-life about 23 days). */
  public static final double ENGAGEMENT_REVERSION = 0.03;
  /** Daily noise of the engagement logit. */
  public static final double ENGAGEMENT_NOISE = 0.12;
  /** How much one unit of pain pulls the engagement logit down per day. */
  public static final double PAIN_DRAG = 0.04;
  /** Daily chance that the account's champion leaves (a drop in engagement and in its long-run level). */
  public static final double CHAMPION_LEAVES_PER_DAY = 1.0 / 700;
  /** Daily chance of a new project or sponsor that lifts the long-run level. */
  public static final double NEW_SPONSOR_PER_DAY = 1.0 / 900;

  // --- pain: incidents add severity, pain decays geometrically ---
  public static final double PAIN_DECAY = 0.92;
  /** Daily chance that a platform incident starts. */
  public static final double PLATFORM_INCIDENTS_PER_DAY = 0.05;
  /** Daily chance of an incident of the account's own (a broken integration, a bad deploy on its side). */
  public static final double OWN_INCIDENTS_PER_DAY = 0.004;
  /**
   * The long-run mean severity that reaches an account per day: platform incidents (rate 0.05, mean
   * 2.5 days, mean severity 0.75, mean share of accounts hit 0.225) plus its own (rate 0.004, mean
   * 2 days, mean severity 1.0). Used for the expected pain in the closed-form churn probability.
   */
  public static final double MEAN_DAILY_SEVERITY = 0.05 * 2.5 * 0.75 * 0.225 + 0.004 * 2.0 * 1.0;

  // --- voluntary churn at renewals ---
  public static final double HAZARD_INTERCEPT = -7.8;
  public static final double HAZARD_DISENGAGEMENT = 6.0;
  public static final double HAZARD_PAIN = 0.5;
  public static final double HAZARD_BAD_TICKET = 0.45;
  public static final int BAD_TICKET_CAP = 4;
  public static final double HAZARD_ANNUAL = 2.0;
  /** Bad tickets are counted over this many days before the renewal. */
  public static final int BAD_TICKET_WINDOW_DAYS = 30;

  // --- involuntary churn: failed payments and dunning ---
  public static final double PAYMENT_INTERCEPT = -5.0;
  public static final double PAYMENT_SMB = 0.7;
  public static final double PAYMENT_DISENGAGEMENT = 2.2;
  /** Retries happen this many days after the invoice is issued. */
  public static final int[] RETRY_DAYS = {3, 7};
  /** The account churns this many days after the issue of an invoice whose last retry failed. */
  public static final int DUNNING_CHURN_DAYS = 14;

  private WorldModel() {}

  public static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  public static double logit(double p) {
    return Math.log(p / (1 - p));
  }

  /** The segment's shift of the renewal hazard (in logit units). */
  public static double segmentShift(String segment) {
    return switch (segment) {
      case "smb" -> 0.3;
      case "mid" -> 0.0;
      default -> -0.5;
    };
  }

  /** The probability that the account leaves at a renewal, given its state that day. */
  public static double hazard(
      double engagement, double pain, double badTickets, String segment, boolean annual) {
    double x =
        HAZARD_INTERCEPT
            + HAZARD_DISENGAGEMENT * (1 - engagement)
            + HAZARD_PAIN * pain
            + HAZARD_BAD_TICKET * Math.min(badTickets, BAD_TICKET_CAP)
            + segmentShift(segment)
            + (annual ? HAZARD_ANNUAL : 0.0);
    return sigmoid(x);
  }

  /** The probability that the first charge of an invoice fails. */
  public static double firstChargeFails(double engagement, String segment) {
    return sigmoid(
        PAYMENT_INTERCEPT
            + (segment.equals("smb") ? PAYMENT_SMB : 0.0)
            + PAYMENT_DISENGAGEMENT * (1 - engagement));
  }

  /** The probability that a dunning retry fails, once the first charge failed. */
  public static double retryFails(double engagement) {
    return 0.4 + 0.3 * (1 - engagement);
  }

  /** The probability that an invoice ends in a failed dunning (first charge and every retry fail). */
  public static double dunningFails(double engagement, String segment) {
    double retries = Math.pow(retryFails(engagement), RETRY_DAYS.length);
    return firstChargeFails(engagement, segment) * retries;
  }

  /** Mean and variance of the drop in the engagement logit when a champion leaves, U(1, 2). */
  static final double CHAMPION_DROP = 1.5;
  static final double CHAMPION_DROP_SQUARED = 7.0 / 3.0;
  /** Mean change of the long-run level when a champion leaves (U(0.3, 0.8)) or a sponsor arrives. */
  static final double LEVEL_SHIFT = 0.55;

  /**
   * The expected path of the hidden state over the next {@code days} days, by its own dynamics:
   * row k holds the mean and variance of the engagement logit and the mean pain k days ahead.
   * Shocks enter with their mean (and variance), incidents with their long-run mean severity.
   */
  public static double[][] forecast(double logit, double longRunLogit, double pain, int days) {
    double[][] path = new double[days + 1][];
    double mean = logit;
    double level = longRunLogit;
    double variance = 0;
    double expectedPain = pain;
    path[0] = new double[] {mean, variance, expectedPain};
    double keep = 1 - ENGAGEMENT_REVERSION;
    for (int k = 1; k <= days; k++) {
      level += (NEW_SPONSOR_PER_DAY - CHAMPION_LEAVES_PER_DAY) * LEVEL_SHIFT;
      mean =
          mean - CHAMPION_LEAVES_PER_DAY * CHAMPION_DROP
              + ENGAGEMENT_REVERSION * (level - mean) - PAIN_DRAG * expectedPain;
      variance =
          keep * keep * variance + ENGAGEMENT_NOISE * ENGAGEMENT_NOISE
              + CHAMPION_LEAVES_PER_DAY * CHAMPION_DROP_SQUARED;
      expectedPain = PAIN_DECAY * expectedPain + MEAN_DAILY_SEVERITY;
      path[k] = new double[] {mean, variance, expectedPain};
    }
    return path;
  }

  /**
   * The expected renewal hazard when the engagement logit is uncertain (mean, variance): the
   * hazard's logit is linearised in the engagement logit and the logistic-normal integral taken with
   * the probit approximation E[sigmoid(X)] ~ sigmoid(mean / sqrt(1 + pi var / 8)).
   */
  public static double expectedHazard(
      double logitMean, double logitVariance, double pain, double badTickets, String segment,
      boolean annual) {
    double engagement = sigmoid(logitMean);
    double slope = HAZARD_DISENGAGEMENT * engagement * (1 - engagement);
    double hazardLogit = logit(hazard(engagement, pain, badTickets, segment, annual));
    double hazardVariance = slope * slope * logitVariance;
    return sigmoid(hazardLogit / Math.sqrt(1 + Math.PI * hazardVariance / 8));
  }

  /**
   * Bad tickets expected in the window before a renewal {@code days} ahead: today's count fades out
   * as the window slides past today's tickets; new ones are not predicted (they need pain first).
   */
  public static double expectedBadTickets(int badTicketsToday, int days) {
    return badTicketsToday * Math.max(0.0, 1.0 - (double) days / BAD_TICKET_WINDOW_DAYS);
  }
}
