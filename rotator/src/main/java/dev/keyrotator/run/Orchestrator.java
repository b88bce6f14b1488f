package dev.keyrotator.run;

import dev.keyrotator.config.AccountContext;
import dev.keyrotator.config.EffectivePolicy;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileException;
import dev.keyrotator.config.PolicyResolver;
import dev.keyrotator.config.Selector;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.LeaseStore;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.report.SpilledAccounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.MDC;

/**
 * Runs the rotation over the organization: every included account in parallel (bounded by {@code
 * organization.maxConcurrentAccounts}), each as an {@link AccountRun}. One account's failure is
 * reported and never stops the others; when the deadline comes no new user or account is started
 * and what was left is reported as not reached.
 */
public final class Orchestrator {

  private final PolicyFile policy;
  private final AccountDirectory directory;
  private final AccountRun.Factory accounts;
  private final Clock clock;
  private final Supplier<Map<String, Long>> callCounts;
  private final Progress progress;
  private RotateNow rotateNow;

  /**
   * @param callCounts the AWS calls made so far by this process, by "service:operation" (with
   *     {@code total.*}); a run reports the calls it made itself
   */
  private Orchestrator(
      PolicyFile policy,
      AccountDirectory directory,
      AccountRun.Factory accounts,
      Clock clock,
      Supplier<Map<String, Long>> callCounts,
      Progress progress) {
    this.policy = policy;
    this.directory = directory;
    this.accounts = accounts;
    this.clock = clock;
    this.callCounts = callCounts;
    this.progress = progress;
  }

  /**
   * The orchestrator over the ports, reading accounts through the credential report, without
   * account leases (unit tests over fakes).
   */
  public static Orchestrator create(
      PolicyFile policy,
      AccountDirectory directory,
      RoleAssumer roles,
      Notifier notifier,
      Optional<SecretVault> centralVault,
      Planner planner,
      Clock clock,
      Supplier<Map<String, Long>> callCounts,
      Progress progress) {
    return create(
        policy,
        directory,
        roles,
        notifier,
        centralVault,
        Optional.empty(),
        "",
        planner,
        clock,
        callCounts,
        progress);
  }

  /**
   * The orchestrator over the ports, reading accounts through the credential report.
   *
   * @param leases the account leases ({@code leases.bucket}); empty: accounts are worked without a
   *     lease and the report says so
   * @param holder what runs this process, written into each lease: {@link #thisProcess}
   */
  public static Orchestrator create(
      PolicyFile policy,
      AccountDirectory directory,
      RoleAssumer roles,
      Notifier notifier,
      Optional<SecretVault> centralVault,
      Optional<LeaseStore> leases,
      String holder,
      Planner planner,
      Clock clock,
      Supplier<Map<String, Long>> callCounts,
      Progress progress) {
    AccountLeasing leasing =
        new AccountLeasing(leases, policy.leases().ttl(), holder, clock, progress);
    Orchestrator o =
        new Orchestrator(
            policy,
            directory,
            new AccountRun.Factory(
                policy,
                roles,
                notifier,
                centralVault,
                planner,
                clock,
                progress,
                ScanMode.CREDENTIAL_REPORT,
                leasing),
            clock,
            callCounts,
            progress);
    o.rotateNow =
        new RotateNow(
            policy, o::activeAccounts, roles, notifier, centralVault, planner, clock, leasing);
    return o;
  }

  /**
   * What runs this process, as a lease names its holder: {@code lambda <function>} in Lambda, else
   * {@code cli <user>@<host>}.
   */
  public static String thisProcess() {
    return AccountLeasing.thisProcess(System.getenv());
  }

  /** One user's key replaced and deactivated at once, with this orchestrator's leases. */
  public RotateNow rotateNow() {
    return rotateNow;
  }

  /**
   * The same orchestrator reading accounts the given way ({@link ScanMode#CREDENTIAL_REPORT} by
   * default).
   */
  public Orchestrator withScan(ScanMode mode) {
    Orchestrator o =
        new Orchestrator(policy, directory, accounts.withScan(mode), clock, callCounts, progress);
    o.rotateNow = rotateNow;
    return o;
  }

