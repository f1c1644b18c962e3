package dev.anshin.demo.generate;

import static dev.anshin.demo.generate.Sampling.chance;

import dev.anshin.demo.generate.World.CrmVersion;
import dev.anshin.demo.generate.World.Subscription;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * What the CRM shows of an account over time: the row as created, then a new version on each day
 * that one of its mutable fields changes. The seats follow the licensed seats (those of the latest
 * main subscription that has started); during the observed days sales occasionally reclassifies an
 * account into a neighbouring segment and customer success reassigns owners.
 *
 * <p>These are edits of the CRM, not changes of the customer: they draw from a random stream of their
 * own per account, so the simulated world, its traffic and its truth are the same with or without
 * them, and the hidden segment that drives behaviour never changes.
 */
final class CrmHistory {
  /** Share of accounts a year that sales moves into a neighbouring segment (smb <-> mid <-> enterprise). */
  static final double RECLASSIFICATIONS_PER_YEAR = 0.04;
  /** Share of accounts a year whose CSM owner is reassigned. */
  static final double OWNER_CHANGES_PER_YEAR = 0.10;

  private static final long SALT = 0xC3A1_7E5D_0B4FL;

  private CrmHistory() {}

  /**
   * The CRM versions of one account, in day order, the first from its created day, the last no later
   * than the end of the simulation.
   */
  static List<CrmVersion> of(
      WorldSettings settings, int accountIndex, String segment, String csmOwner, LocalDate createdDay,
      int plannedSeats, List<Subscription> subscriptions) {
    SplittableRandom random = new SplittableRandom(Sampling.seedFor(settings.seed() ^ SALT, accountIndex, 0));
    // The seats of each main subscription from its start on; a later start on the same day wins.
    TreeMap<LocalDate, Integer> seatsFrom = new TreeMap<>();
    for (Subscription subscription : subscriptions) {
      if (!subscription.addOn()) {
        seatsFrom.put(subscription.startedAt(), subscription.seats());
      }
    }
    int seats = seatsFrom.isEmpty() ? plannedSeats : seatsFrom.firstEntry().getValue();
    List<CrmVersion> versions = new ArrayList<>();
    CrmVersion current = new CrmVersion(createdDay, segment, seats, csmOwner);
    versions.add(current);
    LocalDate last = settings.simulationEnd();
    for (LocalDate day = createdDay.plusDays(1); !day.isAfter(last); day = day.plusDays(1)) {
      String newSegment = current.segment();
      int newSeats = seatsFrom.getOrDefault(day, current.seats());
      String newOwner = current.csmOwner();
      // Edits by people happen in the observed days only; before the start the history is the
      // created row (the first file shows the state at the end of the first day anyway).
      if (!day.isBefore(settings.start()) && !day.isAfter(settings.lastDay())) {
        if (chance(random, RECLASSIFICATIONS_PER_YEAR / 365)) {
          newSegment = neighbour(newSegment, random);
        }
        if (chance(random, OWNER_CHANGES_PER_YEAR / 365)) {
          newOwner = otherOwner(newOwner, random);
        }
      }
      if (!newSegment.equals(current.segment())
          || newSeats != current.seats()
          || !newOwner.equals(current.csmOwner())) {
        current = new CrmVersion(day, newSegment, newSeats, newOwner);
        versions.add(current);
      }
    }
    return List.copyOf(versions);
  }

  private static String neighbour(String segment, SplittableRandom random) {
    return switch (segment) {
      case "smb", "enterprise" -> "mid";
      // Small customers are more common, so a mid account is more often moved down than up.
      default -> chance(random, 2.0 / 3) ? "smb" : "enterprise";
    };
  }

  private static String otherOwner(String owner, SplittableRandom random) {
    List<String> owners = WorldGenerator.CSM_OWNERS;
    int current = owners.indexOf(owner);
    int pick = random.nextInt(owners.size() - 1);
    return owners.get(pick >= current ? pick + 1 : pick);
  }
}
