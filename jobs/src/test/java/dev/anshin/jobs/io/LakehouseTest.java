package dev.anshin.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anshin.testing.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class LakehouseTest extends SparkTestBase {

  @Test
  void aTableWrittenByAnOlderVersionGainsTheNewColumnsOnTheNextRun() {
    Lakehouse lakehouse = new Lakehouse(spark, scratch.resolve("lakehouse"));
    // Written by an older version: no alert column yet.
    lakehouse.replaceDates("t", spark.sql("SELECT DATE'2025-03-01' AS as_of_date, 'a1' AS account_id"),
        "as_of_date", LocalDate.parse("2025-03-01"), LocalDate.parse("2025-03-01"), null, "as_of_date");
    // The new version adds a column; the old day keeps null in it.
    lakehouse.replaceDates("t", spark.sql("SELECT DATE'2025-03-02' AS as_of_date, 'a1' AS account_id, 'page' AS alert"),
        "as_of_date", LocalDate.parse("2025-03-02"), LocalDate.parse("2025-03-02"), null, "as_of_date");
    List<Row> rows = lakehouse.read("t").orderBy("as_of_date").collectAsList();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).isNullAt(rows.get(0).fieldIndex("alert"))).isTrue();
    assertThat(rows.get(1).<String>getAs("alert")).isEqualTo("page");
  }
}
