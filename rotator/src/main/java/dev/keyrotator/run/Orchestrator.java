package dev.keyrotator.run;

import dev.keyrotator.aws.Account;
import dev.keyrotator.aws.AccountDirectory;
import dev.keyrotator.aws.AccountSession;
import dev.keyrotator.aws.AwsCallException;
import dev.keyrotator.aws.CredentialReport;
import dev.keyrotator.aws.KeyStore;
import dev.keyrotator.aws.Notifier;
import dev.keyrotator.aws.RoleAssumer;
import dev.keyrotator.aws.SecretVault;
import dev.keyrotator.aws.UserDetails;
import dev.keyrotator.cli.PolicyPrinter;
import dev.keyrotator.config.AccountContext;
import dev.keyrotator.config.EffectivePolicy;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileException;
import dev.keyrotator.config.PolicyResolver;
import dev.keyrotator.config.Selector;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Runs the rotation over the organization: every included account in parallel (bounded by
 * {@code organization.maxConcurrentAccounts}), each in its own assumed-role session. One account's
 * failure is reported and never stops the others; when the deadline comes no new user or account
 * is started and what was left is reported as not reached.
 */
public final class Orchestrator {

  private final AccountDirectory directory;
  private final RoleAssumer roles;
  private final Notifier notifier;
  private final Optional<SecretVault> centralVault;
  private final Clock clock;
  private final Planner planner;
  private final Supplier<Map<String, Long>> callCounts;
  private final Progress progress;
  private final ScanMode scanMode;
  private final Duration reportWait;

  public Orchestrator(AccountDirectory directory, RoleAssumer roles, Notifier notifier,
      Optional<SecretVault> centralVault, Clock clock, Planner planner,
      Supplier<Map<String, Long>> callCounts, Progress progress) {
    this.directory = directory;
    this.roles = roles;
    this.notifier = notifier;
    this.centralVault = centralVault;
    this.clock = clock;
    this.planner = planner;
    this.callCounts = callCounts;
    this.progress = progress;
    this.scanMode = ScanMode.CREDENTIAL_REPORT;
    this.reportWait = DEFAULT_REPORT_WAIT;
  }

  private Orchestrator(Orchestrator o, ScanMode scanMode, Duration reportWait) {
    this.directory = o.directory;
    this.roles = o.roles;
    this.notifier = o.notifier;
    this.centralVault = o.centralVault;
    this.clock = o.clock;
    this.planner = o.planner;
    this.callCounts = o.callCounts;
    this.progress = o.progress;
    this.scanMode = scanMode;
    this.reportWait = reportWait;
  }

  /** How long an account waits for IAM to generate its credential report before reading users one by one. */
  public static final Duration DEFAULT_REPORT_WAIT = Duration.ofSeconds(60);

  /** The same orchestrator reading accounts the given way ({@link ScanMode#CREDENTIAL_REPORT} by default). */
  public Orchestrator withScan(ScanMode mode) {
    return new Orchestrator(this, mode, reportWait);
  }

  /** The same orchestrator waiting at most {@code wait} for an account's credential report. */
  public Orchestrator withReportWait(Duration wait) {
    return new Orchestrator(this, scanMode, wait);
  }

