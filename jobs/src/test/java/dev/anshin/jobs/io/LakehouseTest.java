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

  @Test
  void eachWriteReportsTheRowsItWroteAndNotTheRowsItCopied() {
    Lakehouse lakehouse = new Lakehouse(spark, scratch.resolve("commits"));
    LocalDate first = LocalDate.parse("2025-03-01");
    LocalDate second = first.plusDays(1);
    // Not partitioned by day: replacing the second day rewrites files that also hold first-day rows.
    Lakehouse.WriteResult created = lakehouse.replaceDates("t",
        spark.sql("SELECT DATE'2025-03-01' + CAST(id % 2 AS INT) AS d, id FROM range(6)"), "d", first, second, null);
    assertThat(created.version()).isZero();
    assertThat(created.rowsWritten()).isEqualTo(6);
    Lakehouse.WriteResult replaced = lakehouse.replaceDates("t",
        spark.sql("SELECT DATE'2025-03-02' AS d, id FROM range(10, 14)"), "d", second, second, null);
    assertThat(replaced.version()).isEqualTo(1);
    assertThat(replaced.rowsWritten()).isEqualTo(4);
    assertThat(replaced.rowsRemoved()).isEqualTo(3);
    assertThat(lakehouse.read("t").count()).isEqualTo(7);

    lakehouse.overwrite("m", spark.sql("SELECT id, 'old' AS v FROM range(3)"));
    Lakehouse.WriteResult merged = lakehouse.merge("m", spark.sql("SELECT id, 'new' AS v FROM range(2, 4)"), List.of("id"));
    assertThat(merged.operation()).isEqualTo("MERGE");
    assertThat(merged.version()).isEqualTo(1);
    // id 2 updated, id 3 inserted.
    assertThat(merged.rowsWritten()).isEqualTo(2);
  }

  @Test
  void comparisonCountsRowsMissingOnEitherSideAsAMultiset() {
    Lakehouse left = new Lakehouse(spark, scratch.resolve("left"));
    Lakehouse right = new Lakehouse(spark, scratch.resolve("right"));
    // left: a, a, b, 0.1 + 0.2; right: a, b, c, 0.3 (equal to 9 decimals); a table only on the left.
    left.overwrite("t", spark.sql("SELECT * FROM VALUES ('a', 0.0D), ('a', 0.0D), ('b', 0.0D), ('d', 0.1D + 0.2D) AS v(k, x)"));
    right.overwrite("t", spark.sql("SELECT * FROM VALUES ('a', 0.0D), ('b', 0.0D), ('c', 0.0D), ('d', 0.3D) AS v(k, x)"));
    left.overwrite("only_left", spark.sql("SELECT 1 AS id"));
    right.overwrite("same", spark.sql("SELECT * FROM VALUES (1, CAST(NULL AS STRING)), (2, 'x') AS v(id, s)"));
    left.overwrite("same", spark.sql("SELECT * FROM VALUES (2, 'x'), (1, CAST(NULL AS STRING)) AS v(id, s)"));
    assertThat(LakehouseComparison.compare(left, right)).extracting(Object::toString).containsExactly(
        new LakehouseComparison.TableDifference("only_left", 1, 0, 1, 0).toString(),
        new LakehouseComparison.TableDifference("same", 2, 2, 0, 0).toString(),
        new LakehouseComparison.TableDifference("t", 4, 4, 1, 1).toString());
  }

  @Test
  void compactionMergesANightlyTablesSmallFilesWithoutChangingARowAndVacuumKeepsWhatTheRetentionNeeds() {
    Lakehouse lakehouse = new Lakehouse(spark, scratch.resolve("maintained"));
    LocalDate first = LocalDate.parse("2025-03-01");
    // Not partitioned by day, as support_daily: every night's write adds a file.
    for (int night = 0; night < 4; night++) {
      LocalDate day = first.plusDays(night);
      lakehouse.replaceDates("t", spark.sql("SELECT DATE'" + day + "' AS d, id FROM range(" + night * 10 + ", " + (night * 10 + 5) + ")"),
          "d", day, day, null);
    }
    List<Row> rowsBefore = lakehouse.read("t").orderBy("id").collectAsList();
    assertThat(lakehouse.files("t").live()).isEqualTo(4);

    Lakehouse.Compaction compaction = lakehouse.compact("t");
    assertThat(compaction.filesBefore()).isEqualTo(4);
    assertThat(compaction.filesAfter()).isEqualTo(1);
    assertThat(lakehouse.files("t").live()).isEqualTo(1);
    assertThat(lakehouse.read("t").orderBy("id").collectAsList()).isEqualTo(rowsBefore);
    // Nothing left to compact: no new version.
    long compacted = lakehouse.version("t");
    assertThat(lakehouse.compact("t").filesAfter()).isEqualTo(1);
    assertThat(lakehouse.version("t")).isEqualTo(compacted);

    // The four replaced files are younger than a week: kept, and the version before compaction reads.
    assertThat(lakehouse.vacuum("t", java.time.Duration.ofDays(7)).filesDeleted()).isZero();
    assertThat(spark.read().format("delta").option("versionAsOf", 3).load(lakehouse.path("t")).count()).isEqualTo(20);
    // With no retention they go; the current version is whole.
    Lakehouse.Vacuum vacuum = lakehouse.vacuum("t", java.time.Duration.ZERO);
    assertThat(vacuum.filesDeleted()).isEqualTo(4);
    assertThat(vacuum.bytesDeleted()).isPositive();
    assertThat(lakehouse.files("t").onDisk()).isEqualTo(1);
    assertThat(lakehouse.read("t").orderBy("id").collectAsList()).isEqualTo(rowsBefore);
  }

  @Test
  void aTablePartitionedByDayWithOneFilePerDayIsLeftAsItIs() {
    Lakehouse lakehouse = new Lakehouse(spark, scratch.resolve("partitioned"));
    LocalDate first = LocalDate.parse("2025-03-01");
    for (int night = 0; night < 3; night++) {
      LocalDate day = first.plusDays(night);
      lakehouse.replaceDates("p", spark.sql("SELECT DATE'" + day + "' AS d, id FROM range(3)"), "d", day, day, null, "d");
    }
    long version = lakehouse.version("p");
    Lakehouse.Compaction compaction = lakehouse.compact("p");
    assertThat(compaction.filesBefore()).isEqualTo(3);
    assertThat(compaction.filesAfter()).isEqualTo(3);
    assertThat(lakehouse.version("p")).isEqualTo(version);
  }
}
