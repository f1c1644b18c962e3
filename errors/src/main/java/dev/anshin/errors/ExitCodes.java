package dev.anshin.errors;

/**
 * Process exit codes, from BSD's sysexits.h, so that a scheduler can tell a retryable failure from
 * one that needs a person. Documented in docs/operations.md.
 */
public final class ExitCodes {
  public static final int OK = 0;
  /** The command line was wrong: unknown option, bad value. Fix the call. */
  public static final int USAGE = 64;
  /** Input data broke a rule the run cannot work around (for example, no account survived validation). */
  public static final int DATA_ERROR = 65;
  /** A configured source, table or file is missing or unreadable. Retry once the upstream export lands. */
  public static final int NO_INPUT = 66;
  /** A bug or an unexpected failure inside Anshin or Spark. */
  public static final int INTERNAL = 70;
  /** An output file could not be written (the report's folder is not writable, the disk is full). */
  public static final int CANT_CREATE = 73;
  /**
   * A temporary failure: another run holds the lakehouse's lock, or a concurrent writer changed a
   * table this run was committing to. Retry later; nothing was left half-written.
   */
  public static final int TEMPFAIL = 75;
  /** The configuration file is invalid: the message names the key and the bad value. */
  public static final int CONFIG = 78;

  private ExitCodes() {}
}
