package dev.keyrotator.aws;

import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.RotationMarker;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the rotator's state is written into IAM user tags, and read back.
 *
 * <ul>
 *   <li>marker: {@code key-rotator:pending} = {@code run=<runId> at=<ISO instant>}
 *   <li>history: {@code key-rotator:key:<keyId>} = {@code warned=<ISO> deactivated=<ISO>
 *       exposed=<ISO> deactivate-by=<ISO>}, parts that are empty left out
 * </ul>
 *
 * <p>IAM allows only {@code [\p{L}\p{Z}\p{N}_.:/=+\-@]} in tag keys and values, so the parts are
 * separated by a space (a {@code ;} would be refused); {@code ;} is still accepted when reading.
 * Keys are at most 128 characters and values 256. Malformed values read as absent, never as an
 * error.
 */
final class IamTags {
  private IamTags() {}

  static final String PREFIX = "key-rotator:";
  static final String MARKER = PREFIX + "pending";
  static final String HISTORY_PREFIX = PREFIX + "key:";
  static final int MAX_KEY = 128;
  static final int MAX_VALUE = 256;

  private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

  /** Run ids keep only characters that are allowed and are not our separators. */
  private static final Pattern RUN_ID_DISALLOWED = Pattern.compile("[^\\p{L}\\p{N}_.:/+\\-@]");

  static boolean isStateTag(String key) {
    return key.equals(MARKER) || key.startsWith(HISTORY_PREFIX);
  }

  static String historyKey(String keyId) {
    return checkKey(HISTORY_PREFIX + keyId);
  }

  static String markerValue(RotationMarker m) {
    String at = m.startedAt().toString();
    String run = RUN_ID_DISALLOWED.matcher(m.runId()).replaceAll("_");
    int room = MAX_VALUE - "run= at=".length() - at.length();
    if (run.length() > room) {
      run = run.substring(0, room);
    }
    return checkValue("run=" + run + " at=" + at);
  }

  static String historyValue(KeyHistory h) {
    StringBuilder sb = new StringBuilder();
    h.lastWarned().ifPresent(i -> sb.append("warned=").append(i));
    h.deactivated()
        .ifPresent(i -> sb.append(sb.length() > 0 ? " " : "").append("deactivated=").append(i));
    h.exposed().ifPresent(i -> sb.append(sb.length() > 0 ? " " : "").append("exposed=").append(i));
    h.deactivateBy()
        .ifPresent(i -> sb.append(sb.length() > 0 ? " " : "").append("deactivate-by=").append(i));
    return checkValue(sb.toString());
  }

  static Optional<RotationMarker> parseMarker(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Map<String, String> parts = parts(value);
    Optional<Instant> at = instant(parts.get("at"));
    if (at.isEmpty()) {
      return Optional.empty();
    }
    String run = parts.getOrDefault("run", "");
    return Optional.of(new RotationMarker(run.isEmpty() ? "unknown" : run, at.get()));
  }

  static KeyHistory parseHistory(String value) {
    Map<String, String> parts = parts(value == null ? "" : value);
    return new KeyHistory(
        instant(parts.get("warned")),
        instant(parts.get("deactivated")),
        instant(parts.get("exposed")),
        instant(parts.get("deactivate-by")));
  }

  private static Map<String, String> parts(String value) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : value.trim().split("[;\\s]+")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.putIfAbsent(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return out;
  }

  private static Optional<Instant> instant(String s) {
    if (s == null || s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(s));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static String checkKey(String key) {
    if (key.isEmpty() || key.length() > MAX_KEY || !ALLOWED.matcher(key).matches()) {
      throw new IllegalArgumentException("not a valid IAM tag key: " + key);
    }
    return key;
  }

  static String checkValue(String value) {
    if (value.length() > MAX_VALUE || !ALLOWED.matcher(value).matches()) {
      throw new IllegalArgumentException("not a valid IAM tag value: " + value);
    }
    return value;
  }
}
