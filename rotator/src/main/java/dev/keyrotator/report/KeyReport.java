package dev.keyrotator.report;

import dev.keyrotator.policy.FirstUse;
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
 * @param lastUsedService the service of the key's last use (GetAccessKeyLastUsed's ServiceName, or
 *     the credential report's {@code access_key_N_last_used_service}); empty when unknown
 * @param lastUsedRegion the region of that last use; empty when unknown
 * @param firstUseSeen the first run that saw this key used, as recorded in the rotator's history
 *     tag: that run's time, and IAM's last use (date, service, region) as it read it then; the
 *     key's true first use was at or before that date. Empty when no run has seen it used yet, or
 *     it was not recorded (users outside a two-key window are not written to)
 */
public record KeyReport(
    String keyId,
    KeyStatus status,
    long ageDays,
    Instant created,
    Optional<Instant> lastUsed,
    String secretArn,
    String lastUsedService,
    String lastUsedRegion,
    Optional<FirstUse> firstUseSeen) {
  public KeyReport {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(lastUsed, "lastUsed");
    secretArn = secretArn == null ? "" : secretArn;
    lastUsedService = lastUsedService == null ? "" : lastUsedService;
    lastUsedRegion = lastUsedRegion == null ? "" : lastUsedRegion;
    firstUseSeen = firstUseSeen == null ? Optional.empty() : firstUseSeen;
  }

  /** A key whose last use's service and region are not known. */
  public KeyReport(
      String keyId,
      KeyStatus status,
      long ageDays,
      Instant created,
      Optional<Instant> lastUsed,
      String secretArn) {
    this(keyId, status, ageDays, created, lastUsed, secretArn, "", "", Optional.empty());
  }

  public boolean active() {
    return status == KeyStatus.ACTIVE;
  }
}
