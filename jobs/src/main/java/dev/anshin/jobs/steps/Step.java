package dev.anshin.jobs.steps;

import java.time.LocalDate;

/**
 * One step of the pipeline, the contract every command and the nightly share: compute this step's
 * tables for the dates [from, to] from what was delivered by each date's end, replacing exactly
 * those dates, and report what was written. A step that fails leaves the tables it had not
 * committed as they were; {@link PipelineContext#run} records every outcome in {@code run_log}.
 */
public interface Step {
  /** The name in logs, the Spark UI and {@code run_log}. */
  String name();

  StepReport run(PipelineContext context, LocalDate from, LocalDate to);

  /** A step from a name and a body. */
  static Step of(String name, Body body) {
    return new Step() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public StepReport run(PipelineContext context, LocalDate from, LocalDate to) {
        return body.run(context, from, to);
      }
    };
  }

  /** The work of a step. */
  @FunctionalInterface
  interface Body {
    StepReport run(PipelineContext context, LocalDate from, LocalDate to);
  }
}
