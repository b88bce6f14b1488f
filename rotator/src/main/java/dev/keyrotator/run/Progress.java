package dev.keyrotator.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a long run says how far it got. In production it is the log ({@link #log()}: readable lines
 * on stderr for the CLI, JSON lines for Lambda, with the run id and account id in the MDC); tests
 * collect the lines.
 */
@FunctionalInterface
public interface Progress {
  /** MDC key of the run id. */
  String RUN_ID = "runId";

  /** MDC key of the account id. */
  String ACCOUNT_ID = "accountId";

  void report(String line);

  static Progress silent() {
    return line -> {};
  }

  /** The rotator's log, at INFO. */
  static Progress log() {
    Logger log = LoggerFactory.getLogger("dev.keyrotator.run");
    return log::info;
  }
}
