package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The JSON, CSV and HTML of a fixed run equal checked-in files, so a change to any format shows in
 * review; its HTML compares with {@link ReportFixtures#previous()}. Two more HTML files cover the
 * branches the fixed run does not reach (an empty run with no previous report, and {@link
 * ReportFixtures#edges()} with one that could not be read). Regenerate with {@code
 * -Dgolden.update=true}.
 */
class ReportGoldenTest {
  static final Path DIR = Path.of("src/test/resources/report/golden");

  @Test
  void jsonMatchesTheGoldenFile() throws IOException {
    check("report.json", JsonReport.render(ReportFixtures.run()));
  }

  @Test
  void csvMatchesTheGoldenFile() throws IOException {
    check("report.csv", CsvReport.render(ReportFixtures.run()));
  }

  /** The fixed run with the trend against the run a week before it. */
  @Test
  void htmlMatchesTheGoldenFile() throws IOException {
    RunReport r = ReportFixtures.run();
    check(
        "report.html",
        HtmlReport.render(
            r,
            ReportSummary.of(r),
            PreviousReport.of(ReportFixtures.previous(), ReportFixtures.PREVIOUS_URI)));
  }

  @Test
  void htmlOfAnEmptyRunMatchesTheGoldenFile() throws IOException {
    check("report-empty.html", HtmlReport.render(ReportFixtures.empty()));
  }

  @Test
  void htmlOfTheEdgeCasesMatchesTheGoldenFile() throws IOException {
    RunReport r = ReportFixtures.edges();
    check(
        "report-edges.html",
        HtmlReport.render(
            r,
            ReportSummary.of(r),
            PreviousReport.unusable(
                "out/report.json",
                "out/report.json could not be read: not a run report <of> \"schema\" 0")));
  }

  @Test
  void jsonReadsBackToTheSameReport() throws IOException {
    RunReport r = ReportFixtures.run();
    Path f = Files.createTempFile("report", ".json");
    Files.writeString(f, JsonReport.render(r));
    assertThat(JsonReport.read(f)).isEqualTo(r);
  }

  private static void check(String name, String actual) throws IOException {
    Path golden = DIR.resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(DIR);
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file %s (regenerate with -Dgolden.update=true)", golden).exists();
    assertThat(actual).isEqualTo(Files.readString(golden));
  }
}
