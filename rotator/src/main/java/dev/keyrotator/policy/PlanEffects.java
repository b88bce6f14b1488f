package dev.keyrotator.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a user's state becomes once a plan has been carried out in full. Used by {@code forecast} to
 * look ahead day by day and by the tests that check the planner's invariants.
 */
public final class PlanEffects {
  private PlanEffects() {}

  public static UserState apply(
      UserState state, UserPlan plan, Instant now, Supplier<String> newKeyIds) {
    List<AccessKey> keys = new ArrayList<>(state.keys());
    Set<String> stored = new HashSet<>(state.storedKeyIds());
    Map<String, KeyHistory> history = new HashMap<>(state.history());
    Optional<RotationMarker> marker = state.marker();
    for (Decision d : plan.decisions()) {
      String keyId = d.keyId().orElse(null);
      switch (d.action()) {
        case REPAIR_DELETE_ORPHAN, DELETE_KEY -> {
          keys.removeIf(k -> k.id().equals(keyId));
          stored.remove(keyId);
          history.remove(keyId);
        }
        case REPAIR_CLEAR_MARKER -> marker = Optional.empty();
        case CREATE_KEY -> {
          String id = newKeyIds.get();
          keys.add(new AccessKey(id, KeyStatus.ACTIVE, now, Optional.empty()));
          stored.add(id);
        }
        case DEACTIVATE_KEY -> {
          keys.replaceAll(k -> k.id().equals(keyId) ? k.withStatus(KeyStatus.INACTIVE) : k);
          history.merge(
              keyId, KeyHistory.NONE.withDeactivated(now), (a, b) -> a.withDeactivated(now));
        }
        case WARN ->
            history.merge(keyId, KeyHistory.NONE.withWarned(now), (a, b) -> a.withWarned(now));
        case NOTHING, EXEMPT, SKIP_IN_FLIGHT -> {}
        default -> throw new IllegalStateException("unhandled " + d.action());
      }
    }
    return new UserState(state.user(), keys, stored, marker, history);
  }
}
