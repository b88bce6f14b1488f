package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.policy.Action;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Half of all IAM and STS calls throttled over a multi-account organization: the SDK's retries
 * absorb the storm, the run ends in the same IAM state as a run without faults, and the report
 * counts the retries.
 */
class ThrottlingStormTest {

  /**
   * Three member accounts, each with a user due for a new key (create, store, warn). Small on
   * purpose: under a random storm the adaptive retry strategy slows each client down to about one
   * call per second (a real token bucket would let it settle at the sustainable rate).
   */
  static Fixture organization() {
    Fixture f = Fixture.create("o-storm000001", CrashLab.CENTRAL).clock(CrashLab.START);
    f.account(CrashLab.CENTRAL, "central").topic("key-rotation-events");
    for (String id : new String[] {"333333333333", "444444444444", "555555555555"}) {
      Fixture.Account a =
          f.account(id, "member-" + id.charAt(0)).memberRole(CrashLab.ROLE, CrashLab.EXTERNAL_ID);
      a.user("app-a").key(170, 1);
    }
    return f;
  }

  @Test
  void aThrottlingStormEndsInTheSameStateAsACalmRunAndTheRetriesAreCounted() {
    try (Sandbox calm = Sandbox.start(organization());
        Sandbox storm = Sandbox.start(organization())) {
      Map<String, AccessKeyInfo> initial = allKeys(calm);
      Map<String, AccessKeyInfo> stormInitial = allKeys(storm);
      assertThat(CrashLab.normalized(storm, stormInitial))
          .isEqualTo(CrashLab.normalized(calm, initial));
      RunReport calmRun =
          CrashLab.runInProcess(calm, CrashLab.policy(""), Set.of(), Deadline.none());
      throttleHalfOfEachOperation(storm, calm.calls().all());

      RunReport stormRun =
          CrashLab.runInProcess(storm, CrashLab.policy(""), Set.of(), Deadline.none());

      assertThat(calmRun.count(Action.CREATE_KEY, Outcome.DONE)).isPositive();
      assertThat(stormRun.accounts())
          .filteredOn(a -> !a.accountId().equals(CrashLab.CENTRAL))
          .allSatisfy(
              a ->
                  assertThat(a.status())
                      .as(a.accountId() + " " + a.reason())
                      .isEqualTo(AccountStatus.DONE));
      assertThat(stormRun.failedUsers())
          .as(
              "failed users: %s",
              stormRun.accounts().stream()
                  .flatMap(a -> a.users().stream())
                  .filter(u -> u.failed())
                  .map(u -> u.userName() + " " + u.decisions() + " " + u.notes())
                  .toList())
          .isZero();
      assertThat(CrashLab.normalized(storm, stormInitial))
          .isEqualTo(CrashLab.normalized(calm, initial));
      assertThat(CrashLab.invariantViolations(storm, stormInitial)).isEmpty();

      long throttled = storm.calls().matching(c -> c.fault()).size();
      assertThat(throttled).isGreaterThan(20);
      // within the retry budget: no call needed more attempts than the strategy allows
      long budget = stormRun.awsCalls().get("total.calls") * (AwsClientFactory.MAX_ATTEMPTS - 1);
      assertThat(stormRun.awsCalls().get("total.retries")).isLessThan(budget);
      assertThat(stormRun.awsCalls().get("total.throttled")).isEqualTo(throttled);
      // and per operation (IAM and STS are called only inside the run's window)
      assertThat(ThrottleCountsTest.reportedThrottled(stormRun))
          .isEqualTo(ThrottleCountsTest.throttledByOperation(storm.calls().all()));
      assertThat(stormRun.awsCalls().get("total.retries")).isGreaterThanOrEqualTo(throttled);
      // calls that fail in the end are only the expected ones (a secret not found yet), as calm
      assertThat(stormRun.awsCalls().get("total.failed"))
          .isEqualTo(calmRun.awsCalls().get("total.failed"));
      assertThat(stormRun.awsCalls().get("total.calls"))
          .isEqualTo(calmRun.awsCalls().get("total.calls"));
      assertThat(calmRun.awsCalls().get("total.retries")).isZero();
    }
  }

  /**
   * Half of the IAM and STS calls throttled: one rule per account and operation the calm run
   * called, each drawing from its own seeded sequence and injecting at most {@link
   * AwsClientFactory#MAX_ATTEMPTS} - 1 throttles, so no call can be throttled on every attempt its
   * retry strategy allows. (With one rule for all of IAM, the three accounts' calls shared one
   * sequence and how they interleaved decided which call drew which value: once in a while one call
   * drew ten throttles in a row while the other accounts took the successes in between, spent its
   * whole retry budget and failed its user; that was the dice beating the budget, not a lost
   * retry.)
   */
  static void throttleHalfOfEachOperation(Sandbox storm, List<CallRecord> calm) {
    Set<String> seen = new java.util.TreeSet<>();
    for (CallRecord r : calm) {
      if ((r.service().equals("iam") || r.service().equals("sts")) && r.accountId() != null) {
        seen.add(r.accountId() + " " + r.service() + " " + r.operation());
      }
    }
    long n = 11;
    for (String k : seen) {
      // spread: java.util.Random's first draws for neighbouring seeds are nearly the same
      long seed = n++ * 0x9E3779B97F4A7C15L;
      String[] a = k.split(" ");
      storm
          .faults()
          .add(
              FaultRule.on(a[1], a[2])
                  .account(a[0])
                  .throttleRate(0.5)
                  .seed(seed)
                  .maxFaults(AwsClientFactory.MAX_ATTEMPTS - 1));
    }
  }

  static Map<String, AccessKeyInfo> allKeys(Sandbox sb) {
    Map<String, AccessKeyInfo> out = new java.util.TreeMap<>();
    for (String a : sb.accountIds()) {
      out.putAll(CrashLab.keys(sb, a));
    }
    return out;
  }
}
