package dev.keyrotator.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * What the rotator remembers about one key between runs (kept as a user tag by the IAM adapter).
 *
 * @param lastWarned when an owner was last warned about this key
 * @param deactivated when the rotator deactivated this key
 * @param exposed when AWS reported this key exposed (an incident handled by rotate-now)
 * @param deactivateBy the deadline of a {@code rotate-now --deactivate after:N}: ordinary runs
 *     deactivate the key once it has passed, even if it is in use (see {@link DeferredDeactivation}
 *     for how far it is believed)
 * @param firstUse the first run that saw this key used (for the report only: anyone allowed
 *     iam:TagUser can write it, so no decision is ever taken on it)
 */
public record KeyHistory(
    Optional<Instant> lastWarned,
    Optional<Instant> deactivated,
    Optional<Instant> exposed,
    Optional<Instant> deactivateBy,
    Optional<FirstUse> firstUse) {
  public static final KeyHistory NONE =
      new KeyHistory(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public KeyHistory(Optional<Instant> lastWarned, Optional<Instant> deactivated) {
    this(lastWarned, deactivated, Optional.empty(), Optional.empty(), Optional.empty());
  }

  public KeyHistory(
      Optional<Instant> lastWarned, Optional<Instant> deactivated, Optional<Instant> exposed) {
    this(lastWarned, deactivated, exposed, Optional.empty(), Optional.empty());
  }

  public KeyHistory withWarned(Instant at) {
    return new KeyHistory(Optional.of(at), deactivated, exposed, deactivateBy, firstUse);
  }

  public KeyHistory withDeactivated(Instant at) {
    return new KeyHistory(lastWarned, Optional.of(at), exposed, deactivateBy, firstUse);
  }

  public KeyHistory withExposed(Instant at) {
    return new KeyHistory(lastWarned, deactivated, Optional.of(at), deactivateBy, firstUse);
  }

  public KeyHistory withDeactivateBy(Instant at) {
    return new KeyHistory(lastWarned, deactivated, exposed, Optional.of(at), firstUse);
  }

  public KeyHistory withFirstUse(FirstUse use) {
    return new KeyHistory(lastWarned, deactivated, exposed, deactivateBy, Optional.of(use));
  }

  /** No part present. */
  public boolean isEmpty() {
    return lastWarned.isEmpty()
        && deactivated.isEmpty()
        && exposed.isEmpty()
        && deactivateBy.isEmpty()
        && firstUse.isEmpty();
  }
}
