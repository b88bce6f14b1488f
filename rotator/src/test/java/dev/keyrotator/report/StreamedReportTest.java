package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report whose accounts went to disk ({@link SpilledAccounts}), written by the streaming writers,
 * is byte for byte the golden files of the same report in memory; a merge of parts taken one at a
 * time equals the whole run; the files written straight to disk are the rendered ones.
 */
class StreamedReportTest {

  /** {@code r} with every account on disk (no user kept in memory). */
  static RunReport spilled(RunReport r) {
    try (SpilledAccounts.Builder<Integer> b = new SpilledAccounts.Builder<>(0)) {
      for (int i = 0; i < r.accounts().size(); i++) {
        b.put(i, r.accounts().get(i));
      }
      assertThat(b.spilled()).isEqualTo(!r.accounts().isEmpty());
      return r.withAccounts(b.build());
    }
  }

  @Test
  void aSpilledReportIsTheSameReport() {
    RunReport r = ReportFixtures.run();
    RunReport s = spilled(r);

    assertThat(s.accounts()).isInstanceOf(SpilledAccounts.class);
    assertThat(s).isEqualTo(r);
    assertThat(ReportSummary.of(s)).isEqualTo(ReportSummary.of(r));
    assertThat(RunFindings.of(s)).isEqualTo(RunFindings.of(r));
  }

  @Test
  void aSpilledReportWritesTheGoldenFiles() throws IOException {
    RunReport r = spilled(ReportFixtures.run());
    assertThat(JsonReport.render(r)).isEqualTo(golden("report.json"));
    assertThat(CsvReport.render(r)).isEqualTo(golden("report.csv"));
    assertThat(
            HtmlReport.render(
                r,
                ReportSummary.of(r),
                PreviousReport.of(ReportFixtures.previous(), ReportFixtures.PREVIOUS_URI)))
        .isEqualTo(golden("report.html"));
    RunReport edges = spilled(ReportFixtures.edges());
    assertThat(
            HtmlReport.render(
                edges,
                ReportSummary.of(edges),
                PreviousReport.unusable(
                    "out/report.json",
                    "out/report.json could not be read: not a run report <of> \"schema\" 0")))
        .isEqualTo(golden("report-edges.html"));
  }

  @Test
  void theFilesWrittenToADirectoryAreTheRenderedOnes(@TempDir Path dir) throws IOException {
    RunReport r = spilled(ReportFixtures.run());
    ReportSummary s = ReportSummary.of(r);
    List<Path> written = ReportFiles.writeTo(dir, r, s);
    var rendered = ReportFiles.render(r, s);
    assertThat(written).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(written.get(i).getFileName().toString()).isEqualTo(rendered.get(i).name());
      assertThat(Files.readAllBytes(written.get(i))).isEqualTo(rendered.get(i).content());
    }
    assertThat(new String(rendered.get(0).content(), StandardCharsets.UTF_8))
        .isEqualTo(golden("report.json"));
  }

  @Test
  void aReportReadBackLargerThanMemoryHoldsIsTheSameReport() {
    RunReport r = ReportFixtures.run();
    RunReport read = JsonReport.parse(JsonReport.render(r), "test");
    assertThat(read).isEqualTo(r);
  }

  /** The run cut into parts of one account each, merged one part at a time, is the whole run. */
  @Test
  void aMergeOfPartsTakenOneAtATimeEqualsTheWholeRun() {
    RunReport whole = ReportFixtures.run();
    List<RunReport> parts = new ArrayList<>();
    for (int i = 0; i < whole.accounts().size(); i++) {
      RunReport part = whole.withAccounts(List.of(whole.accounts().get(i)));
      if (i > 0) {
        // the calls are the parts' sum: all in the first part here
        part =
            new RunReport(
                part.runId(),
                part.startedAt(),
                part.finishedAt(),
                part.mode(),
                part.policySource(),
                part.policySha256(),
                part.accounts(),
                Map.of());
      }
      parts.add(ReportMerge.parse(ReportMerge.render(part), "part " + i));
    }
    ReportMerge.Result merged;
    try (ReportMerge.Merger m = new ReportMerge.Merger(whole.runId(), 0)) {
      // in name order (the first account id), as the merge step lists them
      for (int i = parts.size() - 1; i >= 0; i--) {
        m.add(String.format("%02d.json", parts.size() - i), parts.get(i));
      }
      merged = m.result();
    }

    assertThat(merged.problems()).isEmpty();
    assertThat(merged.report().accounts()).isInstanceOf(SpilledAccounts.class);
    List<String> ids = merged.report().accounts().stream().map(AccountReport::accountId).toList();
    assertThat(ids).isSorted();
    RunReport sortedWhole =
        whole.withAccounts(
            whole.accounts().stream()
                .sorted(java.util.Comparator.comparing(AccountReport::accountId))
                .toList());
    assertThat(JsonReport.render(merged.report())).isEqualTo(JsonReport.render(sortedWhole));
    assertThat(CsvReport.render(merged.report())).isEqualTo(CsvReport.render(sortedWhole));
    assertThat(HtmlReport.render(merged.report())).isEqualTo(HtmlReport.render(sortedWhole));
  }

  @Test
  void anAccountInTwoPartsIsKeptFromTheFirst() {
    RunReport whole = ReportFixtures.run();
    RunReport one = whole.withAccounts(List.of(whole.accounts().get(0)));
    try (ReportMerge.Merger m = new ReportMerge.Merger(whole.runId(), 0)) {
      m.add("a.json", one);
      m.add("b.json", one);
      ReportMerge.Result r = m.result();
      assertThat(r.report().accounts()).hasSize(1);
      assertThat(r.problems())
          .singleElement()
          .asString()
          .contains("is in parts a.json and b.json; kept the first");
    }
  }

  private static String golden(String name) throws IOException {
    return Files.readString(ReportGoldenTest.DIR.resolve(name));
  }
}
