package dev.keyrotator.run;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Run ids, one format for every entry point: the run's start in UTC to the second and eight random
 * hex digits, {@code 20261201T020000Z-1a2b3c4d}. They sort by start time, name the run's report
 * folder and parts, and appear in STS session names ({@code key-rotator-<runId>}).
 */
public final class RunIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  /** A new run id for a run starting now. */
  public static String next(Clock clock) {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return STAMP.format(clock.instant().atOffset(ZoneOffset.UTC))
        + "-"
        + HexFormat.of().formatHex(b);
  }
}
