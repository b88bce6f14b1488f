package dev.keyrotator.ports;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * Secrets Manager: one secret per user, one version per key. The rotator writes secrets and reads
 * only their metadata; it never reads a secret value back.
 */
public interface SecretVault {

  /** Which of {@code keyIds} have a stored version in the user's secret. */
  Set<String> storedKeyIds(String accountId, String userName, Collection<String> keyIds);

  /**
   * Why the user's secret must not receive a new key (it exists and the rotator did not create it,
   * or it is scheduled for deletion), or empty when it may: asked before a key is created, so that
   * no key is made for a secret that would refuse it.
   */
  Optional<String> refusal(String accountId, String userName);

  /**
   * Stores the new key as the secret's current version (the previous one stays readable as
   * AWSPREVIOUS). Idempotent: the version id derives from the key id, so a retry writes nothing
   * twice.
   *
   * @throws SecretRefusedException when the secret exists and is not the rotator's to write into
   *     (see {@link #refusal}); nothing was written
   */
  default StoredSecret store(String accountId, NewAccessKey key) {
    return store(accountId, key, SecretReader.OWNER);
  }

  /** {@link #store}, with the secret readable by {@code reader} (its resource policy). */
  StoredSecret store(String accountId, NewAccessKey key, SecretReader reader);

  /**
   * Finishes a store that a run left half done: the key's version is in the secret (see {@link
   * #storedKeyIds}) but the process may have died before the resource policy and the tags that
   * {@link #store} writes after the value were applied. Re-applies both (idempotent) and never
   * reads or writes the secret value.
   *
   * @param userPath the user's IAM path, for the resource policy's principal
   */
  default StoredSecret completeStore(
      String accountId, String userName, String userPath, String keyId) {
    return completeStore(accountId, userName, userPath, keyId, SecretReader.OWNER);
  }

  /** {@link #completeStore}, with the secret readable by {@code reader}. */
  StoredSecret completeStore(
      String accountId, String userName, String userPath, String keyId, SecretReader reader);

  /** Where the user's secret is, without reading it. */
  StoredSecret locate(String accountId, String userName, String keyId);
}
