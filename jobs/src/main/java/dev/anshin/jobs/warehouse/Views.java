package dev.anshin.jobs.warehouse;

import java.util.List;
import java.util.Locale;

/**
 * The warehouse's views: what a CS dashboard shows first, readable as they are by Metabase,
 * Superset, Tableau, Looker or Power BI, without a join or a window function in the BI tool.
 */
final class Views {
  private Views() {}

  static final String LATEST_SCORES = "latest_customer_scores";
  static final String RISK_RISING = "accounts_risk_rising";
  static final String MRR_BRIDGE = "mrr_bridge";

  /**
   * @param healthyScore a health component scoring below this (the green band) is a reason given
   */
  static List<Warehouse.View> all(String schema, double healthyScore) {
    String s = Warehouse.quote(schema) + ".";
    String healthy = String.format(Locale.ROOT, "%s", healthyScore);
    return List.of(
        new Warehouse.View(
            LATEST_SCORES,
            "Every account scored on the latest scored date, with its name, segment and CSM owner, churn risk, MRR at risk,"
                + " health, and the reasons: the health components scoring below " + healthy
                + " (the green band), weakest first; and the churn model's own drivers: the three features that raise the"
                + " account's risk most and the one that lowers it most; and why the score changed since the day before: the"
                + " change in probability and the two drivers that moved most.",
            List.of("customer_scores", "accounts", "customer_health"),
            "SELECT sc.as_of_date, sc.account_id, a.name AS account_name, a.segment, a.csm_owner,"
                + " sc.risk_tier, sc.churn_probability, sc.mrr, sc.mrr_at_risk, h.health_score, h.health_band,"
                + " (SELECT string_agg(r.reason, '; ' ORDER BY r.score, r.component) FROM (VALUES"
                + " (h.usage_score, 1, h.usage_reason), (h.reliability_score, 2, h.reliability_reason),"
                + " (h.support_score, 3, h.support_reason), (h.billing_score, 4, h.billing_reason),"
                + " (h.trend_score, 5, h.trend_reason)) AS r(score, component, reason)"
                + " WHERE r.score < " + healthy + " AND r.reason IS NOT NULL) AS reasons,"
                + " sc.model_version,"
                // Appended after the columns of earlier versions: CREATE OR REPLACE VIEW only adds at the end.
                + " sc.risk_driver_1, sc.risk_driver_2, sc.risk_driver_3, sc.protective_driver,"
                + " sc.churn_probability_change, sc.change_driver_1, sc.change_driver_2"
                + " FROM " + s + "customer_scores sc"
                + " LEFT JOIN " + s + "accounts a ON a.account_id = sc.account_id"
                + " LEFT JOIN " + s + "customer_health h ON h.as_of_date = sc.as_of_date AND h.account_id = sc.account_id"
                + " WHERE sc.as_of_date = (SELECT max(as_of_date) FROM " + s + "customer_scores)"),
        new Warehouse.View(
            RISK_RISING,
            "Accounts whose churn risk tier rose over the last 7 days: the latest scored date against the scores of 7 days"
                + " before (low < medium < high). Accounts not scored then are not listed.",
            List.of("customer_scores", "accounts"),
            "WITH latest AS (SELECT max(as_of_date) AS as_of_date FROM " + s + "customer_scores),"
                + " tiers AS (SELECT * FROM (VALUES ('low', 0), ('medium', 1), ('high', 2)) AS t(risk_tier, rank))"
                + " SELECT cur.as_of_date, cur.account_id, a.name AS account_name, a.segment, a.csm_owner,"
                + " prev.risk_tier AS risk_tier_7d_ago, cur.risk_tier,"
                + " prev.churn_probability AS churn_probability_7d_ago, cur.churn_probability,"
                + " cur.churn_probability - prev.churn_probability AS churn_probability_change,"
                + " cur.mrr, cur.mrr_at_risk"
                + " FROM " + s + "customer_scores cur"
                + " JOIN latest ON cur.as_of_date = latest.as_of_date"
                + " JOIN " + s + "customer_scores prev ON prev.account_id = cur.account_id AND prev.as_of_date = latest.as_of_date - 7"
                + " JOIN tiers now_tier ON now_tier.risk_tier = cur.risk_tier"
                + " JOIN tiers then_tier ON then_tier.risk_tier = prev.risk_tier"
                + " LEFT JOIN " + s + "accounts a ON a.account_id = cur.account_id"
                + " WHERE now_tier.rank > then_tier.rank"),
        new Warehouse.View(
            MRR_BRIDGE,
            "The MRR bridge by month, one row per movement in the order a waterfall chart draws them: starting MRR, new,"
                + " expansion and reactivation (positive), contraction and churn (negative), ending MRR. The movements"
                + " of a month sum to ending - starting.",
            List.of("revenue_summary"),
            bridgeRow(s, 1, "starting", "starting_mrr")
                + " UNION ALL " + bridgeRow(s, 2, "new", "new_mrr")
                + " UNION ALL " + bridgeRow(s, 3, "expansion", "expansion_mrr")
                + " UNION ALL " + bridgeRow(s, 4, "reactivation", "reactivation_mrr")
                + " UNION ALL " + bridgeRow(s, 5, "contraction", "-contraction_mrr")
                + " UNION ALL " + bridgeRow(s, 6, "churn", "-churned_mrr")
                + " UNION ALL " + bridgeRow(s, 7, "ending", "ending_mrr")));
  }

  private static String bridgeRow(String s, int step, String movement, String amount) {
    return "SELECT month, " + step + " AS step, '" + movement + "'::text AS movement, " + amount + " AS mrr FROM " + s + "revenue_summary";
  }
}
