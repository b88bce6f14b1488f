package dev.keyrotator.cli;

import dev.keyrotator.policy.Action;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.ReportText;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import java.io.PrintWriter;

/** The run report as readable tables. */
final class ReportPrinter {
  private ReportPrinter() {}

  static void print(PrintWriter out, RunReport r) {
    out.printf(
        "Run %s  mode %s  policy %s (sha256 %s)%n",
        r.runId(), r.mode(), r.policySource(), r.policySha256().substring(0, 12));
    out.printf(
        "%-14s %-16s %-22s %-12s %6s  %s%n",
        "ACCOUNT", "NAME", "OU PATH", "STATUS", "USERS", "REASON");
    for (AccountReport a : r.accounts()) {
      out.printf(
          "%-14s %-16s %-22s %-12s %6d  %s%n",
          a.accountId(),
          trim(a.accountName(), 16),
          trim(a.ouPath(), 22),
          a.status(),
          a.usersScanned(),
          a.reason());
    }
    out.println();
    out.printf(
        "%-14s %-20s %-30s %-24s %-8s  %s%n",
        "ACCOUNT", "USER", "DECISION", "KEY", "OUTCOME", "REASON / RESULT");
    for (AccountReport a : r.accounts()) {
      for (UserReport u : a.users()) {
        for (DecisionReport d : u.decisions()) {
          if (d.action() == Action.NOTHING) {
            continue;
          }
          String action = ReportText.action(d);
          String detail =
              d.outcome() == Outcome.FAILED
                  ? "FAILED: " + d.error()
                  : !d.secretArn().isEmpty() ? "secret " + d.secretArn() : d.reason();
          out.printf(
              "%-14s %-20s %-30s %-24s %-8s  %s%n",
              a.accountId(), trim(u.userName(), 20), action, d.keyId(), d.outcome(), detail);
        }
      }
    }
    for (AccountReport a : r.accounts()) {
      for (UserReport u : a.users()) {
        u.incident()
            .ifPresent(
                i ->
                    out.printf(
                        "INCIDENT in %s, user %s: %s%n", a.accountId(), u.userName(), i.line()));
      }
    }
    out.println();
    out.printf(
        "Totals: %d accounts (%d failed), %d users, created %d, deactivated %d, deleted %d,"
            + " warned %d, repaired %d, planned %d%n",
        r.accounts().size(),
        r.failedAccounts(),
        r.accounts().stream().mapToInt(AccountReport::usersScanned).sum(),
        r.count(Action.CREATE_KEY, Outcome.DONE),
        r.count(Action.DEACTIVATE_KEY, Outcome.DONE),
        r.count(Action.DELETE_KEY, Outcome.DONE),
        r.count(Action.WARN, Outcome.DONE),
        r.count(Action.REPAIR_DELETE_ORPHAN, Outcome.DONE)
            + r.count(Action.REPAIR_CLEAR_MARKER, Outcome.DONE),
        r.accounts().stream()
            .flatMap(a -> a.users().stream())
            .flatMap(u -> u.decisions().stream())
            .filter(d -> d.outcome() == Outcome.PLANNED)
            .count());
    Long calls = r.awsCalls().get("total.calls");
    if (calls != null) {
      out.printf(
          "AWS calls: %d (retries %d, throttled %d)%n",
          calls,
          r.awsCalls().getOrDefault("total.retries", 0L),
          r.awsCalls().getOrDefault("total.throttled", 0L));
    }
    out.flush();
  }

  private static String trim(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }
}