  /**
   * The organization's ACTIVE accounts (with their tags when an override selects accounts by tag or
   * {@code notifications.accountOwnerTagKey} names the accounts' default owner).
   *
   * @throws AwsCallException when the organization cannot be read
   */
  public List<Account> activeAccounts() {
    boolean needTags =
        policy.overrides().stream().anyMatch(o -> o.selector() instanceof Selector.AccountTag)
            || policy.notifications().accountOwnerTagKey().isPresent();
    return directory.activeAccounts(needTags);
  }

  /** Accounts an earlier step of the run listed (a fan-out batch), so they are not asked again. */
  public void listedBefore(List<Account> accounts) {
    directory.listedBefore(accounts);
  }

  /**
   * Runs once over the organization.
   *
   * @throws IllegalArgumentException when the request names an account the organization does not
   *     have; nothing has been changed then
   * @throws AwsCallException when the organization cannot be read
   */
  public RunReport run(RunRequest request) {
    Map<String, Long> callsBefore = callsSoFar();
    return run(request, activeAccounts(), callsBefore);
  }

  /**
   * The AWS call counters now: a run's report counts the calls made since {@code callsBefore} (its
   * account listing and checks included when taken before them).
   */
  public Map<String, Long> callsSoFar() {
    return callCounts.get();
  }

  /** Runs once over {@code accounts}, already read from the organization. */
  public RunReport run(RunRequest request, List<Account> accounts) {
    return run(request, accounts, callsSoFar());
  }

