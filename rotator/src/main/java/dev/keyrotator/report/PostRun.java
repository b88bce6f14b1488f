package dev.keyrotator.report;

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
  record Key(AccountReport account, String userName, String keyId, boolean active,
      long ageDays, boolean neverUsed, boolean exempt, boolean newestActive) {}

  static boolean exempt(UserReport u) {
    return u.decisions().stream().anyMatch(d -> d.action().equals("EXEMPT"));
  }

  static List<Key> keys(RunReport r) {
    List<Key> out = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      for (UserReport u : a.users()) {
        out.addAll(keys(a, u));
      }
    }
    return out;
  }

  private static List<Key> keys(AccountReport a, UserReport u) {
    boolean exempt = exempt(u);
    // key id -> {active, age, neverUsed}
    Map<String, Object[]> state = new LinkedHashMap<>();
    for (KeyReport k : u.keys()) {
      state.put(k.keyId(), new Object[] {"Active".equals(k.status()), k.ageDays(),
          k.lastUsed().isEmpty()});
    }
    for (DecisionReport d : u.decisions()) {
      if (d.outcome() != Outcome.DONE) {
        continue;
      }
      switch (d.action()) {
        case "DEACTIVATE_KEY" -> {
          Object[] s = state.get(d.keyId());
          if (s != null) {
            s[0] = false;
          }
        }
        case "DELETE_KEY", "REPAIR_DELETE_ORPHAN" -> state.remove(d.keyId());
        case "CREATE_KEY" -> {
          if (!d.keyId().isEmpty()) {
            state.put(d.keyId(), new Object[] {true, 0L, true});
          }
        }
        default -> { }
      }
    }
    String newest = null;
    long newestAge = Long.MAX_VALUE;
    for (Map.Entry<String, Object[]> e : state.entrySet()) {
      if ((Boolean) e.getValue()[0] && (Long) e.getValue()[1] < newestAge) {
        newest = e.getKey();
        newestAge = (Long) e.getValue()[1];
      }
    }
    List<Key> out = new ArrayList<>();
    for (Map.Entry<String, Object[]> e : state.entrySet()) {
      Object[] s = e.getValue();
      out.add(new Key(a, u.userName(), e.getKey(), (Boolean) s[0], (Long) s[1], (Boolean) s[2],
          exempt, e.getKey().equals(newest)));
    }
    return out;
  }
}
