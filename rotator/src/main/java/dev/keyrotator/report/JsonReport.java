package dev.keyrotator.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The run report as JSON: {@code {"schemaVersion": 1, "report": {...}, "summary": {...}}}. The
 * schema is documented in the README ("Run report"). Within one schema version fields are only
 * added, never renamed or removed; readers ignore fields they do not know.
 */
public final class JsonReport {
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private JsonReport() {}

  public static String render(RunReport report) {
    return render(report, ReportSummary.of(report));
  }

  /** The report with its summary (computed once per run by the caller). */
  public static String render(RunReport report, ReportSummary summary) {
    try {
      return MAPPER.writeValueAsString(new Envelope(SCHEMA_VERSION, ReportJson.of(report), summary))
          + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render report", e);
    }
  }

  /**
   * Reads a report written by {@link #render}.
   *
   * @throws IllegalArgumentException when the file is not a run report of a known schema version
   */
  public static RunReport read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report " + file, e);
    }
    return parse(text, file.toString());
  }

  /**
   * Reads a report from {@code text}, {@code source} naming where it came from in the message.
   *
   * @throws IllegalArgumentException when it is not a run report of a known schema version
   */
  public static RunReport parse(String text, String source) {
    try {
      JsonNode tree = MAPPER.readTree(text);
      JsonNode version = tree == null ? null : tree.get("schemaVersion");
      if (version == null || version.asInt() != SCHEMA_VERSION || !tree.hasNonNull("report")) {
        throw new IllegalArgumentException(
            source
                + " is not a run report of schema version "
                + SCHEMA_VERSION
                + " (schemaVersion "
                + (version == null ? "missing" : version)
                + ")");
      }
      return MAPPER.treeToValue(tree.get("report"), ReportJson.Run.class).toReport();
    } catch (JsonProcessingException | RuntimeException ex) {
      if (ex instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException(
          source
              + " is not a run report: "
              + (ex instanceof JsonProcessingException j
                  ? j.getOriginalMessage()
                  : ex.getMessage()));
    }
  }

  /** The file's top level: the schema version, the report, and figures derived from it. */
  record Envelope(int schemaVersion, ReportJson.Run report, ReportSummary summary) {}
}
