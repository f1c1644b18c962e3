package dev.anshin.demo.generate;

/**
 * The formulas of the synthetic world: how the hidden state moves, how it turns into renewal
 * decisions and payment failures, and the generator's own closed-form churn probability.
 *
 * <p>Everything here is documented with the same names in docs/generator.md; change both together.
 */
public final class WorldModel {
  // --- engagement: a mean-reverting random walk in logit space ---
  /**
   * The mean of an account's long-run engagement logit, drawn N(0.5, 0.9). The world's customers are
   * looked after by a CS team whose calls, reviews and playbooks lift engagement (below); 0.5 with
   * them gives about the engagement and churn that 0.8 gave a world without them (seed 42: mean
   * engagement 0.60 against 0.59, 7.2% of active account-days churning within 90 days against 8.6%).
   */
  public static final double LONG_RUN_LOGIT_MEAN = 0.5;
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

  // --- customer-success activities (cs_activities): what the CS team does, and what it changes ---
  // Activities happen only while the account has a main subscription; each draws from a random
  // stream of its own per account. An effect moves the hidden state the day after the activity.
  /** Mean days between routine emails to an active account (a daily chance of 1 / 14); no effect. */
  public static final double EMAIL_EVERY_DAYS = 14;
  /** Mean days between calls with an active smb or mid account. */
  public static final double CALL_EVERY_DAYS = 45;
  /** Mean days between calls with an active enterprise account: big customers get more attention. */
  public static final double ENTERPRISE_CALL_EVERY_DAYS = 25;
  /** What a call adds to the engagement logit the next day: a small lift. */
  public static final double CALL_LIFT = 0.15;
  /** Days between business reviews of a mid or enterprise account: a quarter, give or take the jitter. */
  public static final int BUSINESS_REVIEW_EVERY_DAYS = 90;
  /** A business review is due 90 days after the last one plus U[-15, 15] days. */
  public static final int BUSINESS_REVIEW_JITTER_DAYS = 15;
  /** Daily chance of a business review with an smb account (about one a year). */
  public static final double SMB_BUSINESS_REVIEWS_PER_DAY = 1.0 / 365;
  /** What a business review adds to the engagement logit the next day. */
  public static final double BUSINESS_REVIEW_LIFT = 1.0;
  /**
   * A risk playbook is run for an account whose engagement (sigmoid of the logit) is below this:
   * the targeting is a selection an analysis of the effect must control for.
   */
  public static final double PLAYBOOK_ENGAGEMENT_BELOW = 0.35;
  /** No second playbook for an account within this many days of the last. */
  public static final int PLAYBOOK_COOL_DOWN_DAYS = 60;
  /** Daily chance that an eligible account (low engagement, no recent playbook) gets a playbook. */
  public static final double PLAYBOOK_CHANCE_PER_DAY = 0.3;
  /** What a playbook adds to the engagement logit the next day. */
  public static final double PLAYBOOK_LIFT = 0.5;
  /** Spread (standard deviation, hours) of an activity's time around the account's office hours. */
  public static final double ACTIVITY_HOUR_SPREAD = 1.5;

  // --- help-centre views (help_center_views): articles that deflect tickets, or fail to ---
  /**
   * The share of customers with a problem who look in the help centre first (the self-serve share
   * v). An article with deflection probability q then solves v q of the problems of its category;
   * the others become tickets.
   */
  public static final double SELF_SERVE_SHARE = 0.4;
  /** A ticket category has 1 to this many articles (the missing category has none). */
  public static final int MAX_ARTICLES_PER_CATEGORY = 3;
  /** An article's deflection probability q is drawn from U(low, high). */
  public static final double ARTICLE_DEFLECTION_LOW = 0.45;
  public static final double ARTICLE_DEFLECTION_HIGH = 0.85;
  /** How many articles per world fail (outdated or wrong): their q is drawn from the failing range. */
  public static final int FAILING_ARTICLES = 2;
  public static final double FAILING_DEFLECTION_LOW = 0.05;
  public static final double FAILING_DEFLECTION_HIGH = 0.2;
  /** A failed view lies U(5, 120) minutes before the ticket it did not prevent. */
  public static final int FAILED_VIEW_MINUTES_MIN = 5;
  public static final int FAILED_VIEW_MINUTES_MAX = 120;
  /** A deflected view lies U(8, 40) days before a ticket of its account (a different problem). */
  public static final int DEFLECTED_VIEW_DAYS_MIN = 8;
  public static final int DEFLECTED_VIEW_DAYS_MAX = 40;
  /**
   * A deflected view is not followed by a ticket of its account and category within this many days
   * (its time is drawn again until none follows): the window in which an analysis counts a view as
   * followed by a ticket. A failed view is followed by its ticket within two hours.
   */
  public static final int DEFLECTION_WINDOW_DAYS = 7;

  private WorldModel() {}

  /**
   * The chance that a ticket whose category has an article with deflection probability q comes
   * with a view of it shortly before: of the problems that become tickets, 1 - v q of all, those
   * that tried the article first, v (1 - q).
   */
  public static double failedViewChance(double q) {
    return SELF_SERVE_SHARE * (1 - q) / (1 - SELF_SERVE_SHARE * q);
  }

  /**
   * The mean number of problems the article solved per ticket of its category that it did not:
   * v q / (1 - v q). With {@link #failedViewChance(double)}, the share of the article's views that
   * no ticket follows is q.
   */
  public static double deflectedViewsPerTicket(double q) {
    return SELF_SERVE_SHARE * q / (1 - SELF_SERVE_SHARE * q);
  }

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
