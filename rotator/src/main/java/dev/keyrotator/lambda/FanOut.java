package dev.keyrotator.lambda;

import com.google.inject.Injector;
import dev.keyrotator.aws.Account;
import dev.keyrotator.aws.AccountDirectory;
import dev.keyrotator.aws.AwsCallException;
import dev.keyrotator.aws.ReportFile;
import dev.keyrotator.aws.ReportReader;
import dev.keyrotator.aws.ReportSink;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFile.ReportingSettings;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.DeliveryResult;
import dev.keyrotator.report.EmbeddedMetrics;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.ReportMerge;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.AccountSelection;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RunRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A run fanned out over several invocations, for organizations larger than one invocation can
 * finish: the Step Functions state machine of {@code stacksets/central.yaml} ({@code FanOut=true})
 * invokes the same function three ways.
 *
 * <ol>
 *   <li>{@code list}: one organization walk; the included accounts in batches of
 *       {@value #DEFAULT_BATCH_SIZE} (env {@value #BATCH_SIZE_ENV}), with the run id;
 *   <li>{@code rotate} (one invocation per batch, a Distributed Map): the orchestrator on the
 *       batch; its report, only the batch's accounts, is written as a part to
 *       {@code <prefix>parts/<runId>/<first account id>.json} in the report bucket; no summary;
 *   <li>{@code merge}: reads the parts back, merges them ({@link ReportMerge}), adds the accounts
 *       the policy leaves out (as a single run reports them) and the accounts no part holds, and
 *       delivers the one report and the one SNS summary as a single run does.
 * </ol>
 *
 * <p>Two batches never share an account, so the per-user protocol is the single run's.
 */
final class FanOut {
  static final String LIST = "list";
  static final String ROTATE = "rotate";
  static final String MERGE = "merge";

  static final String BATCH_SIZE_ENV = "KEY_ROTATOR_BATCH_SIZE";

  /**
   * Accounts per rotate invocation. README "Performance": on real AWS (~100 ms per IAM call, ~10 s
   * for IAM to build a credential report) one account takes ~14 s, so 200 accounts at the default
   * 32 at once are ~7 rounds, ~100 s; even a batch holding one 5,000-user account (~70 s at 20 ms
   * per call, ~6 min at 100 ms) ends well inside the 15 minutes less the 90 s reserve. 10,000
   * accounts (AWS's largest organization) make 50 batches, whose ids (~160 KB) stay under Step
   * Functions' 256 KB state payload.
   */
  static final int DEFAULT_BATCH_SIZE = 200;

  private final PolicyFile policy;
  private final Injector injector;
  private final Progress log;

  FanOut(PolicyFile policy, Injector injector, Progress log) {
    this.policy = policy;
    this.injector = injector;
    this.log = log;
  }

  static int batchSize(Map<String, String> env) {
    String v = env.get(BATCH_SIZE_ENV);
    if (v == null || v.isBlank()) {
      return DEFAULT_BATCH_SIZE;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= 10_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw new IllegalArgumentException(BATCH_SIZE_ENV + " must be a whole number 1..10000: " + v);
  }

  /** {@code {"runId": ..., "batches": [{"runId": ..., "accounts": [...]}, ...]}}. */
  Map<String, Object> list(String runId, int batchSize) {
    bucket();
    List<String> included = new ArrayList<>();
    for (Account a : injector.getInstance(AccountDirectory.class).activeAccounts(false)) {
      if (AccountSelection.exclusionReason(a, policy.organization()).isEmpty()) {
        included.add(a.id());
      }
    }
    included.sort(null);
    List<Map<String, Object>> batches = new ArrayList<>();
    for (int i = 0; i < included.size(); i += batchSize) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("runId", runId);
      b.put("accounts", List.copyOf(included.subList(i, Math.min(included.size(), i + batchSize))));
      batches.add(b);
    }
    log.report("run " + runId + ": " + included.size() + " included accounts in "
        + batches.size() + " batches of up to " + batchSize);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runId", runId);
    out.put("batches", batches);
    return out;
  }

  /** Runs one batch and writes its part; returns the batch's summary. */
  Map<String, Object> rotate(InvocationRequest invocation, Deadline deadline) {
    String bucket = bucket();
    String runId = invocation.runId().orElseThrow();
    List<String> batch = invocation.accounts();
    RunReport full = injector.getInstance(Orchestrator.class).run(policy,
        new RunRequest(runId, invocation.mode(), new LinkedHashSet<>(batch), false, deadline));
    Set<String> mine = Set.copyOf(batch);
    RunReport part = new RunReport(full.runId(), full.startedAt(), full.finishedAt(), full.mode(),
        full.policySource(), full.policySha256(),
        full.accounts().stream().filter(a -> mine.contains(a.accountId())).toList(),
        full.awsCalls());
    ReportingSettings s = policy.reporting();
    String folder = ReportMerge.partsFolder(s.prefix(), runId);
    String name = ReportMerge.partName(batch.get(0));
    // A part that cannot be written fails the invocation: the state machine retries it, and the
    // protocol makes the second pass change nothing that the first one did.
    injector.getInstance(ReportSink.class).write(bucket, s.securityAccountId(), folder,
        List.of(new ReportFile(name, "application/json; charset=utf-8",
            ReportMerge.render(part))));
    log.report("run " + runId + ": part s3://" + bucket + "/" + folder + name + " written ("
        + part.accounts().size() + " accounts)");
    Map<String, Object> out = RotationHandler.summary(part);
    out.put("part", "s3://" + bucket + "/" + folder + name);
    return out;
  }

  /**
   * Merges the run's parts and delivers the report.
   *
   * @throws IllegalStateException when the run has no part at all (nothing to merge)
   */
  Map<String, Object> merge(InvocationRequest invocation) {
    String bucket = bucket();
    String runId = invocation.runId().orElseThrow();
    ReportingSettings s = policy.reporting();
    String folder = ReportMerge.partsFolder(s.prefix(), runId);
    ReportReader reader = injector.getInstance(ReportReader.class);
    List<String> keys = reader.keys(bucket, s.securityAccountId(), folder).stream()
        .filter(k -> k.endsWith(".json")).toList();
    String where = "s3://" + bucket + "/" + folder;
    if (keys.isEmpty()) {
      throw new IllegalStateException("merge of run " + runId + ": no report parts under "
          + where + " (no rotate step of this run id wrote its part); nothing was delivered");
    }
    List<String> problems = new ArrayList<>();
    List<ReportMerge.Part> parts = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    for (String key : keys) {
      String name = key.substring(folder.length());
      try {
        parts.add(new ReportMerge.Part(name,
            ReportMerge.parse(reader.read(bucket, s.securityAccountId(), key), "s3://" + bucket
                + "/" + key)));
        names.add(name);
      } catch (AwsCallException | IllegalArgumentException e) {
        problems.add("part " + name + " unreadable: " + e.getMessage());
      }
    }
    if (parts.isEmpty()) {
      throw new IllegalStateException("merge of run " + runId + ": no readable report part under "
          + where + ": " + problems);
    }
    ReportMerge.Result merged = ReportMerge.merge(runId, parts);
    problems.addAll(merged.problems());
    List<String> missingParts = new ArrayList<>();
    Set<String> expected = new LinkedHashSet<>();
    for (List<String> batch : invocation.batches()) {
      expected.addAll(batch);
      if (!batch.isEmpty() && !names.contains(ReportMerge.partName(batch.get(0)))) {
        missingParts.add(ReportMerge.partName(batch.get(0)));
        problems.add("no report part " + where + ReportMerge.partName(batch.get(0))
            + " for the batch of " + batch.size() + " accounts starting with " + batch.get(0)
            + ": its rotate step failed or ran out of time");
      }
    }
    RunReport report = ReportMerge.withAccounts(merged.report(),
        missing(merged.report(), expected));
    DeliveryResult delivery = injector.getInstance(ReportDelivery.class).deliver(report, s);
    log.report(EmbeddedMetrics.line(report, delivery));
    problems.forEach(p -> log.report("merge of run " + runId + ": " + p));
    Map<String, Object> out = RotationHandler.summary(report);
    out.put("parts", parts.size());
    if (!problems.isEmpty()) {
      out.put("status", "partial");
      out.put("mergeProblems", problems);
      out.put("missingParts", missingParts);
    }
    if (!delivery.ok()) {
      out.put("status", "partial");
      out.put("reportDeliveryProblems", delivery.problems());
    }
    return out;
  }

  /**
   * The accounts a single run would report that no part holds: those the policy leaves out
   * (SKIPPED, as the orchestrator reports them) and included ones no part covers (NOT_REACHED).
   *
   * @param expected the batches' accounts; empty when the merge was not told them
   */
  private List<AccountReport> missing(RunReport merged, Set<String> expected) {
    Set<String> have = new TreeSet<>();
    merged.accounts().forEach(a -> have.add(a.accountId()));
    List<AccountReport> out = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (Account a : injector.getInstance(AccountDirectory.class).activeAccounts(false)) {
      seen.add(a.id());
      if (have.contains(a.id())) {
        continue;
      }
      var excluded = AccountSelection.exclusionReason(a, policy.organization());
      if (excluded.isPresent()) {
        out.add(new AccountReport(a.id(), a.name(), a.ouPathNames(), AccountStatus.SKIPPED,
            excluded.get(), "", Map.of(), Map.of(), 0, List.of(), List.of()));
      } else {
        out.add(notReached(a.id(), a.name(), a.ouPathNames(), expected.isEmpty()
            || expected.contains(a.id())
            ? "no report part holds this account (its batch's rotate step failed or ran out of "
                + "time); the next run includes it"
            : "in no batch of this run (it joined the organization after the list step); the "
                + "next run includes it"));
      }
    }
    for (String id : expected) {
      if (!have.contains(id) && !seen.contains(id)) {
        out.add(notReached(id, "", "", "no report part holds this account, and it is no longer "
            + "an ACTIVE account of the organization"));
      }
    }
    return out;
  }

  private static AccountReport notReached(String id, String name, String ou, String reason) {
    return new AccountReport(id, name, ou, AccountStatus.NOT_REACHED, reason, "", Map.of(),
        Map.of(), 0, List.of(), List.of());
  }

  private String bucket() {
    return java.util.Optional.ofNullable(policy.reporting()).flatMap(ReportingSettings::bucket)
        .orElseThrow(() -> new IllegalStateException("a fanned-out run needs reporting.bucket in the policy "
            + "file (the report parts are kept there)"));
  }
}
