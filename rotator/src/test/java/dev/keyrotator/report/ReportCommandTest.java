package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report FILE}: the summary of a saved report.json. */
class ReportCommandTest {
  @TempDir Path tmp;

  @Test
  void printsTheSummaryOfASavedReport() throws Exception {
    Path f = tmp.resolve("report.json");
    Files.writeString(f, JsonReport.render(ReportFixtures.run()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit =
        new Main(new PrintWriter(out), new PrintWriter(err), Map.of()).run("report", f.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("Run " + ReportFixtures.RUN_ID)
        .contains("Accounts: 5, 2 done, 1 dry-run, 1 skipped, 1 failed")
        .contains("Compliance after the run: 8 active keys, 2 past the deactivate age (1 exempt)")
        .contains("555555555555 sandbox-experiments: FAILED")
        .contains("Next actions due within 30 days");
  }

  @Test
  void detailsAddEveryDecision() throws Exception {
    Path f = tmp.resolve("report.json");
    Files.writeString(f, JsonReport.render(ReportFixtures.run()));
    StringWriter out = new StringWriter();
    int exit =
        new Main(new PrintWriter(out), new PrintWriter(new StringWriter()), Map.of())
            .run("report", "--details", f.toString());
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("DEACTIVATE_KEY").contains("WARN(STILL_IN_USE)");
  }

  @Test
  void aFileThatIsNotAReportIsAUsageError() throws Exception {
    Path f = tmp.resolve("other.json");
    Files.writeString(f, "{\"schemaVersion\": 99, \"report\": {}}");
    StringWriter err = new StringWriter();
    int exit =
        new Main(new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of())
            .run("report", f.toString());
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("schema version");
    assertThat(
            new Main(
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()),
                    Map.of())
                .run("report", tmp.resolve("missing.json").toString()))
        .isEqualTo(2);
  }
}
