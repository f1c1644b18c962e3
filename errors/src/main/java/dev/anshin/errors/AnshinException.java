package dev.anshin.errors;

/**
 * A failure a user can act on: says what is wrong and how to fix it, and carries the exit code the
 * process ends with. Anything else that escapes a command is a bug and exits with {@link
 * ExitCodes#INTERNAL}.
 */
public class AnshinException extends RuntimeException {
  private final int exitCode;

  public AnshinException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public AnshinException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  public static AnshinException missingInput(String message) {
    return new AnshinException(ExitCodes.NO_INPUT, message);
  }

  public static AnshinException badConfig(String message) {
    return new AnshinException(ExitCodes.CONFIG, message);
  }

  public static AnshinException badData(String message) {
    return new AnshinException(ExitCodes.DATA_ERROR, message);
  }

  /** A failure that a retry may fix (a server that is down, a lock held by another run): exit 75. */
  public static AnshinException temporary(String message, Throwable cause) {
    return new AnshinException(ExitCodes.TEMPFAIL, message, cause);
  }

  /** An output file that cannot be written: exit 73. */
  public static AnshinException cannotCreate(String message, Throwable cause) {
    return new AnshinException(ExitCodes.CANT_CREATE, message, cause);
  }

  public static AnshinException usage(String message) {
    return new AnshinException(ExitCodes.USAGE, message);
  }
}
