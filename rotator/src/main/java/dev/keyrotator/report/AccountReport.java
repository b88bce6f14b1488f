package dev.keyrotator.report;

import java.util.List;
import java.util.Map;

/**
 * One account's part of the run.
 *
 * @param policy the effective policy's values by field
 * @param policySources for each field, the rule that set it
 * @param usersNotReached users left for the next run because the deadline came
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
    List<String> usersNotReached) {
  public AccountReport {
    policy = Map.copyOf(policy);
    policySources = Map.copyOf(policySources);
    users = List.copyOf(users);
    usersNotReached = List.copyOf(usersNotReached);
  }
}
