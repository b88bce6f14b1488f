package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one run found and did. Never holds a secret.
 *
 * @param mode {@code per-account} (each account in the mode its policy says), the mode an
 *     invocation forced on every account, or for a merged run whose parts disagree {@code mixed:
 *     ...}
 * @param policySha256 the policy file's digest: which version of the policy was in force
 * @param awsCalls AWS calls by "service:operation", with retries and throttles, when measured
 */
public record RunReport(
    String runId,
    Instant startedAt,
    Instant finishedAt,
    String mode,
    String policySource,
    String policySha256,
    List<AccountReport> accounts,
    Map<String, Long> awsCalls) {
  public RunReport {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    // a spilled list is immutable already; copying it would bring every account into memory
    accounts = accounts instanceof SpilledAccounts ? accounts : List.copyOf(accounts);
    awsCalls = Map.copyOf(awsCalls);
  }

  public long failedAccounts() {
    return accounts.stream().filter(a -> a.status() == AccountStatus.FAILED).count();
  }

  public long failedUsers() {
    return accounts.stream().flatMap(a -> a.users().stream()).filter(UserReport::failed).count();
  }

  public long count(Action action, Outcome outcome) {
    return accounts.stream()
        .flatMap(a -> a.users().stream())
        .flatMap(u -> u.decisions().stream())
        .filter(d -> d.is(action, outcome))
        .count();
  }

  /** Something failed or was left for the next run: the CLI's exit 1, Lambda's "partial". */
  public boolean partial() {
    return failedAccounts() > 0 || failedUsers() > 0 || anyNotReached();
  }

  public boolean anyNotReached() {
    return accounts.stream()
        .anyMatch(a -> a.status() == AccountStatus.NOT_REACHED || !a.usersNotReached().isEmpty());
  }

  /** This report with other accounts (same run, times, mode, policy and calls). */
  public RunReport withAccounts(List<AccountReport> other) {
    return new RunReport(
        runId, startedAt, finishedAt, mode, policySource, policySha256, other, awsCalls);
  }
}
