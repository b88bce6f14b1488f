package dev.keyrotator.lambda;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * One log event as one JSON line: {@code time}, {@code level}, {@code logger}, {@code message}, and
 * the MDC keys the run sets ({@code runId}, {@code accountId}) as keys of their own; an exception
 * as {@code error} (its class and message, no stack).
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  public String doLayout(ILoggingEvent e) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("time", Instant.ofEpochMilli(e.getTimeStamp()).toString());
    line.put("level", e.getLevel().toString());
    line.put("logger", e.getLoggerName());
    line.put("message", e.getFormattedMessage());
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach(line::put);
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      line.put("error", t.getClassName() + ": " + t.getMessage());
    }
    try {
      return MAPPER.writeValueAsString(line) + "\n";
    } catch (JsonProcessingException ex) {
      return "{\"level\":\"ERROR\",\"message\":\"log line not writable\"}\n";
    }
  }
}
