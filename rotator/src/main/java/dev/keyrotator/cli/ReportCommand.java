package dev.keyrotator.cli;

import dev.keyrotator.report.JsonReport;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.SummaryText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code report FILE}: the summary of a saved JSON run report (report.json). */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Print a summary of a saved run report (report.json): totals, compliance,"
            + " accounts not processed, next actions due.")
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "A report.json written by run.")
  Path file;

  @Option(names = "--details", description = "Also print every account and decision.")
  boolean details;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no such report file: " + file);
    }
    RunReport report = JsonReport.read(file);
    PrintWriter out = spec.commandLine().getOut();
    out.print(SummaryText.render(report));
    if (details) {
      out.println();
      ReportPrinter.print(out, report);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
