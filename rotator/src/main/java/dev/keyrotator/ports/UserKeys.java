package dev.keyrotator.ports;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.RotationMarker;
import java.util.List;
import java.util.Optional;

/**
 * IAM users of one account one by one: their keys, and the rotator's marker and history tags. Every
 * method throws {@link AwsCallException} when IAM refuses or fails after retries.
 */
public interface UserKeys {

  /** The names of every user (all pages). */
  List<String> userNames();

  /** A user's facts, keys (with last use), marker and history. */
  UserSnapshot read(String userName);

  /**
   * The user owning an access key of this account (GetAccessKeyLastUsed names it); empty when IAM
   * does not know the key in this account.
   */
  Optional<String> ownerOf(String keyId);

  /** The names of the managed policies attached to the user (ListAttachedUserPolicies). */
  List<String> attachedPolicies(String userName);

  /**
   * The user's keys as ListAccessKeys gives them: ids, status and creation, fresh; last use empty.
   * One call (IAM has at most two keys per user, one page).
   */
  default List<AccessKey> listKeys(String userName) {
    return read(userName).keys().stream()
        .map(k -> new AccessKey(k.id(), k.status(), k.created(), Optional.empty()))
        .toList();
  }

  /**
   * {@link #read(String)} for a user whose facts, marker and history a bulk read ({@link
   * UserScan#userDetails}) gave moments ago and whose keys were just {@linkplain #listKeys listed}:
   * only each key's last use is read (GetAccessKeyLastUsed per key).
   */
  default UserSnapshot read(UserDetails known, List<AccessKey> listed) {
    return read(known.user().name());
  }

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
