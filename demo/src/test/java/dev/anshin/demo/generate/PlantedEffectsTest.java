package dev.anshin.demo.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.demo.generate.World.Account;
import dev.anshin.demo.generate.World.AccountDays;
import dev.anshin.demo.generate.World.CsActivity;
import dev.anshin.demo.generate.World.HelpCenterArticle;
import dev.anshin.demo.generate.World.HelpCenterView;
import dev.anshin.demo.generate.World.Subscription;
import dev.anshin.demo.generate.World.Ticket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The effects the generator plants for the analyses to find, checked against the world's own
 * story: each help-centre article's views are not followed by a ticket at its deflection
 * probability, the missing category has tickets but no views, activities happen on active days at
 * their rates, playbooks target low engagement, and business reviews, calls and playbooks lift the
 * next day's engagement by their constants. Expectations come from {@link WorldModel}, tolerances
 * from the standard errors of the counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlantedEffectsTest {
  /** A year of a few hundred accounts: enough views per article and reviews for tight estimates. */
  static final WorldSettings YEAR = new WorldSettings(400, 365, 17, LocalDate.of(2025, 1, 1), 90, false);

  @TempDir static Path scratch;
  World world;
  Map<String, Account> accounts;
  Map<String, HelpCenterArticle> articles;
  /** Each account's tickets per category, in time order. */
  Map<String, List<Ticket>> ticketsByAccountAndCategory;
  /** Each account's activities per observed day index. */
  Map<String, Map<Integer, List<String>>> activityTypesByDay;

  @BeforeAll
  void simulate() {
    world = WorldGenerator.simulate(YEAR);
    accounts = world.accounts().stream().collect(Collectors.toMap(Account::id, a -> a));
    articles = world.articles().stream().collect(Collectors.toMap(HelpCenterArticle::id, a -> a));
    ticketsByAccountAndCategory =
        world.tickets().stream().collect(Collectors.groupingBy(t -> t.accountId() + "/" + t.category()));
    activityTypesByDay = new HashMap<>();
    for (CsActivity activity : world.activities()) {
      activityTypesByDay
          .computeIfAbsent(activity.accountId(), k -> new HashMap<>())
          .computeIfAbsent(dayIndex(activity.time()), k -> new ArrayList<>())
          .add(activity.type());
    }
  }

  // --- the help centre ---

  @Test
  void theCatalogueHasOneMissingCategoryAndTwoFailingArticlesPickedBySeed() {
    Set<String> missingSeen = new HashSet<>();
    Set<String> failingSeen = new HashSet<>();
    for (long seed = 1; seed <= 8; seed++) {
      World small = WorldGenerator.simulate(new WorldSettings(5, 20, seed, YEAR.start(), 40, false));
      Map<String, List<HelpCenterArticle>> byCategory =
          small.articles().stream().collect(Collectors.groupingBy(HelpCenterArticle::category));
      List<String> missing =
          Arrays.stream(WorldGenerator.TICKET_CATEGORIES).filter(c -> !byCategory.containsKey(c)).toList();
      assertThat(missing).hasSize(1);
      assertThat(HelpCenter.missingCategories(small.articles())).isEqualTo(missing);
      assertThat(byCategory.keySet()).allSatisfy(c -> assertThat(WorldGenerator.TICKET_CATEGORIES).contains(c));
      byCategory.forEach(
          (category, list) -> {
            assertThat(list).hasSizeBetween(1, WorldModel.MAX_ARTICLES_PER_CATEGORY);
            for (int i = 0; i < list.size(); i++) {
              assertThat(list.get(i).id()).isEqualTo("kb-" + category + "-" + (i + 1));
            }
          });
      List<HelpCenterArticle> failing = small.articles().stream().filter(HelpCenterArticle::failing).toList();
      assertThat(failing).hasSize(WorldModel.FAILING_ARTICLES);
      for (HelpCenterArticle article : small.articles()) {
        double low = article.failing() ? WorldModel.FAILING_DEFLECTION_LOW : WorldModel.ARTICLE_DEFLECTION_LOW;
        double high = article.failing() ? WorldModel.FAILING_DEFLECTION_HIGH : WorldModel.ARTICLE_DEFLECTION_HIGH;
        assertThat(article.deflectionProbability()).as(article.id()).isBetween(low, high);
        assertThat(article.title()).isNotBlank();
      }
      missingSeen.add(missing.get(0));
      failing.forEach(a -> failingSeen.add(a.id()));
    }
    // Drawn by the seed, not fixed: eight seeds do not all miss the same category or fail the same two.
    assertThat(missingSeen).hasSizeGreaterThan(1);
    assertThat(failingSeen).hasSizeGreaterThan(2);
  }

  @Test
  void eachArticlesShareOfViewsWithoutAFollowingTicketIsItsDeflectionProbability() {
    Map<String, int[]> counts = new HashMap<>();
    for (HelpCenterView view : world.helpCenterViews()) {
      HelpCenterArticle article = articles.get(view.articleId());
      boolean followed =
          ticketsByAccountAndCategory.getOrDefault(view.accountId() + "/" + article.category(), List.of()).stream()
              .anyMatch(t -> t.createdAt().isAfter(view.time())
                  && !t.createdAt().isAfter(view.time().plus(Duration.ofDays(WorldModel.DEFLECTION_WINDOW_DAYS))));
      int[] c = counts.computeIfAbsent(article.id(), k -> new int[2]);
      c[0]++;
      c[1] += followed ? 0 : 1;
    }
    int checked = 0;
    for (HelpCenterArticle article : world.articles()) {
      int[] c = counts.get(article.id());
      assertThat(c).as("%s has views", article.id()).isNotNull();
      if (c[0] < 50) {
        continue;
      }
      double q = article.deflectionProbability();
      double share = (double) c[1] / c[0];
      // Each view is deflected or not; four binomial standard errors (the share's variance is at
      // most binomial: the failed views of a ticket are at most one).
      double tolerance = 4 * Math.sqrt(q * (1 - q) / c[0]);
      assertThat(share).as("%s: %d views, q %.3f", article.id(), c[0], q).isBetween(q - tolerance, q + tolerance);
      checked++;
    }
    assertThat(checked).as("articles with enough views").isGreaterThanOrEqualTo(world.articles().size() / 2);
    // The failing articles are told apart from every healthy one by their views alone.
    for (HelpCenterArticle article : world.articles()) {
      int[] c = counts.get(article.id());
      if (article.failing() && c[0] >= 50) {
        assertThat((double) c[1] / c[0]).as(article.id()).isLessThan(WorldModel.ARTICLE_DEFLECTION_LOW);
      }
    }
  }

  @Test
  void theMissingCategoryHasTicketsButNoViews() {
    String missing = HelpCenter.missingCategories(world.articles()).get(0);
    assertThat(world.helpCenterViews()).noneMatch(v -> articles.get(v.articleId()).category().equals(missing));
    long tickets =
        world.tickets().stream()
            .filter(t -> t.category().equals(missing) && !day(t.createdAt()).isAfter(YEAR.lastDay()))
            .count();
    assertThat(tickets).isPositive();
  }

  @Test
  void viewsAreByUsersOfTheAccountAroundTheirTicket() {
    Map<String, Ticket> tickets = world.tickets().stream().collect(Collectors.toMap(Ticket::id, t -> t));
    Instant first = YEAR.start().atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant export = YEAR.lastDay().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Set<String> ids = new HashSet<>();
    int failed = 0;
    for (HelpCenterView view : world.helpCenterViews()) {
      assertThat(ids.add(view.id())).isTrue();
      assertThat(view.id()).matches("hcv-\\d{8}-\\d{5}").startsWith("hcv-" + day(view.time()).toString().replace("-", ""));
      Account account = accounts.get(view.accountId());
      assertThat(view.time()).isAfterOrEqualTo(first).isBefore(export).isAfterOrEqualTo(account.createdAt());
      // u-<account number>-<user>, the user one of the account's seats that day.
      assertThat(view.userId()).startsWith("u-" + account.id().substring(4) + "-");
      int user = Integer.parseInt(view.userId().substring(view.userId().lastIndexOf('-') + 1));
      assertThat(user).isBetween(1, Math.max(1, account.crmOn(day(view.time())).seats()));
      Ticket ticket = tickets.get(view.ticketId());
      assertThat(ticket.accountId()).isEqualTo(view.accountId());
      assertThat(ticket.category()).isEqualTo(articles.get(view.articleId()).category());
      Duration before = Duration.between(view.time(), ticket.createdAt());
      if (view.deflected()) {
        assertThat(before).isBetween(
            Duration.ofDays(WorldModel.DEFLECTED_VIEW_DAYS_MIN), Duration.ofDays(WorldModel.DEFLECTED_VIEW_DAYS_MAX));
      } else {
        assertThat(before).isBetween(
            Duration.ofMinutes(WorldModel.FAILED_VIEW_MINUTES_MIN), Duration.ofMinutes(WorldModel.FAILED_VIEW_MINUTES_MAX));
        failed++;
      }
    }
    assertThat(failed).isPositive().isLessThan(world.helpCenterViews().size());
  }

  // --- customer-success activities ---

  @Test
  void everyActivityIsOnAnActiveDayOfItsAccountByItsOwnerThatDay() {
    Map<String, List<Subscription>> main =
        world.subscriptions().stream().filter(s -> !s.addOn()).collect(Collectors.groupingBy(Subscription::accountId));
    Set<String> ids = new HashSet<>();
    for (CsActivity activity : world.activities()) {
      assertThat(ids.add(activity.id())).isTrue();
      assertThat(activity.id()).startsWith("act-" + activity.accountId().substring(4) + "-").matches("act-\\d{5}-\\d{4}");
      LocalDate day = day(activity.time());
      assertThat(main.get(activity.accountId()))
          .as("%s on %s", activity.id(), day)
          .anyMatch(s -> s.activeOn(day));
      assertThat(activity.owner()).isEqualTo(accounts.get(activity.accountId()).crmOn(day).csmOwner());
      assertThat(activity.type()).isIn("email", "call", "business_review", "playbook");
    }
  }

  @Test
  void activitiesHappenAtTheirRates() {
    // Active account-days over the whole simulation, by segment, from the main subscriptions.
    Map<String, List<Subscription>> main =
        world.subscriptions().stream().filter(s -> !s.addOn()).collect(Collectors.groupingBy(Subscription::accountId));
    Map<String, Long> activeDays = new HashMap<>();
    for (Account account : world.accounts()) {
      long days = 0;
      for (LocalDate d = YEAR.start(); !d.isAfter(YEAR.simulationEnd()); d = d.plusDays(1)) {
        LocalDate day = d;
        days += main.getOrDefault(account.id(), List.of()).stream().anyMatch(s -> s.activeOn(day)) ? 1 : 0;
      }
      activeDays.merge(account.segment(), days, Long::sum);
    }
    Map<String, Map<String, Long>> counts = new HashMap<>();
    for (CsActivity activity : world.activities()) {
      counts.computeIfAbsent(accounts.get(activity.accountId()).segment(), k -> new HashMap<>())
          .merge(activity.type(), 1L, Long::sum);
    }
    long allDays = activeDays.values().stream().mapToLong(Long::longValue).sum();
    long emails = counts.values().stream().mapToLong(m -> m.getOrDefault("email", 0L)).sum();
    assertPoisson("emails", emails, allDays / WorldModel.EMAIL_EVERY_DAYS);
    long smbAndMidDays = activeDays.get("smb") + activeDays.get("mid");
    assertPoisson("calls of smb and mid", counts.get("smb").get("call") + counts.get("mid").get("call"),
        smbAndMidDays / WorldModel.CALL_EVERY_DAYS);
    assertPoisson("calls of enterprise", counts.get("enterprise").get("call"),
        activeDays.get("enterprise") / WorldModel.ENTERPRISE_CALL_EVERY_DAYS);
    assertPoisson("business reviews of smb", counts.get("smb").get("business_review"),
        activeDays.get("smb") * WorldModel.SMB_BUSINESS_REVIEWS_PER_DAY);
    // Mid and enterprise: a review every quarter, give or take the jitter, while the account stays.
    Map<String, List<LocalDate>> reviews = new HashMap<>();
    for (CsActivity activity : world.activities()) {
      if (activity.type().equals("business_review") && !accounts.get(activity.accountId()).segment().equals("smb")) {
        reviews.computeIfAbsent(activity.accountId(), k -> new ArrayList<>()).add(day(activity.time()));
      }
    }
    int gaps = 0;
    for (Map.Entry<String, List<LocalDate>> account : reviews.entrySet()) {
      List<LocalDate> days = account.getValue();
      for (int i = 1; i < days.size(); i++) {
        LocalDate from = days.get(i - 1);
        LocalDate to = days.get(i);
        boolean stayed = main.get(account.getKey()).stream()
            .filter(s -> s.activeOn(from)).anyMatch(s -> s.endedAt() == null || s.endedAt().isAfter(to));
        if (stayed) {
          assertThat(ChronoUnit.DAYS.between(from, to)).as("%s %s -> %s", account.getKey(), from, to)
              .isBetween((long) WorldModel.BUSINESS_REVIEW_EVERY_DAYS - WorldModel.BUSINESS_REVIEW_JITTER_DAYS,
                  (long) WorldModel.BUSINESS_REVIEW_EVERY_DAYS + WorldModel.BUSINESS_REVIEW_JITTER_DAYS);
          gaps++;
        }
      }
    }
    assertThat(gaps).isGreaterThan(100);
  }

  @Test
  void playbooksTargetLowEngagementAndBusinessReviewsDoNot() {
    double playbookEngagement = 0;
    int playbooks = 0;
    double reviewEngagement = 0;
    int reviews = 0;
    Map<String, LocalDate> lastPlaybook = new HashMap<>();
    for (CsActivity activity : world.activities()) {
      int index = dayIndex(activity.time());
      if (index < 0 || index >= YEAR.days()) {
        continue;
      }
      double engagement = days(activity.accountId()).engagement()[index];
      if (activity.type().equals("playbook")) {
        // Decided on that day's engagement, which the truth records.
        assertThat(engagement).isLessThan(WorldModel.PLAYBOOK_ENGAGEMENT_BELOW);
        LocalDate previous = lastPlaybook.put(activity.accountId(), day(activity.time()));
        if (previous != null) {
          assertThat(ChronoUnit.DAYS.between(previous, day(activity.time())))
              .isGreaterThanOrEqualTo(WorldModel.PLAYBOOK_COOL_DOWN_DAYS);
        }
        playbookEngagement += engagement;
        playbooks++;
      } else if (activity.type().equals("business_review")) {
        reviewEngagement += engagement;
        reviews++;
      }
    }
    assertThat(playbooks).isGreaterThan(100);
    assertThat(reviews).isGreaterThan(100);
    assertThat(playbookEngagement / playbooks).isLessThan(reviewEngagement / reviews - 0.2);
    // A week after a playbook its accounts are still below the average active account, lift and
    // all: comparing levels with and without a playbook would call it harmful.
    double weekLater = 0;
    int weekLaterDays = 0;
    for (CsActivity activity : world.activities()) {
      int index = dayIndex(activity.time()) + 7;
      if (activity.type().equals("playbook") && index < YEAR.days()
          && !Double.isNaN(days(activity.accountId()).engagement()[index])) {
        weekLater += days(activity.accountId()).engagement()[index];
        weekLaterDays++;
      }
    }
    double average =
        world.truth().stream().mapToDouble(World.TruthRow::engagement).average().orElseThrow();
    assertThat(weekLater / weekLaterDays).isLessThan(average);

    // Among the account-days that qualify (engagement below the bar, no playbook in the cool-down),
    // a share PLAYBOOK_CHANCE_PER_DAY gets one.
    long eligible = 0;
    long chosen = 0;
    for (AccountDays account : world.accountDays()) {
      Map<Integer, List<String>> byDay = activityTypesByDay.getOrDefault(account.accountId(), Map.of());
      // Activities start with the observed days, so no playbook lies before the first.
      int last = Integer.MIN_VALUE / 2;
      for (int d = 0; d < YEAR.days(); d++) {
        double engagement = account.engagement()[d];
        boolean playbook = byDay.getOrDefault(d, List.of()).contains("playbook");
        if (!Double.isNaN(engagement) && engagement < WorldModel.PLAYBOOK_ENGAGEMENT_BELOW
            && d - last >= WorldModel.PLAYBOOK_COOL_DOWN_DAYS) {
          eligible++;
          chosen += playbook ? 1 : 0;
        }
        if (playbook) {
          last = d;
        }
      }
    }
    double p = WorldModel.PLAYBOOK_CHANCE_PER_DAY;
    double sd = Math.sqrt(eligible * p * (1 - p));
    assertThat((double) chosen).isBetween(eligible * p - 4 * sd, eligible * p + 4 * sd);
  }

  @Test
  void businessReviewsCallsAndPlaybooksLiftTheNextDaysEngagementByTheirConstants() {
    // The change of the engagement logit from an activity's day to the next, against the change on
    // comparable days without an activity that has an effect. The lift is applied before the day's
    // mean reversion, which takes back ENGAGEMENT_REVERSION of it the same day; the reversion of
    // lifts still in force from earlier activities moves either mean by at most REVERSION x (lifts).
    double reversion = WorldModel.ENGAGEMENT_REVERSION;
    double bias = reversion * WorldModel.BUSINESS_REVIEW_LIFT;
    Change reviews = new Change();
    Change calls = new Change();
    Change quiet = new Change();
    Change playbooks = new Change();
    Change eligibleWithoutPlaybook = new Change();
    for (AccountDays account : world.accountDays()) {
      Map<Integer, List<String>> byDay = activityTypesByDay.getOrDefault(account.accountId(), Map.of());
      int lastPlaybook = Integer.MIN_VALUE / 2;
      for (int d = 0; d + 1 < YEAR.days(); d++) {
        List<String> types = byDay.getOrDefault(d, List.of());
        double today = account.engagement()[d];
        double tomorrow = account.engagement()[d + 1];
        boolean eligible = today < WorldModel.PLAYBOOK_ENGAGEMENT_BELOW
            && d - lastPlaybook >= WorldModel.PLAYBOOK_COOL_DOWN_DAYS;
        if (types.contains("playbook")) {
          lastPlaybook = d;
        }
        if (Double.isNaN(today) || Double.isNaN(tomorrow) || Math.abs(WorldModel.logit(tomorrow)) > 5.5
            || Math.abs(WorldModel.logit(today)) > 5.5) {
          // Inactive, or near the clamp of the logit at +-6 that would cut a lift short.
          continue;
        }
        double change = WorldModel.logit(tomorrow) - WorldModel.logit(today);
        long effects = types.stream().filter(t -> !t.equals("email")).count();
        if (effects == 0) {
          quiet.add(change);
          if (eligible) {
            eligibleWithoutPlaybook.add(change);
          }
        } else if (effects == 1 && types.contains("business_review")) {
          reviews.add(change);
        } else if (effects == 1 && types.contains("call")) {
          calls.add(change);
        } else if (effects == 1 && types.contains("playbook")) {
          playbooks.add(change);
        }
      }
    }
    assertLift("business review", reviews, quiet, WorldModel.BUSINESS_REVIEW_LIFT * (1 - reversion), bias);
    assertLift("call", calls, quiet, WorldModel.CALL_LIFT * (1 - reversion), bias);
    // A playbook goes to accounts that qualify, so it is compared with the days that qualified and
    // drew no playbook: the draw is the only difference, so the comparison is fair.
    assertLift("playbook", playbooks, eligibleWithoutPlaybook, WorldModel.PLAYBOOK_LIFT * (1 - reversion), bias);
  }

  @Test
  void theTruthFilesListTheArticlesTheMissingCategoryAndTheEffects() throws IOException {
    Path out = scratch.resolve("truth");
    TruthWriter.writeHelpCenterAndActivities(world, out);
    List<String> lines = Files.readAllLines(out.resolve("truth/help_center_articles.csv"));
    assertThat(lines.get(0)).isEqualTo("article_id,category,title,deflection_probability,failing");
    assertThat(lines).hasSize(1 + world.articles().size() + 1);
    for (HelpCenterArticle article : world.articles()) {
      // Titles may hold quotes but no commas, so a plain split reads them (quoted when needed).
      String line = lines.stream().filter(l -> l.startsWith(article.id() + ",")).findFirst().orElseThrow();
      Map<String, String> row = SourceFilesTest.csvRow(line, List.of("article_id", "category", "title",
          "deflection_probability", "failing"));
      assertThat(row.get("category")).isEqualTo(article.category());
      assertThat(row.get("title")).isEqualTo(article.title());
      assertThat(Double.parseDouble(row.get("deflection_probability"))).isEqualTo(article.deflectionProbability());
      assertThat(Boolean.parseBoolean(row.get("failing"))).isEqualTo(article.failing());
    }
    assertThat(lines.get(lines.size() - 1)).isEqualTo("," + HelpCenter.missingCategories(world.articles()).get(0) + ",,,");
    assertThat(Files.readAllLines(out.resolve("truth/cs_activity_effects.csv")))
        .containsExactly(
            "activity_type,logit_lift",
            "email,0.0",
            "call," + WorldModel.CALL_LIFT,
            "business_review," + WorldModel.BUSINESS_REVIEW_LIFT,
            "playbook," + WorldModel.PLAYBOOK_LIFT);
  }

  /** The mean and variance of day-to-day changes of the engagement logit. */
  static final class Change {
    int n;
    double sum;
    double sumSquares;

    void add(double change) {
      n++;
      sum += change;
      sumSquares += change * change;
    }

    double mean() {
      return sum / n;
    }

    double variance() {
      return (sumSquares - n * mean() * mean()) / (n - 1);
    }
  }

  static void assertLift(String what, Change treated, Change control, double expected, double bias) {
    assertThat(treated.n).as("%s days", what).isGreaterThan(100);
    double difference = treated.mean() - control.mean();
    double standardError = Math.sqrt(treated.variance() / treated.n + control.variance() / control.n);
    assertThat(difference)
        .as("%s: lift %.3f (se %.4f) over %d days", what, difference, standardError, treated.n)
        .isBetween(expected - 4 * standardError - bias, expected + 4 * standardError + bias);
  }

  static void assertPoisson(String what, long count, double expected) {
    assertThat((double) count).as("%s (expected %.0f)", what, expected)
        .isBetween(expected - 4 * Math.sqrt(expected), expected + 4 * Math.sqrt(expected));
  }

  AccountDays days(String accountId) {
    return world.accountDays().get(accounts.get(accountId).index());
  }

  int dayIndex(Instant time) {
    return (int) ChronoUnit.DAYS.between(YEAR.start(), day(time));
  }

  static LocalDate day(Instant time) {
    return LocalDate.ofInstant(time, ZoneOffset.UTC);
  }
}
