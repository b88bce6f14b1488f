package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figures derived from a {@link RunReport}: totals, compliance and the actions due next. Computed,
 * never stored separately from the report it describes, so the JSON's {@code summary} always agrees
 * with its {@code report}.
 *
 * <p>Compliance figures describe the keys <em>after</em> this run: a key deactivated or deleted by
 * this run no longer counts as active, a key this run created counts as a new, never-used key.
 *
 * @param nextActionsHorizonDays next actions listed are those due within this many days
 */
public record ReportSummary(
    Totals totals,
    Compliance compliance,
    int nextActionsHorizonDays,
    List<NextAction> nextActions) {

  /** The default look-ahead for {@link #nextActions}. */
  public static final int DEFAULT_HORIZON_DAYS = 30;

  public ReportSummary {
    nextActions = List.copyOf(nextActions);
  }

  /**
   * Counts over the whole run.
   *
   * @param accountsByStatus every {@link AccountStatus} name with its count (zeros included)
   * @param actionsDone carried-out decisions by action (CREATE_KEY, DEACTIVATE_KEY, DELETE_KEY,
   *     WARN, REPAIR_DELETE_ORPHAN, REPAIR_CLEAR_MARKER)
   * @param actionsPlanned decisions left as PLANNED (dry-run, report-only, plan) by action
   */
  public record Totals(
      int accounts,
      Map<String, Integer> accountsByStatus,
      int usersScanned,
      int usersFailed,
      int usersExempt,
      int usersNotReached,
      int keysFound,
      Map<String, Long> actionsDone,
      Map<String, Long> actionsPlanned,
      long actionsFailed,
      long actionsSkipped,
      long notificationsSent,
      long notificationsLost,
      long awsCalls,
      long awsRetries,
      long awsThrottled,
      long awsFailed) {
    public Totals {
      accountsByStatus = Collections.unmodifiableMap(new LinkedHashMap<>(accountsByStatus));
      actionsDone = Collections.unmodifiableMap(new LinkedHashMap<>(actionsDone));
      actionsPlanned = Collections.unmodifiableMap(new LinkedHashMap<>(actionsPlanned));
    }
  }

  /**
   * How compliant the organization is after the run.
   *
   * @param keysPastDeactivateAgeActive active keys at or past their account's deactivate age
   * @param keysPastDeactivateAgeActiveExempt of those, keys of exempt users
   * @param keysNeverUsed keys (active or not) that were never used
   * @param oldestActiveKeyAgeDays across the organization; -1 when no active key was seen
   * @param accountsFailed ids of the accounts whose status is FAILED
   * @param accountsWithRootAccessKeys ids of the accounts whose root user has an active access key
   *     (from the credential report; the rotator never touches the root user)
   */
  public record Compliance(
      int activeKeys,
      int inactiveKeys,
      int keysPastDeactivateAgeActive,
      int keysPastDeactivateAgeActiveExempt,
      int keysNeverUsed,
      long oldestActiveKeyAgeDays,
      List<String> accountsFailed,
      List<AccountCompliance> accounts,
      List<String> accountsWithRootAccessKeys) {
    public Compliance {
      accountsFailed = List.copyOf(accountsFailed);
      accounts = List.copyOf(accounts);
      accountsWithRootAccessKeys = List.copyOf(accountsWithRootAccessKeys);
    }
  }

  /**
   * One account's figures; thresholds are -1 when the account's policy is unknown (failed,
   * skipped).
   *
   * @param oldestKeyAgeDays the oldest key (any status), -1 without keys
   */
  public record AccountCompliance(
      String accountId,
      AccountStatus status,
      int keys,
      int activeKeys,
      int keysPastDeactivateAgeActive,
      int keysNeverUsed,
      long oldestKeyAgeDays,
      String oldestKeyId,
      String oldestKeyUser,
      int createAfterDays,
      int deactivateAfterDays,
      int deleteAfterDays) {}

  /**
   * An action the rotator is expected to take on a later run, from the key's age and the account's
   * thresholds. The planner decides on the day: a key still in use may get a warning instead of a
   * deactivation.
   *
   * @param action CREATE_KEY, DEACTIVATE_KEY or DELETE_KEY
   * @param dueInDays days from the run's start; 0 means due now (the next run)
   * @param dueOn the UTC date it becomes due
   */
  public record NextAction(
      String accountId,
      String userName,
      String keyId,
      Action action,
      long dueInDays,
      String dueOn,
      String reason) {}

  /** The summary with the default horizon. */
  public static ReportSummary of(RunReport r) {
    return of(r, DEFAULT_HORIZON_DAYS);
  }

  public static ReportSummary of(RunReport r, int horizonDays) {
    List<NextAction> next = new ArrayList<>();
    Compliance compliance = compliance(r, horizonDays, next);
    next.sort(
        Comparator.comparingLong(NextAction::dueInDays)
            .thenComparing(NextAction::accountId)
            .thenComparing(NextAction::userName)
            .thenComparing(NextAction::keyId));
    return new ReportSummary(totals(r), compliance, horizonDays, next);
  }

  // ------------------------------------------------------------------ totals

  private static Totals totals(RunReport r) {
    Map<String, Integer> byStatus = new LinkedHashMap<>();
    for (AccountStatus s : AccountStatus.values()) {
      byStatus.put(s.name(), 0);
    }
    Map<String, Long> done = new LinkedHashMap<>();
    Map<String, Long> planned = new LinkedHashMap<>();
    int users = 0;
    int failedUsers = 0;
    int exempt = 0;
    int notReached = 0;
    int keys = 0;
    long failed = 0;
    long skipped = 0;
    long sent = 0;
    long lost = 0;
    for (AccountReport a : r.accounts()) {
      byStatus.merge(a.status().name(), 1, Integer::sum);
      users += a.usersScanned();
      notReached += a.usersNotReached().size();
      for (UserReport u : a.users()) {
        failedUsers += u.failed() ? 1 : 0;
        exempt += PostRun.exempt(u) ? 1 : 0;
        keys += u.keys().size();
        sent += u.notificationsSent();
        lost += u.notificationsLost();
        for (DecisionReport d : u.decisions()) {
          switch (d.outcome()) {
            case DONE -> done.merge(d.action().name(), 1L, Long::sum);
            case PLANNED -> planned.merge(d.action().name(), 1L, Long::sum);
            case FAILED -> failed++;
            case SKIPPED -> skipped++;
            case NONE -> {}
            default -> {}
          }
        }
      }
    }
    Map<String, Long> calls = r.awsCalls();
    return new Totals(
        r.accounts().size(),
        byStatus,
        users,
        failedUsers,
        exempt,
        notReached,
        keys,
        sorted(done),
        sorted(planned),
        failed,
        skipped,
        sent,
        lost,
        calls.getOrDefault("total.calls", 0L),
        calls.getOrDefault("total.retries", 0L),
        calls.getOrDefault("total.throttled", 0L),
        calls.getOrDefault("total.failed", 0L));
  }

  private static Map<String, Long> sorted(Map<String, Long> m) {
    Map<String, Long> out = new LinkedHashMap<>();
    m.keySet().stream().sorted().forEach(k -> out.put(k, m.get(k)));
    return out;
  }

  // ------------------------------------------------------------------ compliance

  /**
   * The compliance figures, one account at a time (each account's keys after the run are worked out
   * from that account alone), adding the account's next actions to {@code next}.
   */
  private static Compliance compliance(RunReport r, int horizonDays, List<NextAction> next) {
    int active = 0;
    int inactive = 0;
    int past = 0;
    int pastExempt = 0;
    int never = 0;
    long oldest = -1;
    List<AccountCompliance> accounts = new ArrayList<>();
    List<String> failedAccounts = new ArrayList<>();
    List<String> rootKeys = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      Thresholds t = Thresholds.of(a);
      List<PostRun.Key> mine = PostRun.keys(a);
      nextActions(r.startedAt(), mine, horizonDays, next);
      if (a.status() == AccountStatus.FAILED) {
        failedAccounts.add(a.accountId());
      }
      if (a.rootAccessKeys().isPresent() && a.rootAccessKeys().getAsInt() > 0) {
        rootKeys.add(a.accountId());
      }
      int aActive = 0;
      int aPast = 0;
      int aNever = 0;
      PostRun.Key aOldest = null;
      for (PostRun.Key k : mine) {
        if (k.active()) {
          aActive++;
          oldest = Math.max(oldest, k.ageDays());
          if (t.deactivate >= 0 && k.ageDays() >= t.deactivate) {
            aPast++;
            pastExempt += k.exempt() ? 1 : 0;
          }
        }
        aNever += k.neverUsed() ? 1 : 0;
        if (aOldest == null || k.ageDays() > aOldest.ageDays()) {
          aOldest = k;
        }
      }
      active += aActive;
      inactive += mine.size() - aActive;
      past += aPast;
      never += aNever;
      accounts.add(
          new AccountCompliance(
              a.accountId(),
              a.status(),
              mine.size(),
              aActive,
              aPast,
              aNever,
              aOldest == null ? -1 : aOldest.ageDays(),
              aOldest == null ? "" : aOldest.keyId(),
              aOldest == null ? "" : aOldest.userName(),
              t.create,
              t.deactivate,
              t.delete));
    }
    return new Compliance(
        active, inactive, past, pastExempt, never, oldest, failedAccounts, accounts, rootKeys);
  }

  // ------------------------------------------------------------------ next actions

  /** The actions due within {@code horizonDays} for {@code keys} (one account's), added to out. */
  private static void nextActions(
      Instant start, List<PostRun.Key> keys, int horizonDays, List<NextAction> out) {
    for (PostRun.Key k : keys) {
      if (k.exempt()) {
        continue;
      }
      Thresholds t = Thresholds.of(k.account());
      if (t.create < 0) {
        continue;
      }
      Action action;
      long at;
      String reason;
      if (!k.active()) {
        action = Action.DELETE_KEY;
        at = t.delete;
        reason = "inactive key reaches the delete age (" + t.delete + " days)";
      } else if (k.newestActive()) {
        action = Action.CREATE_KEY;
        at = t.create;
        reason = "newest active key reaches the rotation age (" + t.create + " days)";
      } else {
        action = Action.DEACTIVATE_KEY;
        at = t.deactivate;
        reason =
            "older active key reaches the deactivate age ("
                + t.deactivate
                + " days; a warning instead while it is still in use)";
      }
      long due = Math.max(0, at - k.ageDays());
      if (due > horizonDays) {
        continue;
      }
      String dueOn =
          start.plus(Duration.ofDays(due)).atOffset(ZoneOffset.UTC).toLocalDate().toString();
      out.add(
          new NextAction(
              k.account().accountId(), k.userName(), k.keyId(), action, due, dueOn, reason));
    }
  }

  /** An account's thresholds from its effective policy, -1 when unknown. */
  record Thresholds(int create, int deactivate, int delete) {
    static Thresholds of(AccountReport a) {
      return a.policy()
          .map(PolicyInForce::thresholds)
          .map(
              t ->
                  new Thresholds(t.createAfterDays(), t.deactivateAfterDays(), t.deleteAfterDays()))
          .orElse(new Thresholds(-1, -1, -1));
    }
  }
}
