package dev.keyrotator.cli;

import dev.keyrotator.config.ConfigProblem;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileException;
import dev.keyrotator.config.PolicyFileLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code validate-config FILE...}: checks policy files; exit 2 names each problem's line. */
@Command(
    name = "validate-config",
    mixinStandardHelpOptions = true,
    description = "Check policy files. Prints each problem as FILE:LINE: FIELD: MESSAGE.")
final class ValidateConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy files (YAML or JSON).")
  List<Path> files;

  @Override
  public Integer call() {
    int exit = ExitCodes.OK;
    for (Path f : files) {
      try {
        PolicyFile p = PolicyFileLoader.load(f);
        spec.commandLine()
            .getOut()
            .printf(
                "%s: valid (%d override%s, sha256 %s)%n",
                f,
                p.overrides().size(),
                p.overrides().size() == 1 ? "" : "s",
                p.sha256().substring(0, 12));
      } catch (PolicyFileException e) {
        exit = ExitCodes.USAGE;
        for (ConfigProblem problem : e.problems()) {
          spec.commandLine().getErr().println(problem);
        }
      }
    }
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().flush();
    return exit;
  }
}
