package dev.keyrotator.policy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Users the rotator leaves alone, for a reason, on someone's word, until a date. The exemption ends
 * at the start of {@code expires} (UTC): from then on the user is rotated like anyone else.
 */
public record Exemption(UserMatch match, String owner, String reason, LocalDate expires) {
  public Exemption {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(expires, "expires");
  }

  public boolean isExpired(Instant now) {
    return !now.isBefore(expires.atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  public String describe() {
    return match.describe() + " (owner " + owner + ": " + reason + ", until " + expires + ")";
  }
}