  /**
   * Runs once over {@code accounts}, already read from the organization; the report's {@code
   * awsCalls} are those made since {@code callsBefore} ({@link #callsSoFar}).
   */
  public RunReport run(RunRequest request, List<Account> accounts, Map<String, Long> callsBefore) {
    Instant started = clock.instant();
    Set<String> known = accounts.stream().map(Account::id).collect(Collectors.toSet());
    Set<String> unknown = new LinkedHashSet<>(request.accounts());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown account(s) "
              + unknown
              + ": not ACTIVE accounts of this organization; nothing was changed");
    }
    List<AccountReport> reports;
    try (MDC.MDCCloseable id = MDC.putCloseable(Progress.RUN_ID, request.runId())) {
      progress.report("run " + request.runId() + ": " + accounts.size() + " active accounts");
      if (!request.planOnly() && !this.accounts.leasing().configured()) {
        progress.report(
            "warning: leases.bucket is not set: accounts are worked without an account lease, so"
                + " another run at the same time could work the same account (README \"Two runs at"
                + " once: the account lease\")");
      }
      reports = inParallel(request, accounts, started);
    }
    Mode mode = request.planOnly() ? Mode.DRY_RUN : request.modeOverride().orElse(null);
    return new RunReport(
        request.runId(),
        started,
        clock.instant(),
        mode == null ? "per-account" : mode.label(),
        policy.source(),
        policy.sha256(),
        reports,
        since(callsBefore, callCounts.get()));
  }

  private List<AccountReport> inParallel(
      RunRequest request, List<Account> accounts, Instant runStarted) {
    int threads =
        Math.max(1, Math.min(policy.organization().maxConcurrentAccounts(), accounts.size()));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "account-worker");
              t.setDaemon(true);
              return t;
            });
    Optional<ReportPrefetch> prefetch = prefetch(request, accounts, threads);
    AccountRun.Factory factory =
        prefetch.map(p -> this.accounts.withRoles(p)).orElse(this.accounts);
    // Each finished account goes straight into the builder (to disk past a few thousand users,
    // README "Limits"), in the order it finishes, and comes back out in the accounts' order.
    CompletionService<Finished> done = new ExecutorCompletionService<>(pool);
    try (SpilledAccounts.Builder<Integer> reports = new SpilledAccounts.Builder<>()) {
      Instant started = clock.instant();
      AtomicInteger count = new AtomicInteger();
      for (int i = 0; i < accounts.size(); i++) {
        int index = i;
        Account a = accounts.get(i);
        done.submit(
            () -> {
              MDC.put(Progress.RUN_ID, request.runId());
              MDC.put(Progress.ACCOUNT_ID, a.id());
              prefetch.ifPresent(ReportPrefetch::turnBegins);
              try {
                AccountReport r = account(request, a, factory, runStarted);
                if (r.status() == AccountStatus.NOT_REACHED) {
                  prefetch.ifPresent(ReportPrefetch::stop); // the deadline has come
                }
                return new Finished(index, r);
              } catch (RuntimeException | Error e) {
                return new Finished(index, failed(a, "unexpected error: " + e));
              } finally {
                prefetch.ifPresent(p -> p.turnEnds(a.id()));
                progress.report(
                    count.incrementAndGet()
                        + " of "
                        + accounts.size()
                        + " accounts done, "
                        + Duration.between(started, clock.instant()).toSeconds()
                        + " s elapsed");
                MDC.clear();
              }
            });
      }
      for (int i = 0; i < accounts.size(); i++) {
        try {
          Finished f = done.take().get();
          reports.put(f.index(), f.report());
        } catch (ExecutionException e) {
          throw new IllegalStateException("an account worker ended without a report", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          for (int j = 0; j < accounts.size(); j++) {
            if (!reports.contains(j)) {
              reports.put(j, failed(accounts.get(j), "interrupted"));
            }
          }
          break;
        }
      }
      return reports.build();
    } finally {
      pool.shutdownNow();
      prefetch.ifPresent(ReportPrefetch::close);
    }
  }

  /**
   * Accounts beyond the first {@code threads} (whose turns come at once) have their credential
   * reports requested ahead of their turns, up to {@link #PREFETCH_WAVES} x {@code threads} ahead:
   * only accounts the run will work, only when it reads accounts through the report, and not when
   * the policy asks for one account at a time (then no account is touched before its turn, and none
   * after the deadline).
   */
  private Optional<ReportPrefetch> prefetch(
      RunRequest request, List<Account> accounts, int threads) {
    if (this.accounts.scanMode() != ScanMode.CREDENTIAL_REPORT
        || threads < 2
        || accounts.size() <= threads) {
      return Optional.empty();
    }
    List<String> queue = new ArrayList<>();
    for (Account a : accounts) {
      if (worked(request, a)) {
        queue.add(a.id());
      }
    }
    return Optional.of(
        new ReportPrefetch(
                this.accounts.roles(), request.runId(), queue, threads, PREFETCH_WAVES * threads)
            .start());
  }

  /**
   * How many workers' worth of accounts may have their reports requested ahead: IAM needs seconds
   * to generate one, an account whose report is ready takes about a second, so a report requested a
   * few waves ahead is ready when its turn comes.
   */
  static final int PREFETCH_WAVES = 4;

  /** Whether the run works {@code a} (not left out, its policy resolvable). */
  private boolean worked(RunRequest request, Account a) {
    if (AccountSelection.exclusionReason(a, policy.organization()).isPresent()
        || (!request.accounts().isEmpty() && !request.accounts().contains(a.id()))) {
      return false;
    }
    try {
      PolicyResolver.resolve(policy, new AccountContext(a.id(), a.ouPath(), a.tags()));
      return true;
    } catch (PolicyFileException e) {
      return false;
    }
  }

  /** An account's report and its place in the run's accounts. */
  private record Finished(int index, AccountReport report) {}

  /** One account: left out, its policy unresolvable, not reached, or run. */
  private AccountReport account(
      RunRequest request, Account a, AccountRun.Factory factory, Instant runStarted) {
    Optional<String> excluded = AccountSelection.exclusionReason(a, policy.organization());
    if (excluded.isEmpty()
        && !request.accounts().isEmpty()
        && !request.accounts().contains(a.id())) {
      excluded = Optional.of("not among the accounts this invocation asked for");
    }
    if (excluded.isPresent()) {
      return AccountReport.unprocessed(
          a.id(), a.name(), a.ouPathNames(), AccountStatus.SKIPPED, excluded.get());
    }
    EffectivePolicy effective;
    try {
      effective = PolicyResolver.resolve(policy, new AccountContext(a.id(), a.ouPath(), a.tags()));
    } catch (PolicyFileException e) {
      return failed(a, e.problems().get(0).message());
    }
    return factory.create(request, a, effective, runStarted).run();
  }

  private AccountReport failed(Account a, String reason) {
    progress.report("account " + a.id() + ": FAILED (" + reason + ")");
    return AccountReport.unprocessed(
        a.id(), a.name(), a.ouPathNames(), AccountStatus.FAILED, reason);
  }

  /** The calls made between two readings of the counters. */
  static Map<String, Long> since(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          long n = v - before.getOrDefault(k, 0L);
          if (n != 0 || k.startsWith("total.")) {
            out.put(k, n);
          }
        });
    return out;
  }
}
