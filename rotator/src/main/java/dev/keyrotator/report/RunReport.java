package dev.keyrotator.report;

import java.util.List;
import java.util.Map;

/**
 * Everything one run found and did. Never holds a secret.
 *
 * @param policySha256 the policy file's digest: which version of the policy was in force
 * @param awsCalls AWS calls by "service:operation", with retries and throttles, when measured
 */
public record RunReport(
    String runId,
    String startedAt,
    String finishedAt,
    String mode,
    String policySource,
    String policySha256,
    List<AccountReport> accounts,
    Map<String, Long> awsCalls) {
  public RunReport {
    accounts = List.copyOf(accounts);
    awsCalls = Map.copyOf(awsCalls);
  }

  public long failedAccounts() {
    return accounts.stream().filter(a -> a.status() == AccountStatus.FAILED).count();
  }

  public long failedUsers() {
    return accounts.stream().flatMap(a -> a.users().stream()).filter(UserReport::failed).count();
  }

  public long count(String action, Outcome outcome) {
    return accounts.stream().flatMap(a -> a.users().stream())
        .flatMap(u -> u.decisions().stream())
        .filter(d -> d.action().equals(action) && d.outcome() == outcome)
        .count();
  }

  /** Something failed or was left for the next run: the CLI's exit 1, Lambda's "partial". */
  public boolean partial() {
    return failedAccounts() > 0 || failedUsers() > 0 || anyNotReached();
  }

  public boolean anyNotReached() {
    return accounts.stream().anyMatch(a -> a.status() == AccountStatus.NOT_REACHED
        || !a.usersNotReached().isEmpty());
  }
}