  /**
   * Runs once.
   *
   * @throws IllegalArgumentException when the request names an account the organization does not
   *     have; nothing has been changed then
   * @throws AwsCallException when the organization cannot be read
   */
  public RunReport run(PolicyFile policy, RunRequest request) {
    Instant started = clock.instant();
    // Account tags matter only to overrides that select accounts by tag.
    boolean needTags = policy.overrides().stream()
        .anyMatch(o -> o.selector() instanceof Selector.AccountTag);
    List<Account> accounts = directory.activeAccounts(needTags);
    Set<String> known = accounts.stream().map(Account::id).collect(Collectors.toSet());
    Set<String> unknown = new LinkedHashSet<>(request.accounts());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown account(s) " + unknown
          + ": not ACTIVE accounts of this organization; nothing was changed");
    }
    progress.report("run " + request.runId() + ": " + accounts.size() + " active accounts");

    int threads = Math.max(1, Math.min(policy.organization().maxConcurrentAccounts(),
        accounts.size()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "account-worker");
      t.setDaemon(true);
      return t;
    });
    List<Future<AccountReport>> futures = new ArrayList<>();
    try {
      for (Account a : accounts) {
        futures.add(pool.submit(() -> account(policy, request, a)));
      }
      List<AccountReport> reports = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        reports.add(await(futures.get(i), accounts.get(i), policy));
      }
      Mode mode = request.planOnly() ? Mode.DRY_RUN : request.modeOverride().orElse(null);
      return new RunReport(request.runId(), started.toString(), clock.instant().toString(),
          mode == null ? "per-account" : mode.label(), policy.source(), policy.sha256(), reports,
          callCounts.get());
    } finally {
      pool.shutdownNow();
    }
  }

  private AccountReport await(Future<AccountReport> f, Account a, PolicyFile policy) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      return failed(a, "unexpected error: " + e.getCause(), Map.of(), Map.of(), "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(a, "interrupted", Map.of(), Map.of(), "");
    }
  }

  private AccountReport account(PolicyFile policy, RunRequest request, Account a) {
    Optional<String> excluded = AccountSelection.exclusionReason(a, policy.organization());
    if (excluded.isEmpty() && !request.accounts().isEmpty()
        && !request.accounts().contains(a.id())) {
      excluded = Optional.of("not among the accounts this invocation asked for");
    }
    if (excluded.isPresent()) {
      return new AccountReport(a.id(), a.name(), a.ouPathNames(), AccountStatus.SKIPPED,
          excluded.get(), "", Map.of(), Map.of(), 0, List.of(), List.of());
    }
    EffectivePolicy effective;
    try {
      effective = PolicyResolver.resolve(policy, new AccountContext(a.id(), a.ouPath(), a.tags()));
    } catch (PolicyFileException e) {
      return failed(a, e.problems().get(0).message(), Map.of(), Map.of(), "");
    }
    Mode mode = request.planOnly() ? Mode.DRY_RUN
        : request.modeOverride().orElse(effective.policy().mode());
    RotationPolicy rotationPolicy = effective.policy().withMode(mode);
    Map<String, String> values = PolicyPrinter.values(effective);
    Map<String, String> sources = effective.sources();
    if (!request.deadline().allowsMoreWork()) {
      return new AccountReport(a.id(), a.name(), a.ouPathNames(), AccountStatus.NOT_REACHED,
          "the run's deadline came before this account was started", mode.label(), values,
          sources, 0, List.of(), List.of());
    }
    List<UserReport> users = new ArrayList<>();
    List<String> notReached = new ArrayList<>();
    int scanned = 0;
    ScanMode scan = ScanMode.PER_USER;
    String scanNote = "";
    try (AccountSession session = roles.open(a.id(), request.runId())) {
      SecretVault vault = policy.secrets().storeIn() == PolicyFile.StoreIn.CENTRAL
          ? centralVault.orElseThrow(() -> new IllegalStateException(
              "secrets.storeIn is central but no central vault is configured"))
          : session.vault();
      UserRotation.Context ctx = new UserRotation.Context(request.runId(), a, rotationPolicy,
          request.planOnly(), session.keys(), vault, notifier,
          policy.notifications().topicArn());
      UserRotation rotation = new UserRotation(planner, clock);
      List<ReportTriage.Verdict> verdicts = null;
      if (scanMode == ScanMode.CREDENTIAL_REPORT) {
        try {
          verdicts = triage(session.keys(), rotationPolicy);
          long reads = verdicts.stream().filter(ReportTriage.Verdict::needsRead).count();
          scan = ScanMode.CREDENTIAL_REPORT;
          scanNote = reads + " of " + verdicts.size() + " users read one by one";
        } catch (RuntimeException e) {
          // Report unavailable, not ready in time, unreadable, or not allowed (a member role
          // from before GetAccountAuthorizationDetails was granted): read everyone instead.
          scanNote = "credential report not used: " + e.getMessage();
          verdicts = null;
        }
      }
      List<String> toRead = new ArrayList<>();
      if (verdicts != null) {
        for (ReportTriage.Verdict v : verdicts) {
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
      for (String user : toRead) {
        if (!request.deadline().allowsMoreWork()) {
          notReached.add(user);
          continue;
        }
        scanned++;
        try {
          users.add(rotation.process(ctx, user));
        } catch (AwsCallException e) {
          users.add(UserFailures.unreadable(user, e.getMessage()));
        }
      }
    } catch (AwsCallException | IllegalStateException | IllegalArgumentException e) {
      return failed(a, e.getMessage(), values, sources, mode.label());
    }
    AccountStatus status = switch (mode) {
      case ENFORCE -> AccountStatus.DONE;
      case DRY_RUN -> AccountStatus.DRY_RUN;
      case REPORT_ONLY -> AccountStatus.REPORT_ONLY;
    };
    long failedUsers = users.stream().filter(UserReport::failed).count();
    String reason = (failedUsers == 0 ? "" : failedUsers + " of " + scanned + " users failed")
        + (notReached.isEmpty() ? "" : (failedUsers == 0 ? "" : "; ") + notReached.size()
            + " users not reached before the deadline");
    progress.report("account " + a.id() + ": " + status + ", " + scanned + " users"
        + (reason.isEmpty() ? "" : " (" + reason + ")") + ", " + scan.label() + " scan"
        + (scanNote.isEmpty() ? "" : " (" + scanNote + ")"));
    return new AccountReport(a.id(), a.name(), a.ouPathNames(), status, reason, mode.label(),
        values, sources, scanned, users, notReached, scan.label(), scanNote);
  }

  /**
   * Every user's verdict from the credential report and GetAccountAuthorizationDetails. The
   * report is requested first and the user details are read while IAM generates it. Holds the
   * account's report and user details only until the verdicts are made; a settled verdict keeps
   * only its report entry.
   *
   * @throws RuntimeException when the report or the details cannot be had; nothing was changed
   */
  private List<ReportTriage.Verdict> triage(KeyStore keys, RotationPolicy policy) {
    keys.requestCredentialReport();
    List<UserDetails> details = keys.userDetails();
    CredentialReport report = keys.credentialReport(reportWait);
    ReportTriage triage = new ReportTriage(planner, policy, report, clock.instant());
    List<ReportTriage.Verdict> out = new ArrayList<>(details.size());
    for (UserDetails d : details) {
      out.add(triage.judge(d));
    }
    return out;
  }

  private AccountReport failed(Account a, String reason, Map<String, String> values,
      Map<String, String> sources, String mode) {
    progress.report("account " + a.id() + ": FAILED (" + reason + ")");
    return new AccountReport(a.id(), a.name(), a.ouPathNames(), AccountStatus.FAILED, reason,
        mode, values, sources, 0, List.of(), List.of());
  }
}
