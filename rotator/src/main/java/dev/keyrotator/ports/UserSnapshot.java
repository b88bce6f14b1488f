package dev.keyrotator.ports;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.IamUser;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.RotationMarker;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One user as read from IAM: facts, keys with last use, and what the rotator left on it. */
public record UserSnapshot(
    IamUser user,
    List<AccessKey> keys,
    Optional<RotationMarker> marker,
    Map<String, KeyHistory> history) {
  public UserSnapshot {
    keys = List.copyOf(keys);
    history = Map.copyOf(history);
  }
}
