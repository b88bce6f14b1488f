package dev.keyrotator.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What IAM says of one access key: never its secret.
 *
 * @param id the access key id (AKIA...)
 * @param status active or inactive
 * @param created when IAM created the key
 * @param lastUsed when the key last signed a request; empty if never used
 */
public record AccessKey(String id, KeyStatus status, Instant created, Optional<Instant> lastUsed) {
  public AccessKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(lastUsed, "lastUsed");
  }

  public boolean isActive() {
    return status == KeyStatus.ACTIVE;
  }

  public AccessKey withStatus(KeyStatus newStatus) {
    return new AccessKey(id, newStatus, created, lastUsed);
  }
}
