package dev.anshin.features.success;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.success.AccountTimeline.Columns;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class AccountTimelineTest extends SparkTestBase {

  private static final LocalDate DAY = LocalDate.parse("2024-02-02");

  private static Row ticket(String id, String account, String created, String priority, String category, String deliveredOn) {
    return row(id, account, ts(created), null, null, priority, "email", category, null, 0, 1, 10.0, date(deliveredOn));
  }

  @Test
  void activitiesTicketsAndChangesOfStateSitNextToTheStateOfTheirDay() {
    Dataset<Row> activities = dataset(
        SourceTable.CS_ACTIVITIES.schema().add("activity_date", DataTypes.DateType).add(SourceTable.DELIVERED_ON, DataTypes.DateType),
        row("a1", "acc1", ts("2024-02-02T10:00:00Z"), "business_review", "Ana", date("2024-02-02"), date("2024-02-02")),
        // logged three days late: shown with the state of its own day
        row("a2", "acc1", ts("2024-01-30T15:00:00Z"), "call", null, date("2024-01-30"), date("2024-02-02")),
        // delivered before the run: written by the run of its day, and not again when delivered a second time
        row("a3", "acc1", ts("2024-02-01T15:00:00Z"), "email", "Ana", date("2024-02-01"), date("2024-02-01")),
        row("a3", "acc1", ts("2024-02-01T15:00:00Z"), "email", "Ana", date("2024-02-01"), date("2024-02-02")));
    Dataset<Row> tickets = dataset(
        SourceTable.TICKETS.schema().add(SourceTable.DELIVERED_ON, DataTypes.DateType),
        ticket("t1", "acc1", "2024-02-02T09:00:00Z", "high", "api_errors", "2024-02-02"),
        ticket("t1", "acc1", "2024-02-02T09:00:00Z", "urgent", "api_errors", "2024-02-03"),
        // opened the day before and changed today: not opened today
        ticket("t2", "acc1", "2024-02-01T09:00:00Z", "low", "how_to", "2024-02-01"),
        ticket("t2", "acc1", "2024-02-01T09:00:00Z", "normal", "how_to", "2024-02-02"),
        // opened on January 29th but first exported today, more than the 3 late days before: no state shown
        // (though the 29th has one), as a nightly run would not have read that far back
        ticket("t3", "acc1", "2024-01-29T09:00:00Z", "low", "billing", "2024-02-02"));
    StructType healthSchema = new StructType().add("account_id", DataTypes.StringType).add("as_of_date", DataTypes.DateType)
        .add("health_score", DataTypes.DoubleType).add("health_band", DataTypes.StringType);
    Dataset<Row> health = dataset(healthSchema,
        row("acc1", date("2024-01-29"), 70.0, "green"), row("acc1", date("2024-01-30"), 70.0, "green"),
        row("acc1", date("2024-02-01"), 70.0, "green"),
        row("acc1", date("2024-02-02"), 45.0, "yellow"),
        // new today: a change from none
        row("acc2", date("2024-02-02"), 80.0, "green"),
        // the same band as the day before: no row
        row("acc3", date("2024-02-01"), 60.0, "yellow"), row("acc3", date("2024-02-02"), 55.0, "yellow"),
        // a gap: January 31st is missing, so February 1st is a change from none, but that is not in the run
        row("acc4", date("2024-01-30"), 65.0, "yellow"), row("acc4", date("2024-02-01"), 65.0, "yellow"),
        row("acc4", date("2024-02-02"), 65.0, "yellow"));
    Dataset<Row> slo = dataset(new StructType().add("account_id", DataTypes.StringType).add("as_of_date", DataTypes.DateType)
            .add("status", DataTypes.StringType),
        row("acc1", date("2024-02-01"), "ok"), row("acc1", date("2024-02-02"), "at_risk"));

    AccountTimeline.States states = new AccountTimeline.States(health, slo, null);
    // A backfill of the four days before, reading the states its range needs (as the step does), writes
    // for this day exactly the nightly run's rows: t3's January 29th is read by the one and not the other.
    AccountTimeline.States backfillStates = new AccountTimeline.States(
        health.filter("as_of_date >= DATE'2024-01-26'"), slo.filter("as_of_date >= DATE'2024-01-26'"), null);
    AccountTimeline.States nightlyStates = new AccountTimeline.States(
        health.filter("as_of_date >= DATE'2024-01-30'"), slo.filter("as_of_date >= DATE'2024-01-30'"), null);
    assertThat(AccountTimeline.rows(activities, tickets, backfillStates, DAY.minusDays(4), DAY, 3)
            .filter("known_on = DATE'2024-02-02'").collectAsList())
        .containsExactlyInAnyOrderElementsOf(
            AccountTimeline.rows(activities, tickets, nightlyStates, DAY, DAY, 3).collectAsList());
    List<String> rows =
        AccountTimeline.rows(activities, tickets, states, DAY, DAY, 3)
            .orderBy(Columns.ACCOUNT_ID, Columns.EVENT_SOURCE, Columns.EVENT_DATE).collectAsList().stream()
            .map(r -> String.join(" | ", r.get(0).toString(), r.getString(1), r.get(2).toString(),
                r.getString(4), r.getString(5), r.getString(6), String.valueOf(r.get(8)), String.valueOf(r.get(9)),
                String.valueOf(r.get(10)), String.valueOf(r.get(11)), String.valueOf(r.get(12)), r.getString(13)))
            .collect(Collectors.toList());

    assertThat(rows).containsExactly(
        "2024-02-02 | acc1 | 2024-01-30 | cs_activity | call | call | 70.0 | green | null | null | null | a2",
        "2024-02-02 | acc1 | 2024-02-02 | cs_activity | business_review | business_review by Ana | 45.0 | yellow | at_risk | null | null | a1",
        "2024-02-02 | acc1 | 2024-02-02 | health | health_band_changed | green -> yellow (45) | 45.0 | yellow | at_risk | null | null | health_band_changed:acc1:2024-02-02",
        "2024-02-02 | acc1 | 2024-02-02 | slo | slo_status_changed | ok -> at_risk | 45.0 | yellow | at_risk | null | null | slo_status_changed:acc1:2024-02-02",
        "2024-02-02 | acc1 | 2024-01-29 | ticket | ticket_opened | t3 low billing | null | null | null | null | null | t3",
        "2024-02-02 | acc1 | 2024-02-02 | ticket | ticket_opened | t1 high api_errors | 45.0 | yellow | at_risk | null | null | t1",
        "2024-02-02 | acc2 | 2024-02-02 | health | health_band_changed | none -> green (80) | 80.0 | green | null | null | null | health_band_changed:acc2:2024-02-02");
  }
}
