package dev.keyrotator.run;

import dev.keyrotator.config.AccountContext;
import dev.keyrotator.config.ConfigProblem;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFile.ReportingSettings;
import dev.keyrotator.config.PolicyFileException;
import dev.keyrotator.config.PolicyResolver;
import dev.keyrotator.policy.ForcedRotation;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.FindingsSink;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.ReportFile;
import dev.keyrotator.ports.ReportReader;
import dev.keyrotator.ports.ReportSink;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.DeliveryResult;
import dev.keyrotator.report.PreviousReport;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.ReportFiles;
import dev.keyrotator.report.ReportMerge;
import dev.keyrotator.report.ReportSummary;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The application service every entry point calls: a whole run (the CLI's {@code plan} and {@code
 * run}, a scheduled or manual Lambda invocation) and the three steps of a run fanned out over
 * several invocations ({@link #list}, {@link #rotate}, {@link #merge}). It owns the sequence
 * "orchestrate, write the report, deliver it, decide whether the run is partial"; entry points only
 * turn their input into a request and the result into output.
 */
public final class RotationService {

  /**
   * What a run ended with.
   *
   * @param delivery empty when the run delivers nothing (a plan, or nothing configured)
   * @param problems what else went wrong after the accounts were processed (local report files,
   *     fan-out parts), one line each
   */
  public record RunResult(
      RunReport report,
      ReportSummary summary,
      Optional<DeliveryResult> delivery,
      List<String> problems) {
    public RunResult {
      problems = List.copyOf(problems);
    }

    /** Something failed or was left for the next run: the CLI's exit 1, Lambda's "partial". */
    public boolean partial() {
      return report.partial() || !problems.isEmpty() || delivery.map(d -> !d.ok()).orElse(false);
    }
  }

  /** A fanned-out run's accounts in batches, one rotate invocation each. */
  public record Batches(String runId, List<Batch> batches) {
    public Batches {
      batches = List.copyOf(batches);
    }
  }

  /**
   * One batch: its account ids, and the SHA-256 of the file that holds their names, OU paths and
   * tags (see {@link BatchAccounts}: the rotate step reads it instead of walking the organization).
   */
  public record Batch(List<String> accounts, String accountsSha256) {
    public Batch {
      accounts = List.copyOf(accounts);
    }
  }

  /** One batch's run and where its part went ({@code s3://...}). */
  public record BatchResult(RunResult run, String part) {}

  /** The merged run, with how many parts it read and the batches no part covered. */
  public record MergeResult(RunResult run, int parts, List<String> missingParts) {
    public MergeResult {
      missingParts = List.copyOf(missingParts);
    }
  }

  private final PolicyFile policy;
  private final Orchestrator orchestrator;
  private final ReportDelivery delivery;
  private final ReportSink sink;
  private final ReportReader reader;
  private final Progress progress;
  private final Optional<FindingsSink> findings;
  private final Notifier notifier;

  public RotationService(
      PolicyFile policy,
      Orchestrator orchestrator,
      ReportDelivery delivery,
      ReportSink sink,
      ReportReader reader,
      Progress progress,
      Notifier notifier) {
    this(policy, orchestrator, delivery, sink, reader, progress, notifier, Optional.empty());
  }

  /** With Security Hub findings published after each delivered run. */
  public RotationService(
      PolicyFile policy,
      Orchestrator orchestrator,
      ReportDelivery delivery,
      ReportSink sink,
      ReportReader reader,
      Progress progress,
      Notifier notifier,
      Optional<FindingsSink> findings) {
    this.findings = findings;
    this.policy = policy;
    this.notifier = notifier;
    this.orchestrator = orchestrator;
    this.delivery = delivery;
    this.sink = sink;
    this.reader = reader;
    this.progress = progress;
  }

  /**
   * One whole run: every account, then the local report files (when asked), then delivery to the
   * security account (unless it is a plan).
   *
   * @throws IllegalArgumentException when the request names an account the organization does not
   *     have; nothing has been changed then
   * @throws AwsCallException when the organization cannot be read; nothing has been changed then
   */
  public RunResult run(RunRequest request) {
    request.reportDir().ifPresent(ReportFiles::checkWritable);
    // the report counts every call of the run: the checks and the account listing too
    Map<String, Long> callsBefore = orchestrator.callsSoFar();
    checkTopic(request);
    List<Account> accounts = orchestrator.activeAccounts();
    checkPolicies(accounts, request.accounts());
    RunReport report = orchestrator.run(request, accounts, callsBefore);
    return finish(report, request.delivers(), request.reportDir(), new ArrayList<>());
  }

  // ---------------------------------------------------------------- one key now

  /** What a rotate-now ended with, and the delivery of its report (as a run's). */
  public record RotateNowResult(RotateNow.Result rotation, RunResult run) {}

  /**
   * rotate-now ({@link RotateNow#run}), then its one-user report delivered to the security account
   * (report files and summary, as a run's; none for a dry run).
   */
  public RotateNowResult rotateNow(RotateNow.Request request) {
    RotateNow.Result r = orchestrator.rotateNow().run(request);
    return new RotateNowResult(
        r, finish(r.report(), !request.dryRun(), Optional.empty(), new ArrayList<>()));
  }

  /** An exposed key AWS reported ({@link RotateNow#exposed}), its report delivered as a run's. */
  public RotateNowResult exposed(
      String runId, String accountId, String keyId, ForcedRotation.Incident incident) {
    RotateNow.Result r = orchestrator.rotateNow().exposed(runId, accountId, keyId, incident);
    return new RotateNowResult(r, finish(r.report(), true, Optional.empty(), new ArrayList<>()));
  }

  // ---------------------------------------------------------------- before the first change

  /**
   * The notification topic can take messages, or nothing is changed: a run that rotates keys while
   * every owner message is lost must not start.
   *
   * @throws IllegalArgumentException naming the topic and what is wrong with it
   */
  private void checkTopic(RunRequest request) {
    if (request.planOnly() || request.modeOverride().filter(m -> m == Mode.DRY_RUN).isPresent()) {
      return;
    }
    Optional<String> topic = Optional.ofNullable(policy.notifications()).flatMap(n -> n.topicArn());
    if (topic.isEmpty()) {
      return;
    }
    Optional<String> problem = notifier.problem(topic.get());
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get() + "; nothing was changed");
    }
  }

  /**
   * Every selected account's policy resolves to valid thresholds (an OU override and an account tag
   * override may combine into an invalid one), or nothing is changed: checked right after the
   * organization walk, before the first account is worked on.
   *
   * @throws IllegalArgumentException naming the accounts and their problems
   */
  private void checkPolicies(List<Account> accounts, Set<String> asked) {
    List<String> invalid = new ArrayList<>();
    for (Account a : accounts) {
      if (AccountSelection.exclusionReason(a, policy.organization()).isPresent()
          || (!asked.isEmpty() && !asked.contains(a.id()))) {
        continue;
      }
      try {
        PolicyResolver.resolve(policy, new AccountContext(a.id(), a.ouPath(), a.tags()));
      } catch (PolicyFileException e) {
        invalid.add(
            "account "
                + a.id()
                + ": "
                + String.join("; ", e.problems().stream().map(ConfigProblem::message).toList()));
      }
    }
    if (!invalid.isEmpty()) {
      throw new IllegalArgumentException(
          "the policy in force is invalid for "
              + invalid.size()
              + " account(s): "
              + String.join(" | ", invalid)
              + "; nothing was changed");
    }
  }

  private RunResult finish(
      RunReport report, boolean deliver, Optional<Path> reportDir, List<String> problems) {
    ReportSummary summary = ReportSummary.of(report);
    long lost =
        report.accounts().stream()
            .flatMap(a -> a.users().stream())
            .mapToLong(UserReport::notificationsLost)
            .sum();
    if (lost > 0) {
      problems.add(
          lost
              + " notification(s) could not be published to SNS (see notificationsLost and the"
              + " users' notes in the report); the run is partial");
    }
    boolean delivering = deliver && ReportDelivery.configured(policy.reporting());
    PreviousReport previous =
        new PreviousReports(reader)
            .find(
                report, reportDir, delivering ? Optional.of(policy.reporting()) : Optional.empty());
    if (reportDir.isPresent()) {
      try {
        ReportFiles.writeTo(reportDir.get(), report, summary, previous);
      } catch (IOException | RuntimeException e) {
        problems.add("report files not written to " + reportDir.get() + ": " + e.getMessage());
      }
    }
    Optional<DeliveryResult> delivered =
        delivering
            ? Optional.of(delivery.deliver(report, summary, policy.reporting(), previous))
            : Optional.empty();
    if (deliver && findings.isPresent()) {
      FindingsPublication.Result f = FindingsPublication.publish(findings.get(), report);
      progress.report(
          "Security Hub: "
              + f.raised()
              + " findings raised or updated, "
              + f.resolved()
              + " resolved");
      problems.addAll(f.problems());
    }
    return new RunResult(report, summary, delivered, problems);
  }

  // ---------------------------------------------------------------- fanned out

  /**
   * The fan-out's first step: one organization walk; the included accounts in batches, each batch's
   * accounts (with their OU paths and tags) written beside the run's report parts ({@link
   * BatchAccounts}).
   *
   * @throws AwsCallException when the organization cannot be read or a batch file not written
   */
  public Batches list(String runId, int batchSize) {
    String bucket = bucket();
    List<Account> included = new ArrayList<>();
    for (Account a : orchestrator.activeAccounts()) {
      if (AccountSelection.exclusionReason(a, policy.organization()).isEmpty()) {
        included.add(a);
      }
    }
    included.sort(java.util.Comparator.comparing(Account::id));
    List<Batch> batches = new ArrayList<>();
    List<ReportFile> files = new ArrayList<>();
    for (int i = 0; i < included.size(); i += batchSize) {
      List<Account> batch = included.subList(i, Math.min(included.size(), i + batchSize));
      byte[] content = BatchAccounts.render(runId, batch);
      files.add(
          new ReportFile(
              BatchAccounts.name(batch.get(0).id()), "application/json; charset=utf-8", content));
      batches.add(
          new Batch(batch.stream().map(Account::id).toList(), BatchAccounts.sha256(content)));
    }
    ReportingSettings s = policy.reporting();
    String batchFolder = BatchAccounts.folder(ReportMerge.partsFolder(s.prefix(), runId));
    for (ReportFile f : files) {
      try {
        sink.write(bucket, s.securityAccountId(), batchFolder, List.of(f));
      } catch (AwsCallException e) {
        // a list step retried by the state machine: the file is there already (reports are never
        // written over); the same accounts are fine, other ones are not this list's
        if (!sameContent(bucket, batchFolder + f.name(), f.content())) {
          throw e;
        }
      }
    }
    progress.report(
        "run "
            + runId
            + ": "
            + included.size()
            + " included accounts in "
            + batches.size()
            + " batches of up to "
            + batchSize);
    return new Batches(runId, batches);
  }

  private boolean sameContent(String bucket, String key, byte[] content) {
    try {
      return java.util.Arrays.equals(
          reader.read(bucket, policy.reporting().securityAccountId(), key), content);
    } catch (AwsCallException e) {
      return false;
    }
  }

  /**
   * One batch: its accounts run as a whole run would run them; the batch's part of the report is
   * written to {@code <prefix>parts/<runId>/<first account id>.json} in the report bucket. No
   * summary is sent. With {@code accountsSha256} (from the list step) the accounts are read from
   * the batch's file, whose digest must be that, and Organizations is not called; without it (an
   * invocation by hand) the organization is walked as a whole run walks it.
   *
   * @throws IllegalArgumentException when an id is not 12 digits, or the batch file does not match
   *     (see {@link BatchAccounts#read}); nothing has been changed then
   * @throws AwsCallException when the part cannot be written: the state machine retries the batch,
   *     and the protocol makes the second pass change nothing that the first one did (a retry that
   *     finds the part already written by an earlier attempt succeeds and keeps that part)
   */
  public BatchResult rotate(
      String runId,
      List<String> batch,
      Optional<String> accountsSha256,
      Optional<Mode> mode,
      Deadline deadline) {
    String bucket = bucket();
    BatchAccounts.checkIds(batch);
    RunRequest request = new RunRequest(runId, mode, new LinkedHashSet<>(batch), false, deadline);
    checkTopic(request);
    ReportingSettings s = policy.reporting();
    String folder = ReportMerge.partsFolder(s.prefix(), runId);
    List<Account> accounts =
        accountsSha256.isPresent()
            ? BatchAccounts.read(
                runId,
                batch,
                accountsSha256.get(),
                reader.read(
                    bucket,
                    s.securityAccountId(),
                    BatchAccounts.folder(folder) + BatchAccounts.name(batch.get(0))))
            : orchestrator.activeAccounts();
    if (accountsSha256.isPresent()) {
      orchestrator.listedBefore(accounts);
    }
    checkPolicies(accounts, request.accounts());
    RunReport full = orchestrator.run(request, accounts);
    Set<String> mine = Set.copyOf(batch);
    RunReport part =
        full.withAccounts(
            full.accounts().stream().filter(a -> mine.contains(a.accountId())).toList());
    String name = ReportMerge.partName(batch.get(0));
    String uri = "s3://" + bucket + "/" + folder + name;
    try {
      sink.write(
          bucket,
          s.securityAccountId(),
          folder,
          List.of(
              new ReportFile(name, "application/json; charset=utf-8", ReportMerge.render(part))));
      progress.report(
          "run " + runId + ": part " + uri + " written (" + part.accounts().size() + " accounts)");
    } catch (AwsCallException e) {
      if (e.statusCode() != 412 && !"PreconditionFailed".equals(e.errorCode())) {
        throw e;
      }
      // A retried batch (the state machine retries a rotate whose answer it did not get): an
      // earlier attempt of this run id wrote the part, and reports are never overwritten. The
      // retry's run changed nothing the first one had done; the first part stands.
      progress.report(
          "run "
              + runId
              + ": part "
              + uri
              + " already written by an earlier attempt of this batch; kept as it is");
    }
    return new BatchResult(
        new RunResult(part, ReportSummary.of(part), Optional.empty(), List.of()), uri);
  }

  /**
   * The fan-out's last step: reads the run's parts one at a time (each part's accounts go to a
   * {@link ReportMerge.Merger}, which keeps them on disk past a few thousand users, and the part is
   * dropped), adds the accounts the policy leaves out and those no part holds, and delivers the one
   * report and summary as a whole run does, each file written account by account.
   *
   * @param batches the batches the list step handed out; empty when not told
   * @throws IllegalStateException when the run has no readable part at all; nothing is delivered
   */
  public MergeResult merge(String runId, List<List<String>> batches) {
    String bucket = bucket();
    ReportingSettings s = policy.reporting();
    String folder = ReportMerge.partsFolder(s.prefix(), runId);
    String where = "s3://" + bucket + "/" + folder;
    // the parts are the folder's own .json files; batches/ holds the list step's account files
    List<String> keys =
        reader.keys(bucket, s.securityAccountId(), folder).stream()
            .filter(k -> k.endsWith(".json") && k.indexOf('/', folder.length()) < 0)
            .sorted()
            .toList();
    if (keys.isEmpty()) {
      throw new IllegalStateException(
          "merge of run "
              + runId
              + ": no report parts under "
              + where
              + " (no rotate step of this run id wrote its part); nothing was delivered");
    }
    List<String> problems = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    ReportMerge.Result merged;
    try (ReportMerge.Merger merger = new ReportMerge.Merger(runId)) {
      for (String key : keys) {
        String name = key.substring(folder.length());
        try {
          merger.add(
              name,
              ReportMerge.parse(
                  reader.read(bucket, s.securityAccountId(), key), "s3://" + bucket + "/" + key));
          names.add(name);
        } catch (AwsCallException | IllegalArgumentException e) {
          problems.add("part " + name + " unreadable: " + e.getMessage());
        }
      }
      if (names.isEmpty()) {
        throw new IllegalStateException(
            "merge of run " + runId + ": no readable report part under " + where + ": " + problems);
      }
      Set<String> expected = new LinkedHashSet<>();
      batches.forEach(expected::addAll);
      merger.addAccounts(missing(merger::contains, expected));
      merged = merger.result();
    }
    problems.addAll(merged.problems());
    List<String> missingParts = new ArrayList<>();
    for (List<String> batch : batches) {
      if (!batch.isEmpty() && !names.contains(ReportMerge.partName(batch.get(0)))) {
        missingParts.add(ReportMerge.partName(batch.get(0)));
        problems.add(
            "no report part "
                + where
                + ReportMerge.partName(batch.get(0))
                + " for the batch of "
                + batch.size()
                + " accounts starting with "
                + batch.get(0)
                + ": its rotate step failed or ran out of time");
      }
    }
    problems.forEach(p -> progress.report("merge of run " + runId + ": " + p));
    return new MergeResult(
        finish(merged.report(), true, Optional.empty(), problems), names.size(), missingParts);
  }

  /**
   * The accounts a whole run would report that no part holds: those the policy leaves out (SKIPPED,
   * as the orchestrator reports them) and included ones no part covers (NOT_REACHED).
   */
  private List<AccountReport> missing(Predicate<String> have, Set<String> expected) {
    List<AccountReport> out = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (Account a : orchestrator.activeAccounts()) {
      seen.add(a.id());
      if (have.test(a.id())) {
        continue;
      }
      Optional<String> excluded = AccountSelection.exclusionReason(a, policy.organization());
      if (excluded.isPresent()) {
        out.add(
            AccountReport.unprocessed(
                a.id(), a.name(), a.ouPathNames(), AccountStatus.SKIPPED, excluded.get()));
      } else {
        out.add(
            AccountReport.unprocessed(
                a.id(),
                a.name(),
                a.ouPathNames(),
                AccountStatus.NOT_REACHED,
                expected.isEmpty() || expected.contains(a.id())
                    ? "no report part holds this account (its batch's rotate step failed or ran out"
                        + " of time); the next run includes it"
                    : "in no batch of this run (it joined the organization after the list step); the"
                        + " next run includes it"));
      }
    }
    for (String id : expected) {
      if (!have.test(id) && !seen.contains(id)) {
        out.add(
            AccountReport.unprocessed(
                id,
                "",
                "",
                AccountStatus.NOT_REACHED,
                "no report part holds this account, and it is no longer an ACTIVE account of the"
                    + " organization"));
      }
    }
    return out;
  }

  private String bucket() {
    return Optional.ofNullable(policy.reporting())
        .flatMap(ReportingSettings::bucket)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "a fanned-out run needs reporting.bucket in"
                        + " the policy file (the report parts are kept there)"));
  }
}
