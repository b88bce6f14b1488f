package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.WarningKind;
import dev.keyrotator.ports.Finding;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Security Hub findings a run's report stands for, judged on the keys as they are after the run
 * ({@link PostRun}) against each account's policy in force:
 *
 * <ul>
 *   <li>{@code rotation-overdue}: a user's newest active key at or past {@code createAfterDays};
 *   <li>{@code unused-key-active}: an active key unused (or never used) for {@code unusedForDays};
 *   <li>{@code two-active-keys}: an older active key at or past {@code deactivateAfterDays} beside
 *       a newer one, past the overlap window;
 *   <li>{@code rotation-blocked}: a rotation that cannot happen (two active keys in use);
 *   <li>{@code exemption-expiring}: an exempt user whose exemption ends within 30 days;
 *   <li>{@code account-failed}, {@code account-not-reached}: an account the run did not process.
 * </ul>
 *
 * Ids are stable ({@code key-rotator/<kind>/<account>/<user>/<key>}), so the next run updates the
 * same finding; {@link #judged} says which accounts a missing finding may be resolved for. Exempt
 * users' keys raise no key finding. Nothing here holds a secret.
 */
public final class RunFindings {
  public static final String PREFIX = "key-rotator/";
  static final int EXEMPTION_WARNING_DAYS = 30;
  private static final Pattern UNTIL = Pattern.compile("until (\\d{4}-\\d{2}-\\d{2})\\)");
  private static final List<String> KEY_TYPES =
      List.of("Software and Configuration Checks/AWS Security Best Practices");

  private RunFindings() {}

  public static List<Finding> of(RunReport r) {
    Instant now = r.startedAt();
    List<Finding> out = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      switch (a.status()) {
        case FAILED ->
            out.add(
                account(
                    a,
                    "account-failed",
                    Finding.Severity.HIGH,
                    "Key rotation failed for the account"));
        case NOT_REACHED ->
            out.add(
                account(
                    a,
                    "account-not-reached",
                    Finding.Severity.MEDIUM,
                    "Key rotation did not reach the account"));
        default -> {}
      }
      if (a.rootAccessKeys().isPresent() && a.rootAccessKeys().getAsInt() > 0) {
        out.add(
            new Finding(
                PREFIX + "root-access-key/" + a.accountId(),
                PREFIX + "root-access-key",
                Finding.Severity.CRITICAL,
                "The root user has an active access key in " + a.accountId(),
                a.rootAccessKeys().getAsInt()
                    + " active root access key(s). The rotator never touches the root user: sign in"
                    + " as root, open Security credentials, delete the access key (CIS 1.4,"
                    + " Security Hub IAM.4)",
                "AwsAccount",
                "AWS::::Account:" + a.accountId(),
                a.accountId(),
                List.of(
                    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"),
                true));
      }
      if (a.policy().isEmpty()) {
        continue;
      }
      var t = a.policy().get().thresholds();
      Map<String, Optional<Instant>> lastUsed = new HashMap<>();
      for (UserReport u : a.users()) {
        u.keys().forEach(k -> lastUsed.put(u.userName() + "/" + k.keyId(), k.lastUsed()));
        for (DecisionReport d : u.decisions()) {
          if (d.action() == Action.WARN
              && d.warning().equals(Optional.of(WarningKind.CANNOT_ROTATE))) {
            out.add(
                user(
                    a,
                    u,
                    "rotation-blocked",
                    Finding.Severity.MEDIUM,
                    "Access key cannot be rotated",
                    d.reason(),
                    d.keyId()));
          }
          if (d.action() == Action.EXEMPT) {
            Matcher m = UNTIL.matcher(d.reason());
            if (m.find()) {
              LocalDate until = LocalDate.parse(m.group(1));
              long left =
                  Duration.between(now, until.atStartOfDay(ZoneOffset.UTC).toInstant()).toDays();
              if (left <= EXEMPTION_WARNING_DAYS) {
                out.add(
                    user(
                        a,
                        u,
                        "exemption-expiring",
                        Finding.Severity.LOW,
                        "Key rotation exemption expires in " + Math.max(0, left) + " days",
                        d.reason()
                            + "; from "
                            + until
                            + " the user's keys are rotated like any other",
                        ""));
              }
            }
          }
        }
      }
      for (PostRun.Key k : PostRun.keys(a)) {
        if (k.exempt() || !k.active()) {
          continue;
        }
        if (k.newestActive() && k.ageDays() >= t.createAfterDays()) {
          out.add(
              key(
                  a,
                  k,
                  "rotation-overdue",
                  Finding.Severity.MEDIUM,
                  "Access key not rotated within " + t.createAfterDays() + " days",
                  "key " + k.keyId() + " of " + k.userName() + " is " + k.ageDays() + " days old"));
        }
        if (!k.newestActive() && k.ageDays() >= t.deactivateAfterDays()) {
          out.add(
              key(
                  a,
                  k,
                  "two-active-keys",
                  Finding.Severity.MEDIUM,
                  "Old access key still active beside a newer one",
                  "key "
                      + k.keyId()
                      + " of "
                      + k.userName()
                      + " is "
                      + k.ageDays()
                      + " days old and a newer key is active: past the overlap window ("
                      + t.deactivateAfterDays()
                      + " days)"));
        }
        Optional<Instant> used =
            lastUsed.getOrDefault(k.userName() + "/" + k.keyId(), Optional.empty());
        long idle = used.map(u -> Duration.between(u, now).toDays()).orElse(k.ageDays());
        if (k.ageDays() >= t.unusedForDays()
            && idle >= t.unusedForDays()
            && t.unusedForDays() > 0) {
          out.add(
              key(
                  a,
                  k,
                  "unused-key-active",
                  Finding.Severity.LOW,
                  "Active access key unused for " + t.unusedForDays() + " days or more",
                  "key "
                      + k.keyId()
                      + " of "
                      + k.userName()
                      + " is active and "
                      + (used.isEmpty()
                          ? "was never used"
                          : "was last used " + idle + " days ago")));
        }
      }
    }
    return out;
  }

  /**
   * The accounts whose earlier findings this run may resolve when it raises them no more: keys and
   * users only of accounts it read, account findings of every account it processed.
   */
  public static Set<String> judged(RunReport r) {
    Set<String> out = new TreeSet<>();
    for (AccountReport a : r.accounts()) {
      if (a.status() == AccountStatus.DONE
          || a.status() == AccountStatus.DRY_RUN
          || a.status() == AccountStatus.REPORT_ONLY) {
        out.add(a.accountId());
      }
    }
    return out;
  }

  /** The account a finding id names ({@code key-rotator/<kind>/<account>/...}). */
  public static Optional<String> accountOf(String findingId) {
    String[] p = findingId.split("/");
    return p.length >= 3 && p[0].equals("key-rotator") ? Optional.of(p[2]) : Optional.empty();
  }

  private static Finding account(AccountReport a, String kind, Finding.Severity s, String title) {
    return new Finding(
        PREFIX + kind + "/" + a.accountId(),
        PREFIX + kind,
        s,
        title + " " + a.accountId(),
        a.reason().isEmpty() ? a.status().name() : a.reason(),
        "AwsAccount",
        "AWS::::Account:" + a.accountId(),
        a.accountId(),
        List.of("Software and Configuration Checks/AWS Security Best Practices"),
        true);
  }

  private static Finding user(
      AccountReport a,
      UserReport u,
      String kind,
      Finding.Severity s,
      String title,
      String description,
      String keyId) {
    return new Finding(
        PREFIX
            + kind
            + "/"
            + a.accountId()
            + "/"
            + u.userName()
            + (keyId.isEmpty() ? "" : "/" + keyId),
        PREFIX + kind,
        s,
        title + ": " + u.userName() + " in " + a.accountId(),
        description,
        "AwsIamUser",
        "arn:aws:iam::" + a.accountId() + ":user/" + u.userName(),
        a.accountId(),
        KEY_TYPES,
        true);
  }

  private static Finding key(
      AccountReport a,
      PostRun.Key k,
      String kind,
      Finding.Severity s,
      String title,
      String description) {
    return new Finding(
        PREFIX + kind + "/" + a.accountId() + "/" + k.userName() + "/" + k.keyId(),
        PREFIX + kind,
        s,
        title + ": " + k.userName() + " in " + a.accountId(),
        description,
        "AwsIamAccessKey",
        k.keyId(),
        a.accountId(),
        KEY_TYPES,
        true);
  }
}
