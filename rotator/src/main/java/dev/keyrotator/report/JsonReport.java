package dev.keyrotator.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    StringWriter out = new StringWriter(16_384);
    try {
      write(report, summary, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render report", e);
    }
    return out.toString();
  }

  /**
   * Writes the report with its summary to {@code out}, account by account: only one account's JSON
   * shape is in memory at a time (the bytes are those of one {@link Envelope} written whole). Does
   * not close {@code out}.
   */
  public static void write(RunReport report, ReportSummary summary, Writer out) throws IOException {
    JsonGenerator g = MAPPER.writer().createGenerator(out);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    g.writeStartObject();
    g.writeNumberField("schemaVersion", SCHEMA_VERSION);
    g.writeFieldName("report");
    g.writeStartObject();
    g.writeStringField("runId", report.runId());
    g.writeStringField("startedAt", report.startedAt().toString());
    g.writeStringField("finishedAt", report.finishedAt().toString());
    g.writeStringField("mode", report.mode());
    g.writeStringField("policySource", report.policySource());
    g.writeStringField("policySha256", report.policySha256());
    g.writeArrayFieldStart("accounts");
    for (AccountReport a : report.accounts()) {
      g.writeObject(ReportJson.of(a));
    }
    g.writeEndArray();
    g.writeObjectField("awsCalls", report.awsCalls());
    g.writeEndObject();
    g.writeObjectField("summary", summary);
    g.writeEndObject();
    g.flush();
    out.write("\n");
  }

  /**
   * Reads a report written by {@link #render}, account by account (see {@link #parse(InputStream,
   * String)}).
   *
   * @throws IllegalArgumentException when the file is not a run report of a known schema version
   */
  public static RunReport read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report " + file, e);
    }
  }

  /**
   * Reads a report from {@code text}, {@code source} naming where it came from in the message.
   *
   * @throws IllegalArgumentException when it is not a run report of a known schema version
   */
  public static RunReport parse(String text, String source) {
    return parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), source);
  }

  /**
   * Reads a report from {@code in} as it streams: the accounts one at a time, into a list that goes
   * to a temporary file once they hold more than {@link SpilledAccounts#DEFAULT_MEMORY_USERS} users
   * (so a large report is never held whole, neither as text, as a tree nor as records). The summary
   * is skipped: it is worked out from the report again.
   *
   * @throws IllegalArgumentException when it is not a run report of a known schema version
   */
  public static RunReport parse(InputStream in, String source) {
    try (JsonParser p = MAPPER.createParser(in);
        SpilledAccounts.Builder<Integer> accounts = new SpilledAccounts.Builder<>()) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw notAReport(source, null);
      }
      Integer version = null;
      ReportJson.Run run = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("schemaVersion")) {
          version = value.isNumeric() ? p.getIntValue() : -1;
          if (version != SCHEMA_VERSION) {
            throw notAReport(source, p.getText());
          }
        } else if (field.equals("report") && value == JsonToken.START_OBJECT) {
          run = run(p, accounts);
        } else {
          p.skipChildren();
        }
      }
      if (version == null || run == null) {
        throw notAReport(source, version == null ? null : String.valueOf(version));
      }
      return run.toReport(accounts.build());
    } catch (IOException | RuntimeException ex) {
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

  /** The report's fields but its accounts, which go to {@code accounts} as they are read. */
  private static ReportJson.Run run(JsonParser p, SpilledAccounts.Builder<Integer> accounts)
      throws IOException {
    Map<String, String> text = new HashMap<>();
    Map<String, Long> calls = Map.of();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("accounts") && value == JsonToken.START_ARRAY) {
        while (p.nextToken() == JsonToken.START_OBJECT) {
          accounts.put(accounts.size(), p.readValueAs(ReportJson.Account.class).toReport());
        }
      } else if (field.equals("awsCalls") && value == JsonToken.START_OBJECT) {
        calls = p.readValueAs(new TypeReference<Map<String, Long>>() {});
      } else if (value.isScalarValue()) {
        text.put(field, value == JsonToken.VALUE_NULL ? null : p.getText());
      } else {
        p.skipChildren();
      }
    }
    return new ReportJson.Run(
        text.get("runId"),
        text.get("startedAt"),
        text.get("finishedAt"),
        text.get("mode"),
        text.get("policySource"),
        text.get("policySha256"),
        List.of(),
        calls);
  }

  private static IllegalArgumentException notAReport(String source, String version) {
    return new IllegalArgumentException(
        source
            + " is not a run report of schema version "
            + SCHEMA_VERSION
            + " (schemaVersion "
            + (version == null ? "missing" : version)
            + ")");
  }

  /** The file's top level: the schema version, the report, and figures derived from it. */
  record Envelope(int schemaVersion, ReportJson.Run report, ReportSummary summary) {}
}
