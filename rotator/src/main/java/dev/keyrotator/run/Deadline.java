package dev.keyrotator.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When the run must stop starting new work. In Lambda it follows the invocation's remaining time
 * less a reserve for finishing the user in progress and writing the report.
 */
public interface Deadline {

  /** Whether there is still time to start work on another user. */
  boolean allowsMoreWork();

  static Deadline none() {
    return () -> true;
  }

  /** Stop starting new work once {@code clock} reaches {@code end}. */
  static Deadline at(Clock clock, Instant end) {
    return () -> clock.instant().isBefore(end);
  }

  /** For Lambda: {@code remaining} supplies the invocation's remaining time. */
  static Deadline fromRemaining(java.util.function.LongSupplier remainingMillis, Duration reserve) {
    return () -> remainingMillis.getAsLong() > reserve.toMillis();
  }
}
