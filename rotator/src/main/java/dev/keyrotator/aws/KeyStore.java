package dev.keyrotator.aws;

import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.RotationMarker;
import java.time.Duration;
import java.util.List;

/** IAM users and their access keys in one account. */
public interface KeyStore {

  /** The names of every user (all pages). */
  List<String> userNames();

  /**
   * Asks IAM to generate the account's credential report (GenerateCredentialReport) if the one it
   * has is more than four hours old. Cheap; call it early and read the report later.
   *
   * @return true when a report is ready now
   * @throws UnsupportedOperationException when this store has no credential report
   */
  default boolean requestCredentialReport() {
    throw new UnsupportedOperationException("this key store has no credential report");
  }

  /**
   * The account's credential report, asking again (GenerateCredentialReport) until it is ready or
   * {@code maxWait} has passed.
   *
   * @throws AwsCallException when IAM refuses or the report is not ready in time
   * @throws IllegalArgumentException when the report cannot be parsed
   * @throws UnsupportedOperationException when this store has no credential report
   */
  default CredentialReport credentialReport(Duration maxWait) {
    throw new UnsupportedOperationException("this key store has no credential report");
  }

  /**
   * Every user's facts and rotator state in bulk (GetAccountAuthorizationDetails with
   * Filter=User, all pages): the same user facts, marker and history {@link #read} gives, without
   * the keys.
   *
   * @throws UnsupportedOperationException when this store cannot list users in bulk
   */
  default List<UserDetails> userDetails() {
    throw new UnsupportedOperationException("this key store cannot list user details in bulk");
  }

  /** A user's facts, keys (with last use), marker and history. */
  UserSnapshot read(String userName);

  NewAccessKey createKey(String userName);

  void setStatus(String userName, String keyId, KeyStatus status);

  void deleteKey(String userName, String keyId);

  /** Written before CreateAccessKey; see {@link RotationMarker}. */
  void writeMarker(String userName, RotationMarker marker);

  void clearMarker(String userName);

  /** Remembers what the rotator did to a key (warned, deactivated). */
  void writeHistory(String userName, String keyId, KeyHistory history);

  /** Forgets a key's history once the key is deleted. */
  void forgetHistory(String userName, String keyId);
}
