package dev.keyrotator.run;

import dev.keyrotator.config.EffectivePolicy;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.LeaseRecord;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.ScanUnavailableException;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.UserDetails;
import dev.keyrotator.ports.UserScan;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.LeaseReport;
import dev.keyrotator.report.LeaseState;
import dev.keyrotator.report.PolicyInForce;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.report.UserReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One account's turn: open a session through the member role, find the users that may need an
 * action (the credential report, or every user), run each user's rotation until the deadline, and
 * report the account.
 */
final class AccountRun {

  /**
   * How long an account waits for IAM to generate its credential report before reading users one by
   * one.
   */
  static final Duration REPORT_WAIT = Duration.ofSeconds(60);

  /** A long account tells how far it got this often. */
  static final Duration USER_PROGRESS_EVERY = Duration.ofSeconds(15);

  /** What every account's run shares. */
  static final class Factory {
    private final PolicyFile policy;
    private final RoleAssumer roles;
    private final Notifier notifier;
    private final Optional<SecretVault> centralVault;
    private final Planner planner;
    private final Clock clock;
    private final Progress progress;
    private final ScanMode scanMode;
    private final AccountLeasing leasing;

    Factory(
        PolicyFile policy,
        RoleAssumer roles,
        Notifier notifier,
        Optional<SecretVault> centralVault,
        Planner planner,
        Clock clock,
        Progress progress,
        ScanMode scanMode,
        AccountLeasing leasing) {
      this.policy = policy;
      this.roles = roles;
      this.notifier = notifier;
      this.centralVault = centralVault;
      this.planner = planner;
      this.clock = clock;
      this.progress = progress;
      this.scanMode = scanMode;
      this.leasing = leasing;
    }

    Factory withScan(ScanMode mode) {
      return new Factory(
          policy, roles, notifier, centralVault, planner, clock, progress, mode, leasing);
    }

    AccountLeasing leasing() {
      return leasing;
    }

    AccountRun create(RunRequest request, Account account, EffectivePolicy effective) {
      return new AccountRun(this, request, account, effective);
    }
  }

  private final Factory f;
  private final RunRequest request;
  private final Account account;
  private final Mode mode;
  private final RotationPolicy policy;
  private final PolicyInForce inForce;

  private AccountRun(Factory f, RunRequest request, Account account, EffectivePolicy effective) {
    this.f = f;
    this.request = request;
    this.account = account;
    // An invocation's mode only narrows what the policy allows for this account.
    Mode allowed = effective.policy().mode();
    this.mode =
        request.planOnly()
            ? Mode.DRY_RUN
            : request.modeOverride().map(allowed::narrowedBy).orElse(allowed);
    this.policy = effective.policy().withMode(mode);
    this.inForce =
        new PolicyInForce(
            effective.policy().mode(), effective.policy().thresholds(), effective.sources());
  }

  AccountReport run() {
    if (!request.deadline().allowsMoreWork()) {
      return report(
          AccountStatus.NOT_REACHED,
          "the run's deadline came before this account was started",
          0,
          List.of(),
          List.of(),
          Optional.empty(),
          "");
    }
    AccountLeasing.Guard lease;
    if (mode == Mode.DRY_RUN) {
      lease = f.leasing.notNeeded();
    } else {
      try {
        lease = f.leasing.take(account.id(), request.runId());
      } catch (AwsCallException e) {
        String reason =
            "account lease not taken (" + e.getMessage() + "); nothing was changed in this account";
        f.progress.report("account " + account.id() + ": FAILED (" + reason + ")");
        return report(AccountStatus.FAILED, reason, 0, List.of(), List.of(), Optional.empty(), "")
            .withLease(
                new LeaseReport(LeaseState.UNAVAILABLE, "", Optional.empty(), e.getMessage()));
      }
      Optional<LeaseRecord> other = lease.heldByAnother();
      if (other.isPresent()) {
        String reason =
            "held by "
                + other.get().describeHolder()
                + " until "
                + other.get().expiresAt()
                + ": another run is working this account; this run changed nothing in it";
        f.progress.report("account " + account.id() + ": SKIPPED (" + reason + ")");
        return AccountReport.unprocessed(
                account.id(), account.name(), account.ouPathNames(), AccountStatus.SKIPPED, reason)
            .withLease(lease.report());
      }
    }
    AccountReport done;
    try (AccountSession session = f.roles.open(account.id(), request.runId())) {
      done = scanAndRotate(session, lease);
    } catch (AwsCallException | IllegalStateException | IllegalArgumentException e) {
      f.progress.report("account " + account.id() + ": FAILED (" + e.getMessage() + ")");
      done =
          report(
              AccountStatus.FAILED, e.getMessage(), 0, List.of(), List.of(), Optional.empty(), "");
    } finally {
      lease.release();
    }
    return done.withLease(lease.report());
  }

