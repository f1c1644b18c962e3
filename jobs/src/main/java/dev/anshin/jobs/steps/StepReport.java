package dev.anshin.jobs.steps;

/**
 * What a step reports for {@code run_log}: rows written and rejected, whether it ran or was skipped
 * (for example training on a day with too little history), and a note for people.
 */
public record StepReport(long rowsWritten, long rowsRejected, String details, Outcome outcome) {

  /** How a step ended; the value of {@code run_log.outcome}. */
  public enum Outcome {
    SUCCEEDED,
    SKIPPED,
    FAILED;

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public StepReport(long rowsWritten, long rowsRejected, String details) {
    this(rowsWritten, rowsRejected, details, Outcome.SUCCEEDED);
  }

  public static StepReport skipped(String reason) {
    return new StepReport(0, 0, reason, Outcome.SKIPPED);
  }
}
