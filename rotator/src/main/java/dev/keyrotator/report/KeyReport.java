package dev.keyrotator.report;

import dev.keyrotator.policy.KeyStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One key as found at the start of the user's turn.
 *
 * @param keyId the access key id; for a user settled from the credential report, which names no key
 *     ids, the report's slot ({@code access_key_1})
 * @param lastUsed empty when never used
 * @param secretArn the ARN of the secret holding this key, when the rotator stored it
 */
public record KeyReport(
    String keyId,
    KeyStatus status,
    long ageDays,
    Instant created,
    Optional<Instant> lastUsed,
    String secretArn) {
  public KeyReport {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(lastUsed, "lastUsed");
    secretArn = secretArn == null ? "" : secretArn;
  }

  public boolean active() {
    return status == KeyStatus.ACTIVE;
  }
}
