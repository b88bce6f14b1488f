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
 * @param lastUsedService the service of that last request as IAM names it (GetAccessKeyLastUsed's
 *     ServiceName, the credential report's {@code access_key_N_last_used_service}), e.g. {@code
 *     sts}; empty when unknown or never used
 * @param lastUsedRegion the region of that last request (e.g. {@code us-east-1}); empty when
 *     unknown or never used
 */
public record AccessKey(
    String id,
    KeyStatus status,
    Instant created,
    Optional<Instant> lastUsed,
    String lastUsedService,
    String lastUsedRegion) {
  public AccessKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(lastUsed, "lastUsed");
    lastUsedService = known(lastUsedService);
    lastUsedRegion = known(lastUsedRegion);
  }

  /** A key whose last use's service and region are not known. */
  public AccessKey(String id, KeyStatus status, Instant created, Optional<Instant> lastUsed) {
    this(id, status, created, lastUsed, "", "");
  }

  public boolean isActive() {
    return status == KeyStatus.ACTIVE;
  }

  public AccessKey withStatus(KeyStatus newStatus) {
    return new AccessKey(id, newStatus, created, lastUsed, lastUsedService, lastUsedRegion);
  }

  /**
   * Where the last use came from, for people: {@code sts in us-east-1}, {@code sts}, or empty when
   * IAM did not say.
   */
  public String lastUsedWhere() {
    if (lastUsedService.isEmpty()) {
      return lastUsedRegion.isEmpty() ? "" : "in " + lastUsedRegion;
    }
    return lastUsedRegion.isEmpty() ? lastUsedService : lastUsedService + " in " + lastUsedRegion;
  }

  /** IAM's "N/A" (and the credential report's) means not known. */
  private static String known(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    return t.equals("N/A") || t.equals("no_information") || t.equals("not_supported") ? "" : t;
  }
}
