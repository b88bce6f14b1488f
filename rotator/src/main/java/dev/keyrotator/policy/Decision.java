package dev.keyrotator.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * One thing the planner decided, with its reason in words.
 *
 * @param action what to do
 * @param keyId the key it concerns; empty for user-level decisions (create, nothing, exempt)
 * @param warning for {@link Action#WARN}, what kind of warning
 * @param reason why, in a sentence a person can read in a report
 */
public record Decision(
    Action action, Optional<String> keyId, Optional<WarningKind> warning, String reason) {
  public Decision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(warning, "warning");
    Objects.requireNonNull(reason, "reason");
    if ((action == Action.WARN) != warning.isPresent()) {
      throw new IllegalArgumentException("a warning kind goes with WARN and only with WARN");
    }
  }

  public static Decision onKey(Action action, String keyId, String reason) {
    return new Decision(action, Optional.of(keyId), Optional.empty(), reason);
  }

  public static Decision onUser(Action action, String reason) {
    return new Decision(action, Optional.empty(), Optional.empty(), reason);
  }

  public static Decision warn(WarningKind kind, String keyId, String reason) {
    return new Decision(Action.WARN, Optional.of(keyId), Optional.of(kind), reason);
  }

  /** A short label such as {@code DEACTIVATE_KEY AKIA...} or {@code WARN(EXPIRING) AKIA...}. */
  public String label() {
    String a = warning.map(w -> "WARN(" + w + ")").orElse(action.name());
    return keyId.map(k -> a + " " + k).orElse(a);
  }
}
