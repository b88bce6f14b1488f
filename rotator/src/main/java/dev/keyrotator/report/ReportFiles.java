package dev.keyrotator.report;

import dev.keyrotator.ports.ReportFile;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
        file(JSON, "application/json; charset=utf-8", w -> JsonReport.write(r, s, w)),
        file(CSV, "text/csv; charset=utf-8; header=present", w -> CsvReport.write(r, w)),
        file(HTML, "text/html; charset=utf-8", w -> HtmlReport.write(r, s, previous, w)));
  }

  /** A writer of one file's text. */
  @FunctionalInterface
  private interface Text {
    void writeTo(Writer out) throws IOException;
  }

  /**
   * Files of the report past this size go to a temporary file rather than memory: the report of a
   * large organization (~0.8 KB per user in each file; 400 MB of JSON at 500,000 users) is uploaded
   * from disk (README "Limits").
   */
  static final int MEMORY_BYTES = 8 << 20;

  /** The file {@code text} writes, encoded as it goes; in memory, or on disk past a size. */
  private static ReportFile file(String name, String contentType, Text text) {
    SpillingOutput out = new SpillingOutput(MEMORY_BYTES);
    try (Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
      text.writeTo(w);
    } catch (IOException | RuntimeException e) {
      out.discard();
      throw e instanceof IOException io
          ? new UncheckedIOException("cannot render report", io)
          : (RuntimeException) e;
    }
    return out.file()
        .map(p -> ReportFile.onDisk(name, contentType, p))
        .orElseGet(() -> new ReportFile(name, contentType, out.bytes()));
  }

  /** Bytes in memory up to a limit, then a temporary file with all of them. */
  private static final class SpillingOutput extends OutputStream {
    private final int limit;
    private ByteArrayOutputStream memory = new ByteArrayOutputStream(1 << 16);
    private OutputStream disk;
    private Path file;

    SpillingOutput(int limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (disk == null && memory.size() + len > limit) {
        file = Files.createTempFile("key-rotator-report-", ".tmp");
        disk = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        memory.writeTo(disk);
        memory = null;
      }
      if (disk != null) {
        disk.write(b, off, len);
      } else {
        memory.write(b, off, len);
      }
    }

    @Override
    public void close() throws IOException {
      if (disk != null) {
        disk.close();
      }
    }

    Optional<Path> file() {
      return Optional.ofNullable(file);
    }

    byte[] bytes() {
      return memory.toByteArray();
    }

    void discard() {
      try {
        if (disk != null) {
          disk.close();
        }
        if (file != null) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        // nothing more to do about a temporary file
      }
    }
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
