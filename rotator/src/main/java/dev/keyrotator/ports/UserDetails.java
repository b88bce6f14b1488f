package dev.keyrotator.ports;

import dev.keyrotator.policy.IamUser;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.RotationMarker;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One user as GetAccountAuthorizationDetails lists it: facts (path, tags without the rotator's own,
 * groups), creation time, and what the rotator left in its tags. No keys: those come from the
 * credential report or a per-user read.
 *
 * @param stateTags true when the user carries any tag the rotator writes for itself (marker or
 *     per-key history), even one that does not parse
 */
public record UserDetails(
    IamUser user,
    Instant created,
    Optional<RotationMarker> marker,
    Map<String, KeyHistory> history,
    boolean stateTags) {
  public UserDetails {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(marker, "marker");
    history = Map.copyOf(history);
  }
}
