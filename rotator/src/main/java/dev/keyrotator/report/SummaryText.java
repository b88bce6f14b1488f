package dev.keyrotator.report;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A short plain-text summary of a run: the SNS summary's body and {@code report FILE}. */
public final class SummaryText {
  /** Failed accounts and next actions listed at most. */
  static final int MAX_LISTED = 20;

  private SummaryText() {}

  public static String render(RunReport r) {
    return render(r, ReportSummary.of(r));
  }

  static String render(RunReport r, ReportSummary s) {
    ReportSummary.Totals t = s.totals();
    ReportSummary.Compliance c = s.compliance();
    StringBuilder b = new StringBuilder();
    b.append("Run ").append(r.runId()).append(" (mode ").append(r.mode()).append(")\n");
    b.append("  ").append(r.startedAt()).append(" to ").append(r.finishedAt()).append('\n');
    b.append("  policy ")
        .append(r.policySource())
        .append(" sha256 ")
        .append(r.policySha256())
        .append('\n');
    b.append("Accounts: ").append(t.accounts());
    t.accountsByStatus().entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .forEach(
            e ->
                b.append(", ")
                    .append(e.getValue())
                    .append(' ')
                    .append(e.getKey().toLowerCase(Locale.ROOT).replace('_', '-')));
    b.append('\n');
    b.append("Users: ")
        .append(t.usersScanned())
        .append(" scanned, ")
        .append(t.usersFailed())
        .append(" failed, ")
        .append(t.usersExempt())
        .append(" exempt, ")
        .append(t.usersNotReached())
        .append(" not reached\n");
    b.append("Changes: ").append(actions(t.actionsDone())).append('\n');
    b.append("Planned only: ").append(actions(t.actionsPlanned())).append('\n');
    b.append("Actions failed: ")
        .append(t.actionsFailed())
        .append(" (skipped after a failure: ")
        .append(t.actionsSkipped())
        .append(")\n");
    b.append("Compliance after the run: ")
        .append(c.activeKeys())
        .append(" active keys, ")
        .append(c.keysPastDeactivateAgeActive())
        .append(" past the deactivate age (")
        .append(c.keysPastDeactivateAgeActiveExempt())
        .append(" exempt), ")
        .append(c.keysNeverUsed())
        .append(" never used, oldest active ")
        .append(c.oldestActiveKeyAgeDays() < 0 ? "-" : c.oldestActiveKeyAgeDays() + " days")
        .append('\n');
    if (!c.accountsWithRootAccessKeys().isEmpty()) {
      b.append("CRITICAL: the root user has an active access key in ")
          .append(String.join(", ", c.accountsWithRootAccessKeys()))
          .append(": the rotator never touches the root user; sign in as root, open Security")
          .append(" credentials, and delete the access key (use IAM roles or users instead)\n");
    }
    for (AccountReport a : r.accounts()) {
      for (UserReport u : a.users()) {
        u.incident()
            .ifPresent(
                i ->
                    b.append("INCIDENT in ")
                        .append(a.accountId())
                        .append(", user ")
                        .append(u.userName())
                        .append(": ")
                        .append(i.line())
                        .append('\n'));
      }
    }
    b.append("Notifications: ")
        .append(t.notificationsSent())
        .append(" sent, ")
        .append(t.notificationsLost())
        .append(" lost\n");
    b.append("AWS calls: ")
        .append(t.awsCalls())
        .append(" (retries ")
        .append(t.awsRetries())
        .append(", throttled ")
        .append(t.awsThrottled())
        .append(", failed ")
        .append(t.awsFailed())
        .append(")\n");
    int listed = 0;
    for (AccountReport a : r.accounts()) {
      if (a.status() == AccountStatus.FAILED || a.status() == AccountStatus.NOT_REACHED) {
        if (listed == 0) {
          b.append("Accounts not processed:\n");
        }
        if (listed++ < MAX_LISTED) {
          b.append("  ")
              .append(a.accountId())
              .append(' ')
              .append(a.accountName())
              .append(": ")
              .append(a.status())
              .append(" - ")
              .append(a.reason())
              .append('\n');
        }
      }
    }
    if (listed > MAX_LISTED) {
      b.append("  ... and ").append(listed - MAX_LISTED).append(" more\n");
    }
    if (!s.nextActions().isEmpty()) {
      b.append("Next actions due within ")
          .append(s.nextActionsHorizonDays())
          .append(" days: ")
          .append(s.nextActions().size())
          .append('\n');
      s.nextActions().stream()
          .limit(MAX_LISTED)
          .forEach(
              n ->
                  b.append("  in ")
                      .append(n.dueInDays())
                      .append(" d (")
                      .append(n.dueOn())
                      .append(") ")
                      .append(n.action())
                      .append(' ')
                      .append(n.accountId())
                      .append(' ')
                      .append(n.userName())
                      .append(' ')
                      .append(n.keyId())
                      .append('\n'));
      if (s.nextActions().size() > MAX_LISTED) {
        b.append("  ... and ").append(s.nextActions().size() - MAX_LISTED).append(" more\n");
      }
    }
    return b.toString();
  }

  private static String actions(Map<String, Long> m) {
    if (m.isEmpty()) {
      return "none";
    }
    StringBuilder b = new StringBuilder();
    new TreeMap<>(m)
        .forEach(
            (k, v) ->
                b.append(b.length() == 0 ? "" : ", ")
                    .append(v)
                    .append(' ')
                    .append(k.toLowerCase(Locale.ROOT)));
    return b.toString();
  }
}
