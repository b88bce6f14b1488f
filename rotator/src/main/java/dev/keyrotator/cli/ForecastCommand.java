package dev.keyrotator.cli;

import com.google.inject.Injector;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.report.ReportText;
import dev.keyrotator.run.Forecast;
import dev.keyrotator.run.Progress;
import dev.keyrotator.wiring.Injectors;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code forecast --days N}: what will happen each day of the coming N days. Read-only. */
@Command(
    name = "forecast",
    mixinStandardHelpOptions = true,
    description = "Show what the rotator will do each day of the coming N days (read-only).")
final class ForecastCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OrganizationOptions org;

  @Option(
      names = "--days",
      defaultValue = "30",
      paramLabel = "N",
      description = "Days ahead, at most 3650 (default: ${DEFAULT-VALUE}).")
  int days;

  @Override
  public Integer call() {
    if (days < 0 || days > 3650) {
      throw new IllegalArgumentException("--days must be between 0 and 3650, got " + days);
    }
    PolicyFile file = org.loadPolicy();
    Clock clock = org.clock();
    Injector injector = org.injector(file, clock, Progress.silent(), false);
    List<String> errors = new ArrayList<>();
    List<Forecast.Entry> entries;
    try {
      entries = injector.getInstance(Forecast.class).run(days, errors);
    } finally {
      Injectors.close(injector);
    }
    var out = spec.commandLine().getOut();
    out.printf("%-10s  %-14s %-20s %-30s %s%n", "DAY", "ACCOUNT", "USER", "DECISION", "REASON");
    for (Forecast.Entry e : entries) {
      String label = ReportText.action(e.decision());
      out.printf(
          "%-10s  %-14s %-20s %-30s %s%n",
          e.day(), e.accountId(), e.userName(), label, e.decision().reason());
    }
    if (entries.isEmpty()) {
      out.println("nothing due in the next " + days + " days");
    }
    out.flush();
    errors.forEach(spec.commandLine().getErr()::println);
    spec.commandLine().getErr().flush();
    return errors.isEmpty() ? ExitCodes.OK : ExitCodes.PARTIAL_FAILURE;
  }
}
