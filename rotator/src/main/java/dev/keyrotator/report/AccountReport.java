package dev.keyrotator.report;

import java.util.List;
import java.util.Map;

/**
 * One account's part of the run.
 *
 * @param policy the effective policy's values by field
 * @param policySources for each field, the rule that set it
 * @param usersNotReached users left for the next run because the deadline came
 * @param scan how the account's users were read: {@code credential-report} (the IAM credential
 *     report, and a per-user read only of users that may need an action) or {@code per-user};
 *     empty when the account was not scanned
 * @param scanNote for {@code credential-report}, the report's time and how many users were read
 *     one by one; for a {@code per-user} fallback, why the report was not used
 */
public record AccountReport(
    String accountId,
    String accountName,
    String ouPath,
    AccountStatus status,
    String reason,
    String mode,
    Map<String, String> policy,
    Map<String, String> policySources,
    int usersScanned,
    List<UserReport> users,
    List<String> usersNotReached,
    String scan,
    String scanNote) {
  public AccountReport {
    policy = Map.copyOf(policy);
    policySources = Map.copyOf(policySources);
    users = List.copyOf(users);
    usersNotReached = List.copyOf(usersNotReached);
    scan = scan == null ? "" : scan;
    scanNote = scanNote == null ? "" : scanNote;
  }

  /** An account that was not scanned (or whose scan is not told). */
  public AccountReport(String accountId, String accountName, String ouPath, AccountStatus status,
      String reason, String mode, Map<String, String> policy, Map<String, String> policySources,
      int usersScanned, List<UserReport> users, List<String> usersNotReached) {
    this(accountId, accountName, ouPath, status, reason, mode, policy, policySources,
        usersScanned, users, usersNotReached, "", "");
  }
}
