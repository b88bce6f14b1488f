package dev.keyrotator.ports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One file of a run report to deliver: its bytes, or for a large report a temporary file holding
 * them (so that a report of hundreds of megabytes is never in memory; the sink uploads it from
 * disk, and {@link #discard} removes it once delivered).
 *
 * <p>{@code name} is the file name, e.g. {@code report.json}; {@code contentType} its media type,
 * e.g. {@code application/json; charset=utf-8}.
 */
public final class ReportFile {
  private final String name;
  private final String contentType;
  private final byte[] content;
  private final Path file;

  /** A file of {@code content}. */
  public ReportFile(String name, String contentType, byte[] content) {
    this(name, contentType, content.clone(), null);
  }

  private ReportFile(String name, String contentType, byte[] content, Path file) {
    this.name = Objects.requireNonNull(name, "name");
    this.contentType = Objects.requireNonNull(contentType, "contentType");
    if (name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException("a report file name is one path segment: " + name);
    }
    this.content = content;
    this.file = file;
  }

  /** A file whose content is in {@code file} (a temporary file the caller hands over). */
  public static ReportFile onDisk(String name, String contentType, Path file) {
    return new ReportFile(name, contentType, null, Objects.requireNonNull(file, "file"));
  }

  public String name() {
    return name;
  }

  public String contentType() {
    return contentType;
  }

  /** The content, read from disk when it is there (for small files and tests). */
  public byte[] content() {
    if (file == null) {
      return content.clone();
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report file " + name, e);
    }
  }

  /** Where the content is when it is on disk. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** Removes the temporary file, if any. */
  public void discard() {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a temporary file left behind is not worth failing the delivery for
      }
    }
  }
}
