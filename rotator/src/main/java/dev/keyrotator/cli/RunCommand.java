package dev.keyrotator.cli;

import com.google.inject.Injector;
import dev.keyrotator.aws.AwsCallException;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.report.DeliveryResult;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.ReportFiles;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.wiring.Injectors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run} and {@code plan}: one pass over the organization. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Rotate keys across the organization as the policy says.")
class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OrganizationOptions org;

  @Option(names = "--accounts", split = ",", paramLabel = "ID",
      description = "Only these accounts (they must be ACTIVE accounts of the organization).")
  List<String> accounts = List.of();

  @Option(names = "--mode", paramLabel = "MODE",
      description = "Force a mode on every account: enforce, dry-run or report-only.")
  String mode;

  @Option(names = "--json", description = "Print the JSON report instead of tables.")
  boolean json;

  @Option(names = "--report-dir", paramLabel = "DIR",
      description = "Also write report.json, report.csv and report.html here.")
  Path reportDir;

  @Option(names = "--max-minutes", paramLabel = "N",
      description = "Stop starting new users after N minutes; what is left is reported.")
  Integer maxMinutes;

  boolean planOnly() {
    return false;
  }

  @Override
  public Integer call() throws IOException {
    Optional<Mode> modeOverride = mode == null ? Optional.empty() : Optional.of(Mode.fromLabel(mode));
    PolicyFile file = org.loadPolicy();
    Clock clock = org.clock();
    Deadline deadline = maxMinutes == null ? Deadline.none()
        : Deadline.at(clock, clock.instant().plus(Duration.ofMinutes(maxMinutes)));
    String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .format(clock.instant().atOffset(ZoneOffset.UTC)) + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    RunRequest request = new RunRequest(runId, modeOverride, new LinkedHashSet<>(accounts),
        planOnly(), deadline);
    var err = spec.commandLine().getErr();
    Progress progress = json ? Progress.silent() : line -> {
      err.println(line);
      err.flush();
    };
    Injector injector = org.injector(file, clock, progress);
    try {
      return run(file, request, injector, err);
    } finally {
      Injectors.close(injector);
    }
  }

  private int run(PolicyFile file, RunRequest request, Injector injector, PrintWriter err)
      throws IOException {
    RunReport report;
    try {
      report = injector.getInstance(Orchestrator.class).run(file, request);
    } catch (AwsCallException e) {
      err.println("error: the organization could not be read: " + e.getMessage());
      return ExitCodes.FAILED;
    }
    var out = spec.commandLine().getOut();
    if (json) {
      out.println(JsonReport.render(report));
      out.flush();
    } else {
      ReportPrinter.print(out, report);
    }
    if (reportDir != null) {
      ReportFiles.writeTo(reportDir, report);
    }
    boolean partial = report.partial();
    if (!planOnly() && ReportDelivery.configured(file.reporting())) {
      DeliveryResult delivered = injector.getInstance(ReportDelivery.class)
          .deliver(report, file.reporting());
      delivered.files().forEach(f -> err.println("report delivered: " + f.uri()));
      delivered.problems().forEach(p -> err.println("error: report delivery: " + p));
      err.flush();
      partial |= !delivered.ok();
    }
    return partial ? ExitCodes.PARTIAL_FAILURE : ExitCodes.OK;
  }
}
