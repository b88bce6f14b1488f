package dev.keyrotator.report;

import dev.keyrotator.ports.ReportFile;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            JSON, "application/json; charset=utf-8", bytes(w -> JsonReport.write(r, s, w))),
        new ReportFile(
            CSV, "text/csv; charset=utf-8; header=present", bytes(w -> CsvReport.write(r, w))),
        new ReportFile(
            HTML, "text/html; charset=utf-8", bytes(w -> HtmlReport.write(r, s, previous, w))));
  }

  /** A writer of one file's text. */
  @FunctionalInterface
  private interface Text {
    void writeTo(Writer out) throws IOException;
  }

  /** The UTF-8 bytes {@code text} writes, encoded as it goes (no whole String on the way). */
  private static byte[] bytes(Text text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    try (Writer w = new BufferedWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8))) {
      text.writeTo(w);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render report", e);
    }
    return bytes.toByteArray();
  }

  private static void file(Path p, Text text) throws IOException {
    try (Writer w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
      text.writeTo(w);
    }
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
    List<Path> out = List.of(dir.resolve(JSON), dir.resolve(CSV), dir.resolve(HTML));
    file(out.get(0), w -> JsonReport.write(r, s, w));
    file(out.get(1), w -> CsvReport.write(r, w));
    file(out.get(2), w -> HtmlReport.write(r, s, previous, w));
    return out;
  }
}
