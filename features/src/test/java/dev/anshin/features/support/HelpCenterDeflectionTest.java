package dev.anshin.features.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.features.sources.SourceTable;
import dev.anshin.features.support.HelpCenterDeflection.Columns;
import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class HelpCenterDeflectionTest extends SparkTestBase {

  // As of March 31st with a 7-day deflection window and 10 judged days: viewings of March 15th-24th.
  private static final LocalDate AS_OF = LocalDate.parse("2024-03-31");
  private static final HelpCenterDeflection.Settings SETTINGS = new HelpCenterDeflection.Settings(7, 10, 2, 0.5);

  private static Row view(String id, String account, String user, String time, String article, String category,
      String deliveredOn) {
    return row(id, account, user, ts(time), article, "Title of " + article, category, date(time.substring(0, 10)),
        date(deliveredOn));
  }

  private static Row ticket(String id, String account, String created, String category, String deliveredOn) {
    return row(id, account, ts(created), null, null, "normal", "email", category, null, 0, 1, 10.0, date(deliveredOn));
  }

  @Test
  void aViewingIsDeflectedWhenItsAccountFilesNoTicketOfTheArticlesCategoryWithinTheWindow() {
    Dataset<Row> views = dataset(
        SourceTable.HELP_CENTER_VIEWS.schema().add("view_date", DataTypes.DateType).add(SourceTable.DELIVERED_ON, DataTypes.DateType),
        // kb-a: acc1 files a how_to ticket two days later (not deflected); the second view that day is the same viewing
        view("v1", "acc1", "u1", "2024-03-16T10:00:00Z", "kb-a", "how_to", "2024-03-16"),
        view("v1b", "acc1", "u1", "2024-03-16T11:00:00Z", "kb-a", "how_to", "2024-03-16"),
        // acc2's next ticket is about billing, another topic: deflected
        view("v2", "acc2", "u2", "2024-03-17T10:00:00Z", "kb-a", "how_to", "2024-03-17"),
        // acc3's how_to ticket comes exactly 7 days after u3's view (within) and 7 days and 1 s after u4's (not)
        view("v3", "acc3", "u3", "2024-03-20T09:00:00Z", "kb-a", "how_to", "2024-03-20"),
        view("v4", "acc3", "u4", "2024-03-20T08:59:59Z", "kb-a", "how_to", "2024-03-20"),
        // outside the judged days, or delivered after the as-of date: not read
        view("v5", "acc2", "u2", "2024-03-25T10:00:00Z", "kb-a", "how_to", "2024-03-25"),
        view("v6", "acc2", "u2", "2024-03-14T10:00:00Z", "kb-a", "how_to", "2024-03-14"),
        view("v7", "acc2", "u9", "2024-03-20T10:00:00Z", "kb-a", "how_to", "2024-04-01"),
        // kb-b: a ticket the same day after the view (not deflected), one before the view (deflected), and
        // one whose category the helpdesk corrected to sso_login later (not deflected)
        view("w1", "acc1", "u1", "2024-03-21T08:00:00Z", "kb-b", "sso_login", "2024-03-21"),
        view("w2", "acc2", "u2", "2024-03-22T08:00:00Z", "kb-b", "sso_login", "2024-03-22"),
        view("w3", "acc4", "u1", "2024-03-23T08:00:00Z", "kb-b", "sso_login", "2024-03-23"),
        // kb-c: one viewing, fewer than the two needed to judge the article
        view("x1", "acc1", "u1", "2024-03-24T08:00:00Z", "kb-c", "reporting", "2024-03-24"));
    Dataset<Row> tickets = dataset(
        SourceTable.TICKETS.schema().add(SourceTable.DELIVERED_ON, DataTypes.DateType),
        ticket("t1", "acc1", "2024-03-18T10:00:00Z", "how_to", "2024-03-18"),
        ticket("t2", "acc2", "2024-03-18T10:00:00Z", "billing", "2024-03-18"),
        ticket("t3", "acc3", "2024-03-27T09:00:00Z", "how_to", "2024-03-27"),
        ticket("t4", "acc1", "2024-03-21T09:00:00Z", "sso_login", "2024-03-21"),
        ticket("t5", "acc2", "2024-03-19T09:00:00Z", "sso_login", "2024-03-19"),
        ticket("t6", "acc4", "2024-03-25T09:00:00Z", "how_to", "2024-03-25"),
        ticket("t6", "acc4", "2024-03-25T09:00:00Z", "sso_login", "2024-03-26"),
        // data_import has tickets and no article viewed: missing; its ticket after the judged days does not count
        ticket("t7", "acc5", "2024-03-16T09:00:00Z", "data_import", "2024-03-16"),
        ticket("t8", "acc5", "2024-03-25T09:00:00Z", "data_import", "2024-03-25"));

    Map<String, Row> rows = HelpCenterDeflection.deflection(views, tickets, AS_OF, SETTINGS).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.<String>getAs(Columns.ARTICLE_ID).equals(HelpCenterDeflection.NO_ARTICLE)
            ? r.<String>getAs(Columns.CATEGORY) : r.<String>getAs(Columns.ARTICLE_ID), r -> r));

    assertThat(rows.keySet()).containsExactlyInAnyOrder("kb-a", "kb-b", "kb-c", "billing", "data_import");
    Row a = rows.get("kb-a");
    // viewings v1, v2, v3, v4; deflected v2 and v4
    assertThat(a.<Long>getAs(Columns.VIEWINGS)).isEqualTo(4);
    assertThat(a.<Long>getAs(Columns.VIEWERS)).isEqualTo(4);
    assertThat(a.<Long>getAs(Columns.ACCOUNTS)).isEqualTo(3);
    assertThat(a.<Long>getAs(Columns.DEFLECTED)).isEqualTo(2);
    assertThat(a.<Double>getAs(Columns.DEFLECTION_RATE)).isCloseTo(0.5, within(1e-12));
    assertThat(a.<String>getAs(Columns.STATUS)).isEqualTo(HelpCenterDeflection.DEFLECTING);
    assertThat(a.<Integer>getAs(Columns.DEFLECTION_RANK)).isEqualTo(1);
    // how_to tickets created March 15th-24th: t1 (t3 and t6's first version fall after)
    assertThat(a.<Long>getAs(Columns.CATEGORY_TICKETS)).isEqualTo(1);
    assertThat(a.<java.sql.Date>getAs(Columns.WINDOW_START)).isEqualTo(date("2024-03-15"));
    assertThat(a.<java.sql.Date>getAs(Columns.WINDOW_END)).isEqualTo(date("2024-03-24"));

    Row b = rows.get("kb-b");
    assertThat(b.<Long>getAs(Columns.VIEWINGS)).isEqualTo(3);
    assertThat(b.<Long>getAs(Columns.DEFLECTED)).isEqualTo(1);
    assertThat(b.<Double>getAs(Columns.DEFLECTION_RATE)).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(b.<String>getAs(Columns.STATUS)).isEqualTo(HelpCenterDeflection.FAILING);
    assertThat(b.<Integer>getAs(Columns.DEFLECTION_RANK)).isEqualTo(2);
    assertThat(b.<Long>getAs(Columns.CATEGORY_TICKETS)).isEqualTo(2);

    Row c = rows.get("kb-c");
    assertThat(c.<String>getAs(Columns.STATUS)).isEqualTo(HelpCenterDeflection.TOO_FEW_VIEWS);
    assertThat(c.isNullAt(c.fieldIndex(Columns.DEFLECTION_RANK))).isTrue();
    assertThat(c.<Long>getAs(Columns.CATEGORY_TICKETS)).isZero();

    for (String topic : new String[] {"billing", "data_import"}) {
      Row missing = rows.get(topic);
      assertThat(missing.<String>getAs(Columns.STATUS)).as(topic).isEqualTo(HelpCenterDeflection.MISSING);
      assertThat(missing.<Long>getAs(Columns.CATEGORY_TICKETS)).as(topic).isEqualTo(1);
      assertThat(missing.<Long>getAs(Columns.VIEWINGS)).as(topic).isZero();
    }
  }
}
