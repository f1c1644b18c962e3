package dev.anshin.jobs.cli;

import dev.anshin.jobs.generate.GenerateCommand;
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
      DemoCommand.class,
      GenerateCommand.class,
      StepCommands.Ingest.class,
      StepCommands.Features.class,
      StepCommands.Train.class,
      StepCommands.Score.class,
      NightlyCommand.class,
      CompareCommand.class,
      StepCommands.Evaluate.class,
      SqlCommand.class,
      RetentionCommand.class,
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
    commandLine.setUsageHelpAutoWidth(true);
    return commandLine;
  }

  private static int exitCodeOf(Throwable exception) {
    AnshinException known = knownCause(exception);
    return known != null ? known.exitCode() : ExitCodes.INTERNAL;
  }

  private static AnshinException knownCause(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof AnshinException known) {
        return known;
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
