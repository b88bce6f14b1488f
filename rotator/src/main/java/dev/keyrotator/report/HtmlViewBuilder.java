package dev.keyrotator.report;

import dev.keyrotator.policy.Mode;
import dev.keyrotator.report.HtmlView.AccountDetail;
import dev.keyrotator.report.HtmlView.AccountRow;
import dev.keyrotator.report.HtmlView.DecisionLine;
import dev.keyrotator.report.HtmlView.DecisionRow;
import dev.keyrotator.report.HtmlView.FailureRow;
import dev.keyrotator.report.HtmlView.KeyAges;
import dev.keyrotator.report.HtmlView.KeyLine;
import dev.keyrotator.report.HtmlView.NextActionRow;
import dev.keyrotator.report.HtmlView.Page;
import dev.keyrotator.report.HtmlView.PolicyValue;
import dev.keyrotator.report.HtmlView.Tile;
import dev.keyrotator.report.HtmlView.UserRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes the HTML report's {@link HtmlView} from a run. The one place that reads the report model
 * for the page: the templates see only the view.
 */
final class HtmlViewBuilder {
  private HtmlViewBuilder() {}

  static Page page(RunReport r, ReportSummary s) {
    List<DecisionRow> done = new ArrayList<>();
    List<DecisionRow> planned = new ArrayList<>();
    changes(r, done, planned);
    return new Page(
        r.runId(),
        r.mode(),
        r.startedAt().toString(),
        r.finishedAt().toString(),
        r.policySource(),
        shortSha(r.policySha256()),
        tiles(s),
        accountRows(r, s),
        keyAges(r),
        done,
        planned,
        failures(r),
        s.nextActionsHorizonDays(),
        nextActions(s),
        accounts(r));
  }

  // ------------------------------------------------------------------ at a glance

  private static List<Tile> tiles(ReportSummary s) {
    ReportSummary.Totals t = s.totals();
    ReportSummary.Compliance c = s.compliance();
    List<Tile> tiles = new ArrayList<>();
    tiles.add(
        new Tile(
            "Accounts", String.valueOf(t.accounts()), statusBreakdown(t.accountsByStatus()), ""));
    tiles.add(
        new Tile(
            "Accounts failed",
            String.valueOf(c.accountsFailed().size()),
            c.accountsFailed().isEmpty() ? "none" : String.join(", ", c.accountsFailed()),
            c.accountsFailed().isEmpty() ? "" : "bad"));
    tiles.add(
        new Tile(
            "Users scanned",
            String.valueOf(t.usersScanned()),
            t.usersFailed()
                + " failed, "
                + t.usersExempt()
                + " exempt, "
                + t.usersNotReached()
                + " not reached",
            t.usersFailed() > 0 ? "bad" : ""));
    tiles.add(
        new Tile(
            "Keys after the run",
            String.valueOf(c.activeKeys() + c.inactiveKeys()),
            c.activeKeys() + " active, " + c.inactiveKeys() + " inactive",
            ""));
    tiles.add(
        new Tile(
            "Active keys past deactivate age",
            String.valueOf(c.keysPastDeactivateAgeActive()),
            c.keysPastDeactivateAgeActiveExempt() + " of them exempt",
            c.keysPastDeactivateAgeActive() > c.keysPastDeactivateAgeActiveExempt() ? "warn" : ""));
    tiles.add(
        new Tile(
            "Keys never used",
            String.valueOf(c.keysNeverUsed()),
            "active or inactive",
            c.keysNeverUsed() > 0 ? "warn" : ""));
    tiles.add(
        new Tile(
            "Oldest active key",
            c.oldestActiveKeyAgeDays() < 0 ? "-" : c.oldestActiveKeyAgeDays() + " d",
            "in days",
            ""));
    tiles.add(
        new Tile(
            "Changes made", String.valueOf(sum(t.actionsDone())), actions(t.actionsDone()), ""));
    tiles.add(
        new Tile(
            "Planned only",
            String.valueOf(sum(t.actionsPlanned())),
            actions(t.actionsPlanned()),
            ""));
    tiles.add(
        new Tile(
            "Actions failed",
            String.valueOf(t.actionsFailed()),
            t.actionsSkipped() + " skipped after a failure",
            t.actionsFailed() > 0 ? "bad" : ""));
    tiles.add(
        new Tile(
            "AWS calls",
            String.valueOf(t.awsCalls()),
            t.awsRetries()
                + " retries, "
                + t.awsThrottled()
                + " throttled, "
                + t.awsFailed()
                + " failed",
            t.awsThrottled() > 0 ? "warn" : ""));
    return tiles;
  }

