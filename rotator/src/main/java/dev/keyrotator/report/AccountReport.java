package dev.keyrotator.report;

import dev.keyrotator.policy.Mode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One account's part of the run.
 *
 * @param mode the mode the account was processed in; empty when it was not processed
 * @param policy the effective policy with the rule behind each value; empty when it is not known
 *     (skipped, or failed before it was resolved)
 * @param usersNotReached users left for the next run because the deadline came
 * @param scan how the account's users were read (see {@link ScanMode}); empty when the account was
 *     not scanned
 * @param scanNote for {@code credential-report}, how many users were read one by one; for a {@code
 *     per-user} fallback, why the report was not used
 * @param lease the account's lease: held, taken over, held by another run, not configured...
 */
public record AccountReport(
    String accountId,
    String accountName,
    String ouPath,
    AccountStatus status,
    String reason,
    Optional<Mode> mode,
    Optional<PolicyInForce> policy,
    int usersScanned,
    List<UserReport> users,
    List<String> usersNotReached,
    Optional<ScanMode> scan,
    String scanNote,
    LeaseReport lease,
    OptionalInt rootAccessKeys) {
  public AccountReport {
    Objects.requireNonNull(accountId, "accountId");
    accountName = accountName == null ? "" : accountName;
    ouPath = ouPath == null ? "" : ouPath;
    Objects.requireNonNull(status, "status");
    reason = reason == null ? "" : reason;
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(policy, "policy");
    users = List.copyOf(users);
    usersNotReached = List.copyOf(usersNotReached);
    Objects.requireNonNull(scan, "scan");
    scanNote = scanNote == null ? "" : scanNote;
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(rootAccessKeys, "rootAccessKeys");
  }

  /** An account report that does not know whether the root user has access keys. */
  public AccountReport(
      String accountId,
      String accountName,
      String ouPath,
      AccountStatus status,
      String reason,
      Optional<Mode> mode,
      Optional<PolicyInForce> policy,
      int usersScanned,
      List<UserReport> users,
      List<String> usersNotReached,
      Optional<ScanMode> scan,
      String scanNote,
      LeaseReport lease) {
    this(
        accountId,
        accountName,
        ouPath,
        status,
        reason,
        mode,
        policy,
        usersScanned,
        users,
        usersNotReached,
        scan,
        scanNote,
        lease,
        OptionalInt.empty());
  }

  /** An account report that says nothing about a lease ({@link LeaseState#NOT_TAKEN}). */
  public AccountReport(
      String accountId,
      String accountName,
      String ouPath,
      AccountStatus status,
      String reason,
      Optional<Mode> mode,
      Optional<PolicyInForce> policy,
      int usersScanned,
      List<UserReport> users,
      List<String> usersNotReached,
      Optional<ScanMode> scan,
      String scanNote) {
    this(
        accountId,
        accountName,
        ouPath,
        status,
        reason,
        mode,
        policy,
        usersScanned,
        users,
        usersNotReached,
        scan,
        scanNote,
        LeaseReport.notTaken());
  }

  /** This report with {@code lease}. */
  public AccountReport withLease(LeaseReport lease) {
    return copy(lease, rootAccessKeys);
  }

  /**
   * This report with the root user's active access keys as the credential report gives them (empty:
   * not known, the account was read without the report).
   */
  public AccountReport withRootAccessKeys(OptionalInt keys) {
    return copy(lease, keys);
  }

  private AccountReport copy(LeaseReport lease, OptionalInt rootAccessKeys) {
    return new AccountReport(
        accountId,
        accountName,
        ouPath,
        status,
        reason,
        mode,
        policy,
        usersScanned,
        users,
        usersNotReached,
        scan,
        scanNote,
        lease,
        rootAccessKeys);
  }

  /** For each policy field, the rule that set it; empty when the policy is not known. */
  public Map<String, String> policySources() {
    return policy.map(PolicyInForce::sources).orElse(Map.of());
  }

  /** An account that was not processed: skipped, failed early or not reached. */
  public static AccountReport unprocessed(
      String accountId, String accountName, String ouPath, AccountStatus status, String reason) {
    return new AccountReport(
        accountId,
        accountName,
        ouPath,
        status,
        reason,
        Optional.empty(),
        Optional.empty(),
        0,
        List.of(),
        List.of(),
        Optional.empty(),
        "");
  }
}
