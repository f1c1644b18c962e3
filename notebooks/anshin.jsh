// Anshin's notebook setup, loaded by the first cell of every notebook here, after Anshin's jar (whose
// manifest names every dependency in its lib/ folder):
//   %jar ../jobs/target/anshin.jar
//   %load anshin.jsh
// a local Spark session with Delta Lake over the lakehouse, every table registered as a SQL view of
// its own name, the latest date, the versioned sources as known on it (accounts_known, ...), and helpers. The lakehouse is $ANSHIN_LAKEHOUSE, else the
// demo's (<anshin home>/lakehouse). notebooks/run.sh installs the kernel that runs this.
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.*;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import dev.anshin.jobs.SparkSessions;
import dev.anshin.jobs.config.AnshinConfig;
import dev.anshin.jobs.io.Lakehouse;
import dev.anshin.features.sources.Versions;

// The kernel turns java.util.logging up to FINEST, which breaks Spark's code generator (Janino);
// the logger holds its level only while someone holds a reference to it, hence the variable.
var codeGeneratorLog = java.util.logging.Logger.getLogger("org.codehaus");
codeGeneratorLog.setLevel(java.util.logging.Level.WARNING);

var lakehousePath = Path.of(Optional.ofNullable(System.getenv("ANSHIN_LAKEHOUSE"))
    .orElse(System.getProperty("anshin.home", "..") + "/lakehouse")).toAbsolutePath().normalize();
SparkSession spark = SparkSessions.create(AnshinConfig.load(null).spark(), "anshin-notebook");
spark.sparkContext().setLogLevel("WARN");
var lakehouse = new Lakehouse(spark, lakehousePath);
var tables = lakehouse.registerViews();
LocalDate latest = spark.sql("SELECT max(as_of_date) FROM customer_features").first().getDate(0).toLocalDate();
// (What a loaded script prints does not reach the notebook: the next cell prints what was loaded.)

/**
 * Registers accounts_known, subscriptions_known, invoices_known and tickets_known: each record of
 * those versioned sources as last delivered by the end of {@code day}, as the nightly of that day
 * saw it (the tables themselves keep every delivered version).
 */
void registerKnownOn(LocalDate day) {
  Map.of("accounts", "account_id", "subscriptions", "subscription_id", "invoices", "invoice_id", "tickets", "ticket_id")
      .forEach((source, id) -> Versions.latest(spark.table(source), id, day).createOrReplaceTempView(source + "_known"));
}
registerKnownOn(latest);

/** Runs a query and returns its rows as a Dataset. */
Dataset<Row> q(String query) {
  return spark.sql(query);
}

/** Runs a query and prints up to 40 of its rows as a table. */
void show(String query) {
  spark.sql(query).show(40, false);
}

/** Fails the cell (and notebooks/run.sh) when an invariant of the tables does not hold. */
void check(boolean holds, String what) {
  if (!holds) {
    throw new IllegalStateException("check failed: " + what);
  }
}
