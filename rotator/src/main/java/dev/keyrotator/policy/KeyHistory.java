package dev.keyrotator.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * What the rotator remembers about one key between runs (kept as a user tag by the IAM adapter).
 *
 * @param lastWarned when an owner was last warned about this key
 * @param deactivated when the rotator deactivated this key
 * @param exposed when AWS reported this key exposed (an incident handled by rotate-now)
 */
public record KeyHistory(
    Optional<Instant> lastWarned, Optional<Instant> deactivated, Optional<Instant> exposed) {
  public static final KeyHistory NONE =
      new KeyHistory(Optional.empty(), Optional.empty(), Optional.empty());

  public KeyHistory(Optional<Instant> lastWarned, Optional<Instant> deactivated) {
    this(lastWarned, deactivated, Optional.empty());
  }

  public KeyHistory withWarned(Instant at) {
    return new KeyHistory(Optional.of(at), deactivated, exposed);
  }

  public KeyHistory withDeactivated(Instant at) {
    return new KeyHistory(lastWarned, Optional.of(at), exposed);
  }

  public KeyHistory withExposed(Instant at) {
    return new KeyHistory(lastWarned, deactivated, Optional.of(at));
  }

  public boolean isEmpty() {
    return lastWarned.isEmpty() && deactivated.isEmpty() && exposed.isEmpty();
  }
}
