package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.WarningKind;
import java.util.Objects;
import java.util.Optional;

/**
 * One decision and what became of it.
 *
 * @param keyId the key concerned; for CREATE_KEY once done, the new key's id
 * @param warning the warning kind for WARN, else empty
 * @param secretArn for a created key, where its secret is stored (never the secret)
 * @param error AWS's error code and message when the action failed, else empty
 */
public record DecisionReport(
    Action action,
    String keyId,
    Optional<WarningKind> warning,
    String reason,
    Outcome outcome,
    String secretArn,
    String error) {
  public DecisionReport {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(warning, "warning");
    Objects.requireNonNull(outcome, "outcome");
    keyId = keyId == null ? "" : keyId;
    reason = reason == null ? "" : reason;
    secretArn = secretArn == null ? "" : secretArn;
    error = error == null ? "" : error;
  }

  /** Whether this decision is {@code action} and ended as {@code outcome}. */
  public boolean is(Action action, Outcome outcome) {
    return this.action == action && this.outcome == outcome;
  }
}
