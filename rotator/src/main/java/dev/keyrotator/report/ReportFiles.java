package dev.keyrotator.report;

import dev.keyrotator.ports.ReportFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The three files of a run report: report.json, report.csv, report.html. */
public final class ReportFiles {
  public static final String JSON = "report.json";
  public static final String CSV = "report.csv";
  public static final String HTML = "report.html";

  private ReportFiles() {}

  public static List<ReportFile> render(RunReport r) {
    return render(r, ReportSummary.of(r));
  }

  /** The three files of {@code r}, whose summary {@code s} the caller computed once. */
  public static List<ReportFile> render(RunReport r, ReportSummary s) {
    return render(r, s, PreviousReport.none());
  }

  /**
   * The three files of {@code r}; the HTML's trend compares with {@code previous} (the JSON and CSV
   * describe this run alone).
   */
  public static List<ReportFile> render(RunReport r, ReportSummary s, PreviousReport previous) {
    return List.of(
        new ReportFile(
            JSON,
            "application/json; charset=utf-8",
            JsonReport.render(r, s).getBytes(StandardCharsets.UTF_8)),
        new ReportFile(
            CSV,
            "text/csv; charset=utf-8; header=present",
            CsvReport.render(r).getBytes(StandardCharsets.UTF_8)),
        new ReportFile(
            HTML,
            "text/html; charset=utf-8",
            HtmlReport.render(r, s, previous).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Checks, before a run changes anything, that the files can be written into {@code dir}: it is
   * created if missing and a probe file is written and removed.
   *
   * @throws IllegalArgumentException naming the directory and why, when they cannot
   */
  public static void checkWritable(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".report-probe", ".tmp");
      Files.delete(probe);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "--report-dir "
              + dir
              + " cannot be written ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "); nothing was changed");
    }
  }

  /** Writes the files into {@code dir} (created if missing); returns their paths. */
  public static List<Path> writeTo(Path dir, RunReport r) throws IOException {
    return writeTo(dir, r, ReportSummary.of(r));
  }

  /** Writes the files of {@code r}, whose summary {@code s} the caller computed once. */
  public static List<Path> writeTo(Path dir, RunReport r, ReportSummary s) throws IOException {
    return writeTo(dir, r, s, PreviousReport.none());
  }

  /** Writes the files of {@code r}, the HTML with the trend against {@code previous}. */
  public static List<Path> writeTo(Path dir, RunReport r, ReportSummary s, PreviousReport previous)
      throws IOException {
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    for (ReportFile f : render(r, s, previous)) {
      Path p = dir.resolve(f.name());
      Files.write(p, f.content());
      out.add(p);
    }
    return out;
  }
}
