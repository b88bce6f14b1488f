package dev.keyrotator.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The sandbox's notion of "now": real time plus an offset that tests move forward. Key ages,
 * last-used dates, credential reports and temporary-credential expiry all follow it. It never leaks
 * into HTTP {@code Date} headers (the SDK would treat the difference as clock skew).
 */
public final class SandboxClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  SandboxClock(Instant start) {
    if (start != null) offset = Duration.between(Instant.now(), start);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the sandbox clock is UTC");
  }

  public Instant now() {
    return instant();
  }

  /** Moves the clock forward (a negative duration moves it back). */
  public synchronized Instant advance(Duration d) {
    offset = offset.plus(d);
    return instant();
  }

  public Instant advanceDays(long days) {
    return advance(Duration.ofDays(days));
  }

  /** Sets the clock to an instant; it keeps running from there. */
  public synchronized Instant set(Instant t) {
    offset = Duration.between(Instant.now(), t);
    return t;
  }
}
