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
    private final int usersInParallel;

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
      this.usersInParallel = Math.max(1, policy.organization().maxConcurrentUsers());
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

    /** The same, opening sessions through {@code other} (the run's {@link ReportPrefetch}). */
    Factory withRoles(RoleAssumer other) {
      return new Factory(
          policy, other, notifier, centralVault, planner, clock, progress, scanMode, leasing);
    }

    ScanMode scanMode() {
      return scanMode;
    }

    RoleAssumer roles() {
      return roles;
    }

    AccountLeasing leasing() {
      return leasing;
    }

    /**
     * @param runStarted when the run began: a credential report generated since is a read made
     *     during this run (see {@link ReportTriage})
     */
    AccountRun create(
        RunRequest request, Account account, EffectivePolicy effective, Instant runStarted) {
      return new AccountRun(this, request, account, effective, runStarted);
    }
  }

  private final Factory f;
  private final RunRequest request;
  private final Account account;
  private final Mode mode;
  private final RotationPolicy policy;
  private final PolicyInForce inForce;
  private final Instant runStarted;

  private AccountRun(
      Factory f,
      RunRequest request,
      Account account,
      EffectivePolicy effective,
      Instant runStarted) {
    this.f = f;
    this.runStarted = runStarted;
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
                f.policy.secrets().readerRoleTag(),
                Owners.of(f.policy.notifications())));
    List<UserReport> users = new ArrayList<>();
    List<ReportTriage.Verdict> toRead = new ArrayList<>();
    ScanMode scan = ScanMode.PER_USER;
    String scanNote = "";
    Optional<List<ReportTriage.Verdict>> verdicts = Optional.empty();
    if (f.scanMode == ScanMode.CREDENTIAL_REPORT) {
      try {
        verdicts = Optional.of(triage(session.scan()));
        long reads = verdicts.get().stream().filter(ReportTriage.Verdict::needsRead).count();
        if (reportNotAwaited.isPresent()) {
          scanNote = reportNotAwaited.get();
        } else {
          scan = ScanMode.CREDENTIAL_REPORT;
          scanNote = reads + " of " + verdicts.get().size() + " users read one by one";
          if (triage != null && !triage.fresh()) {
            scanNote += " (the credential report predates this run: its keys are listed first)";
          }
        }
      } catch (ScanUnavailableException e) {
        // Report unavailable, not ready in time, unreadable, or not allowed (a member role from
        // before GetAccountAuthorizationDetails was granted): read everyone instead.
        scanNote = "credential report not used: " + e.getMessage();
      }
    }
    int settledInBulk = 0;
    if (verdicts.isPresent()) {
      for (ReportTriage.Verdict v : verdicts.get()) {
        if (v.needsTurn()) {
          toRead.add(v);
        } else {
          settledInBulk++;
          users.add(v.settled().get());
        }
      }
    } else {
      for (String name : session.keys().userNames()) {
        toRead.add(new ReportTriage.Verdict(name, Optional.empty(), "", Optional.empty()));
      }
    }
    UserLoop loop = new UserLoop(rotation, session, lease, toRead);
    loop.run();
    users.addAll(loop.reports());
    if (loop.listedOnly() > 0) {
      scanNote += ", " + loop.listedOnly() + " of them settled by their key list alone";
    }
    if (loop.firstUses() > 0) {
      scanNote +=
          "; "
              + loop.firstUses()
              + " new keys' first use recorded from the report (one TagUser each)";
    }
    return finished(
            settledInBulk + loop.scanned(),
            users,
            loop.notReached(),
            loop.leftByLease(),
            scan,
            scanNote)
        .withRootAccessKeys(rootAccessKeys);
  }

  /**
   * The users that need a look of their own, {@link Factory#usersInParallel} at a time: each takes
   * its turn only while the deadline allows and the account lease holds (renewed between users, one
   * renewal at a time). Reports keep the order of {@code toRead}.
   */
  private final class UserLoop {
    private final UserRotation rotation;
    private final AccountSession session;
    private final AccountLeasing.Guard lease;
    private final List<ReportTriage.Verdict> toRead;
    private final UserReport[] reports;
    private final boolean[] reached;
    private final java.util.concurrent.atomic.AtomicInteger started =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger leftByLease =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger listedOnly =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger firstUses =
        new java.util.concurrent.atomic.AtomicInteger();
    private final Instant start = f.clock.instant();
    private Instant lastTold = start;

    UserLoop(
        UserRotation rotation,
        AccountSession session,
        AccountLeasing.Guard lease,
        List<ReportTriage.Verdict> toRead) {
      this.rotation = rotation;
      this.session = session;
      this.lease = lease;
      this.toRead = toRead;
      this.reports = new UserReport[toRead.size()];
      this.reached = new boolean[toRead.size()];
    }

    void run() {
      int workers = Math.max(1, Math.min(f.usersInParallel, toRead.size()));
      if (workers == 1) {
        for (int i = 0; i < toRead.size(); i++) {
          turn(i);
        }
        return;
      }
      java.util.concurrent.atomic.AtomicInteger next =
          new java.util.concurrent.atomic.AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        Thread t =
            new Thread(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < toRead.size();
                      i = next.getAndIncrement()) {
                    turn(i);
                  }
                },
                "account-" + account.id() + "-user-" + w);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while rotating users", e);
        }
      }
    }

    private void turn(int i) {
      ReportTriage.Verdict v = toRead.get(i);
      if (!request.deadline().allowsMoreWork()) {
        return;
      }
      tell();
      boolean alive;
      synchronized (lease) {
        alive = lease.keepAlive();
      }
      if (!alive) {
        leftByLease.incrementAndGet();
        return;
      }
      reached[i] = true;
      try {
        if (v.record().isPresent()) {
          reports[i] = record(v);
          return;
        }
        if (v.listFirst()) {
          UserDetails known = v.known().get();
          List<dev.keyrotator.policy.AccessKey> listed = session.keys().listKeys(v.user());
          if (triage == null) { // the report was not awaited: every user is read
            reports[i] = rotation.process(session.keys().read(known, listed));
            return;
          }
          ReportTriage.Verdict again = triage.judgeListed(known, listed);
          if (!again.needsRead()) {
            listedOnly.incrementAndGet();
            reports[i] = again.record().isPresent() ? record(again) : again.settled().get();
            return;
          }
          reports[i] = rotation.process(session.keys().read(known, listed));
        } else {
          reports[i] = rotation.process(v.user());
        }
      } catch (AwsCallException e) {
        reports[i] = UserFailures.unreadable(v.user(), e.getMessage());
      }
    }

    /**
     * A settled user whose new key's first use is written now (one TagUser); best effort, as in a
     * per-user run: a failed write is a note, and the entry then shows no first use.
     */
    private UserReport record(ReportTriage.Verdict v) {
      ReportTriage.FirstUseRecord r = v.record().orElseThrow();
      try {
        session.keys().writeHistory(v.user(), r.keyId(), r.history());
        firstUses.incrementAndGet();
        return r.recorded();
      } catch (AwsCallException | IllegalArgumentException e) {
        return v.settled()
            .orElseThrow()
            .withNote("could not record the first use of key " + r.keyId() + ": " + e.getMessage());
      }
    }

    int firstUses() {
      return firstUses.get();
    }

    private void tell() {
      int n = started.getAndIncrement();
      Instant now = f.clock.instant();
      synchronized (this) {
        if (Duration.between(lastTold, now).compareTo(USER_PROGRESS_EVERY) < 0) {
          return;
        }
        lastTold = now;
      }
      f.progress.report(
          "account "
              + account.id()
              + ": "
              + n
              + " of "
              + toRead.size()
              + " users read, "
              + Duration.between(start, now).toSeconds()
              + " s");
    }

    /**
     * The users' reports; a user settled from the report whose turn (a first use to write) never
     * came keeps its settled entry, without the first use.
     */
    List<UserReport> reports() {
      List<UserReport> out = new ArrayList<>();
      for (int i = 0; i < reports.length; i++) {
        if (reports[i] != null) {
          out.add(reports[i]);
        } else if (!reached[i] && toRead.get(i).settled().isPresent()) {
          out.add(toRead.get(i).settled().get());
        }
      }
      return out;
    }

    int scanned() {
      int n = 0;
      for (int i = 0; i < reached.length; i++) {
        n += reached[i] || toRead.get(i).settled().isPresent() ? 1 : 0;
      }
      return n;
    }

    List<String> notReached() {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < toRead.size(); i++) {
        if (!reached[i] && toRead.get(i).settled().isEmpty()) {
          out.add(toRead.get(i).user());
        }
      }
      return out;
    }

    int leftByLease() {
      return leftByLease.get();
    }

    int listedOnly() {
      return listedOnly.get();
    }
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
    boolean ready = scan.requestCredentialReport();
    List<UserDetails> details = scan.userDetails();
    CredentialReport report;
    if (ready) {
      report = scan.credentialReport(REPORT_WAIT);
    } else {
      long t0 = System.nanoTime();
      try {
        report = scan.credentialReport(Duration.ZERO); // one GetCredentialReport
      } catch (ScanUnavailableException e) {
        if (!notReady(e)) {
          throw e;
        }
        // that call's latency, now, prices reading the users one by one
        Duration budget = perUserCost(details, Duration.ofNanos(System.nanoTime() - t0));
        try {
          report = scan.credentialReport(budget.compareTo(REPORT_WAIT) < 0 ? budget : REPORT_WAIT);
        } catch (ScanUnavailableException late) {
          if (budget.compareTo(REPORT_WAIT) >= 0 || !notReady(late)) {
            throw late;
          }
          return withoutReport(details, budget);
        }
      }
    }
    rootAccessKeys = OptionalInt.of(report.rootActiveKeys());
    triage =
        new ReportTriage(
            f.planner,
            policy,
            report,
            f.clock.instant(),
            Owners.of(f.policy.notifications()),
            account,
            runStarted);
    List<ReportTriage.Verdict> out = new ArrayList<>(details.size());
    for (UserDetails d : details) {
      out.add(triage.judge(d));
    }
    return out;
  }

  /**
   * What reading every user one by one costs, from the authorization details already read: per user
   * ListAccessKeys and GetAccessKeyLastUsed per key (about 1.1 keys a user), {@link
   * Factory#usersInParallel} at a time, at {@code call} each.
   */
  Duration perUserCost(List<UserDetails> details, Duration call) {
    double calls = details.size() * (1 + KEYS_PER_USER) / f.usersInParallel;
    return Duration.ofNanos((long) (calls * call.toNanos()));
  }

  /** Keys per user assumed by {@link #perUserCost} (the benchmark organization has 1.06). */
  static final double KEYS_PER_USER = 1.1;

  private static boolean notReady(ScanUnavailableException e) {
    return e.getCause() instanceof AwsCallException a && "ReportNotReady".equals(a.errorCode());
  }

  /**
   * The credential report was still being generated after waiting as long as reading every user
   * would take: every user is read, from the authorization details and its key list
   * (ListAccessKeys, GetAccessKeyLastUsed per key), the marker and state-tag cases in full. Waiting
   * at most the cost of the alternative keeps an account within twice the better of the two,
   * whichever IAM's generation time turns out to be; a large account (whose per-user cost is high)
   * waits for its report.
   */
  private List<ReportTriage.Verdict> withoutReport(List<UserDetails> details, Duration waited) {
    reportNotAwaited =
        Optional.of(
            "credential report not ready after "
                + waited.toMillis()
                + " ms, about what reading its "
                + details.size()
                + " users one by one costs: read them one by one instead");
    List<ReportTriage.Verdict> out = new ArrayList<>(details.size());
    for (UserDetails d : details) {
      boolean full = d.marker().isPresent() || (d.stateTags() && d.history().isEmpty());
      out.add(
          new ReportTriage.Verdict(
              d.user().name(),
              Optional.empty(),
              "the credential report was not awaited",
              full ? Optional.empty() : Optional.of(d)));
    }
    return out;
  }

  /** Why the credential report was not awaited, when it was not. */
  private Optional<String> reportNotAwaited = Optional.empty();

  /** This account's triage, when the credential report was read. */
  private ReportTriage triage;

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
