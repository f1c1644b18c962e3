package dev.anshin.jobs.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TableDocsTest {
  private static final String DOCS = String.join("\n",
      "# Tables",
      "",
      "## Month tables: revenue_movements, revenue_summary",
      "",
      "Recomputed whole each run, as of the run date.",
      "",
      "## revenue_summary",
      "",
      "Per month, the totals of `revenue_movements`. See",
      "[ChartMogul](https://chartmogul.com) for **the** definitions.",
      "",
      "| column | type | meaning |",
      "|---|---|---|",
      "| month | date | first day of the month |",
      "| `new_mrr`, expansion_mrr | decimal(18,2) | from new accounts \\| or growing ones |",
      "",
      "| table | key | columns |",
      "|---|---|---|",
      "| `accounts` | account_id | not a column table |",
      "",
      "### A subsection",
      "",
      "| column | meaning |",
      "|---|---|",
      "| subsection_column | belongs to no table |");

  @Test
  void aTablesOwnSectionDescribesItAndASharedHeadingTheRest() {
    TableDocs docs = TableDocs.parse(DOCS);
    assertThat(docs.table("revenue_summary")).contains("Per month, the totals of revenue_movements. See ChartMogul for the definitions.");
    assertThat(docs.table("revenue_movements")).contains("Recomputed whole each run, as of the run date.");
    assertThat(docs.table("tables")).isEmpty();
  }

  @Test
  void aCellNamingSeveralColumnsDescribesEachAndOnlyColumnTablesCount() {
    TableDocs docs = TableDocs.parse(DOCS);
    assertThat(docs.column("revenue_summary", "month")).contains("first day of the month");
    assertThat(docs.column("revenue_summary", "new_mrr")).contains("from new accounts | or growing ones");
    assertThat(docs.column("revenue_summary", "expansion_mrr")).isEqualTo(docs.column("revenue_summary", "new_mrr"));
    assertThat(docs.column("revenue_summary", "accounts")).isEmpty();
    assertThat(docs.column("revenue_summary", "subsection_column")).isEmpty();
    assertThat(docs.column("revenue_movements", "month")).isEmpty();
  }

  @Test
  void theJarCarriesTheProjectsOwnTableDocs() {
    // docs/tables.md is packed into the jar; the end-to-end test checks that every published column has a comment.
    assertThat(TableDocs.load().column("customer_scores", "mrr_at_risk")).hasValueSatisfying(text -> assertThat(text).contains("mrr"));
  }
}
