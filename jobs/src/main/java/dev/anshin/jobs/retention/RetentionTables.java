package dev.anshin.jobs.retention;

import dev.anshin.errors.AnshinException;
import dev.anshin.jobs.io.LakehouseLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/** Writes a retention result as a Delta table at {@code <lakehouse>/<name>}, replacing it. */
public final class RetentionTables {

  private static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]*");

  private RetentionTables() {}

  /**
   * Overwrites the table with the data, schema included, so that reruns give the same table; under
   * the lakehouse's lock, like every command that writes to it.
   */
  public static Path write(Dataset<Row> data, Path lakehouse, String name, Duration lockWait) {
    if (!TABLE_NAME.matcher(name).matches()) {
      throw AnshinException.usage(
          "--write-table '" + name + "' is not a table name: use lower-case letters, digits and _");
    }
    Path table = lakehouse.resolve(name);
    try (LakehouseLock lock = LakehouseLock.acquire(lakehouse, lockWait, "anshin retention --write-table " + name)) {
      data.write()
          .format("delta")
          .mode(SaveMode.Overwrite)
          .option("overwriteSchema", "true")
          .save(table.toString());
    }
    return table;
  }
}