  private AccountReport scanAndRotate(AccountSession session, AccountLeasing.Guard lease) {
    UserRotation rotation =
        new UserRotation(
            f.planner,
            f.clock,
            new UserRotation.Context(
                request.runId(),
                account,
                policy,
                request.planOnly(),
                session.keys(),
                vault(session),
                f.notifier,
                f.policy.notifications().topicArn(),
                Optional.ofNullable(f.policy.reporting()).flatMap(r -> r.topicArn()),
                f.policy.secrets().readerRoleTag()));
    List<UserReport> users = new ArrayList<>();
    List<String> toRead;
    ScanMode scan = ScanMode.PER_USER;
    String scanNote = "";
    Optional<List<ReportTriage.Verdict>> verdicts = Optional.empty();
    if (f.scanMode == ScanMode.CREDENTIAL_REPORT) {
      try {
        verdicts = Optional.of(triage(session.scan()));
        long reads = verdicts.get().stream().filter(ReportTriage.Verdict::needsRead).count();
        scan = ScanMode.CREDENTIAL_REPORT;
        scanNote = reads + " of " + verdicts.get().size() + " users read one by one";
      } catch (ScanUnavailableException e) {
        // Report unavailable, not ready in time, unreadable, or not allowed (a member role from
        // before GetAccountAuthorizationDetails was granted): read everyone instead.
        scanNote = "credential report not used: " + e.getMessage();
      }
    }
    int scanned = 0;
    if (verdicts.isPresent()) {
      toRead = new ArrayList<>();
      for (ReportTriage.Verdict v : verdicts.get()) {
        if (v.needsRead()) {
          toRead.add(v.user());
        } else {
          scanned++;
          users.add(v.settled().get());
        }
      }
    } else {
      toRead = session.keys().userNames();
    }
    List<String> notReached = new ArrayList<>();
    Instant start = f.clock.instant();
    Instant lastTold = start;
    int read = 0;
    int leftByLease = 0;
    for (String user : toRead) {
      if (!request.deadline().allowsMoreWork()) {
        notReached.add(user);
        continue;
      }
      Instant now = f.clock.instant();
      if (Duration.between(lastTold, now).compareTo(USER_PROGRESS_EVERY) >= 0) {
        f.progress.report(
            "account "
                + account.id()
                + ": "
                + read
                + " of "
                + toRead.size()
                + " users read, "
                + Duration.between(start, now).toSeconds()
                + " s");
        lastTold = now;
      }
      read++;
      if (!lease.keepAlive()) {
        notReached.add(user);
        leftByLease++;
        continue;
      }
      scanned++;
      try {
        users.add(rotation.process(user));
      } catch (AwsCallException e) {
        users.add(UserFailures.unreadable(user, e.getMessage()));
      }
    }
    return finished(scanned, users, notReached, leftByLease, scan, scanNote)
        .withRootAccessKeys(rootAccessKeys);
  }

  private SecretVault vault(AccountSession session) {
    return f.policy.secrets().storeIn() == PolicyFile.StoreIn.CENTRAL
        ? f.centralVault.orElseThrow(
            () ->
                new IllegalStateException(
                    "secrets.storeIn is central but no central vault is configured"))
        : session.vault();
  }

  /**
   * Every user's verdict from the credential report and GetAccountAuthorizationDetails. The report
   * is requested first and the user details are read while IAM generates it.
   */
  private List<ReportTriage.Verdict> triage(UserScan scan) throws ScanUnavailableException {
    scan.requestCredentialReport();
    List<UserDetails> details = scan.userDetails();
    CredentialReport report = scan.credentialReport(REPORT_WAIT);
    rootAccessKeys = OptionalInt.of(report.rootActiveKeys());
    ReportTriage triage = new ReportTriage(f.planner, policy, report, f.clock.instant());
    List<ReportTriage.Verdict> out = new ArrayList<>(details.size());
    for (UserDetails d : details) {
      out.add(triage.judge(d));
    }
    return out;
  }

  /** The root user's active keys, when the credential report was read. */
  private OptionalInt rootAccessKeys = OptionalInt.empty();

  private AccountReport finished(
      int scanned,
      List<UserReport> users,
      List<String> notReached,
      int leftByLease,
      ScanMode scan,
      String scanNote) {
    AccountStatus status =
        switch (mode) {
          case ENFORCE -> AccountStatus.DONE;
          case DRY_RUN -> AccountStatus.DRY_RUN;
          case REPORT_ONLY -> AccountStatus.REPORT_ONLY;
        };
    long failedUsers = users.stream().filter(UserReport::failed).count();
    List<String> reasons = new ArrayList<>();
    if (failedUsers > 0) {
      reasons.add(failedUsers + " of " + scanned + " users failed");
    }
    if (leftByLease > 0) {
      reasons.add(leftByLease + " users not started: the account lease was lost");
    }
    if (notReached.size() > leftByLease) {
      reasons.add((notReached.size() - leftByLease) + " users not reached before the deadline");
    }
    String reason = String.join("; ", reasons);
    f.progress.report(
        "account "
            + account.id()
            + ": "
            + status
            + ", "
            + scanned
            + " users"
            + (reason.isEmpty() ? "" : " (" + reason + ")")
            + ", "
            + scan.label()
            + " scan"
            + (scanNote.isEmpty() ? "" : " (" + scanNote + ")"));
    return report(status, reason, scanned, users, notReached, Optional.of(scan), scanNote);
  }

  private AccountReport report(
      AccountStatus status,
      String reason,
      int scanned,
      List<UserReport> users,
      List<String> notReached,
      Optional<ScanMode> scan,
      String scanNote) {
    return new AccountReport(
        account.id(),
        account.name(),
        account.ouPathNames(),
        status,
        reason,
        Optional.of(mode),
        Optional.of(inForce),
        scanned,
        users,
        notReached,
        scan,
        scanNote);
  }
}
