package dev.keyrotator.aws;

import java.util.Collection;
import java.util.Set;

/**
 * Secrets Manager: one secret per user, one version per key. The rotator writes secrets and reads
 * only their metadata; it never reads a secret value back.
 */
public interface SecretVault {

  /** Which of {@code keyIds} have a stored version in the user's secret. */
  Set<String> storedKeyIds(String accountId, String userName, Collection<String> keyIds);

  /**
   * Stores the new key as the secret's current version (the previous one stays readable as
   * AWSPREVIOUS). Idempotent: the version id derives from the key id, so a retry writes nothing
   * twice.
   */
  StoredSecret store(String accountId, NewAccessKey key);

  /** Where the user's secret is, without reading it. */
  StoredSecret locate(String accountId, String userName, String keyId);
}
