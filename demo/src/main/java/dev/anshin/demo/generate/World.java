package dev.anshin.demo.generate;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A simulated world: everything that happened up to the end of the simulation (the last observed
 * day plus the horizon), the hidden state per account and day, and the truth derived from it.
 *
 * <p>The writers decide what the outside world sees at the end of each observed day (see {@code
 * Delivery}); this record holds the full story, so that tests can check the files and the truth
 * against it.
 */
public record World(
    WorldSettings settings,
    List<Account> accounts,
    List<Subscription> subscriptions,
    List<Invoice> invoices,
    List<Ticket> tickets,
    List<AccountDays> accountDays,
    List<Incident> incidents,
    List<TruthRow> truth,
    List<CsActivity> activities,
    List<HelpCenterArticle> articles,
    List<HelpCenterView> helpCenterViews) {

  /**
   * A customer. {@code segment} is the hidden segment that drives its behaviour; {@code crm} is what
   * the CRM shows over time: the row as created, then one entry per day something changed (a
   * reclassification of the segment, the licensed seats, the CSM owner), in day order. The CRM's
   * segment starts as the hidden one; a reclassification changes only what the CRM shows.
   */
  public record Account(
      int index,
      String id,
      String name,
      String segment,
      String industry,
      String region,
      String currency,
      Instant createdAt,
      List<CrmVersion> crm) {

    /** The CRM's view at the end of {@code day} (the first version for days before the creation). */
    public CrmVersion crmOn(LocalDate day) {
      CrmVersion current = crm.get(0);
      for (CrmVersion version : crm) {
        if (version.from().isAfter(day)) {
          break;
        }
        current = version;
      }
      return current;
    }
  }

  /**
   * The CRM's mutable fields of an account from {@code from} on (until the next version): its segment,
   * its licensed seats (those of the latest main subscription that has started) and its CSM owner.
   */
  public record CrmVersion(LocalDate from, String segment, int seats, String csmOwner) {}

  /**
   * A subscription row. Active on day d iff {@code startedAt <= d < endedAt}; {@code endedAt} and
   * {@code cancelReason} are null while it runs (a seat change ends a row with no reason).
   */
  public record Subscription(
      String id,
      String accountId,
      String plan,
      int seats,
      long mrrCents,
      String interval,
      LocalDate startedAt,
      LocalDate endedAt,
      String cancelReason,
      boolean addOn) {

    public boolean activeOn(LocalDate day) {
      return !startedAt.isAfter(day) && (endedAt == null || day.isBefore(endedAt));
    }
  }

  /**
   * An invoice with its whole payment story: every failed charge, and when it was paid or given up.
   * Each day's file shows the state at the end of that day.
   */
  public record Invoice(
      String id,
      String accountId,
      String subscriptionId,
      long amountCents,
      LocalDate periodStart,
      LocalDate periodEnd,
      Instant issuedAt,
      List<Instant> failedCharges,
      Instant paidAt,
      Instant givenUpAt) {}

  /** A support ticket; the reply and solve times may lie after the export. */
  public record Ticket(
      String id,
      String accountId,
      Instant createdAt,
      Instant firstReplyAt,
      Instant solvedAt,
      String priority,
      String channel,
      String category,
      String satisfaction,
      int reopens,
      int agentReplies,
      double handleMinutes) {}

  /**
   * The hidden state that drives usage and request traffic, one entry per observed day (index 0 is
   * the start day). {@code engagement} is NaN on days the account is not active.
   */
  public record AccountDays(
      int accountIndex,
      String accountId,
      String segment,
      double hourCenter,
      int apiRequestsPerDay,
      double[] engagement,
      int[] seatsInUse,
      double[] incidentSeverity) {}

  /**
   * What the customer-success team did with an account: an {@code email}, a {@code call}, a {@code
   * business_review} or a risk {@code playbook}, by the account's CSM owner that day. Over the whole
   * simulation (horizon days included); only those of the observed days are delivered. Its effect on
   * the hidden state (see {@link WorldModel}) starts the next day.
   */
  public record CsActivity(String id, String accountId, Instant time, String type, String owner) {}

  /**
   * A help-centre article of one ticket category: the probability that it solves a problem of its
   * category for a customer who reads it ({@code deflectionProbability}); {@code failing} marks the
   * articles planted with a low one.
   */
  public record HelpCenterArticle(
      String id, String category, String title, double deflectionProbability, boolean failing) {}

  /**
   * A view of a help-centre article by a user of an account, within the observed days. {@code
   * ticketId} is the ticket it was drawn for (hidden, never written): the ticket that followed it
   * when the article failed, or a later one of the same account when it solved another problem.
   */
  public record HelpCenterView(
      String id, String accountId, String userId, Instant time, String articleId, String ticketId,
      boolean deflected) {}

  /** A platform incident: hits a share of accounts for a few days with a severity. */
  public record Incident(LocalDate start, int days, double severity, double share, long salt) {}

  /**
   * One active account-day of truth. {@code churnDate} is null when the account did not churn in time;
   * {@code realisedRevenue} is what the account earned over the horizon ({@link Truth#REALISED_REVENUE}).
   */
  public record TruthRow(
      LocalDate asOfDate,
      String accountId,
      double churnProbability,
      /** The Monte Carlo oracle, on every 7th day back from the last observed day; null on the others. */
      Double oracleProbability,
      boolean churnedWithinHorizon,
      LocalDate churnDate,
      double engagement,
      double pain,
      double realisedRevenue) {}
}
