package dev.anshin.demo.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.demo.generate.World.Subscription;
import dev.anshin.features.sources.SourceTable;
import dev.anshin.demo.generate.World.TruthRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The simulation itself: determinism, subscription coverage, and the truth against the story. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorldGeneratorTest {
  static final WorldSettings TINY =
      new WorldSettings(30, 60, 7, LocalDate.of(2025, 3, 1), 90, true);

  @TempDir static Path scratch;
  World tiny;
  /** Big enough for rates and AUC to be stable, small enough to simulate in a few seconds. */
  World medium;

  /** The tiny world's files, with bad rows. */
  Path written;

  @BeforeAll
  void simulate() {
    written = writeWorld(TINY, scratch.resolve("first"));
    tiny = WorldGenerator.simulate(TINY);
    medium =
        WorldGenerator.simulate(new WorldSettings(300, 240, 11, LocalDate.of(2025, 1, 1), 90, false));
  }

  @Test
  void sameSeedGivesByteIdenticalFiles() throws IOException {
    Path second = writeWorld(TINY, scratch.resolve("second"));
    Map<String, byte[]> firstFiles = files(written);
    Map<String, byte[]> secondFiles = files(second);
    // One file per source and day, source_counts.json, dirty_manifest.json, the help centre's
    // articles and the activities' effects.
    assertThat(firstFiles.keySet()).isEqualTo(secondFiles.keySet())
        .hasSize(SourceTable.values().length * TINY.days() + 4);
    for (String file : firstFiles.keySet()) {
      assertThat(secondFiles.get(file)).as(file).isEqualTo(firstFiles.get(file));
    }
  }

  @Test
  void realisedRevenueIsEachActiveDaysMrrOverTheHorizon() {
    Map<String, List<World.Subscription>> byAccount =
        medium.subscriptions().stream().collect(java.util.stream.Collectors.groupingBy(World.Subscription::accountId));
    int horizon = medium.settings().horizonDays();
    long changed = 0;
    for (World.TruthRow row : medium.truth()) {
      long centDays = 0;
      for (int day = 1; day <= horizon; day++) {
        LocalDate date = row.asOfDate().plusDays(day);
        for (World.Subscription subscription : byAccount.get(row.accountId())) {
          centDays += subscription.activeOn(date) ? subscription.mrrCents() : 0;
        }
      }
      assertThat(row.realisedRevenue()).as(row.toString()).isCloseTo(centDays / 100.0 * 12 / 365, within(1e-6));
      long today = byAccount.get(row.accountId()).stream().filter(s -> s.activeOn(row.asOfDate())).mapToLong(World.Subscription::mrrCents).sum();
      changed += Math.abs(row.realisedRevenue() - today / 100.0 * 12 * horizon / 365) > 0.01 ? 1 : 0;
    }
    // Churn, expansion, contraction and add-ons move it away from a flat MRR for some rows, not all.
    assertThat(changed).isPositive().isLessThan(medium.truth().size());
  }

  @Test
  void anotherSeedGivesAnotherWorld() {
    World other = WorldGenerator.simulate(new WorldSettings(30, 60, 8, TINY.start(), 90, true));
    assertThat(other.subscriptions()).isNotEqualTo(tiny.subscriptions());
    assertThat(other.truth()).isNotEqualTo(tiny.truth());
  }

  @Test
  void goodRowsAreTheSameWithAndWithoutDirtyRows() throws IOException {
    Path dirty = written;
    Path clean = writeWorld(TINY.withDirty(false), scratch.resolve("clean"));
    assertThat(Files.readString(clean.resolve("truth/source_counts.json")))
        .isEqualTo(Files.readString(dirty.resolve("truth/source_counts.json")));
    assertThat(clean.resolve("truth/dirty_manifest.json")).doesNotExist();
    for (String file : files(clean).keySet()) {
      if (file.startsWith("truth")) {
        continue;
      }
      List<String> cleanLines = Files.readAllLines(clean.resolve(file));
      List<String> dirtyLines = Files.readAllLines(dirty.resolve(file));
      // The clean file's lines appear in the dirty file in the same order, with bad lines between.
      int next = 0;
      for (String line : dirtyLines) {
        if (next < cleanLines.size() && line.equals(cleanLines.get(next))) {
          next++;
        }
      }
      assertThat(next).as(file).isEqualTo(cleanLines.size());
    }
  }

  @Test
  void subscriptionsCoverEachAccountWithoutOverlaps() {
    for (World world : List.of(tiny, medium)) {
      Map<String, List<Subscription>> byAccount =
          world.subscriptions().stream().collect(Collectors.groupingBy(Subscription::accountId));
      for (List<Subscription> subscriptions : byAccount.values()) {
        List<Subscription> main =
            subscriptions.stream()
                .filter(s -> !s.addOn())
                .sorted((a, b) -> a.startedAt().compareTo(b.startedAt()))
                .toList();
        for (Subscription s : subscriptions) {
          if (s.endedAt() != null) {
            assertThat(s.endedAt()).as(s.id()).isAfter(s.startedAt());
            assertThat(s.cancelReason()).as(s.id()).isIn(null, "voluntary", "involuntary");
          } else {
            assertThat(s.cancelReason()).isNull();
          }
        }
        for (int i = 1; i < main.size(); i++) {
          Subscription previous = main.get(i - 1);
          Subscription current = main.get(i);
          assertThat(previous.endedAt()).as(previous.id()).isNotNull();
          assertThat(current.startedAt()).as(current.id()).isAfterOrEqualTo(previous.endedAt());
          if (previous.cancelReason() == null) {
            // A seat change: the next row starts the same day, so coverage is continuous.
            assertThat(current.startedAt()).as(current.id()).isEqualTo(previous.endedAt());
            assertThat(current.seats()).isNotEqualTo(previous.seats());
          }
        }
        for (Subscription addOn : subscriptions.stream().filter(Subscription::addOn).toList()) {
          assertThat(main.stream().anyMatch(m -> m.activeOn(addOn.startedAt())))
              .as("%s starts while a main subscription runs", addOn.id())
              .isTrue();
        }
      }
    }
  }

  @Test
  void truthHasOneRowPerActiveAccountDayAndAgreesWithTheSubscriptions() {
    for (World world : List.of(tiny, medium)) {
      WorldSettings settings = world.settings();
      Map<String, List<Subscription>> byAccount =
          world.subscriptions().stream().collect(Collectors.groupingBy(Subscription::accountId));
      Map<String, TruthRow> truth = new HashMap<>();
      for (TruthRow row : world.truth()) {
        assertThat(truth.put(row.accountId() + "@" + row.asOfDate(), row)).isNull();
      }
      int expectedRows = 0;
      int span = (int) java.time.temporal.ChronoUnit.DAYS.between(settings.start(), settings.simulationEnd()) + 1;
      for (World.Account account : world.accounts()) {
        List<Subscription> subscriptions = byAccount.getOrDefault(account.id(), List.of());
        boolean[] covered = new boolean[span + 1];
        for (int d = 0; d < span; d++) {
          covered[d] = covered(subscriptions, settings.start().plusDays(d));
        }
        // firstUncovered[d]: the first day index >= d without any active subscription.
        int[] firstUncovered = new int[span + 1];
        firstUncovered[span] = span;
        for (int d = span - 1; d >= 0; d--) {
          firstUncovered[d] = covered[d] ? firstUncovered[d + 1] : d;
        }
        for (int d = 0; d < settings.days(); d++) {
          if (!covered[d]) {
            continue;
          }
          LocalDate day = settings.start().plusDays(d);
          expectedRows++;
          TruthRow row = truth.get(account.id() + "@" + day);
          assertThat(row).as("truth for %s on %s", account.id(), day).isNotNull();
          // Coverage ends on the day after the last active day; unknown past the simulation's end.
          int end = firstUncovered[d + 1];
          boolean churned = end < span && end <= d + settings.horizonDays();
          assertThat(row.churnedWithinHorizon()).as("%s on %s", account.id(), day).isEqualTo(churned);
          assertThat(row.churnDate()).isEqualTo(churned ? settings.start().plusDays(end) : null);
          assertThat(row.churnProbability()).isBetween(0.0, 1.0);
          assertThat(row.engagement()).isStrictlyBetween(0.0, 1.0);
          assertThat(row.pain()).isGreaterThanOrEqualTo(0.0);
        }
      }
      assertThat(world.truth()).hasSize(expectedRows);
    }
  }

  @Test
  void churnRatesAreInTheirTargetBandsAndTheTruthIsCalibrated() {
    WorldStatistics statistics = WorldStatistics.of(medium);
    double labelRate =
        medium.truth().stream().filter(TruthRow::churnedWithinHorizon).count()
            / (double) medium.truth().size();
    double meanProbability =
        medium.truth().stream().mapToDouble(TruthRow::churnProbability).average().orElseThrow();
    assertThat(labelRate).isBetween(0.04, 0.14);
    assertThat(meanProbability).isBetween(labelRate / 2, labelRate * 1.5);
    assertThat(statistics.monthlyLogoChurn()).isBetween(0.01, 0.04);
    assertThat(statistics.involuntaryChurns()).isPositive();
  }

  @Test
  void theGeneratorsProbabilitySeparatesChurnersFromTheRest() {
    // Rank-sum AUC computed here, independently of WorldStatistics.
    List<TruthRow> rows = new ArrayList<>(medium.truth());
    rows.sort((a, b) -> Double.compare(a.churnProbability(), b.churnProbability()));
    double positives = 0;
    double rankSum = 0;
    int i = 0;
    while (i < rows.size()) {
      int j = i;
      while (j + 1 < rows.size() && rows.get(j + 1).churnProbability() == rows.get(i).churnProbability()) {
        j++;
      }
      for (int k = i; k <= j; k++) {
        if (rows.get(k).churnedWithinHorizon()) {
          positives++;
          rankSum += (i + j) / 2.0 + 1;
        }
      }
      i = j + 1;
    }
    double negatives = rows.size() - positives;
    double auc = (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    assertThat(auc).isGreaterThan(0.7);
    assertThat(WorldStatistics.of(medium).truthAuc()).isCloseTo(auc, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void theMonteCarloOracleIsOnEverySeventhOfTheLast180DaysAndCalibratedAgainstTheOutcomes() {
    WorldSettings settings = medium.settings();
    LocalDate last = settings.start().plusDays(settings.days() - 1L);
    Map<String, Double> deviationByAccount = new HashMap<>();
    double deviation = 0;
    double closedFormDeviation = 0;
    int simulated = 0;
    for (TruthRow row : medium.truth()) {
      long before = java.time.temporal.ChronoUnit.DAYS.between(row.asOfDate(), last);
      boolean oracleDay = before % WorldGenerator.ORACLE_EVERY_DAYS == 0 && before < WorldGenerator.ORACLE_OVER_DAYS;
      assertThat(row.oracleProbability() != null).as("oracle on %s", row.asOfDate()).isEqualTo(oracleDay);
      if (!oracleDay) {
        continue;
      }
      assertThat(row.oracleProbability()).isBetween(0.0, 1.0);
      double d = (row.churnedWithinHorizon() ? 1 : 0) - row.oracleProbability();
      deviation += d;
      closedFormDeviation += (row.churnedWithinHorizon() ? 1 : 0) - row.churnProbability();
      deviationByAccount.merge(row.accountId(), d, Double::sum);
      simulated++;
    }
    assertThat(simulated).isGreaterThan(1000);
    // Calibrated: the churns of the oracle's examples minus the sum of its probabilities is zero up
    // to chance. An account's examples a week apart share its fate over a 90-day horizon, so the
    // deviations are summed per account and the accounts, which are independent, give the variance.
    double standardError = Math.sqrt(deviationByAccount.values().stream().mapToDouble(a -> a * a).sum());
    assertThat(Math.abs(deviation))
        .as("churns minus expected %.1f (closed form %.1f), standard error %.1f over %d examples",
            deviation, closedFormDeviation, standardError, simulated)
        .isLessThan(3 * standardError);
  }

  static boolean covered(List<Subscription> subscriptions, LocalDate day) {
    return subscriptions.stream().anyMatch(s -> s.activeOn(day));
  }

  /** Writes a world's sources, counts and manifest (no Spark), as the command does. */
  @Test
  void theTrafficScaleMultipliesEventsAndRequestsAndLeavesTheAccountsAlone() throws IOException {
    WorldSettings clean = TINY.withDirty(false);
    Path base = writeWorld(clean, scratch.resolve("traffic-x1"));
    Path scaled = writeWorld(clean.withTrafficScale(4), scratch.resolve("traffic-x4"));
    Map<String, byte[]> baseFiles = files(base);
    Map<String, byte[]> scaledFiles = files(scaled);
    for (String folder :
        List.of("accounts/", "subscriptions/", "invoices/", "tickets/", "cs_activities/", "help_center/")) {
      Map<String, byte[]> expected = new java.util.TreeMap<>(baseFiles);
      expected.keySet().removeIf(name -> !name.startsWith(folder));
      assertThat(expected).as(folder).isNotEmpty();
      for (Map.Entry<String, byte[]> file : expected.entrySet()) {
        assertThat(scaledFiles.get(file.getKey())).as(file.getKey()).isEqualTo(file.getValue());
      }
    }
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    var baseCounts = json.readTree(base.resolve("truth/source_counts.json").toFile());
    var scaledCounts = json.readTree(scaled.resolve("truth/source_counts.json").toFile());
    for (String source : List.of("usage_events", "api_requests")) {
      double ratio = scaledCounts.get(source).asDouble() / baseCounts.get(source).asDouble();
      // Tens of thousands of Poisson draws: the ratio of the totals is 4 within a few percent.
      assertThat(ratio).as(source).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.2));
    }
  }

  static Path writeWorld(WorldSettings settings, Path out) {
    World world = WorldGenerator.simulate(settings);
    WorldWriter.Written written = WorldWriter.write(world, out);
    TruthWriter.writeCounts(written, out);
    TruthWriter.writeHelpCenterAndActivities(world, out);
    if (settings.dirty()) {
      TruthWriter.writeManifest(written, out);
    }
    return out;
  }

  static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> files = new java.util.TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(path).toString(), Files.readAllBytes(path));
      }
    }
    return files;
  }
}
