package dev.keyrotator.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The run report as JSON (schema version in {@link #SCHEMA_VERSION}). */
public final class JsonReport {
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private JsonReport() {}

  public static String render(RunReport report) {
    try {
      return MAPPER.writeValueAsString(new Envelope(SCHEMA_VERSION, report));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render report", e);
    }
  }

  public static RunReport read(Path file) {
    try {
      return MAPPER.readValue(Files.readString(file), Envelope.class).report();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report " + file, e);
    }
  }

  /** The file's top level: the schema version, then the report. */
  public record Envelope(int schemaVersion, RunReport report) {}
}
