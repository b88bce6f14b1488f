package dev.keyrotator.policy;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the planner knows about one user at one moment.
 *
 * @param user name, path, tags and groups
 * @param keys the user's access keys (at most two in IAM)
 * @param storedKeyIds ids of the keys whose secret is stored in the vault
 * @param marker a rotation that a previous run began and did not finish, if any
 * @param history per key id, what the rotator did to it before
 */
public record UserState(
    IamUser user,
    List<AccessKey> keys,
    Set<String> storedKeyIds,
    Optional<RotationMarker> marker,
    Map<String, KeyHistory> history) {

  public UserState {
    Objects.requireNonNull(user, "user");
    keys =
        keys.stream()
            .sorted(Comparator.comparing(AccessKey::created).thenComparing(AccessKey::id))
            .toList();
    storedKeyIds = Set.copyOf(storedKeyIds);
    Objects.requireNonNull(marker, "marker");
    history = Map.copyOf(history);
  }

  public KeyHistory historyOf(String keyId) {
    return history.getOrDefault(keyId, KeyHistory.NONE);
  }

  public boolean isStored(String keyId) {
    return storedKeyIds.contains(keyId);
  }

  /** This state after the user signed a request with its newest active key at {@code at}. */
  public UserState withNewestActiveKeyUsedAt(java.time.Instant at) {
    List<AccessKey> used = new java.util.ArrayList<>(keys);
    for (int i = used.size() - 1; i >= 0; i--) {
      AccessKey k = used.get(i);
      if (k.isActive()) {
        used.set(i, new AccessKey(k.id(), k.status(), k.created(), Optional.of(at)));
        break;
      }
    }
    return new UserState(user, used, storedKeyIds, marker, history);
  }

  public Optional<AccessKey> key(String keyId) {
    return keys.stream().filter(k -> k.id().equals(keyId)).findFirst();
  }
}
