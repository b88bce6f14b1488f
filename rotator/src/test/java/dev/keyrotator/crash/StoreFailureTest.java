package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Sandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a failing Secrets Manager leaves: never a new key without its stored secret. */
class StoreFailureTest {

  @Test
  void aStoreThatFailsForGoodLeavesNoNewKeyAndTheOldKeyActive() {
    try (Sandbox sb = Sandbox.start(CrashLab.oneRotationOfEach())) {
      Map<String, AccessKeyInfo> initial = CrashLab.keys(sb, CrashLab.MEMBER);
      List<AccessKeyInfo> before = sb.iamKeys(CrashLab.MEMBER, "app-create");
      sb.faults()
          .add(FaultRule.on("secretsmanager", "CreateSecret").errorRate(1.0))
          .add(FaultRule.on("secretsmanager", "PutSecretValue").errorRate(1.0));

      for (int run = 0; run < 2; run++) {
        RunReport r = CrashLab.runInProcess(sb, CrashLab.policy(""));

        assertThat(sb.iamKeys(CrashLab.MEMBER, "app-create"))
            .singleElement()
            .satisfies(
                k -> {
                  assertThat(k.accessKeyId()).isEqualTo(before.get(0).accessKeyId());
                  assertThat(k.active()).isTrue();
                });
        assertThat(sb.userTags(CrashLab.MEMBER, "app-create"))
            .doesNotContainKey(CrashLab.MARKER_TAG);
        UserReport u = SnsFailuresTest.user(r, "app-create");
        assertThat(u.decisions())
            .filteredOn(d -> d.action() == Action.CREATE_KEY)
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
                  assertThat(d.error()).contains("secretsmanager").contains("InternalServiceError");
                });
        // the later steps for that user wait for a key whose secret is stored
        assertThat(u.decisions())
            .filteredOn(d -> d.action() == Action.WARN)
            .extracting(DecisionReport::outcome)
            .containsOnly(Outcome.SKIPPED);
        assertThat(sb.snsMessages())
            .anyMatch(m -> "rotation-failed".equals(m.attributes().get("event")));
        // the other users are not held up
        assertThat(
                r.count(Action.DEACTIVATE_KEY, Outcome.DONE)
                    + r.count(Action.DELETE_KEY, Outcome.DONE))
            .isEqualTo(run == 0 ? 2 : 0);
      }
      assertThat(CrashLab.invariantViolations(sb, initial)).isEmpty();
    }
  }

  /**
   * The value is written but the resource policy is refused: the secret is safe, so the key is kept
   * with its marker, and the next run completes the store before anything else.
   */
  @Test
  void aStoreThatFailsAfterTheValueKeepsTheKeyAndTheNextRunCompletesIt() {
    try (Sandbox sb = Sandbox.start(CrashLab.oneRotationOfEach())) {
      Map<String, AccessKeyInfo> initial = CrashLab.keys(sb, CrashLab.MEMBER);
      sb.faults().add(FaultRule.on("secretsmanager", "PutResourcePolicy").errorRate(1.0));

      RunReport first = CrashLab.runInProcess(sb, CrashLab.policy(""));

      List<AccessKeyInfo> keys = sb.iamKeys(CrashLab.MEMBER, "app-create");
      assertThat(keys).hasSize(2).allMatch(AccessKeyInfo::active);
      AccessKeyInfo created = keys.get(1);
      assertThat(CrashLab.stored(sb, CrashLab.MEMBER, created)).isTrue();
      assertThat(sb.userTags(CrashLab.MEMBER, "app-create")).containsKey(CrashLab.MARKER_TAG);
      UserReport u = SnsFailuresTest.user(first, "app-create");
      assertThat(u.decisions())
          .filteredOn(d -> d.action() == Action.CREATE_KEY)
          .extracting(DecisionReport::outcome)
          .containsExactly(Outcome.FAILED);
      assertThat(u.notes()).anyMatch(n -> n.contains("is stored but the store did not finish"));

      sb.faults().clear();
      sb.calls().clear();
      // until the marker window plus the longest run have passed the marker is a rotation in flight
      sb.clock().advance(Planner.IN_FLIGHT.plusMinutes(1));
      RunReport second = CrashLab.runInProcess(sb, CrashLab.policy(""));

      assertThat(sb.calls().count("iam", "CreateAccessKey")).isZero();
      assertThat(sb.iamKeys(CrashLab.MEMBER, "app-create"))
          .extracting(AccessKeyInfo::accessKeyId)
          .containsExactly(keys.get(0).accessKeyId(), created.accessKeyId());
      UserReport v = SnsFailuresTest.user(second, "app-create");
      assertThat(v.decisions().get(0))
          .satisfies(
              d -> {
                assertThat(d.action()).isEqualTo(Action.REPAIR_CLEAR_MARKER);
                assertThat(d.outcome()).isEqualTo(Outcome.DONE);
                assertThat(d.keyId()).isEqualTo(created.accessKeyId());
              });
      assertThat(v.notes()).anyMatch(n -> n.contains("completed the rotation"));
      assertThat(sb.snsMessages())
          .anyMatch(
              m ->
                  "key-created".equals(m.attributes().get("event"))
                      && m.message().contains(created.accessKeyId()));
      assertThat(CrashLab.invariantViolations(sb, initial)).isEmpty();
    }
  }
}
