package dev.keyrotator.report;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The incident a {@code rotate-now} (or an exposed-key event) handled for one user: the report's
 * {@code accounts[].users[].incident}.
 *
 * @param reason the rotate-now's reason ({@code manual}, {@code exposed}, ...)
 * @param keyId the key the incident is about
 * @param eventId the AWS Health event that reported the exposure; empty for a manual rotate-now
 * @param reportedAt when AWS reported the exposure (the event's start time); empty when manual
 * @param newKeyId the key that replaces it; empty when none is stored
 * @param newKeyStoredAt when this run stored the new key's secret; empty when it did not (a replay:
 *     an earlier run stored it)
 * @param keyInactiveAt when the key went inactive (the rotator's record of it); empty while it is
 *     active
 * @param deactivationScheduledAt with {@code --deactivate after:N}: when ordinary runs deactivate
 *     the key
 * @param quarantinePolicyAttached whether AWS's {@code AWSCompromisedKeyQuarantine*} policy is
 *     attached to the user; empty when that could not be read
 * @param quarantinePolicies the names of those policies attached
 */
public record IncidentReport(
    String reason,
    String keyId,
    Optional<String> eventId,
    Optional<Instant> reportedAt,
    Optional<String> newKeyId,
    Optional<Instant> newKeyStoredAt,
    Optional<Instant> keyInactiveAt,
    Optional<Instant> deactivationScheduledAt,
    Optional<Boolean> quarantinePolicyAttached,
    List<String> quarantinePolicies) {
  public IncidentReport {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(reportedAt, "reportedAt");
    Objects.requireNonNull(newKeyId, "newKeyId");
    Objects.requireNonNull(newKeyStoredAt, "newKeyStoredAt");
    Objects.requireNonNull(keyInactiveAt, "keyInactiveAt");
    Objects.requireNonNull(deactivationScheduledAt, "deactivationScheduledAt");
    Objects.requireNonNull(quarantinePolicyAttached, "quarantinePolicyAttached");
    quarantinePolicies = List.copyOf(quarantinePolicies);
  }

  /** One line for text summaries: what happened to the key, and when. */
  public String line() {
    StringBuilder b = new StringBuilder();
    if (reportedAt.isPresent()) {
      b.append("AWS reported key ").append(keyId).append(" exposed at ").append(reportedAt.get());
      eventId.ifPresent(e -> b.append(" (").append(e).append(')'));
    } else {
      b.append("rotate-now of key ").append(keyId);
    }
    b.append(" (reason ").append(reason).append(')');
    b.append(
        newKeyId
            .map(
                k ->
                    "; new key "
                        + k
                        + newKeyStoredAt.map(t -> " stored at " + t).orElse(" stored before"))
            .orElse("; no new key stored"));
    if (keyInactiveAt.isPresent()) {
      b.append("; key ").append(keyId).append(" inactive since ").append(keyInactiveAt.get());
    } else if (deactivationScheduledAt.isPresent()) {
      b.append("; key ")
          .append(keyId)
          .append(" stays active until ")
          .append(deactivationScheduledAt.get())
          .append(", then it is deactivated");
    } else {
      b.append("; key ").append(keyId).append(" still active");
    }
    b.append(
        quarantinePolicyAttached
            .map(
                q ->
                    q
                        ? "; AWS's quarantine policy is attached ("
                            + String.join(", ", quarantinePolicies)
                            + ")"
                        : "; AWS's quarantine policy is not attached")
            .orElse("; whether AWS's quarantine policy is attached is unknown"));
    return b.toString();
  }
}
