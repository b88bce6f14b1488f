package dev.keyrotator.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The deadline a {@code rotate-now --deactivate after:N} left on a key ({@link
 * KeyHistory#deactivateBy()}), as far as it can be believed. Pure: no I/O, no clock.
 *
 * <p>The deadline lives in the key's history tag, which only the member role writes (its policy and
 * the guardrails' {@code OnlyTheMemberRoleWritesRotatorTags}). Should anyone else write it all the
 * same, it still cannot keep a key alive for long: once the replacement exists, the deadline is
 * believed only up to {@link #MAX_DAYS} days after the replacement key's CreateDate (IAM's, which
 * nobody can set), so a forged or extended deadline ends there. A deadline without a replacement
 * yet (a run stopped between writing it and creating the key) makes ordinary runs create the
 * replacement; then the cap applies. An earlier deadline than the rotator wrote only deactivates,
 * reversibly, a key that a newer active key replaces. The rotator itself never writes a later
 * deadline over an earlier one: only {@code rotate-now --deactivate now} (or a shorter {@code
 * after:N}) brings it forward.
 */
public final class DeferredDeactivation {
  private DeferredDeactivation() {}

  /** The longest a rotate-now may keep the old key active. */
  public static final int MAX_DAYS = 30;

  /**
   * Between rotate-now's clock when it records the deadline and IAM's CreateDate of the
   * replacement: at most one run (the record is written before the key is created).
   */
  static final Duration SLACK = Planner.IN_FLIGHT;

  /** The deadline believed for {@code key}; empty when none is recorded. */
  public static Optional<Instant> deadline(UserState state, AccessKey key) {
    Optional<Instant> recorded = state.historyOf(key.id()).deactivateBy();
    if (recorded.isEmpty()) {
      return Optional.empty();
    }
    Optional<AccessKey> replacement = replacement(state, key);
    if (replacement.isEmpty()) {
      return recorded;
    }
    Instant cap = replacement.get().created().plus(Duration.ofDays(MAX_DAYS)).plus(SLACK);
    return Optional.of(recorded.get().isAfter(cap) ? cap : recorded.get());
  }

  /** The first key created after {@code key}: the one that replaces it. */
  public static Optional<AccessKey> replacement(UserState state, AccessKey key) {
    return state.keys().stream().filter(k -> k.created().isAfter(key.created())).findFirst();
  }

  /** Whether any key of the user carries a deadline (the user must be read one by one). */
  public static boolean anyRecorded(java.util.Map<String, KeyHistory> history) {
    return history.values().stream().anyMatch(h -> h.deactivateBy().isPresent());
  }
}
