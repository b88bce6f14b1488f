package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The JSON, CSV and HTML of a fixed run equal checked-in files, so a change to any format shows in
 * review. Two more HTML files cover the branches the fixed run does not reach (an empty run, and
 * {@link ReportFixtures#edges()}). Regenerate with {@code -Dgolden.update=true}.
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

  @Test
  void htmlMatchesTheGoldenFile() throws IOException {
    check("report.html", HtmlReport.render(ReportFixtures.run()));
  }

  @Test
  void htmlOfAnEmptyRunMatchesTheGoldenFile() throws IOException {
    check("report-empty.html", HtmlReport.render(ReportFixtures.empty()));
  }

  @Test
  void htmlOfTheEdgeCasesMatchesTheGoldenFile() throws IOException {
    check("report-edges.html", HtmlReport.render(ReportFixtures.edges()));
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
