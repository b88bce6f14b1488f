package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys as they stand once the run's carried-out decisions took effect: deactivated keys are
 * inactive, deleted keys gone, created keys new (age 0, never used). Planned decisions change
 * nothing.
 */
final class PostRun {
  private PostRun() {}

  /** One key after the run. */
  record Key(
      AccountReport account,
      String userName,
      String keyId,
      boolean active,
      long ageDays,
      boolean neverUsed,
      boolean exempt,
      boolean newestActive) {}

  /** A key's state while the decisions are applied. */
  private record State(boolean active, long ageDays, boolean neverUsed) {
    State deactivated() {
      return new State(false, ageDays, neverUsed);
    }
  }

  static boolean exempt(UserReport u) {
    return u.decisions().stream().anyMatch(d -> d.action() == Action.EXEMPT);
  }

  /** One account's keys after the run, user by user (a pass over the run reads one account). */
  static List<Key> keys(AccountReport a) {
    List<Key> out = new ArrayList<>();
    for (UserReport u : a.users()) {
      out.addAll(keys(a, u));
    }
    return out;
  }

  static List<Key> keys(AccountReport a, UserReport u) {
    Map<String, State> state = new LinkedHashMap<>();
    for (KeyReport k : u.keys()) {
      state.put(k.keyId(), new State(k.active(), k.ageDays(), k.lastUsed().isEmpty()));
    }
    for (DecisionReport d : u.decisions()) {
      if (d.outcome() != Outcome.DONE) {
        continue;
      }
      switch (d.action()) {
        case DEACTIVATE_KEY -> state.computeIfPresent(d.keyId(), (id, s) -> s.deactivated());
        case DELETE_KEY, REPAIR_DELETE_ORPHAN -> state.remove(d.keyId());
        case CREATE_KEY -> {
          if (!d.keyId().isEmpty()) {
            state.put(d.keyId(), new State(true, 0L, true));
          }
        }
        default -> {}
      }
    }
    String newest = null;
    long newestAge = Long.MAX_VALUE;
    for (Map.Entry<String, State> e : state.entrySet()) {
      if (e.getValue().active() && e.getValue().ageDays() < newestAge) {
        newest = e.getKey();
        newestAge = e.getValue().ageDays();
      }
    }
    boolean exempt = exempt(u);
    List<Key> out = new ArrayList<>();
    for (Map.Entry<String, State> e : state.entrySet()) {
      State s = e.getValue();
      out.add(
          new Key(
              a,
              u.userName(),
              e.getKey(),
              s.active(),
              s.ageDays(),
              s.neverUsed(),
              exempt,
              e.getKey().equals(newest)));
    }
    return out;
  }
}
