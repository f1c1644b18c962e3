package dev.anshin.jobs.steps;

import dev.anshin.jobs.warehouse.TableDocs;
import dev.anshin.jobs.warehouse.Warehouse;
import java.time.LocalDate;

/**
 * Publish: the tables people read, copied to the SQL warehouse that BI tools read ({@code
 * anshin.warehouse}): the run's dates of the per-day tables, the whole-table ones as they stand, in
 * one transaction (see {@link Warehouse}). The last step of the nightly when a warehouse is
 * configured, and {@code anshin publish} on demand.
 */
public final class PublishStep implements Step {
  public static final PublishStep STEP = new PublishStep();

  private PublishStep() {}

  @Override
  public String name() {
    return "publish";
  }

  @Override
  public StepReport run(PipelineContext context, LocalDate from, LocalDate to) {
    Warehouse warehouse =
        new Warehouse(context.config().warehouse(), TableDocs.load(), context.config().health().bands().green());
    // The run's own record so far goes to the warehouse's run_log too (this step's own is written after it).
    context.flushRunLog();
    Warehouse.Publish publish = warehouse.publish(context.lakehouse(), from, to);
    StringBuilder details = new StringBuilder();
    details.append(publish.tables().size()).append(" tables and ").append(publish.views().size())
        .append(" views to ").append(context.config().warehouse().maskedUrl()).append(" schema ")
        .append(context.config().warehouse().schema());
    publish.tables().stream()
        .filter(t -> t.replace() == dev.anshin.jobs.warehouse.PublishedTables.Replace.DATES && t.from() == null)
        .map(Warehouse.TablePublish::table)
        .reduce((a, b) -> a + ", " + b)
        .ifPresent(tables -> details.append("; history through ").append(to).append(" sent to the new tables ").append(tables));
    if (!publish.missing().isEmpty()) {
      details.append("; not in the lakehouse yet: ").append(String.join(", ", publish.missing()));
    }
    return new StepReport(publish.rows(), 0, details.toString());
  }
}
