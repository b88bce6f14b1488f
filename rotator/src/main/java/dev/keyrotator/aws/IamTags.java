package dev.keyrotator.aws;

import dev.keyrotator.policy.FirstUse;
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
 *       exposed=<ISO> deactivate-by=<ISO> created=<ISO> seen=<ISO> used=<ISO>
 *       via=<service>/<region>}, instants to the second, parts that are empty left out; {@code
 *       created} is the key's IAM creation time (it ties the history to the key's credential-report
 *       slot); {@code seen}, {@code used} and {@code via} are the first run that saw the key used
 *       (its time, IAM's last-use date then, and that use's service and region)
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
    String full = historyValue(h, true);
    // Forged or far-off dates can make a value longer than IAM allows; the first use is for the
    // report only, so it goes first, never a part a decision reads.
    return checkValue(full.length() <= MAX_VALUE ? full : historyValue(h, false));
  }

  private static String historyValue(KeyHistory h, boolean withFirstUse) {
    StringBuilder sb = new StringBuilder();
    h.lastWarned().ifPresent(i -> part(sb, "warned", seconds(i)));
    h.deactivated().ifPresent(i -> part(sb, "deactivated", seconds(i)));
    h.exposed().ifPresent(i -> part(sb, "exposed", seconds(i)));
    h.deactivateBy().ifPresent(i -> part(sb, "deactivate-by", seconds(i)));
    h.keyCreated().ifPresent(i -> part(sb, "created", seconds(i)));
    if (withFirstUse) {
      h.firstUse()
          .ifPresent(
              u -> {
                part(sb, "seen", seconds(u.seenAt()));
                part(sb, "used", seconds(u.lastUsed()));
                String via = token(u.service()) + "/" + token(u.region());
                if (via.length() > 1) {
                  part(sb, "via", via);
                }
              });
    }
    return sb.toString();
  }

  private static void part(StringBuilder sb, String name, String value) {
    sb.append(sb.length() > 0 ? " " : "").append(name).append('=').append(value);
  }

  /** Instants are kept to the second: nothing the rotator decides needs more. */
  private static String seconds(Instant i) {
    return i.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
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
    Optional<Instant> seen = instant(parts.get("seen"));
    Optional<Instant> used = instant(parts.get("used"));
    Optional<FirstUse> first = Optional.empty();
    if (seen.isPresent() && used.isPresent()) {
      String via = parts.getOrDefault("via", "/");
      int slash = via.indexOf('/');
      first =
          Optional.of(
              new FirstUse(
                  seen.get(),
                  used.get(),
                  slash < 0 ? via : via.substring(0, slash),
                  slash < 0 ? "" : via.substring(slash + 1)));
    }
    return new KeyHistory(
        instant(parts.get("warned")),
        instant(parts.get("deactivated")),
        instant(parts.get("exposed")),
        instant(parts.get("deactivate-by")),
        first,
        instant(parts.get("created")));
  }

  /**
   * Longest service or region word kept: with every part present (instants to the second) the value
   * is then at most 255 characters.
   */
  static final int TOKEN = 22;

  /** A service or region name as one tag-value word: only characters IAM allows, no separators. */
  private static String token(String s) {
    String t = s == null ? "" : s.replaceAll("[^A-Za-z0-9._+@:-]", "");
    return t.length() > TOKEN ? t.substring(0, TOKEN) : t;
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
