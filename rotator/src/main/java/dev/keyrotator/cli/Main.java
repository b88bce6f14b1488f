package dev.keyrotator.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.keyrotator.config.PolicyFileException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The command line. {@link #main} is the only place that exits the JVM; {@link #run} returns the
 * exit code and writes to the writers it is given, so tests call it directly.
 */
@Command(
    name = "rotator",
    mixinStandardHelpOptions = true,
    version = "org-key-rotator 0.1.0",
    description = "Rotates IAM user access keys across an AWS Organization.",
    subcommands = {
      PlanCommand.class,
      RunCommand.class,
      ForecastCommand.class,
      ValidateConfigCommand.class,
      CredentialsCommand.class,
      ExplainCommand.class,
      ReportCommand.class,
      RotateNowCommand.class
    })
public final class Main {

  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> env;

  public Main(PrintWriter out, PrintWriter err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("credentials")) {
      // credential_process runs on every refresh of the workload's credentials: no logging
      // framework to configure (the provider tells its few lines on stderr itself)
      System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(new Main(out, err, System.getenv()).run(args));
  }

  /** The environment the commands read ({@code KEY_ROTATOR_*} settings, as in Lambda). */
  Map<String, String> env() {
    return env;
  }

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Also log the AWS SDK's warnings and the rotator's debug lines.")
  void verbose(boolean on) {
    if (on) {
      ((Logger) LoggerFactory.getLogger("software.amazon.awssdk")).setLevel(Level.WARN);
      ((Logger) LoggerFactory.getLogger("dev.keyrotator")).setLevel(Level.DEBUG);
    }
  }

  public int run(String... args) {
    CommandLine cli =
        new CommandLine(this)
            .setOut(out)
            .setErr(err)
            .setUsageHelpAutoWidth(true)
            .setUsageHelpLongOptionsMaxWidth(32)
            .setExitCodeExceptionMapper(e -> ExitCodes.USAGE)
            .setParameterExceptionHandler(
                (e, given) -> {
                  e.getCommandLine()
                      .getErr()
                      .println(
                          "error: "
                              + e.getMessage()
                              + " ("
                              + e.getCommandLine().getCommandSpec().qualifiedName()
                              + " --help lists the options)");
                  return ExitCodes.USAGE;
                })
            .setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                  if (e instanceof PolicyFileException p) {
                    p.problems().forEach(commandLine.getErr()::println);
                    return ExitCodes.USAGE;
                  }
                  if (e instanceof IllegalArgumentException) {
                    commandLine.getErr().println("error: " + e.getMessage());
                    return ExitCodes.USAGE;
                  }
                  commandLine.getErr().println("error: " + e);
                  return ExitCodes.FAILED;
                });
    // "Usage: rotator run [OPTIONS]": the option list below explains each; a full synopsis
    // wraps mid-option at 80 columns.
    cli.getSubcommands()
        .values()
        .forEach(c -> c.getCommandSpec().usageMessage().abbreviateSynopsis(true));
    cli.getCommandSpec()
        .usageMessage()
        .footer(
            "",
            "Exit codes: 0 done; 1 some accounts failed; 2 bad usage or input, nothing changed;",
            "3 the run failed as a whole.");
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
