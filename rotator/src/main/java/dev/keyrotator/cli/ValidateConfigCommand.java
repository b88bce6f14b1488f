package dev.keyrotator.cli;

import dev.keyrotator.aws.Arns;
import dev.keyrotator.config.ConfigProblem;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileException;
import dev.keyrotator.config.PolicyFileLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description =
          "The region the rotator's clients will use (default: AWS_REGION or"
              + " AWS_DEFAULT_REGION): topics elsewhere are warned about.")
  String region;

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
        for (String w : regionWarnings(p, clientRegion())) {
          spec.commandLine().getErr().println(f + ": warning: " + w);
        }
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

  private Optional<String> clientRegion() {
    Map<String, String> env = ((Main) spec.root().userObject()).env();
    return Optional.ofNullable(region)
        .or(() -> Optional.ofNullable(env.get("AWS_REGION")))
        .or(() -> Optional.ofNullable(env.get("AWS_DEFAULT_REGION")))
        .filter(r -> !r.isBlank());
  }

  /**
   * Topics the rotator publishes to through one SNS client, in its region: a topic in another
   * region answers NotFound at run time.
   */
  static List<String> regionWarnings(PolicyFile p, Optional<String> clientRegion) {
    Map<String, String> topics = new LinkedHashMap<>();
    p.notifications().topicArn().ifPresent(t -> topics.put("notifications.topicArn", t));
    p.reporting().topicArn().ifPresent(t -> topics.put("reporting.topicArn", t));
    List<String> out = new ArrayList<>();
    Optional<String> reference =
        clientRegion.or(() -> topics.values().stream().findFirst().map(Arns::region));
    if (reference.isEmpty()) {
      return out;
    }
    topics.forEach(
        (field, arn) -> {
          String r = Arns.region(arn);
          if (!r.equals(reference.get())) {
            out.add(
                field
                    + " is in "
                    + r
                    + " but the rotator's SNS client "
                    + (clientRegion.isPresent()
                        ? "uses " + reference.get() + " (--region / AWS_REGION)"
                        : "is in one region and the other topic is in " + reference.get())
                    + ": publishing would fail with NotFound; put the topics in the client's"
                    + " region");
          }
        });
    return out;
  }
}
