package dev.anshin.demo.generate;

import static dev.anshin.demo.generate.Sampling.chance;
import static dev.anshin.demo.generate.Sampling.poisson;
import static dev.anshin.demo.generate.Sampling.uniform;

import dev.anshin.demo.generate.World.Account;
import dev.anshin.demo.generate.World.HelpCenterArticle;
import dev.anshin.demo.generate.World.HelpCenterView;
import dev.anshin.demo.generate.World.Ticket;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The help centre of a world: a catalogue of articles per ticket category, each with a known
 * deflection probability q, and the views of them, planted so that an analysis can find each q.
 *
 * <p>Per seed one category has no article at all (the missing one) and two articles fail (a low
 * q). For every ticket whose category has articles, one of them is picked: with probability {@link
 * WorldModel#failedViewChance(double)} a user of the account read it 5-120 minutes before filing the
 * ticket (it did not help), and a Poisson number ({@link WorldModel#deflectedViewsPerTicket(double)})
 * of other problems of that account were solved by it 8-40 days earlier, without a ticket. Among an
 * article's views, the share that no ticket follows is then q.
 *
 * <p>Everything draws from a stream of its own (a split per ticket), after the simulation: the rest
 * of the world does not depend on the help centre.
 */
final class HelpCenter {
  private static final Logger LOG = LoggerFactory.getLogger(HelpCenter.class);
  private static final long SALT = 0x4E1F_CE47L;
  /** Draws of a deflected view's time before it is given up (a customer with a ticket every week). */
  static final int MAX_DEFLECTED_DRAWS = 20;

  /** Readable titles per category; a category's articles take the first one to three. */
  static final Map<String, List<String>> TITLES =
      Map.of(
          "how_to",
          List.of("Getting started with dashboards", "Sharing a report with your team",
              "Scheduling reports by email"),
          "sso_login",
          List.of("Setting up single sign-on with SAML", "Troubleshooting \"Invalid SAML response\"",
              "Resetting two-factor authentication"),
          "integrations",
          List.of("Connecting Salesforce", "Webhooks: retries, signatures and timeouts",
              "Syncing data from a warehouse"),
          "reporting",
          List.of("Building a custom report", "Filters, groups and date ranges",
              "Why do my numbers differ from the export?"),
          "data_import",
          List.of("Importing a CSV file", "Mapping columns on import", "Fixing import errors, row by row"),
          "billing",
          List.of("Updating your payment method", "Understanding your invoice",
              "Changing seats or plan"),
          "api_errors",
          List.of("API error codes explained", "Handling rate limits (429)",
              "Authenticating API requests with tokens"),
          "performance",
          List.of("Speeding up slow dashboards", "Query limits and timeouts",
              "Checking the status page during an incident"));

  private final List<HelpCenterArticle> articles;
  private final List<HelpCenterView> views;

  private HelpCenter(List<HelpCenterArticle> articles, List<HelpCenterView> views) {
    this.articles = articles;
    this.views = views;
  }

  List<HelpCenterArticle> articles() {
    return articles;
  }

  List<HelpCenterView> views() {
    return views;
  }

  /** The categories without any article, in the order of the ticket categories. */
  static List<String> missingCategories(List<HelpCenterArticle> articles) {
    return Arrays.stream(WorldGenerator.TICKET_CATEGORIES)
        .filter(c -> articles.stream().noneMatch(a -> a.category().equals(c)))
        .toList();
  }

  /** The catalogue and the views of a world whose accounts and tickets are simulated. */
  static HelpCenter of(WorldSettings settings, List<Account> accounts, List<Ticket> tickets) {
    SplittableRandom root = new SplittableRandom(Sampling.mix(settings.seed() ^ SALT));
    List<HelpCenterArticle> articles = catalogue(root.split());
    Map<String, List<HelpCenterArticle>> byCategory = new HashMap<>();
    for (HelpCenterArticle article : articles) {
      byCategory.computeIfAbsent(article.category(), c -> new ArrayList<>()).add(article);
    }
    Map<String, Account> accountsById = new HashMap<>();
    accounts.forEach(a -> accountsById.put(a.id(), a));
    Instant firstInstant = settings.start().atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant export = settings.lastDay().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    // The created times of each account's tickets per category, in time order (tickets are sorted).
    Map<String, List<Instant>> ticketTimes = new HashMap<>();
    for (Ticket ticket : tickets) {
      ticketTimes.computeIfAbsent(ticket.accountId() + "/" + ticket.category(), k -> new ArrayList<>())
          .add(ticket.createdAt());
    }
    List<Drawn> drawn = new ArrayList<>();
    int crowded = 0;
    for (Ticket ticket : tickets) {
      // One split per ticket in the world's order, drawn whether or not the ticket gets views, so
      // that a ticket's views do not depend on the others'.
      SplittableRandom random = root.split();
      List<HelpCenterArticle> candidates = byCategory.get(ticket.category());
      if (candidates == null) {
        continue;
      }
      HelpCenterArticle article = candidates.get(random.nextInt(candidates.size()));
      double q = article.deflectionProbability();
      Account account = accountsById.get(ticket.accountId());
      List<Drawn> ofTicket = new ArrayList<>();
      if (chance(random, WorldModel.failedViewChance(q))) {
        double minutes =
            uniform(random, WorldModel.FAILED_VIEW_MINUTES_MIN, WorldModel.FAILED_VIEW_MINUTES_MAX);
        ofTicket.add(
            new Drawn(ticket.createdAt().minusMillis(Math.round(minutes * 60_000)), false));
      }
      int deflected = poisson(random, WorldModel.deflectedViewsPerTicket(q));
      List<Instant> sameKind = ticketTimes.get(ticket.accountId() + "/" + ticket.category());
      for (int i = 0; i < deflected; i++) {
        // The article solved that problem, so no ticket of its category follows the view within the
        // window an analysis looks at; a time that another such ticket follows is drawn again.
        Instant time = null;
        for (int attempt = 0; attempt < MAX_DEFLECTED_DRAWS && time == null; attempt++) {
          double days =
              uniform(random, WorldModel.DEFLECTED_VIEW_DAYS_MIN, WorldModel.DEFLECTED_VIEW_DAYS_MAX);
          Instant candidate = ticket.createdAt().minusMillis(Math.round(days * 86_400_000));
          if (!ticketWithin(sameKind, candidate, WorldModel.DEFLECTION_WINDOW_DAYS)) {
            time = candidate;
          }
        }
        if (time != null) {
          ofTicket.add(new Drawn(time, true));
        } else {
          crowded++;
        }
      }
      for (Drawn view : ofTicket) {
        // Every view draws its user, kept or not, so that dropping one does not shift the others.
        double userDraw = random.nextDouble();
        // Only what the export can show: within the observed days, and once the account exists.
        if (view.time().isBefore(firstInstant)
            || !view.time().isBefore(export)
            || view.time().isBefore(account.createdAt())) {
          continue;
        }
        LocalDate day = LocalDate.ofInstant(view.time(), ZoneOffset.UTC);
        // A user of the account as its usage events name them: u-<account number>-<0001..seats>.
        int seats = Math.max(1, account.crmOn(day).seats());
        int user = 1 + (int) (userDraw * seats);
        drawn.add(
            new Drawn(
                view.time(), view.deflected(), ticket.accountId(),
                "u-" + ticket.accountId().substring(4) + "-" + WorldWriter.pad(user, 4), article.id(),
                ticket.id()));
      }
    }
    drawn.sort(
        Comparator.comparing(Drawn::time).thenComparing(Drawn::accountId).thenComparing(Drawn::ticketId));
    List<HelpCenterView> views = new ArrayList<>(drawn.size());
    LocalDate day = null;
    int sequence = 0;
    for (Drawn d : drawn) {
      LocalDate viewDay = LocalDate.ofInstant(d.time(), ZoneOffset.UTC);
      sequence = viewDay.equals(day) ? sequence + 1 : 1;
      day = viewDay;
      views.add(
          new HelpCenterView(
              "hcv-" + viewDay.toString().replace("-", "") + "-" + WorldWriter.pad(sequence, 5),
              d.accountId(), d.userId(), d.time(), d.articleId(), d.ticketId(), d.deflected()));
    }
    if (crowded > 0) {
      LOG.info("{} deflected help-centre views found no time free of tickets of their category", crowded);
    }
    return new HelpCenter(articles, List.copyOf(views));
  }

  /** Whether a time in {@code times} (sorted) lies in (from, from + days]. */
  static boolean ticketWithin(List<Instant> times, Instant from, int days) {
    Instant to = from.plus(days, ChronoUnit.DAYS);
    int low = 0;
    int high = times.size();
    // The first time after `from`, by binary search.
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (times.get(middle).isAfter(from)) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low < times.size() && !times.get(low).isAfter(to);
  }

  /**
   * One to three articles per ticket category, except one category picked by the seed that has
   * none; two articles (never of the missing category) picked by the seed fail.
   */
  static List<HelpCenterArticle> catalogue(SplittableRandom random) {
    String[] categories = WorldGenerator.TICKET_CATEGORIES;
    String missing = categories[random.nextInt(categories.length)];
    Map<String, double[]> deflection = new LinkedHashMap<>();
    for (String category : categories) {
      int count = 1 + random.nextInt(WorldModel.MAX_ARTICLES_PER_CATEGORY);
      double[] q = new double[count];
      for (int i = 0; i < count; i++) {
        q[i] = uniform(random, WorldModel.ARTICLE_DEFLECTION_LOW, WorldModel.ARTICLE_DEFLECTION_HIGH);
      }
      if (!category.equals(missing)) {
        deflection.put(category, q);
      }
    }
    List<String[]> all = new ArrayList<>();
    deflection.forEach(
        (category, q) -> {
          for (int i = 0; i < q.length; i++) {
            all.add(new String[] {category, Integer.toString(i)});
          }
        });
    List<String> failing = new ArrayList<>();
    while (failing.size() < Math.min(WorldModel.FAILING_ARTICLES, all.size())) {
      String[] pick = all.get(random.nextInt(all.size()));
      String key = pick[0] + "/" + pick[1];
      if (!failing.contains(key)) {
        failing.add(key);
        deflection.get(pick[0])[Integer.parseInt(pick[1])] =
            uniform(random, WorldModel.FAILING_DEFLECTION_LOW, WorldModel.FAILING_DEFLECTION_HIGH);
      }
    }
    List<HelpCenterArticle> articles = new ArrayList<>();
    deflection.forEach(
        (category, q) -> {
          for (int i = 0; i < q.length; i++) {
            articles.add(
                new HelpCenterArticle(
                    "kb-" + category + "-" + (i + 1), category, TITLES.get(category).get(i), q[i],
                    failing.contains(category + "/" + i)));
          }
        });
    return List.copyOf(articles);
  }

  /** A view while it is drawn: its time, and once kept, who read what for which ticket. */
  private record Drawn(
      Instant time, boolean deflected, String accountId, String userId, String articleId, String ticketId) {
    Drawn(Instant time, boolean deflected) {
      this(time, deflected, null, null, null, null);
    }
  }
}
