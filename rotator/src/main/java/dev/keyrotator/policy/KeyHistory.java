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
 * @param keyCreated the key's IAM creation time, to the second, as the rotator read it when it
 *     wrote this history: it ties the history to the credential report's slot of the same key
 *     ({@code access_key_N_last_rotated}), which names no key id. Never a reason to act: it only
 *     decides which slot a history belongs to when a user is judged from the report
 */
public record KeyHistory(
    Optional<Instant> lastWarned,
    Optional<Instant> deactivated,
    Optional<Instant> exposed,
    Optional<Instant> deactivateBy,
    Optional<FirstUse> firstUse,
    Optional<Instant> keyCreated) {
  public static final KeyHistory NONE =
      new KeyHistory(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  public KeyHistory(
      Optional<Instant> lastWarned,
      Optional<Instant> deactivated,
      Optional<Instant> exposed,
      Optional<Instant> deactivateBy,
      Optional<FirstUse> firstUse) {
    this(lastWarned, deactivated, exposed, deactivateBy, firstUse, Optional.empty());
  }

  public KeyHistory(Optional<Instant> lastWarned, Optional<Instant> deactivated) {
    this(lastWarned, deactivated, Optional.empty(), Optional.empty(), Optional.empty());
  }

  public KeyHistory(
      Optional<Instant> lastWarned, Optional<Instant> deactivated, Optional<Instant> exposed) {
    this(lastWarned, deactivated, exposed, Optional.empty(), Optional.empty());
  }

  public KeyHistory withWarned(Instant at) {
    return new KeyHistory(
        Optional.of(at), deactivated, exposed, deactivateBy, firstUse, keyCreated);
  }

  public KeyHistory withDeactivated(Instant at) {
    return new KeyHistory(lastWarned, Optional.of(at), exposed, deactivateBy, firstUse, keyCreated);
  }

  public KeyHistory withExposed(Instant at) {
    return new KeyHistory(
        lastWarned, deactivated, Optional.of(at), deactivateBy, firstUse, keyCreated);
  }

  public KeyHistory withDeactivateBy(Instant at) {
    return new KeyHistory(lastWarned, deactivated, exposed, Optional.of(at), firstUse, keyCreated);
  }

  public KeyHistory withFirstUse(FirstUse use) {
    return new KeyHistory(
        lastWarned, deactivated, exposed, deactivateBy, Optional.of(use), keyCreated);
  }

  /** This history, tied to the key created at {@code created} (kept to the second). */
  public KeyHistory withKeyCreated(Instant created) {
    return new KeyHistory(
        lastWarned,
        deactivated,
        exposed,
        deactivateBy,
        firstUse,
        Optional.of(created.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
  }

  /** No part present ({@link #keyCreated} is not a part: it only says whose history this is). */
  public boolean isEmpty() {
    return lastWarned.isEmpty()
        && deactivated.isEmpty()
        && exposed.isEmpty()
        && deactivateBy.isEmpty()
        && firstUse.isEmpty();
  }
}