  private static List<AccountRow> accountRows(RunReport r, ReportSummary s) {
    List<AccountRow> rows = new ArrayList<>();
    for (int i = 0; i < r.accounts().size(); i++) {
      AccountReport a = r.accounts().get(i);
      ReportSummary.AccountCompliance ac = s.compliance().accounts().get(i);
      rows.add(
          new AccountRow(
              a.accountId(),
              a.accountName(),
              a.ouPath(),
              a.status().name(),
              a.usersScanned(),
              ac.keys(),
              ac.keysPastDeactivateAgeActive(),
              ac.keysNeverUsed(),
              ac.oldestKeyAgeDays(),
              ac.oldestKeyUser(),
              ac.oldestKeyId(),
              a.reason()));
    }
    return rows;
  }

  // ------------------------------------------------------------------ key ages

  private static List<KeyAges> keyAges(RunReport r) {
    List<PostRun.Key> all = PostRun.keys(r);
    List<KeyAges> out = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      List<PostRun.Key> keys =
          all.stream()
              .filter(k -> k.account() == a)
              .sorted(
                  Comparator.comparingLong(PostRun.Key::ageDays)
                      .reversed()
                      .thenComparing(PostRun.Key::userName)
                      .thenComparing(PostRun.Key::keyId))
              .toList();
      boolean notScanned =
          a.users().isEmpty()
              && (a.status() == AccountStatus.FAILED
                  || a.status() == AccountStatus.SKIPPED
                  || a.status() == AccountStatus.NOT_REACHED);
      ChartGeometry.Chart chart = null;
      int shown = Math.min(keys.size(), HtmlReport.MAX_CHART_KEYS);
      if (!notScanned && !keys.isEmpty()) {
        ReportSummary.Thresholds t = ReportSummary.Thresholds.of(a);
        List<ChartGeometry.Bar> bars =
            keys.subList(0, shown).stream()
                .map(
                    k ->
                        new ChartGeometry.Bar(
                            trim(k.userName(), 22)
                                + " "
                                + k.keyId()
                                + (k.exempt() ? " (exempt)" : ""),
                            k.userName()
                                + " "
                                + k.keyId()
                                + ": "
                                + k.ageDays()
                                + " days, "
                                + (k.active() ? "active" : "inactive")
                                + (k.neverUsed() ? ", never used" : ""),
                            k.ageDays(),
                            k.active()))
                .toList();
        chart =
            ChartGeometry.layout(
                bars, keys.get(0).ageDays(), t.create(), t.deactivate(), t.delete());
      }
      out.add(
          new KeyAges(
              a.accountId(),
              a.accountName(),
              a.status().name(),
              notScanned,
              a.reason(),
              chart,
              shown,
              keys.size()));
    }
    return out;
  }

  // ------------------------------------------------------------------ changes and failures

  private static void changes(RunReport r, List<DecisionRow> done, List<DecisionRow> planned) {
    for (AccountReport a : r.accounts()) {
      for (UserReport u : a.users()) {
        for (DecisionReport d : u.decisions()) {
          DecisionRow row =
              new DecisionRow(
                  a.accountId(), u.userName(), label(d), d.keyId(), d.reason(), d.secretArn());
          if (d.outcome() == Outcome.DONE) {
            done.add(row);
          } else if (d.outcome() == Outcome.PLANNED) {
            planned.add(row);
          }
        }
      }
    }
  }

  private static List<FailureRow> failures(RunReport r) {
    List<FailureRow> rows = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      if (a.status() == AccountStatus.FAILED || a.status() == AccountStatus.NOT_REACHED) {
        rows.add(new FailureRow(a.accountId(), "", a.status().name(), a.reason()));
      }
      if (!a.usersNotReached().isEmpty()) {
        rows.add(
            new FailureRow(
                a.accountId(),
                String.join(", ", a.usersNotReached()),
                AccountStatus.NOT_REACHED.name(),
                "left for the next run: the deadline came"));
      }
      for (UserReport u : a.users()) {
        for (DecisionReport d : u.decisions()) {
          if (d.outcome() == Outcome.FAILED || d.outcome() == Outcome.SKIPPED) {
            rows.add(
                new FailureRow(
                    a.accountId(),
                    u.userName(),
                    label(d) + " " + d.outcome().name(),
                    d.error().isEmpty() ? d.reason() : d.error()));
          }
        }
        for (String note : u.notes()) {
          rows.add(new FailureRow(a.accountId(), u.userName(), "note", note));
        }
        if (u.notificationsLost() > 0) {
          rows.add(
              new FailureRow(
                  a.accountId(),
                  u.userName(),
                  "notifications lost",
                  u.notificationsLost() + " message(s) SNS refused after retries"));
        }
      }
    }
    return rows;
  }

  private static List<NextActionRow> nextActions(ReportSummary s) {
    return s.nextActions().stream()
        .map(
            n ->
                new NextActionRow(
                    n.dueInDays(),
                    n.dueOn(),
                    n.accountId(),
                    n.userName(),
                    n.keyId(),
                    n.action().name(),
                    n.reason()))
        .toList();
  }

  // ------------------------------------------------------------------ accounts in detail

  private static List<AccountDetail> accounts(RunReport r) {
    List<AccountDetail> out = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      List<PolicyValue> policy = new ArrayList<>();
      for (Map.Entry<String, String> e :
          new TreeMap<>(a.policy().map(ReportText::policyValues).orElse(Map.of())).entrySet()) {
        policy.add(
            new PolicyValue(
                e.getKey(), e.getValue(), a.policySources().getOrDefault(e.getKey(), "?")));
      }
      List<UserRow> users =
          a.users().stream().limit(HtmlReport.MAX_DETAIL_USERS).map(HtmlViewBuilder::user).toList();
      out.add(
          new AccountDetail(
              a.accountId(),
              a.accountName(),
              a.status().name(),
              a.ouPath().isEmpty() ? "-" : a.ouPath(),
              a.mode().map(Mode::label).orElse("-"),
              a.usersScanned(),
              a.reason(),
              policy,
              users,
              a.users().size()));
    }
    return out;
  }

  private static UserRow user(UserReport u) {
    List<KeyLine> keys =
        u.keys().stream()
            .map(
                k ->
                    new KeyLine(
                        k.keyId(),
                        k.status().iamName(),
                        k.ageDays(),
                        k.lastUsed().map(t -> "used " + t).orElse("never used")))
            .toList();
    List<DecisionLine> decisions =
        u.decisions().stream()
            .map(
                d ->
                    new DecisionLine(
                        d.outcome().name(), label(d), d.keyId(), d.reason(), d.error()))
            .toList();
    return new UserRow(u.userName(), u.owner(), keys, decisions, u.notes());
  }

  // ------------------------------------------------------------------ wording

  private static String statusBreakdown(Map<String, Integer> byStatus) {
    List<String> parts = new ArrayList<>();
    byStatus.forEach(
        (k, v) -> {
          if (v > 0) {
            parts.add(v + " " + k.toLowerCase(Locale.ROOT).replace('_', '-'));
          }
        });
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static String actions(Map<String, Long> m) {
    List<String> parts = new ArrayList<>();
    new TreeMap<>(m).forEach((k, v) -> parts.add(v + " " + k.toLowerCase(Locale.ROOT)));
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  private static String label(DecisionReport d) {
    return ReportText.action(d);
  }

  private static String shortSha(String sha) {
    return sha == null ? "" : sha.length() > 12 ? sha.substring(0, 12) : sha;
  }

  private static String trim(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "\u2026";
  }
}
