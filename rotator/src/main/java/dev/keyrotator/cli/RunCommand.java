package dev.keyrotator.cli;

import com.google.inject.Injector;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RotationService;
import dev.keyrotator.run.RunIds;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.wiring.Injectors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run} and {@code plan}: one pass over the organization. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Rotate keys across the organization as the policy says.")
class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OrganizationOptions org;

  @Option(
      names = "--accounts",
      split = ",",
      paramLabel = "ID",
      description = "Only these accounts (they must be ACTIVE accounts of the organization).")
  List<String> accounts = List.of();

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description = "Force a mode on every account: enforce, dry-run or report-only.")
  String mode;

  @Option(names = "--json", description = "Print the JSON report instead of tables.")
  boolean json;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description = "Also write the report here: JSON, CSV and HTML files.")
  Path reportDir;

  @Option(
      names = "--max-minutes",
      paramLabel = "N",
      description = "Stop starting new users after N minutes; what is left is reported.")
  Integer maxMinutes;

  @Option(
      names = "--deliver",
      description =
          "Deliver the report of a dry run too (report bucket and summary topic); a"
              + " dry run writes and publishes nothing without it.")
  boolean deliver;

  @Option(
      names = "--progress",
      negatable = true,
      description =
          "Progress lines on stderr (accounts done of total, users of a long account,"
              + " elapsed). Default: on when stderr is a terminal.")
  Boolean progressLines;

  boolean planOnly() {
    return false;
  }

  @Override
  public Integer call() {
    Optional<Mode> modeOverride =
        mode == null ? Optional.empty() : Optional.of(Mode.fromLabel(mode));
    if (planOnly() && modeOverride.isPresent()) {
      throw new IllegalArgumentException(
          "plan never changes or sends anything, so --mode has no effect on it: use run --mode "
              + mode
              + " to run in that mode, or plan alone to see what run would do");
    }
    if (maxMinutes != null && maxMinutes < 1) {
      throw new IllegalArgumentException("--max-minutes must be at least 1, got " + maxMinutes);
    }
    PolicyFile file = org.loadPolicy();
    Clock clock = org.clock();
    Deadline deadline =
        maxMinutes == null
            ? Deadline.none()
            : Deadline.at(clock, clock.instant().plus(Duration.ofMinutes(maxMinutes)));
    RunRequest request =
        new RunRequest(
            RunIds.next(clock),
            modeOverride,
            new LinkedHashSet<>(accounts),
            planOnly(),
            deadline,
            Optional.ofNullable(reportDir),
            deliver);
    PrintWriter err = spec.commandLine().getErr();
    boolean showProgress =
        !json && (progressLines != null ? progressLines : System.console() != null);
    Progress progress = showProgress ? Progress.log() : Progress.silent();
    Injector injector = org.injector(file, clock, progress, !planOnly());
    RotationService.RunResult result;
    try {
      result = injector.getInstance(RotationService.class).run(request);
    } catch (AwsCallException e) {
      err.println("error: the organization could not be read: " + e.getMessage());
      return ExitCodes.FAILED;
    } finally {
      Injectors.close(injector);
    }
    print(result, err);
    return result.partial() ? ExitCodes.PARTIAL_FAILURE : ExitCodes.OK;
  }

  private void print(RotationService.RunResult result, PrintWriter err) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(JsonReport.render(result.report(), result.summary()));
      out.flush();
    } else {
      ReportPrinter.print(out, result.report());
    }
    result.problems().forEach(p -> err.println("error: " + p));
    result
        .delivery()
        .ifPresent(
            d -> {
              d.files().forEach(f -> err.println("report delivered: " + f.uri()));
              d.problems().forEach(p -> err.println("error: report delivery: " + p));
            });
    err.flush();
  }
}
