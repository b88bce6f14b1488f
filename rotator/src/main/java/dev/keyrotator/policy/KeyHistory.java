package dev.keyrotator.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * What the rotator remembers about one key between runs (kept as a user tag by the IAM adapter).
 *
 * @param lastWarned when an owner was last warned about this key
 * @param deactivated when the rotator deactivated this key
 */
public record KeyHistory(Optional<Instant> lastWarned, Optional<Instant> deactivated) {
  public static final KeyHistory NONE = new KeyHistory(Optional.empty(), Optional.empty());

  public KeyHistory withWarned(Instant at) {
    return new KeyHistory(Optional.of(at), deactivated);
  }

  public KeyHistory withDeactivated(Instant at) {
    return new KeyHistory(lastWarned, Optional.of(at));
  }

  public boolean isEmpty() {
    return lastWarned.isEmpty() && deactivated.isEmpty();
  }
}
