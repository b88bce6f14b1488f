package dev.keyrotator.report;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Views of a run report that tests compare. */
public final class ReportViews {
  private ReportViews() {}

  /** Per account and user, what was decided: action, warning kind and key (ids of read keys). */
  public static Map<String, List<String>> decisions(RunReport r) {
    Map<String, List<String>> out = new TreeMap<>();
    for (AccountReport a : r.accounts()) {
      for (UserReport u : a.users()) {
        out.put(
            a.accountId() + "/" + u.userName(),
            u.decisions().stream()
                .map(d -> ReportText.action(d) + (d.keyId().isEmpty() ? "" : " " + d.keyId()))
                .toList());
      }
    }
    return out;
  }
}
