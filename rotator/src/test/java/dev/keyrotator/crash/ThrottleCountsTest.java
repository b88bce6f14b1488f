package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.aws.CallMetrics;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.ports.Account;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.wiring.Injectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Every throttling answer the sandbox gives the rotator's own SDK clients (over HTTP, with their
 * real retry strategies) is counted once by {@link CallMetrics}, under its service and operation;
 * the run's report holds exactly those, its account listing included, per operation and in total.
 *
 * <p>The throttles are deterministic: every operation the rotator calls in a calm run is throttled
 * on its 1st and 3rd request (one rule per operation, counting that operation's requests over all
 * accounts), so how many throttles each operation gets does not depend on how the account workers
 * interleave. STS AssumeRole (made inside the sessions' credential providers), the credential
 * report's generate-and-wait loop, the S3 account leases, Secrets Manager, SNS and the
 * organization's account listing are all among them.
 */
class ThrottleCountsTest {
  static final String LEASES = "key-rotator-leases-111111111111";

  static Fixture organization() {
    Fixture f = ThrottlingStormTest.organization();
    f.account(CrashLab.CENTRAL, "central").bucket(LEASES);
    return f;
  }

  static PolicyFile policy() {
    return CrashLab.policy("leases:\n  bucket: " + LEASES + "\n");
  }

  @Test
  void everyThrottledAnswerIsCountedOnceUnderItsOperationAndTheReportHoldsThoseOfTheRun() {
    Set<String> operations;
    try (Sandbox calm = Sandbox.start(organization())) {
      CrashLab.runInProcess(calm, policy(), Set.of(), Deadline.none());
      operations = new TreeSet<>(calm.calls().countsByOperation().keySet());
    }
    assertThat(operations)
        .contains(
            "organizations:ListAccountsForParent",
            "sts:AssumeRole",
            "iam:GenerateCredentialReport",
            "iam:GetCredentialReport",
            "iam:CreateAccessKey",
            "secretsmanager:CreateSecret",
            "sns:Publish",
            "s3:PutObject",
            "s3:DeleteObject");

    try (Sandbox storm = Sandbox.start(organization())) {
      for (String op : operations) {
        String[] so = op.split(":", 2);
        storm
            .faults()
            .add(FaultRule.on(so[0], so[1]).failNth(1, FaultRule.Kind.THROTTLE))
            .add(FaultRule.on(so[0], so[1]).failNth(3, FaultRule.Kind.THROTTLE));
      }
      SandboxCredentials c = storm.credentialsFor(CrashLab.CENTRAL);
      Injector injector =
          Injectors.forRun(
              policy(),
              storm.clock(),
              line -> {},
              Optional.of(storm.endpoint()),
              AwsModule.withCredentials(
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))));
      try {
        Orchestrator orchestrator = injector.getInstance(Orchestrator.class);
        CallMetrics metrics = injector.getInstance(CallMetrics.class);
        // as RotationService.run: the counters are read, the accounts listed, then the run works
        // them and its report counts from the first reading
        Map<String, Long> before = orchestrator.callsSoFar();
        List<Account> accounts = orchestrator.activeAccounts();
        RunReport report =
            orchestrator.run(
                new RunRequest(
                    "throttle-counts", Optional.empty(), Set.of(), false, Deadline.none()),
                accounts,
                before);
        CallMetrics.Snapshot end = metrics.snapshot();
        List<CallRecord> log = storm.calls().all();

        assertThat(report.failedUsers()).isZero();
        assertThat(report.accounts())
            .filteredOn(a -> !a.accountId().equals(CrashLab.CENTRAL))
            .allSatisfy(
                a -> assertThat(a.status()).as(a.accountId()).isEqualTo(AccountStatus.DONE));

        Map<String, Long> answered = throttledByOperation(log);
        // not vacuous: every operation the rotator called got its throttling answers
        assertThat(answered.keySet()).containsAll(operations);
        assertThat(answered.values()).allMatch(n -> n >= 1);

        // the guarantee: each throttling answer counted once, under its service and operation
        assertThat(throttled(end)).isEqualTo(answered);
        // and each HTTP attempt once: attempts are the requests the sandbox received
        assertThat(attempts(end)).isEqualTo(storm.calls().countsByOperation());
        assertThat(end.total().throttled())
            .isEqualTo(log.stream().filter(CallRecord::fault).count());

        // the report holds the whole run, its organization listing included
        assertThat(reportedThrottled(report)).isEqualTo(answered);
        assertThat(answered.keySet()).anyMatch(k -> k.startsWith("organizations:"));
        assertThat(report.awsCalls().get("total.throttled")).isEqualTo(end.total().throttled());
      } finally {
        Injectors.close(injector);
      }
    }
  }

  /** The sandbox's throttling answers by {@code service:Operation}. */
  static Map<String, Long> throttledByOperation(List<CallRecord> calls) {
    Map<String, Long> out = new TreeMap<>();
    for (CallRecord r : calls) {
      if (r.fault()) {
        out.merge(r.service() + ":" + r.operation(), 1L, Long::sum);
      }
    }
    return out;
  }

  static Map<String, Long> throttled(CallMetrics.Snapshot s) {
    Map<String, Long> out = new TreeMap<>();
    s.byOperation()
        .forEach(
            (k, v) -> {
              if (v.throttled() > 0) {
                out.put(k, v.throttled());
              }
            });
    return out;
  }

  static Map<String, Long> attempts(CallMetrics.Snapshot s) {
    Map<String, Long> out = new TreeMap<>();
    s.byOperation()
        .forEach(
            (k, v) -> {
              if (v.attempts() > 0) {
                out.put(k, v.attempts());
              }
            });
    return out;
  }

  /** The report's {@code service:Operation.throttled} entries, by {@code service:Operation}. */
  static Map<String, Long> reportedThrottled(RunReport r) {
    Map<String, Long> out = new TreeMap<>();
    r.awsCalls()
        .forEach(
            (k, v) -> {
              if (k.endsWith(".throttled") && !k.startsWith("total.")) {
                out.put(k.substring(0, k.length() - ".throttled".length()), v);
              }
            });
    return out;
  }
}
