package dev.anshin.models.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import dev.anshin.testing.SparkTestBase;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class BinaryLabelTest extends SparkTestBase {

  private Dataset<Row> labels(DataType type, Object... values) {
    List<Row> rows = Arrays.stream(values).map(v -> RowFactory.create(v)).toList();
    return spark.createDataFrame(rows, new StructType().add("churn", type));
  }

  private List<Double> asDouble(BinaryLabel label, Dataset<Row> table) {
    return table.select(label.asDouble(table)).collectAsList().stream().map(r -> r.getDouble(0)).toList();
  }

  @Test
  void theObviousPositiveIsInferredFromYesNoAndOneZeroWhateverTheType() {
    Dataset<Row> text = labels(DataTypes.StringType, "Yes", " no", "YES");
    BinaryLabel yes = BinaryLabel.infer(text, "churn", null);
    assertThat(yes.positive()).isEqualTo("yes");
    assertThat(asDouble(yes, text)).containsExactly(1.0, 0.0, 1.0);

    Dataset<Row> integers = labels(DataTypes.IntegerType, 0, 1, 1);
    assertThat(asDouble(BinaryLabel.infer(integers, "churn", null), integers)).containsExactly(0.0, 1.0, 1.0);

    Dataset<Row> decimals = labels(DataTypes.StringType, "1.0", "0.0", "0");
    BinaryLabel one = BinaryLabel.infer(decimals, "churn", null);
    assertThat(one.positive()).isEqualTo("1");
    assertThat(asDouble(one, decimals)).containsExactly(1.0, 0.0, 0.0);
  }

  @Test
  void otherValuesNeedPositiveAndPositiveMustBeOneOfThem() {
    Dataset<Row> table = labels(DataTypes.StringType, "Lost", "Kept", "Kept");
    assertThatThrownBy(() -> BinaryLabel.infer(table, "churn", null))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("kept or lost; name it with --positive");
    assertThat(asDouble(BinaryLabel.infer(table, "churn", "Lost"), table)).containsExactly(1.0, 0.0, 0.0);
    assertThatThrownBy(() -> BinaryLabel.infer(table, "churn", "churned"))
        .isInstanceOf(AnshinException.class)
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining("holds kept and lost");
  }

  @Test
  void aLabelWithMoreThanTwoValuesOrEmptyRowsIsBadData() {
    assertThatThrownBy(() -> BinaryLabel.infer(labels(DataTypes.StringType, "yes", "no", "maybe"), "churn", null))
        .isInstanceOf(AnshinException.class)
        .satisfies(e -> assertThat(((AnshinException) e).exitCode()).isEqualTo(ExitCodes.DATA_ERROR))
        .hasMessageContaining("3 distinct values (maybe, no, yes)");
    assertThatThrownBy(() -> BinaryLabel.infer(labels(DataTypes.StringType, "yes", " ", null, "no"), "churn", null))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("empty in 2 of 4 rows");
    assertThatThrownBy(() -> BinaryLabel.infer(labels(DataTypes.StringType, "yes"), "label", null))
        .isInstanceOf(AnshinException.class)
        .hasMessageContaining("the label column 'label' is not in the table; its columns are churn");
  }
}
