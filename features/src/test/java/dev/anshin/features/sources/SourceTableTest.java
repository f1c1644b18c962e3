package dev.anshin.features.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class SourceTableTest {

  @Test
  void everySourceNamesItsIdAmongItsRequiredColumns() {
    for (SourceTable source : SourceTable.values()) {
      assertThat(source.columns())
          .as(source.tableName())
          .anySatisfy(
              c -> {
                assertThat(c.name()).isEqualTo(source.idColumn());
                assertThat(c.required()).isTrue();
              });
    }
  }

  @Test
  void eventSourcesHaveAnEventDayAndVersionedSourcesDoNot() {
    for (SourceTable source : SourceTable.values()) {
      assertThat(source.eventDateColumn().isPresent())
          .as(source.tableName())
          .isEqualTo(source.kind() == SourceTable.Kind.EVENT);
    }
  }

  @Test
  void rawSchemaHasTheSameColumnsAllAsStrings() {
    var raw = SourceTable.INVOICES.rawSchema();
    assertThat(raw.fieldNames()).containsExactly(SourceTable.INVOICES.schema().fieldNames());
    assertThat(raw.fields()).allSatisfy(f -> assertThat(f.dataType()).isEqualTo(DataTypes.StringType));
  }

  @Test
  void unknownSourceNameIsAClearError() {
    assertThatThrownBy(() -> SourceTable.byName("usage"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown source 'usage'")
        .hasMessageContaining("usage_events");
  }
}
