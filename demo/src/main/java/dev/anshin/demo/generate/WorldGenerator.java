package dev.anshin.demo.generate;

import static dev.anshin.demo.generate.Sampling.chance;
import static dev.anshin.demo.generate.Sampling.logNormal;
import static dev.anshin.demo.generate.Sampling.pick;
import static dev.anshin.demo.generate.Sampling.poisson;
import static dev.anshin.demo.generate.Sampling.uniform;
import static dev.anshin.demo.generate.Sampling.weighted;

import dev.anshin.demo.generate.World.Account;
import dev.anshin.demo.generate.World.AccountDays;
import dev.anshin.demo.generate.World.CsActivity;
import dev.anshin.demo.generate.World.Incident;
import dev.anshin.demo.generate.World.Invoice;
import dev.anshin.demo.generate.World.Subscription;
import dev.anshin.demo.generate.World.Ticket;
import dev.anshin.demo.generate.World.TruthRow;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulates a B2B SaaS world day by day: accounts with hidden engagement and pain, their
 * subscriptions, renewals, invoices and dunning, support tickets, and the truth about churn.
 *
 * <p>Deterministic: one {@link SplittableRandom} seeded with the settings' seed is split once for
 * incidents and once per account, in account order, so an account's story does not depend on how
 * many random numbers another account drew. Usage and request traffic is drawn later, per account
 * and day, by {@link WorldWriter}, from the hidden state recorded here.
 *
 * <p>Two sources are planted on top of that story with random streams of their own, so that they
 * change the world only through their known effects: the customer-success team's activities (each
 * account's own stream; their lifts of the hidden engagement are in {@link WorldModel}), and the
 * help centre's views ({@link HelpCenter}, drawn from the finished tickets).
 */
