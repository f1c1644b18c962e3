package dev.anshin.models.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.models.tabular.ColumnTyping.Kind;
import dev.anshin.models.tabular.ColumnTyping.TypedColumn;
import dev.anshin.testing.SparkTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ColumnTypingTest extends SparkTestBase {

  /** A CSV as Spark reads it: every column text, with the blanks and markers real exports carry. */
  private static final StructType CSV =
      new StructType()
          .add("customerID", DataTypes.StringType)
          .add("TotalCharges", DataTypes.StringType)
          .add("Partner", DataTypes.StringType)
          .add("Contract", DataTypes.StringType)
          .add("Monthly Charges ($)", DataTypes.StringType)
          .add("notes", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("seats", DataTypes.IntegerType)
          .add("signed_up", DataTypes.DateType)
          .add("Churn", DataTypes.StringType);

  private Dataset<Row> table() {
    List<Row> rows = new ArrayList<>();
    String[] contracts = {"Month-to-month", "One year", "Two year", " "};
    for (int i = 0; i < 24; i++) {
      String charges = i == 3 ? " " : i == 5 ? "NA" : (10 + i) + ".5";
      rows.add(RowFactory.create("c" + i, charges, i % 3 == 0 ? "Yes" : " no", contracts[i % 4],
          Integer.toString(20 + i), "said thing number " + i, "JP", i % 2 == 0 ? null : i, date("2025-01-01"),
          i % 2 == 0 ? "Yes" : "No"));
    }
    return spark.createDataFrame(rows, CSV);
  }

  @Test
  void typesNumbersStoredAsTextFlagsAndCategoriesAndSaysWhyItSkipsTheRest() {
    ColumnTyping typing = ColumnTyping.infer(table(), "customerID", "Churn", Set.of(), ColumnTyping.MAX_CATEGORIES);

    Map<String, TypedColumn> bySource = typing.columns().stream().collect(Collectors.toMap(TypedColumn::source, c -> c));
    assertThat(bySource.get("TotalCharges").kind()).isEqualTo(Kind.NUMBER);
    assertThat(bySource.get("Partner").kind()).isEqualTo(Kind.FLAG);
    assertThat(bySource.get("Partner").trueValue()).isEqualTo("yes");
    assertThat(bySource.get("Contract").kind()).isEqualTo(Kind.CATEGORY);
    assertThat(bySource.get("Monthly Charges ($)").kind()).isEqualTo(Kind.NUMBER);
    assertThat(bySource.get("Monthly Charges ($)").name()).isEqualTo("Monthly_Charges____");
    assertThat(bySource.get("seats").kind()).isEqualTo(Kind.NUMBER);
    assertThat(bySource).doesNotContainKeys("customerID", "Churn", "notes", "country", "signed_up");
    Map<String, String> skipped =
        typing.skipped().stream().collect(Collectors.toMap(ColumnTyping.SkippedColumn::source, ColumnTyping.SkippedColumn::reason));
    assertThat(skipped.get("notes")).contains("identifier or free text");
    assertThat(skipped.get("country")).contains("same value in every row");
    assertThat(skipped.get("signed_up")).contains("date");
    assertThat(typing.inputs().numeric()).containsExactly("TotalCharges", "Partner", "Monthly_Charges____", "seats");
    assertThat(typing.inputs().categorical()).containsExactly("Contract");

    List<Row> typed = typing.apply(table(), null).orderBy("customerID").collectAsList();
    Row c3 = typed.stream().filter(r -> r.getString(0).equals("c3")).findFirst().orElseThrow();
    Row c5 = typed.stream().filter(r -> r.getString(0).equals("c5")).findFirst().orElseThrow();
    Row c6 = typed.stream().filter(r -> r.getString(0).equals("c6")).findFirst().orElseThrow();
    // c3: blank charges are missing; "Yes" is 1; the blank contract is a category of its own.
    assertThat((Object) c3.getAs("TotalCharges")).isNull();
    assertThat((double) c3.getAs("Partner")).isEqualTo(1.0);
    assertThat((String) c3.getAs("Contract")).isEqualTo(ColumnTyping.BLANK);
    // c5: "NA" is missing; " no" is 0; seats is a number.
    assertThat((Object) c5.getAs("TotalCharges")).isNull();
    assertThat((double) c5.getAs("Partner")).isEqualTo(0.0);
    assertThat((double) c5.getAs("seats")).isEqualTo(5.0);
    // c6: "16.5" is 16.5; "Two year" is trimmed text; the null seat count stays missing.
    assertThat((double) c6.getAs("TotalCharges")).isEqualTo(16.5);
    assertThat((String) c6.getAs("Contract")).isEqualTo("Two year");
    assertThat((Object) c6.getAs("seats")).isNull();
  }

  /**
   * 200 rows: a row counter (1..200) and a customer number (distinct, gaps between) are identifiers;
   * a count that differs in every row (with gaps, an ordinary name) and decimals are measures.
   */
  @Test
  void aRowCounterOrANumberedIdentifierIsNotAMeasure() {
    Dataset<Row> table = spark.range(200).selectExpr(
        "concat('c', id) AS id",
        "id + 1 AS RowNumber",
        "15600000 + id * 37 AS CustomerNo",
        "CAST(id * id + 3 AS STRING) AS lifetime_events",
        "id * 1.5 + 0.25 AS Balance",
        "CAST(id * 7 + 100 AS INT) AS amount_paid",
        "CASE WHEN id % 2 = 0 THEN 'Yes' ELSE 'No' END AS churned");
    ColumnTyping typing = ColumnTyping.infer(table, "id", "churned", Set.of(), ColumnTyping.MAX_CATEGORIES);
    assertThat(typing.columns()).extracting(TypedColumn::source).containsExactly("lifetime_events", "Balance", "amount_paid");
    Map<String, String> skipped =
        typing.skipped().stream().collect(Collectors.toMap(ColumnTyping.SkippedColumn::source, ColumnTyping.SkippedColumn::reason));
    assertThat(skipped.get("RowNumber")).contains("running without a gap");
    assertThat(skipped.get("CustomerNo")).contains("a row number or an identifier").doesNotContain("without a gap");
  }

  @Test
  void aColumnWithoutASingleValueIsAnErrorThatNamesIt() {
    Dataset<Row> table = table().withColumn("region", org.apache.spark.sql.functions.lit(" "));
    assertThatThrownBy(() -> ColumnTyping.infer(table, "customerID", "Churn", Set.of(), ColumnTyping.MAX_CATEGORIES))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("'region' is empty in all 24 rows")
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.DATA_ERROR));
    // --exclude leaves it out.
    ColumnTyping typing = ColumnTyping.infer(table, "customerID", "Churn", Set.of("region"), ColumnTyping.MAX_CATEGORIES);
    assertThat(typing.columns()).extracting(TypedColumn::source).doesNotContain("region");
  }

  @Test
  void scoringATableThatLacksAColumnOfTheModelNamesTheColumn() {
    ColumnTyping typing = ColumnTyping.infer(table(), "customerID", "Churn", Set.of(), ColumnTyping.MAX_CATEGORIES);
    assertThatThrownBy(() -> typing.apply(table().drop("Contract"), null))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("lacks column(s) the model reads: Contract");
  }

  @Test
  void namesAreMadeSafeAndUniqueWithoutTakingThePipelinesOwn() {
    Set<String> taken = new java.util.HashSet<>(Set.of("id"));
    assertThat(ColumnTyping.safeName("\uFEFFcustomer name", taken)).isEqualTo("customer_name");
    assertThat(ColumnTyping.safeName("customer-name", taken)).isEqualTo("customer_name_2");
    assertThat(ColumnTyping.safeName("ID", taken)).isEqualTo("ID_2");
    assertThat(ColumnTyping.safeName("2fa", taken)).isEqualTo("c_2fa");
    assertThat(ColumnTyping.safeName("probability", taken)).isEqualTo("probability_input");
    assertThat(ColumnTyping.safeName("plan_vector", taken)).isEqualTo("plan_vector_input");
  }
}
