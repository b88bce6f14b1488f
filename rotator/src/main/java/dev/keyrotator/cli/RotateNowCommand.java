package dev.keyrotator.cli;

import com.google.inject.Injector;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RotateNow;
import dev.keyrotator.run.RotationService;
import dev.keyrotator.run.RunIds;
import dev.keyrotator.wiring.Injectors;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rotate-now}: replace one user's key now and deactivate the old one at once, or after N
 * days ({@code --deactivate after:N}).
 */
@Command(
    name = "rotate-now",
    mixinStandardHelpOptions = true,
    description =
        "Replace one user's access key now (new key stored, owner and security topic told) and"
            + " deactivate the old key at once, even if it is in use.")
class RotateNowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OrganizationOptions org;

  @Option(names = "--account", required = true, paramLabel = "ID", description = "The account.")
  String account;

  @Option(names = "--user", required = true, paramLabel = "NAME", description = "The IAM user.")
  String user;

  @Option(
      names = "--key",
      paramLabel = "AKIA...",
      description = "The key to replace (it must be the user's); default: its newest active key.")
  String key;

  @Option(
      names = "--deactivate",
      paramLabel = "WHEN",
      defaultValue = "now",
      description =
          "When the old key is deactivated: now (the default), or after:N (N days from 1 to 30:"
              + " the old key stays active that long, then the first run after it deactivates it,"
              + " even if it is in use).")
  String deactivate;

  @Option(
      names = "--reason",
      paramLabel = "WORD",
      defaultValue = "manual",
      description = "Why, in a word, said in every message (default manual; exposed for a leak).")
  String reason;

  @Option(names = "--dry-run", description = "Show what would be done; change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the JSON report instead of tables.")
  boolean json;

  @Override
  public Integer call() {
    OptionalInt after = RotateNow.Request.parseDeactivate("--deactivate", deactivate);
    PolicyFile file = org.loadPolicy();
    Clock clock = org.clock();
    RotateNow.Request request =
        new RotateNow.Request(
            RunIds.next(clock), account, user, Optional.ofNullable(key), dryRun, reason, after);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Injector injector = org.injector(file, clock, Progress.silent(), !dryRun);
    RotateNow.Result result;
    RotationService.RunResult run;
    try {
      RotationService.RotateNowResult done =
          injector.getInstance(RotationService.class).rotateNow(request);
      result = done.rotation();
      run = done.run();
    } catch (AwsCallException e) {
      err.println("error: rotate-now failed: " + e.getMessage());
      return ExitCodes.FAILED;
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return ExitCodes.FAILED;
    } finally {
      Injectors.close(injector);
    }
    if (json) {
      out.println(JsonReport.render(result.report()));
    } else {
      ReportPrinter.print(out, result.report());
    }
    out.flush();
    if (result.exempt()) {
      err.println(
          "rotate-now: user "
              + user
              + " is exempt: nothing was changed; the security topic was told");
    } else if (result.user().decisions().stream().noneMatch(d -> d.action().mutating())) {
      err.println(
          "rotate-now: "
              + result.user().decisions().stream()
                  .map(d -> d.reason())
                  .findFirst()
                  .orElse("nothing to do"));
    } else if (result.user().failed()) {
      err.println("error: rotate-now of key " + result.keyId() + " failed; see the report");
    } else if (result.deactivateBy().isPresent()) {
      err.println(
          "rotate-now: key "
              + result.keyId()
              + (dryRun ? " would be replaced (dry run)" : " replaced")
              + "; it stays active until "
              + result.deactivateBy().get()
              + ", then the first run after that deactivates it");
    } else {
      err.println(
          "rotate-now: key "
              + result.keyId()
              + (dryRun
                  ? " would be replaced and deactivated (dry run)"
                  : " replaced and deactivated"));
    }
    run.delivery()
        .ifPresent(
            d -> {
              d.files().forEach(f -> err.println("report delivered: " + f.uri()));
              d.problems().forEach(p -> err.println("error: report delivery: " + p));
            });
    run.problems().forEach(p -> err.println("error: " + p));
    err.flush();
    return result.notDone() ? ExitCodes.PARTIAL_FAILURE : ExitCodes.OK;
  }
}
