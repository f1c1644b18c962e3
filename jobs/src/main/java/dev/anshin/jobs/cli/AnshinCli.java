package dev.anshin.jobs.cli;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `anshin` command: every pipeline step and tool is a subcommand. */
@Command(
    name = "anshin",
    mixinStandardHelpOptions = true,
    versionProvider = AnshinCli.Version.class,
    description = {
      "Anshin: the nightly Customer Reliability Engineering data job for Apache Spark.",
      "Run `anshin demo` for the whole job on a synthetic world, or `anshin COMMAND --help`."
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      StepCommands.Ingest.class,
      StepCommands.Features.class,
      StepCommands.Analytics.class,
      StepCommands.Train.class,
      StepCommands.Score.class,
      StepCommands.Traceability.class,
      StepCommands.Publish.class,
      StepCommands.Report.class,
      StepCommands.Maintain.class,
      NightlyCommand.class,
      CompareCommand.class,
      SqlCommand.class,
      RetentionCommand.class,
      ChurnCommand.class,
    })
public final class AnshinCli {
  private static final Logger LOG = LoggerFactory.getLogger(AnshinCli.class);

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code instead of exiting, for tests. */
  public static int run(String... args) {
    CommandLine commandLine = commandLine();
    return commandLine.execute(args);
  }

  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new AnshinCli());
    // Commands other modules add when they are on the class path (the demo module: generate, demo, evaluate).
    for (CommandExtension extension : ServiceLoader.load(CommandExtension.class)) {
      extension.commands().forEach(commandLine::addSubcommand);
    }
    commandLine.setExitCodeExceptionMapper(AnshinCli::exitCodeOf);
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          AnshinException known = knownCause(exception);
          if (known != null) {
            cmd.getErr().println("anshin " + cmd.getCommandName() + ": " + known.getMessage());
            return known.exitCode();
          }
          LOG.error("{} failed", cmd.getCommandName(), exception);
          cmd.getErr()
              .println(
                  "anshin "
                      + cmd.getCommandName()
                      + ": internal error: "
                      + exception
                      + " (see the log above; please report it)");
          return ExitCodes.INTERNAL;
        });
    commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine cmd = exception.getCommandLine();
          cmd.getErr().println("anshin: " + exception.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(exception, cmd.getErr());
          cmd.getErr().println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
          return ExitCodes.USAGE;
        });
    // The descriptions are written in lines of up to 110 characters; 80 columns (picocli's width when it
    // cannot see a terminal, as in a scheduler's log) broke each of them in two.
    commandLine.setUsageHelpWidth(120);
    commandLine.setUsageHelpAutoWidth(true);
    return commandLine;
  }

  private static int exitCodeOf(Throwable exception) {
    AnshinException known = knownCause(exception);
    return known != null ? known.exitCode() : ExitCodes.INTERNAL;
  }

  /**
   * The failure a user can act on behind {@code exception}, if any. A Delta write conflict (another
   * writer committed to the same table first) is one: the transaction was not committed, and a
   * retry succeeds once the other writer is done. An unreadable file is another: bad data.
   */
  static AnshinException knownCause(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof AnshinException known) {
        return known;
      }
      if (t instanceof org.apache.spark.sql.delta.DeltaConcurrentModificationException conflict) {
        return new AnshinException(ExitCodes.TEMPFAIL,
            "another writer changed a table this run was committing to, and nothing of this commit was written ("
                + conflict.getClass().getSimpleName() + "); retry. Runs of anshin take the lakehouse lock, so"
                + " look for another program writing to the lakehouse.", conflict);
      }
      if (t instanceof org.apache.spark.SparkThrowable spark && spark.getCondition() != null) {
        switch (spark.getCondition()) {
          // A file that is not what its format says (a truncated or mislabelled export): the data's fault.
          case "FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER", "FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH" -> {
            return new AnshinException(ExitCodes.DATA_ERROR, "cannot read a file: " + t.getMessage(), t);
          }
          // A file that went away while the run read it: the export is being replaced; retry once it has landed.
          case "FAILED_READ_FILE.FILE_NOT_EXIST" -> {
            return new AnshinException(ExitCodes.NO_INPUT, "a file disappeared while it was read: " + t.getMessage(), t);
          }
          default -> {
            // Not known: a bug or an unexpected failure.
          }
        }
      }
    }
    return null;
  }

  /** Reads the version Maven wrote into the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = AnshinCli.class.getPackage().getImplementationVersion();
      return new String[] {"anshin " + (version == null ? "(development build)" : version)};
    }
  }
}
