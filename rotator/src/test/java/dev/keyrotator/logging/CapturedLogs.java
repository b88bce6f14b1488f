package dev.keyrotator.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the JVM while open, at every level and from every logger (the AWS SDK's too),
 * each as its message with the MDC and any exception's text: what a log file would hold.
 */
public final class CapturedLogs implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Level rootLevel = root.getLevel();
  private final Map<String, Level> levels;
  private final AppenderBase<ILoggingEvent> appender;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private CapturedLogs(Level level, Consumer<String> also) {
    LoggerContext context = root.getLoggerContext();
    levels = new java.util.HashMap<>();
    for (String name : List.of("dev.keyrotator", "software.amazon.awssdk")) {
      Logger l = context.getLogger(name);
      levels.put(name, l.getLevel());
      l.setLevel(level);
    }
    appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            String line =
                e.getLevel()
                    + " "
                    + e.getLoggerName()
                    + " "
                    + e.getFormattedMessage()
                    + " "
                    + e.getMDCPropertyMap()
                    + (e.getThrowableProxy() == null
                        ? ""
                        : " "
                            + e.getThrowableProxy().getClassName()
                            + ": "
                            + e.getThrowableProxy().getMessage());
            lines.add(line);
            also.accept(e.getFormattedMessage());
          }
        };
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
    root.setLevel(level);
  }

  /** Events at {@code level} and above, also handed to {@code also} (their messages). */
  public static CapturedLogs at(Level level, Consumer<String> also) {
    return new CapturedLogs(level, also);
  }

  public static CapturedLogs at(Level level) {
    return new CapturedLogs(level, s -> {});
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(rootLevel);
    LoggerContext context = root.getLoggerContext();
    levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
  }
}
