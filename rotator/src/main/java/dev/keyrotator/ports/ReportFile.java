package dev.keyrotator.ports;

import java.util.Objects;

/**
 * One file of a run report to deliver.
 *
 * @param name the file name, e.g. {@code report.json}
 * @param contentType its media type, e.g. {@code application/json; charset=utf-8}
 */
public record ReportFile(String name, String contentType, byte[] content) {
  public ReportFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(contentType, "contentType");
    content = content.clone();
    if (name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException("a report file name is one path segment: " + name);
    }
  }

  @Override
  public byte[] content() {
    return content.clone();
  }
}
