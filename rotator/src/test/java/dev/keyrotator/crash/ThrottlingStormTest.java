package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.policy.Action;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
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
      storm
          .faults()
          .add(FaultRule.on("iam", "*").throttleRate(0.5).seed(11))
          .add(FaultRule.on("sts", "*").throttleRate(0.5).seed(12));

      RunReport calmRun =
          CrashLab.runInProcess(calm, CrashLab.policy(""), Set.of(), Deadline.none());
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
      assertThat(stormRun.awsCalls().get("total.retries")).isGreaterThanOrEqualTo(throttled);
      // calls that fail in the end are only the expected ones (a secret not found yet), as calm
      assertThat(stormRun.awsCalls().get("total.failed"))
          .isEqualTo(calmRun.awsCalls().get("total.failed"));
      assertThat(stormRun.awsCalls().get("total.calls"))
          .isEqualTo(calmRun.awsCalls().get("total.calls"));
      assertThat(calmRun.awsCalls().get("total.retries")).isZero();
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