public final class WorldGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(WorldGenerator.class);

  /** Pre-existing accounts' hidden state runs this many days before the start, so it is not at rest. */
  static final int WARM_UP_DAYS = 60;

  static final String[] SEGMENTS = {"smb", "mid", "enterprise"};
  static final double[] SEGMENT_WEIGHTS = {0.6, 0.3, 0.1};
  static final List<String> INDUSTRIES =
      List.of("software", "retail", "finance", "healthcare", "manufacturing", "education", "media",
          "logistics", "hospitality", "public_sector");
  static final String[] REGIONS = {"na", "emea", "apac", "latam"};
  static final double[] REGION_WEIGHTS = {0.45, 0.3, 0.17, 0.08};
  /**
   * What one unit of each currency the world bills in besides US dollars is worth in dollars: the
   * demo's constant exchange rates (anshin.revenue.exchange-rates in conf/anshin.conf).
   */
  public static final Map<String, BigDecimal> EXCHANGE_RATES =
      Map.of("EUR", new BigDecimal("1.08"), "GBP", new BigDecimal("1.27"), "JPY", new BigDecimal("0.0067"));
  /** The UTC hour around which each region's working day is centred. */
  static final double[] REGION_HOURS = {16, 11, 3, 15};
  static final List<String> CSM_OWNERS =
      List.of("aiko.tanaka", "ben.ortiz", "chloe.martin", "dev.patel", "emma.schulz", "felix.nakamura",
          "grace.okafor", "hugo.lindqvist");
  static final List<String> NAME_FIRST =
      List.of("Acme", "Blue River", "Cedar", "Delta Bay", "Evergreen", "Falcon", "Granite", "Harbor",
          "Ironwood", "Juniper", "Kestrel", "Lumen", "Maple", "Northwind", "Orchid", "Pioneer", "Quartz",
          "Redwood", "Summit", "Tidal", "Umbra", "Vertex", "Willow", "Xenon", "Yonder", "Zephyr");
  static final List<String> NAME_SECOND =
      List.of("Analytics", "Logistics", "Health", "Labs", "Retail", "Capital", "Foods", "Media",
          "Systems", "Robotics", "Studios", "Energy", "Travel", "Works");
  /** Legal suffixes; those with a comma make the CSV quote the name. */
  static final List<String> NAME_SUFFIX =
      List.of("", "", "", " Group", " Co.", ", Inc.", ", LLC", ", Ltd.", " GmbH", " K.K.");
  /** The support categories of tickets, also the help centre's sections. */
  static final String[] TICKET_CATEGORIES = {
    "how_to", "sso_login", "integrations", "reporting", "data_import", "billing", "api_errors",
    "performance"
  };
  static final double[] TICKET_CATEGORY_WEIGHTS = {0.3, 0.12, 0.15, 0.15, 0.1, 0.06, 0.06, 0.06};
  /** The customer-success activity types of cs_activities. */
  static final String EMAIL = "email";
  static final String CALL = "call";
  static final String BUSINESS_REVIEW = "business_review";
  static final String PLAYBOOK = "playbook";
  static final String[] PLANS = {"starter", "growth", "enterprise"};
  static final long[] PLAN_SEAT_PRICE_CENTS = {2000, 3500, 5500};
  static final long[] ADD_ON_PRICES_CENTS = {4900, 9900, 19900};
  public static final String ADD_ON_PLAN = "analytics_addon";
  /**
   * The currency an account is billed in: most EMEA accounts in euros and one in four in pounds, one
   * APAC account in three in yen, everyone else in US dollars. A function of the account's number, so
   * that the rest of the world does not depend on it.
   */
  static String billingCurrency(String region, int index) {
    return switch (region) {
      case "emea" -> index % 4 == 0 ? "GBP" : "EUR";
      case "apac" -> index % 3 == 0 ? "JPY" : "USD";
      default -> "USD";
    };
  }

  /**
   * An invoice of {@code months} months as a price list in {@code currency} charges it: the month's
   * price in that currency ({@link #billedCents(long, String)}) times the months, so that an annual
   * invoice is exactly twelve of the subscription's stated MRR, as in the dollar world.
   */
  static long billedCents(long usdCents, String currency, int months) {
    if (usdCents % months != 0) {
      return billedCents(usdCents, currency);
    }
    return billedCents(usdCents / months, currency) * months;
  }

  /**
   * A dollar amount of the world (whose hidden state is in dollars) as the billing system shows it in
   * {@code currency}: converted at {@link #EXCHANGE_RATES}, to the cent, or to the whole yen (the yen
   * has no minor unit). Converting it back at the same rate lands within a cent of the dollars.
   */
  static long billedCents(long usdCents, String currency) {
    if (currency.equals("USD")) {
      return usdCents;
    }
    BigDecimal local = BigDecimal.valueOf(usdCents).divide(EXCHANGE_RATES.get(currency), 6, RoundingMode.HALF_UP);
    return currency.equals("JPY")
        ? local.movePointLeft(2).setScale(0, RoundingMode.HALF_UP).movePointRight(2).longValueExact()
        : local.setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /** Chance that an add-on is cancelled on its own at one of its monthly renewals. */
  static final double ADD_ON_CANCEL = 0.04;
  static final double REACTIVATION = 0.12;
  private static final long ACTIVITY_SALT = 0xAC71_F17EL;
  private static final long ORACLE_SALT = 0x0_12AC_1EL;
  /**
   * The Monte Carlo oracle's futures per account and date. Its standard error is at most 0.5 /
   * sqrt(100) = 0.05 and far smaller for most accounts: the renewal hazards are integrated instead of
   * drawn ({@link AccountSimulation#simulatedChurnProbability}), so what is left is mostly the rare
   * failed dunning, about sqrt(0.02 x 0.98 / 100) = 0.014.
   */
  static final int ORACLE_PATHS = 100;
  /**
   * The oracle is simulated on every 7th observed day counted back from the last one, over the last
   * 180: where {@code evaluate} measures with its defaults (Evaluation.Options.DEFAULTS).
   */
  static final int ORACLE_EVERY_DAYS = 7;
  static final int ORACLE_OVER_DAYS = 180;

  private WorldGenerator() {}

  public static World simulate(WorldSettings settings) {
    long started = System.nanoTime();
    SplittableRandom root = new SplittableRandom(settings.seed());
    SplittableRandom incidentRandom = root.split();
    LocalDate firstDay = settings.start().minusDays(WARM_UP_DAYS);
    List<Incident> incidents = platformIncidents(incidentRandom, firstDay, settings.simulationEnd());

    List<Account> accounts = new ArrayList<>();
    List<Subscription> subscriptions = new ArrayList<>();
    List<Invoice> invoices = new ArrayList<>();
    List<Ticket> tickets = new ArrayList<>();
    List<AccountDays> accountDays = new ArrayList<>();
    List<TruthRow> truth = new ArrayList<>();
    List<CsActivity> activities = new ArrayList<>();
    // Each account draws from its own stream, split from the root in account order, so the accounts
    // can run on every core and the world stays the same.
    List<AccountSimulation> simulations = new ArrayList<>(settings.accounts());
    for (int index = 0; index < settings.accounts(); index++) {
      simulations.add(new AccountSimulation(settings, index, root.split(), incidents, firstDay));
    }
    simulations.parallelStream().forEach(AccountSimulation::run);
    for (int index = 0; index < settings.accounts(); index++) {
      AccountSimulation simulation = simulations.get(index);
      accounts.add(simulation.account());
      subscriptions.addAll(simulation.subscriptions());
      invoices.addAll(simulation.invoices);
      tickets.addAll(simulation.tickets);
      accountDays.add(simulation.days);
      truth.addAll(simulation.truth());
      activities.addAll(simulation.activities(accounts.get(index)));
    }
    // Files list rows in a stable, readable order: by day, then account.
    truth.sort(Comparator.comparing(TruthRow::asOfDate).thenComparing(TruthRow::accountId));
    tickets.sort(Comparator.comparing(Ticket::createdAt).thenComparing(Ticket::id));
    activities.sort(Comparator.comparing(CsActivity::time).thenComparing(CsActivity::id));
    HelpCenter helpCenter = HelpCenter.of(settings, accounts, tickets);
    LOG.info(
        "Simulated {} accounts from {} to {} ({} observed days + {} horizon days) in {} ms",
        settings.accounts(), settings.start(), settings.simulationEnd(), settings.days(),
        settings.horizonDays(), (System.nanoTime() - started) / 1_000_000);
    return new World(
        settings, List.copyOf(accounts), List.copyOf(subscriptions), List.copyOf(invoices),
        List.copyOf(tickets), List.copyOf(accountDays), incidents, List.copyOf(truth),
        List.copyOf(activities), helpCenter.articles(), helpCenter.views());
  }

  private static List<Incident> platformIncidents(
      SplittableRandom random, LocalDate from, LocalDate to) {
    List<Incident> incidents = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      if (chance(random, WorldModel.PLATFORM_INCIDENTS_PER_DAY)) {
        incidents.add(
            new Incident(
                day, 1 + random.nextInt(4), uniform(random, 0.3, 1.2), uniform(random, 0.05, 0.4),
                random.nextLong()));
      }
    }
    return List.copyOf(incidents);
  }

  /**
   * Each account's daily severity from platform incidents, indexed by days since {@code firstDay};
   * precomputed once per account because the simulation asks for every day.
   */
  static double[] platformSeverity(
      List<Incident> incidents, int accountIndex, LocalDate firstDay, int span) {
    double[] severity = new double[span];
    for (Incident incident : incidents) {
      if (Sampling.hashUniform(incident.salt(), accountIndex) >= incident.share()) {
        continue;
      }
      int from = (int) ChronoUnit.DAYS.between(firstDay, incident.start());
      for (int day = Math.max(0, from); day < Math.min(span, from + incident.days()); day++) {
        severity[day] += incident.severity();
      }
    }
    return severity;
  }

  /** Billing days fall on days 1-28 so that monthly anniversaries never drift. */
  static LocalDate billingDay(LocalDate day) {
    return day.getDayOfMonth() > 28 ? day.withDayOfMonth(1).plusMonths(1) : day;
  }

  static Instant at(LocalDate day, double secondOfDay) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant().plusMillis((long) (secondOfDay * 1000));
  }

  /** A customer-success activity decided during the simulation; its owner is known only later. */
  private record PlannedActivity(LocalDate day, double secondOfDay, String type) {}

  /** A mutable subscription row while the simulation runs. */
  private static final class OpenSubscription {
    final String id;
    final String plan;
    final int seats;
    final long mrrCents;
    final boolean annual;
    final LocalDate startedAt;
    final boolean addOn;
    LocalDate nextRenewal;
    LocalDate endedAt;
    String cancelReason;

    OpenSubscription(
        String id, String plan, int seats, long mrrCents, boolean annual, LocalDate startedAt,
        LocalDate nextRenewal, boolean addOn) {
      this.id = id;
      this.plan = plan;
      this.seats = seats;
      this.mrrCents = mrrCents;
      this.annual = annual;
      this.startedAt = startedAt;
      this.nextRenewal = nextRenewal;
      this.addOn = addOn;
    }

    LocalDate renewalAfter(LocalDate renewal) {
      return annual ? renewal.plusYears(1) : renewal.plusMonths(1);
    }

    OpenSubscription copy() {
      OpenSubscription copy = new OpenSubscription(id, plan, seats, mrrCents, annual, startedAt, nextRenewal, addOn);
      copy.endedAt = endedAt;
      copy.cancelReason = cancelReason;
      return copy;
    }
  }

  /** A mutable invoice while its charges are still being tried. */
  private static final class OpenInvoice {
    final String id;
    final String subscriptionId;
    final long amountCents;
    final LocalDate periodStart;
    final LocalDate periodEnd;
    final Instant issuedAt;
    final List<Instant> failedCharges = new ArrayList<>();
    Instant paidAt;
    Instant givenUpAt;
    int retriesDone;

    OpenInvoice(
        String id, String subscriptionId, long amountCents, LocalDate periodStart,
        LocalDate periodEnd, Instant issuedAt) {
      this.id = id;
      this.subscriptionId = subscriptionId;
      this.amountCents = amountCents;
      this.periodStart = periodStart;
      this.periodEnd = periodEnd;
      this.issuedAt = issuedAt;
    }

    LocalDate issueDay() {
      return LocalDate.ofInstant(issuedAt, ZoneOffset.UTC);
    }

    boolean inDunning() {
      return paidAt == null && givenUpAt == null && !failedCharges.isEmpty();
    }

    OpenInvoice copy() {
      OpenInvoice copy = new OpenInvoice(id, subscriptionId, amountCents, periodStart, periodEnd, issuedAt);
      copy.failedCharges.addAll(failedCharges);
      copy.paidAt = paidAt;
      copy.givenUpAt = givenUpAt;
      copy.retriesDone = retriesDone;
      return copy;
    }

    Invoice toInvoice(String accountId) {
      return new Invoice(
          id, accountId, subscriptionId, amountCents, periodStart, periodEnd, issuedAt,
          List.copyOf(failedCharges), paidAt, givenUpAt);
    }
  }

  /** One account's story, simulated from its first day to the end of the simulation. */
  private static final class AccountSimulation {
    final WorldSettings settings;
    final int index;
    final SplittableRandom random;
    final LocalDate firstDay;
    final String accountId;
    final String segment;
    final int segmentIndex;
    final String region;
    final double hourCenter;
    final boolean preExisting;
    final Instant createdAt;
    final String name;
    final String industry;
    final String csmOwner;
    final String plan;
    /** The seats the account signed up for, before any seat change. */
    final int plannedSeats;
    final long seatPriceCents;
    final boolean annual;
    final List<OpenSubscription> allSubscriptions = new ArrayList<>();
    final List<OpenInvoice> openInvoices = new ArrayList<>();
    /** Invoices whose first charge failed and that are neither paid nor given up yet. */
    final List<OpenInvoice> dunning = new ArrayList<>();
    final List<Invoice> invoices = new ArrayList<>();
    final List<Ticket> tickets = new ArrayList<>();
    final List<LocalDate> coverageEnds = new ArrayList<>();
    final List<double[]> truthState = new ArrayList<>();
    final List<LocalDate> truthDays = new ArrayList<>();
    final Deque<LocalDate> badTicketDays = new ArrayDeque<>();
    final AccountDays days;
    /** The platform incidents that hit this account, for the oracle's futures. */
    final List<Incident> ownPlatformIncidents;
    /** The daily platform severity, indexed by days since {@link #severityOrigin}. */
    final double[] platformSeverity;
    final LocalDate severityOrigin;
    /**
     * A future drawn from the state of the end of one day by the Monte Carlo oracle, not the world:
     * it draws its own platform incidents, and it does not draw voluntary churn at a renewal but
     * keeps the chance of having survived it in {@link #survival}.
     */
    final boolean oraclePath;
    double survival = 1.0;
    /** The oracle's probability on its days (every {@link #ORACLE_EVERY_DAYS} back from the last observed day). */
    final Map<LocalDate, Double> oracle = new HashMap<>();
    /**
     * The customer-success team's own random stream: activities are planted on top of the world, so
     * every other draw of the account is the same with or without them (the world changes only
     * through their effects on the hidden state).
     */
    final SplittableRandom activityRandom;
    /** Activities as (day, second of day, type), turned into rows once the CRM's owners are known. */
    final List<PlannedActivity> plannedActivities = new ArrayList<>();
    /** The lift of the engagement logit from today's activities, due tomorrow. */
    double pendingLift;
    LocalDate nextBusinessReview;
    LocalDate lastPlaybook;

    double logit;
    double longRunLogit;
    double pain;
    double seatsInUse;
    int seats;
    OpenSubscription main;
    OpenSubscription addOn;
    /** The day the next main subscription starts: after a trial, or a reactivation. */
    LocalDate pendingStart;
    LocalDate pendingAddOn;
    long pendingAddOnPrice;
    int ownIncidentDaysLeft;
    double ownIncidentSeverity;
    LocalDate involuntaryChurnOn;
    LocalDate lastPaymentFailure;
    int subscriptionSequence;
    int invoiceSequence;
    int ticketSequence;

    AccountSimulation(
        WorldSettings settings, int index, SplittableRandom random, List<Incident> incidents,
        LocalDate firstDay) {
      this.settings = settings;
      this.index = index;
      this.random = random;
      this.firstDay = firstDay;
      this.activityRandom =
          new SplittableRandom(Sampling.mix(settings.seed() ^ ACTIVITY_SALT ^ Sampling.mix(index + 1L)));
      this.platformSeverity =
          platformSeverity(
              incidents, index, firstDay,
              (int) ChronoUnit.DAYS.between(firstDay, settings.simulationEnd()) + 1);
      this.severityOrigin = firstDay;
      this.ownPlatformIncidents =
          incidents.stream().filter(incident -> Sampling.hashUniform(incident.salt(), index) < incident.share()).toList();
      this.oraclePath = false;
      this.accountId = String.format("acc-%05d", index + 1);
      this.segment = weighted(random, SEGMENTS, SEGMENT_WEIGHTS);
      this.segmentIndex = Arrays.asList(SEGMENTS).indexOf(segment);
      int regionIndex = Arrays.asList(REGIONS).indexOf(weighted(random, REGIONS, REGION_WEIGHTS));
      this.region = REGIONS[regionIndex];
      this.hourCenter = REGION_HOURS[regionIndex];
      this.preExisting = chance(random, 0.6);
      LocalDate createdDay =
          preExisting
              ? settings.start().minusDays(15 + random.nextInt(716))
              : settings.start().plusDays(random.nextInt(settings.days()));
      this.createdAt = at(createdDay, uniform(random, 7 * 3600, 20 * 3600));
      this.name = pick(random, NAME_FIRST) + " " + pick(random, NAME_SECOND) + pick(random, NAME_SUFFIX);
      this.industry = pick(random, INDUSTRIES);
      this.csmOwner = pick(random, CSM_OWNERS);
      this.seats =
          switch (segment) {
            case "smb" -> 2 + random.nextInt(14);
            case "mid" -> 15 + random.nextInt(46);
            default -> 60 + random.nextInt(141);
          };
      this.plannedSeats = seats;
      int planIndex = Math.min(2, segmentIndex + (chance(random, 0.15) ? 1 : 0));
      this.plan = PLANS[planIndex];
      this.seatPriceCents = PLAN_SEAT_PRICE_CENTS[planIndex];
      double annualShare = new double[] {0.2, 0.5, 0.8}[segmentIndex];
      this.annual = chance(random, annualShare);
      this.longRunLogit = WorldModel.LONG_RUN_LOGIT_MEAN + 0.9 * random.nextGaussian();
      this.logit = longRunLogit + 0.6 * random.nextGaussian();
      this.seatsInUse = seats * WorldModel.sigmoid(logit + 1.2);
      int apiRequests =
          chance(random, 0.5)
              ? (int) Math.round(new double[] {10, 30, 60}[segmentIndex] * uniform(random, 0.3, 1.7))
              : 0;
      int observed = settings.days();
      double[] engagement = new double[observed];
      Arrays.fill(engagement, Double.NaN);
      this.days =
          new AccountDays(
              index, accountId, segment, hourCenter, apiRequests, engagement, new int[observed],
              new double[observed]);

      LocalDate mainStart = billingDay(createdDay.plusDays(random.nextInt(14)));
      boolean withAddOn = chance(random, 0.15);
      LocalDate addOnStart =
          withAddOn
              ? billingDay(
                  preExisting
                      ? mainStart.plusDays(
                          random.nextInt(
                              (int) Math.max(1, ChronoUnit.DAYS.between(mainStart, settings.start()))))
                      : mainStart.plusDays(random.nextInt(60)))
              : null;
      long addOnPrice = ADD_ON_PRICES_CENTS[random.nextInt(ADD_ON_PRICES_CENTS.length)];
      if (mainStart.isBefore(settings.start())) {
        main = openMain(mainStart);
        paidHistory(main);
        if (addOnStart != null) {
          if (addOnStart.isBefore(settings.start())) {
            addOn = openAddOn(addOnStart, addOnPrice);
            paidHistory(addOn);
          } else {
            pendingAddOn = addOnStart;
            pendingAddOnPrice = addOnPrice;
          }
        }
      } else {
        pendingStart = mainStart;
        pendingAddOn = addOnStart == null ? null : (addOnStart.isBefore(mainStart) ? mainStart : addOnStart);
        pendingAddOnPrice = addOnPrice;
      }
    }

    /**
     * A future of {@code account} from the end of {@code day}: a copy of its hidden state (engagement,
     * pain, its own incident, seats, subscriptions, invoices in dunning, recent bad tickets, the lift
     * of today's activities and the team's schedule), driven by {@code random}, with the severity of
     * the platform incidents already under way on {@code day} over the days after it ({@code
     * severityUnderWay}, from the day after) and none that start later ({@link #drawPlatformIncident}
     * draws those).
     */
    AccountSimulation(AccountSimulation account, LocalDate day, SplittableRandom random, double[] severityUnderWay) {
      this.settings = account.settings;
      this.index = account.index;
      this.random = random;
      this.firstDay = account.firstDay;
      this.activityRandom = random.split();
      this.accountId = account.accountId;
      this.segment = account.segment;
      this.segmentIndex = account.segmentIndex;
      this.region = account.region;
      this.hourCenter = account.hourCenter;
      this.preExisting = account.preExisting;
      this.createdAt = account.createdAt;
      this.name = account.name;
      this.industry = account.industry;
      this.csmOwner = account.csmOwner;
      this.plan = account.plan;
      this.plannedSeats = account.plannedSeats;
      this.seatPriceCents = account.seatPriceCents;
      this.annual = account.annual;
      this.days = null;
      this.oraclePath = true;
      this.ownPlatformIncidents = account.ownPlatformIncidents;
      // The window of the future, and three days more for an incident drawn on its last day.
      this.severityOrigin = day.plusDays(1);
      this.platformSeverity = severityUnderWay.clone();
      this.badTicketDays.addAll(account.badTicketDays);
      this.pendingLift = account.pendingLift;
      this.nextBusinessReview = account.nextBusinessReview;
      this.lastPlaybook = account.lastPlaybook;
      this.logit = account.logit;
      this.longRunLogit = account.longRunLogit;
      this.pain = account.pain;
      this.seatsInUse = account.seatsInUse;
      this.seats = account.seats;
      this.main = account.main == null ? null : account.main.copy();
      this.addOn = account.addOn == null ? null : account.addOn.copy();
      this.pendingStart = account.pendingStart;
      this.pendingAddOn = account.pendingAddOn;
      this.pendingAddOnPrice = account.pendingAddOnPrice;
      this.ownIncidentDaysLeft = account.ownIncidentDaysLeft;
      this.ownIncidentSeverity = account.ownIncidentSeverity;
      this.involuntaryChurnOn = account.involuntaryChurnOn;
      this.lastPaymentFailure = account.lastPaymentFailure;
      this.subscriptionSequence = account.subscriptionSequence;
      this.invoiceSequence = account.invoiceSequence;
      this.ticketSequence = account.ticketSequence;
      for (OpenInvoice invoice : account.dunning) {
        OpenInvoice copy = invoice.copy();
        dunning.add(copy);
        openInvoices.add(copy);
      }
    }

    /** Adds an incident's severity to the days it lasts that this simulation's severity array covers. */
    private void addSeverity(LocalDate start, int length, double severity) {
      int from = (int) ChronoUnit.DAYS.between(severityOrigin, start);
      for (int d = Math.max(0, from); d < Math.min(platformSeverity.length, from + length); d++) {
        platformSeverity[d] += severity;
      }
    }

    /**
     * An oracle future's platform incident of the day, drawn as the world draws them ({@link
     * #platformIncidents}): one starts with probability {@link WorldModel#PLATFORM_INCIDENTS_PER_DAY}
     * and hits this account with the incident's share of accounts.
     */
    void drawPlatformIncident(LocalDate day) {
      if (chance(random, WorldModel.PLATFORM_INCIDENTS_PER_DAY)) {
        int length = 1 + random.nextInt(4);
        double severity = uniform(random, 0.3, 1.2);
        double share = uniform(random, 0.05, 0.4);
        if (chance(random, share)) {
          addSeverity(day, length, severity);
        }
      }
    }

    /**
     * The Monte Carlo oracle: the chance that the account churns in (day, day + horizon], over
     * {@link #ORACLE_PATHS} futures drawn from its true state at the end of {@code day} by the
     * world's own day step. Each future draws everything the world draws (engagement shocks,
     * incidents, tickets and their satisfaction, the team's activities, charges and retries) except
     * the voluntary churn at a renewal, whose chance it integrates instead: a future that reaches a
     * renewal with hazard h goes on as the account that stayed, weighted by 1 - h. That estimates the
     * same probability with far less noise. A future that ends in involuntary churn counts as churn.
     */
    double simulatedChurnProbability(LocalDate day) {
      // The platform incidents under way on the day, over the days after it: part of the state.
      double[] underWay = new double[settings.horizonDays() + 4];
      long origin = day.toEpochDay() + 1;
      for (Incident incident : ownPlatformIncidents) {
        int from = (int) (incident.start().toEpochDay() - origin);
        if (from < 0) {
          for (int d = 0; d < Math.min(underWay.length, from + incident.days()); d++) {
            underWay[d] += incident.severity();
          }
        }
      }
      double survived = 0;
      for (int path = 0; path < ORACLE_PATHS; path++) {
        SplittableRandom pathRandom =
            new SplittableRandom(Sampling.mix(Sampling.seedFor(settings.seed() ^ ORACLE_SALT, index, day.toEpochDay()) + path));
        survived += new AccountSimulation(this, day, pathRandom, underWay).survivalThroughHorizon(day);
      }
      return 1 - survived / ORACLE_PATHS;
    }

    /** Runs an oracle future over the horizon after {@code day}: its weight of survival, 0 if it churned. */
    double survivalThroughHorizon(LocalDate day) {
      LocalDate end = day.plusDays(settings.horizonDays());
      for (LocalDate next = day.plusDays(1); !next.isAfter(end); next = next.plusDays(1)) {
        drawPlatformIncident(next);
        double severity = evolve(next);
        lifecycle(next);
        if (!coverageEnds.isEmpty()) {
          return 0;
        }
        if (active()) {
          tickets(next, severity);
          activities(next);
        } else {
          nextBusinessReview = null;
        }
      }
      return survival;
    }

    Account account() {
      return new Account(
          index, accountId, name, segment, industry, region, billingCurrency(region, index), createdAt,
          CrmHistory.of(settings, index, segment, csmOwner, createdDay(), plannedSeats, subscriptions()));
    }

    List<Subscription> subscriptions() {
      return allSubscriptions.stream()
          .map(
              s ->
                  new Subscription(
                      s.id, accountId, s.plan, s.seats, s.mrrCents, s.annual ? "annual" : "monthly",
                      s.startedAt, s.endedAt, s.cancelReason, s.addOn))
          .toList();
    }

    OpenSubscription openMain(LocalDate startDay) {
      long mrr = Math.round(seats * seatPriceCents * (annual ? 0.85 : 1.0));
      OpenSubscription subscription =
          new OpenSubscription(
              nextSubscriptionId(), plan, seats, mrr, annual, startDay, startDay, false);
      allSubscriptions.add(subscription);
      return subscription;
    }

    OpenSubscription openAddOn(LocalDate startDay, long priceCents) {
      OpenSubscription subscription =
          new OpenSubscription(
              nextSubscriptionId(), ADD_ON_PLAN, 0, priceCents, false, startDay, startDay, true);
      allSubscriptions.add(subscription);
      return subscription;
    }

    String nextSubscriptionId() {
      return String.format("sub-%05d-%02d", index + 1, ++subscriptionSequence);
    }

    /** Invoices of the periods that began before the start: the account survived them, so all were paid. */
    void paidHistory(OpenSubscription subscription) {
      while (subscription.nextRenewal.isBefore(settings.start())) {
        OpenInvoice invoice = issue(subscription, subscription.nextRenewal);
        invoice.paidAt = invoice.issuedAt.plusSeconds(5 + random.nextInt(120));
        subscription.nextRenewal = subscription.renewalAfter(subscription.nextRenewal);
      }
    }

    OpenInvoice issue(OpenSubscription subscription, LocalDate day) {
      long amount = subscription.annual ? subscription.mrrCents * 12 : subscription.mrrCents;
      OpenInvoice invoice =
          new OpenInvoice(
              String.format("inv-%05d-%04d", index + 1, ++invoiceSequence), subscription.id, amount,
              day, subscription.renewalAfter(day).minusDays(1),
              at(day, uniform(random, 5 * 3600, 7 * 3600)));
      openInvoices.add(invoice);
      return invoice;
    }

    double engagement() {
      return WorldModel.sigmoid(logit);
    }

    boolean active() {
      return main != null;
    }

    void run() {
      LocalDate lifecycleStart = preExisting ? settings.start() : createdDay();
      LocalDate from = preExisting ? firstDay : createdDay();
      for (LocalDate day = from; !day.isAfter(settings.simulationEnd()); day = day.plusDays(1)) {
        double severity = evolve(day);
        if (day.isBefore(lifecycleStart)) {
          continue;
        }
        lifecycle(day);
        if (active()) {
          dailyObservations(day, severity);
          activities(day);
          if (isOracleDay(day)) {
            oracle.put(day, simulatedChurnProbability(day));
          }
        } else {
          // A business review is scheduled afresh when the account comes back.
          nextBusinessReview = null;
        }
      }
      for (OpenInvoice invoice : openInvoices) {
        invoices.add(invoice.toInvoice(accountId));
      }
    }

    /** An observed day a multiple of {@link #ORACLE_EVERY_DAYS} before the last observed day, within {@link #ORACLE_OVER_DAYS} of it. */
    boolean isOracleDay(LocalDate day) {
      long before = ChronoUnit.DAYS.between(day, settings.start().plusDays(settings.days() - 1L));
      return before >= 0 && before < Math.min(settings.days(), ORACLE_OVER_DAYS) && before % ORACLE_EVERY_DAYS == 0;
    }

    LocalDate createdDay() {
      return LocalDate.ofInstant(createdAt, ZoneOffset.UTC);
    }

    /** Moves the hidden state one day on; returns the day's incident severity. */
    double evolve(LocalDate day) {
      logit += pendingLift;
      pendingLift = 0;
      if (chance(random, WorldModel.CHAMPION_LEAVES_PER_DAY)) {
        logit -= uniform(random, 1.0, 2.0);
        longRunLogit -= uniform(random, 0.3, 0.8);
      }
      if (chance(random, WorldModel.NEW_SPONSOR_PER_DAY)) {
        longRunLogit += uniform(random, 0.3, 0.8);
      }
      logit +=
          WorldModel.ENGAGEMENT_REVERSION * (longRunLogit - logit)
              + WorldModel.ENGAGEMENT_NOISE * random.nextGaussian()
              - WorldModel.PAIN_DRAG * pain;
      logit = Math.max(-6, Math.min(6, logit));
      double severity =
          platformSeverity[(int) ChronoUnit.DAYS.between(severityOrigin, day)] + ownIncident(day);
      pain = pain * WorldModel.PAIN_DECAY + severity;
      double target = seats * WorldModel.sigmoid(logit + 1.2);
      seatsInUse = Math.max(1, Math.min(seats, 0.9 * seatsInUse + 0.1 * target));
      return severity;
    }

    double ownIncident(LocalDate day) {
      if (ownIncidentDaysLeft == 0 && chance(random, WorldModel.OWN_INCIDENTS_PER_DAY)) {
        ownIncidentDaysLeft = 1 + random.nextInt(3);
        ownIncidentSeverity = uniform(random, 0.5, 1.5);
      }
      if (ownIncidentDaysLeft > 0) {
        ownIncidentDaysLeft--;
        return ownIncidentSeverity;
      }
      return 0;
    }

    /** Starts, renewals, charges, retries and churn due on this day, in that order. */
    void lifecycle(LocalDate day) {
      if (pendingStart != null && pendingStart.equals(day)) {
        pendingStart = null;
        main = openMain(day);
        logit = Math.max(logit, longRunLogit);
      }
      if (main != null && pendingAddOn != null && !pendingAddOn.isAfter(day)) {
        addOn = openAddOn(billingDay(day), pendingAddOnPrice);
        pendingAddOn = null;
      }
      if (main == null) {
        return;
      }
      retries(day);
      if (involuntaryChurnOn != null && involuntaryChurnOn.equals(day)) {
        churn(day, "involuntary");
        return;
      }
      if (main.nextRenewal.equals(day)) {
        renewMain(day);
        if (main == null) {
          return;
        }
      }
      if (addOn != null && addOn.nextRenewal.equals(day)) {
        if (!addOn.startedAt.equals(day) && chance(random, ADD_ON_CANCEL)) {
          end(addOn, day, "voluntary");
          addOn = null;
        } else {
          charge(issue(addOn, day), day);
          addOn.nextRenewal = addOn.renewalAfter(day);
        }
      }
    }

    void renewMain(LocalDate day) {
      boolean firstPeriod = main.startedAt.equals(day);
      if (!firstPeriod) {
        double hazard =
            WorldModel.hazard(engagement(), pain, badTicketsBefore(day), segment, main.annual);
        if (oraclePath) {
          // The oracle's future goes on as the account that stayed, with the chance that it did.
          survival *= 1 - hazard;
        } else if (chance(random, hazard)) {
          churn(day, "voluntary");
          return;
        }
        int newSeats = seatChange();
        if (newSeats != seats) {
          seats = newSeats;
          end(main, day, null);
          main = openMain(day);
        }
      }
      charge(issue(main, day), day);
      main.nextRenewal = main.renewalAfter(day);
    }

    /** Expansion when engagement is high and seats are nearly all used; contraction when low. */
    int seatChange() {
      double engagement = engagement();
      if (engagement > 0.7 && seatsInUse >= 0.9 * seats && chance(random, 0.35)) {
        return seats + (int) Math.max(1, Math.round(seats * uniform(random, 0.1, 0.4)));
      }
      if (engagement < 0.35 && seats > 1 && chance(random, 0.3)) {
        return Math.max(1, seats - (int) Math.max(1, Math.round(seats * uniform(random, 0.1, 0.3))));
      }
      return seats;
    }

    void charge(OpenInvoice invoice, LocalDate day) {
      if (chance(random, WorldModel.firstChargeFails(engagement(), segment))) {
        invoice.failedCharges.add(invoice.issuedAt);
        lastPaymentFailure = day;
        dunning.add(invoice);
      } else {
        invoice.paidAt = invoice.issuedAt.plusSeconds(5 + random.nextInt(120));
      }
    }

    void retries(LocalDate day) {
      for (OpenInvoice invoice : dunning) {
        int retryDay = WorldModel.RETRY_DAYS[invoice.retriesDone];
        if (!invoice.issueDay().plusDays(retryDay).equals(day)) {
          continue;
        }
        Instant attempt = invoice.issuedAt.plus(retryDay, ChronoUnit.DAYS);
        invoice.retriesDone++;
        if (chance(random, WorldModel.retryFails(engagement()))) {
          invoice.failedCharges.add(attempt);
          lastPaymentFailure = day;
          if (invoice.retriesDone == WorldModel.RETRY_DAYS.length) {
            invoice.givenUpAt = attempt;
            LocalDate churnDay = invoice.issueDay().plusDays(WorldModel.DUNNING_CHURN_DAYS);
            if (involuntaryChurnOn == null || churnDay.isBefore(involuntaryChurnOn)) {
              involuntaryChurnOn = churnDay;
            }
          }
        } else {
          invoice.paidAt = attempt.plusSeconds(5 + random.nextInt(120));
        }
      }
      dunning.removeIf(invoice -> !invoice.inDunning());
    }

    void end(OpenSubscription subscription, LocalDate day, String reason) {
      subscription.endedAt = day;
      subscription.cancelReason = reason;
    }

    /** The account leaves: every subscription ends today; it may come back weeks or months later. */
    void churn(LocalDate day, String reason) {
      end(main, day, reason);
      if (addOn != null) {
        end(addOn, day, reason);
      }
      main = null;
      addOn = null;
      pendingAddOn = null;
      involuntaryChurnOn = null;
      coverageEnds.add(day);
      for (OpenInvoice invoice : dunning) {
        // Collections stop when the account is gone; the invoice stays unpaid.
        invoice.givenUpAt = day.atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      dunning.clear();
      if (chance(random, REACTIVATION)) {
        pendingStart = billingDay(day.plusDays(21 + random.nextInt(160)));
        seats = Math.max(1, (int) Math.round(seats * uniform(random, 0.5, 1.0)));
      }
    }

    /**
     * The customer-success team's activities with the account today, decided on today's state, with
     * their effects due tomorrow: routine emails, calls, quarterly business reviews (mid and
     * enterprise; rare for smb) and risk playbooks for accounts whose engagement is low.
     */
    void activities(LocalDate day) {
      // The activities' own stream only (never `random`). Every draw is made every day, whatever the
      // outcome, so that one activity does not shift the draws of the others.
      SplittableRandom draws = activityRandom;
      boolean email = chance(draws, 1 / WorldModel.EMAIL_EVERY_DAYS);
      double callEvery =
          segment.equals("enterprise") ? WorldModel.ENTERPRISE_CALL_EVERY_DAYS : WorldModel.CALL_EVERY_DAYS;
      boolean call = chance(draws, 1 / callEvery);
      boolean smbReview = chance(draws, WorldModel.SMB_BUSINESS_REVIEWS_PER_DAY);
      boolean playbookDrawn = chance(draws, WorldModel.PLAYBOOK_CHANCE_PER_DAY);
      int jitter =
          draws.nextInt(2 * WorldModel.BUSINESS_REVIEW_JITTER_DAYS + 1) - WorldModel.BUSINESS_REVIEW_JITTER_DAYS;
      int firstReviewIn = draws.nextInt(WorldModel.BUSINESS_REVIEW_EVERY_DAYS);
      boolean review;
      if (segment.equals("smb")) {
        review = smbReview;
      } else {
        if (nextBusinessReview == null) {
          // The first review of a new (or returning) customer falls anywhere in its first quarter.
          nextBusinessReview = day.plusDays(firstReviewIn);
        }
        review = !day.isBefore(nextBusinessReview);
        if (review) {
          nextBusinessReview = day.plusDays(WorldModel.BUSINESS_REVIEW_EVERY_DAYS + jitter);
        }
      }
      boolean playbook =
          playbookDrawn
              && engagement() < WorldModel.PLAYBOOK_ENGAGEMENT_BELOW
              && (lastPlaybook == null
                  || ChronoUnit.DAYS.between(lastPlaybook, day) >= WorldModel.PLAYBOOK_COOL_DOWN_DAYS);
      if (email) {
        plan(day, EMAIL);
      }
      if (call) {
        plan(day, CALL);
        pendingLift += WorldModel.CALL_LIFT;
      }
      if (review) {
        plan(day, BUSINESS_REVIEW);
        pendingLift += WorldModel.BUSINESS_REVIEW_LIFT;
      }
      if (playbook) {
        plan(day, PLAYBOOK);
        pendingLift += WorldModel.PLAYBOOK_LIFT;
        lastPlaybook = day;
      }
    }

    /** An activity at a time of day around the customer's office hours. */
    void plan(LocalDate day, String type) {
      double hour = hourCenter + WorldModel.ACTIVITY_HOUR_SPREAD * activityRandom.nextGaussian();
      double second = Math.floor(((hour % 24) + 24) % 24 * 3600);
      plannedActivities.add(new PlannedActivity(day, Math.min(second, 86_399), type));
    }

    /** The activities as rows, each by the CSM owner the CRM shows for the account on its day. */
    List<CsActivity> activities(Account account) {
      List<CsActivity> rows = new ArrayList<>(plannedActivities.size());
      int sequence = 0;
      for (PlannedActivity planned : plannedActivities) {
        rows.add(
            new CsActivity(
                String.format("act-%05d-%04d", index + 1, ++sequence), accountId,
                at(planned.day(), planned.secondOfDay()), planned.type(),
                account.crmOn(planned.day()).csmOwner()));
      }
      return rows;
    }

    int badTicketsBefore(LocalDate day) {
      LocalDate windowStart = day.minusDays(WorldModel.BAD_TICKET_WINDOW_DAYS);
      while (!badTicketDays.isEmpty() && badTicketDays.peekFirst().isBefore(windowStart)) {
        badTicketDays.pollFirst();
      }
      return badTicketDays.size();
    }

    void dailyObservations(LocalDate day, double severity) {
      tickets(day, severity);
      int observedIndex = (int) ChronoUnit.DAYS.between(settings.start(), day);
      if (observedIndex >= 0 && observedIndex < settings.days()) {
        days.engagement()[observedIndex] = engagement();
        days.seatsInUse()[observedIndex] = (int) Math.round(seatsInUse);
        days.incidentSeverity()[observedIndex] = severity;
        truthDays.add(day);
        truthState.add(new double[] {engagement(), pain, churnProbability(day)});
      }
    }

    /** The chance that a rated ticket is rated bad. */
    double badTicketChance(double engagement) {
      return 0.08 + 0.35 * Math.min(pain, 1.5) / 1.5 + 0.25 * (1 - engagement);
    }

    void tickets(LocalDate day, double severity) {
      boolean billingTrouble =
          lastPaymentFailure != null && !lastPaymentFailure.isBefore(day.minusDays(7));
      double rate =
          (0.012 + 0.004 * Math.sqrt(seats)) * (1 + 2.5 * pain) + (billingTrouble ? 0.1 : 0.0);
      int count = poisson(random, rate);
      double engagement = engagement();
      if (oraclePath) {
        // A future needs only what feeds back into the state: which tickets end badly.
        for (int i = 0; i < count; i++) {
          if (chance(random, 0.55) && chance(random, badTicketChance(engagement))) {
            badTicketDays.addLast(day);
          }
        }
        return;
      }
      for (int i = 0; i < count; i++) {
        double second = ((hourCenter + 3 * random.nextGaussian()) % 24 + 24) % 24 * 3600;
        Instant created = at(day, second);
        String category;
        if (billingTrouble && chance(random, 0.5)) {
          category = "billing";
        } else if (severity > 0 && chance(random, 0.6)) {
          category = chance(random, 0.6) ? "api_errors" : "performance";
        } else {
          category =
              weighted(random, TICKET_CATEGORIES, TICKET_CATEGORY_WEIGHTS);
        }
        String priority =
            severity > 0 && chance(random, 0.3)
                ? "urgent"
                : weighted(
                    random, new String[] {"low", "normal", "high", "urgent"},
                    new double[] {0.25, 0.5, 0.2, 0.05});
        double replyMedianMinutes =
            switch (priority) {
              case "urgent" -> 15;
              case "high" -> 45;
              case "normal" -> 120;
              default -> 300;
            };
        Instant firstReply =
            created.plusSeconds((long) (60 * logNormal(random, replyMedianMinutes, 0.8) * (1 + pain)));
        Instant solved =
            firstReply.plusSeconds((long) (3600 * logNormal(random, 6, 1.0) * (1 + pain)));
        String satisfaction;
        if (chance(random, 0.55)) {
          satisfaction = chance(random, badTicketChance(engagement)) ? "bad" : "good";
        } else {
          satisfaction = chance(random, 0.6) ? "offered" : "unoffered";
        }
        if (satisfaction.equals("bad")) {
          badTicketDays.addLast(day);
        }
        tickets.add(
            new Ticket(
                String.format("tkt-%05d-%04d", index + 1, ++ticketSequence), accountId, created,
                firstReply, solved, priority, weighted(random, new String[] {"email", "chat", "web"},
                    new double[] {0.45, 0.35, 0.2}), category, satisfaction,
                poisson(random, 0.1 + (satisfaction.equals("bad") ? 0.5 : 0.0)),
                1 + poisson(random, 1.2 + pain),
                Math.round(logNormal(random, 18, 0.7) * 10) / 10.0));
      }
    }

    /**
     * The generator's probability that the account churns within the horizon after {@code day},
     * with the hidden state carried forward by its expected dynamics (see docs/generator.md).
     */
    double churnProbability(LocalDate day) {
      LocalDate horizonEnd = day.plusDays(settings.horizonDays());
      int badTickets = badTicketsBefore(day.plusDays(1));
      if (involuntaryChurnOn != null) {
        // A failed dunning already decided it: the account leaves within 14 days.
        return 1.0;
      }
      double survival = 1.0;
      for (OpenInvoice invoice : dunning) {
        int remaining = WorldModel.RETRY_DAYS.length - invoice.retriesDone;
        survival *= 1 - Math.pow(WorldModel.retryFails(engagement()), remaining);
      }
      double[][] path = WorldModel.forecast(logit, longRunLogit, pain, settings.horizonDays());
      for (LocalDate renewal = main.nextRenewal;
          !renewal.isAfter(horizonEnd);
          renewal = main.renewalAfter(renewal)) {
        double[] ahead = path[(int) ChronoUnit.DAYS.between(day, renewal)];
        double hazard =
            WorldModel.expectedHazard(
                ahead[0], ahead[1], ahead[2],
                WorldModel.expectedBadTickets(badTickets, (int) ChronoUnit.DAYS.between(day, renewal)),
                segment, main.annual);
        survival *= 1 - hazard;
        if (!renewal.plusDays(WorldModel.DUNNING_CHURN_DAYS).isAfter(horizonEnd)) {
          survival *= 1 - WorldModel.dunningFails(WorldModel.sigmoid(ahead[0]), segment);
        }
      }
      if (addOn != null) {
        for (LocalDate renewal = addOn.nextRenewal;
            !renewal.plusDays(WorldModel.DUNNING_CHURN_DAYS).isAfter(horizonEnd);
            renewal = addOn.renewalAfter(renewal)) {
          double[] ahead = path[(int) ChronoUnit.DAYS.between(day, renewal)];
          survival *= 1 - WorldModel.dunningFails(WorldModel.sigmoid(ahead[0]), segment);
        }
      }
      return 1 - survival;
    }

    /** Truth rows: the probability recorded each active observed day, the outcome from coverage ends. */
    List<TruthRow> truth() {
      List<TruthRow> rows = new ArrayList<>(truthDays.size());
      for (int i = 0; i < truthDays.size(); i++) {
        LocalDate day = truthDays.get(i);
        LocalDate churnDate = null;
        for (LocalDate end : coverageEnds) {
          if (end.isAfter(day)) {
            churnDate = end.isAfter(day.plusDays(settings.horizonDays())) ? null : end;
            break;
          }
        }
        double[] state = truthState.get(i);
        rows.add(
            new TruthRow(day, accountId, state[2], oracle.get(day), churnDate != null, churnDate, state[0], state[1],
                realisedRevenue(day)));
      }
      return rows;
    }

    /**
     * The revenue recognised over the horizon after {@code day}: each subscription (add-ons included)
     * earns its MRR × 12 / 365 on each day of (day, day + horizon] on which it is active.
     */
    double realisedRevenue(LocalDate day) {
      LocalDate first = day.plusDays(1);
      LocalDate end = day.plusDays(settings.horizonDays() + 1);
      long centDays = 0;
      for (OpenSubscription subscription : allSubscriptions) {
        LocalDate from = subscription.startedAt.isAfter(first) ? subscription.startedAt : first;
        LocalDate until = subscription.endedAt != null && subscription.endedAt.isBefore(end) ? subscription.endedAt : end;
        if (from.isBefore(until)) {
          centDays += subscription.mrrCents * ChronoUnit.DAYS.between(from, until);
        }
      }
      return centDays / 100.0 * 12 / 365;
    }
  }
}
